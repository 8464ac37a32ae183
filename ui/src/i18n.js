// Every string the worker sees, in English and French. Plain words; "people reached", never
// "clients". Keys are stable; a missing French string falls back to English.

export const STRINGS = {
  en: {
    app_title: 'shiftlog',
    no_org: 'No organization yet',
    log_supplies: 'Supplies handed out',
    today: 'Today',
    nothing_today: 'Nothing logged yet today.',
    what_item: 'What did you hand out?',
    how_many: 'How many?',
    less: 'One less',
    more: 'One more',
    save: 'Save',
    cancel: 'Cancel',
    saved: 'Saved. It will be sent when there is a connection.',
    send_now: 'Send now',
    sync_waiting: '{n} waiting to send',
    sync_waiting_one: '1 waiting to send',
    sync_sending: 'Sending {done} of {total}',
    sync_sent_at: 'All sent · last sent {time}',
    sync_nothing_yet: 'Nothing to send yet',
    sync_offline: 'Offline · {n} waiting, safe on this device',
    sync_offline_none: 'Offline',
    sync_revoked: 'This device was removed by your organization',
    sync_error: 'Could not send · will try again',
    sync_not_joined: 'Not joined to an organization',
    needs_attention: '{n} need attention',
    state_waiting: 'Waiting',
    state_sent: 'Sent',
    state_attention: 'Needs attention',
    join_title: 'Join your organization',
    join_help: 'Your coordinator gives you a server address and a one-time code.',
    server_address: 'Server address',
    join_code: 'One-time code',
    device_name: 'Name for this device',
    device_name_default: 'My phone',
    join: 'Join',
    joined: 'Joined {org}',
    language: 'Language',
    qty_line: '{qty} × {item}'
  },
  fr: {
    app_title: 'shiftlog',
    no_org: 'Aucun organisme pour l\u2019instant',
    log_supplies: 'Matériel remis',
    today: 'Aujourd\u2019hui',
    nothing_today: 'Rien d\u2019enregistré aujourd\u2019hui.',
    what_item: 'Qu\u2019avez-vous remis ?',
    how_many: 'Combien ?',
    less: 'Un de moins',
    more: 'Un de plus',
    save: 'Enregistrer',
    cancel: 'Annuler',
    saved: 'Enregistré. Ce sera envoyé dès qu\u2019il y aura une connexion.',
    send_now: 'Envoyer',
    sync_waiting: '{n} en attente d\u2019envoi',
    sync_waiting_one: '1 en attente d\u2019envoi',
    sync_sending: 'Envoi {done} sur {total}',
    sync_sent_at: 'Tout est envoyé · dernier envoi {time}',
    sync_nothing_yet: 'Rien à envoyer pour l\u2019instant',
    sync_offline: 'Hors ligne · {n} en attente, en sécurité sur cet appareil',
    sync_offline_none: 'Hors ligne',
    sync_revoked: 'Cet appareil a été retiré par votre organisme',
    sync_error: 'Envoi impossible · nouvel essai bientôt',
    sync_not_joined: 'Pas encore membre d\u2019un organisme',
    needs_attention: '{n} à vérifier',
    state_waiting: 'En attente',
    state_sent: 'Envoyé',
    state_attention: 'À vérifier',
    join_title: 'Joindre votre organisme',
    join_help: 'Votre coordonnateur·rice vous donne l\u2019adresse du serveur et un code à usage unique.',
    server_address: 'Adresse du serveur',
    join_code: 'Code à usage unique',
    device_name: 'Nom de cet appareil',
    device_name_default: 'Mon téléphone',
    join: 'Joindre',
    joined: 'Vous avez joint {org}',
    language: 'Langue',
    qty_line: '{qty} × {item}'
  }
};

export const LANGS = ['en', 'fr'];

/** The string `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export function t(lang, key, vars = {}) {
  const table = STRINGS[lang] || STRINGS.en;
  const s = table[key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}
