import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as L from '../src/logic.js';
import * as B from '../src/bodies.js';
import * as D from '../src/defs.js';
import { t, STRINGS } from '../src/i18n.js';

// The demo organization's forms as the core gives them (kind_definitions), captured from the
// real app; tests/e2e/forms.test.mjs checks the app's forms against the live ones.
const kinds = JSON.parse(readFileSync(new URL('fixtures/kinds.json', import.meta.url), 'utf8'));
const def = (id) => D.kindDef(kinds, id);

const catalogue = {
  kinds: ['overdose_response', 'supplies_distributed', 'systems_navigation'],
  custom_kinds: [{ id: 'foot_care', label: { en: 'Foot care', fr: 'Soins des pieds' }, fields: [] }],
  items: [
    { id: 'naloxone_kit', label: { en: 'Naloxone kit', fr: 'Trousse de naloxone' } },
    { id: 'syringes', label: { en: 'Syringes', fr: 'Seringues' } }
  ],
  areas: [{ id: 'downtown', label: { en: 'Downtown', fr: 'Centre-ville' } }],
  roles: [{ id: 'outreach', title: { en: 'Outreach worker', fr: 'Intervenant·e de proximité' }, expectations: { en: 'Walk.', fr: 'Marcher.' } }]
};

test('every English string has a French translation and the same placeholders', () => {
  for (const [key, en] of Object.entries(STRINGS.en)) {
    const fr = STRINGS.fr[key];
    assert.ok(fr, `missing French for ${key}`);
    const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join(',');
    assert.equal(ph(fr), ph(en), `placeholders differ for ${key}`);
  }
  for (const key of Object.keys(STRINGS.fr)) assert.ok(key in STRINGS.en, `French-only key ${key}`);
});

test('every i18n key used by the HTML and the screens exists', () => {
  const src = new URL('../src/', import.meta.url);
  const html = readFileSync(new URL('index.html', src), 'utf8');
  const js = readdirSync(src).filter((f) => f.endsWith('.js')).map((f) => readFileSync(new URL(f, src), 'utf8')).join('\n');
  const keys = new Set([
    ...[...html.matchAll(/data-i18n(?:-label|-title)?="(\w+)"/g)].map((m) => m[1]),
    ...[...js.matchAll(/\btr\('(\w+)'/g)].map((m) => m[1])
  ]);
  assert.ok(keys.size > 50, `found only ${keys.size} keys`);
  for (const k of keys) assert.ok(k in STRINGS.en, `unknown key ${k}`);
  // Keys built at run time from ids: every id the core can send has words.
  for (const k of ['overdose_response', 'supplies_distributed', 'outreach_contact', 'peer_education', 'emotional_support', 'meal_service', 'systems_navigation']) assert.ok(STRINGS.fr[`kind_${k}`], k);
  // Every built-in field has words; choices bring their own, in both languages.
  for (const d of kinds) {
    for (const f of d.fields) {
      assert.ok(L.fieldWords(d.id, f.id) in STRINGS.fr, `no words for ${d.id} ${f.id}`);
      for (const o of f.type === 'choice' && !['area', 'role'].includes(f.id) ? f.options : []) assert.ok(o.label.en && o.label.fr, `${d.id} ${f.id} ${o.id}`);
    }
  }
  // No list of a field's choices is typed into the UI: they come from the definitions.
  for (const id of ['income_assistance', 'health_appointment', 'in_person', 'declined', 'warm_handoff', 'transported', 'intramuscular', 'on_call', 'honorarium']) {
    assert.doesNotMatch(js, new RegExp(`'${id}'`), `${id} is typed in the UI`);
  }
});

test('no stigmatizing or identity words in worker-facing strings', () => {
  const banned = /\b(client|clients|addict|addicts|junkie|abuser|abusers|user name|patient name|clean|dirty|drogué|toxicomane)\b/i;
  for (const lang of Object.keys(STRINGS)) {
    for (const [key, s] of Object.entries(STRINGS[lang])) assert.doesNotMatch(s, banned, `${lang}.${key}`);
  }
  assert.match(t('en', 'people_reached'), /People reached/);
  assert.match(t('en', 'note_help'), /No names/);
  assert.match(t('fr', 'note_help'), /Aucun nom/);
});

test('t fills placeholders and falls back to English', () => {
  assert.equal(t('en', 'sync_waiting', { n: 3 }), '3 waiting to send');
  assert.equal(t('de', 'save'), 'Save');
  assert.equal(t('fr', 'save'), 'Enregistrer');
});

test('sync label table', () => {
  const base = { enrolled: true, waiting: 0, needs_attention: 0, last_sent_at: null, activity: { state: 'idle' } };
  const cases = [
    [{ ...base, enrolled: false }, 'en', 'Kept on this device only', 'ok'],
    [{ ...base, waiting: 3 }, 'en', '3 waiting to send', 'busy'],
    [{ ...base, waiting: 1 }, 'en', '1 waiting to send', 'busy'],
    [{ ...base, waiting: 3 }, 'fr', '3 en attente d\u2019envoi', 'busy'],
    [{ ...base, waiting: 5, activity: { state: 'sending', done: 2, total: 5 } }, 'en', 'Sending 2 of 5', 'busy'],
    [{ ...base, waiting: 5, activity: { state: 'sending', done: 2, total: 5 } }, 'fr', 'Envoi 2 sur 5', 'busy'],
    [{ ...base, waiting: 2, activity: { state: 'offline' } }, 'en', 'Offline · 2 waiting, safe on this device', 'warn'],
    [{ ...base, activity: { state: 'offline' } }, 'en', 'Offline', 'warn'],
    [{ ...base, waiting: 2, activity: { state: 'error', code: 'x' } }, 'en', 'Could not send · will try again', 'warn'],
    [{ ...base, activity: { state: 'device_revoked' } }, 'en', 'This device was removed by your organization', 'bad'],
    [{ ...base, waiting: 2, activity: { state: 'error', code: 'untrusted_certificate' } }, 'en', 'Not sent: this device does not trust the server\u2019s certificate · your records are safe here · ask your coordinator', 'bad'],
    [{ ...base, activity: { state: 'error', code: 'untrusted_certificate' } }, 'fr', 'Pas envoyé : cet appareil ne reconnaît pas le certificat du serveur · vos activités sont en sécurité ici · demandez à votre coordonnateur\u00b7rice', 'bad'],
    [{ ...base }, 'en', 'Nothing to send yet', 'ok']
  ];
  for (const [status, lang, text, tone] of cases) {
    assert.deepEqual(L.syncLabel(status, lang), { text, tone }, JSON.stringify(status));
  }
  const sent = L.syncLabel({ ...base, last_sent_at: '2026-11-22T10:42:00-08:00' }, 'en');
  assert.match(sent.text, /^All sent · last sent \d\d:\d\d$/);
  assert.equal(L.attentionLabel(0, 'en'), '');
  assert.equal(L.attentionLabel(1, 'en'), '1 needs attention');
  assert.equal(L.attentionLabel(3, 'fr'), '3 à vérifier');
});

test('record summaries in both languages', () => {
  const sup = {
    record_type: 'activity',
    kind: 'supplies_distributed',
    occurred_at: '2026-11-22T10:42:00-08:00',
    body: { items: [{ item: 'naloxone_kit', quantity: 2 }, { item: 'syringes', quantity: 1200 }] },
    sync: { state: 'waiting' }
  };
  assert.equal(L.recordSummary(sup, catalogue, 'en', kinds).what, 'Supplies handed out');
  assert.equal(L.recordSummary(sup, catalogue, 'en', kinds).detail, '2 × Naloxone kit, 1,200 × Syringes');
  assert.equal(L.recordSummary(sup, catalogue, 'fr', kinds).detail, '2 × Trousse de naloxone, 1\u00a0200 × Seringues');
  assert.equal(L.recordSummary(sup, catalogue, 'fr', kinds).state, 'En attente');
  assert.equal(L.recordSummary({ ...sup, sync: { state: 'sent', at: 'x' } }, catalogue, 'en', kinds).state, 'Sent');
  const bad = L.recordSummary({ ...sup, sync: { state: 'needs_attention', reason: 'Unknown item' } }, catalogue, 'en', kinds);
  assert.equal(bad.stateKey, 'needs_attention');
  assert.equal(bad.reason, 'Unknown item');
  const od = { ...sup, kind: 'overdose_response', body: { called_911: 'yes', naloxone: { doses: 2, route: 'intranasal' }, outcome: 'survived', on_shift: false } };
  assert.equal(L.recordSummary(od, catalogue, 'en', kinds).detail, '2 naloxone · 911: Yes · Survived · Done off shift');
  assert.equal(L.recordSummary(od, catalogue, 'fr', kinds).what, 'Intervention lors d\u2019une surdose');
  const nav = { ...sup, kind: 'systems_navigation', body: { task: 'housing', contact_type: 'accompaniment', outcome: 'pending', minutes: 90 } };
  assert.equal(L.recordSummary(nav, catalogue, 'en', kinds).detail, 'Housing · Went with them · Still open · 90 min');
  const shift = { record_type: 'shift', kind: 'shift', occurred_at: '2026-11-22T09:00:00Z', body: { started_at: '2026-11-22T09:00:00Z', ended_at: null, pay_type: 'volunteer', role: 'outreach', area: 'downtown' }, sync: { state: 'local' } };
  const s = L.recordSummary(shift, catalogue, 'en', kinds);
  assert.equal(s.what, 'Shift');
  assert.match(s.detail, /^Since \d\d:\d\d · Volunteer · Outreach worker · Downtown$/);
  assert.equal(s.state, 'On this device');
  const tr = { record_type: 'training', kind: 'training', occurred_at: '2026-11-22T09:00:00Z', body: { topic: 'Naloxone', status: 'wanted' }, sync: { state: 'waiting' } };
  assert.equal(L.recordSummary(tr, catalogue, 'fr', kinds).detail, 'Souhaitée : Naloxone');
  assert.equal(L.kindLabel('foot_care', catalogue, 'fr'), 'Soins des pieds');
  assert.equal(L.kindLabel('made_up', catalogue, 'en'), 'made_up');
  assert.deepEqual(L.quickKinds(catalogue), ['overdose_response', 'supplies_distributed', 'systems_navigation', 'foot_care']);
  assert.equal(L.itemLabel(catalogue, 'unknown_item', 'en'), 'unknown_item');
});

test('the common overdose case needs only the choices the worker taps', () => {
  // Defaults from the definition: no naloxone, 911 not known, survived. Tapping "2" and
  // "911: yes" gives the common case; the route is the definition's default.
  const od = def('overdose_response');
  const flags = { ems_arrived: false, rescue_breathing: false, oxygen: false, recovery_position: false, stayed_until_recovery_or_ems: false, kit_replaced: false };
  assert.deepEqual(B.bodyFrom(od, { 'naloxone.doses': '2', 'naloxone.route': null, called_911: 'yes', outcome: null, ...flags }), {
    called_911: 'yes',
    naloxone: { doses: 2, route: 'intranasal' },
    outcome: 'survived',
    ...flags
  });
  const none = B.bodyFrom(od, { 'naloxone.doses': '0', 'naloxone.route': 'intramuscular', called_911: null }, { area: 'downtown', note: null });
  assert.equal(none.naloxone, null);
  assert.equal(none.called_911, 'unknown');
  assert.equal(none.area, 'downtown');
  // An edit keeps what the form does not show, fields a newer device sent included.
  const kept = B.bodyFrom(od, { 'naloxone.doses': '3' }, { naloxone: { doses: 1, route: 'intramuscular', batch: 'x' }, future_field: 7 });
  assert.deepEqual(kept.naloxone, { doses: 3, route: 'intramuscular', batch: 'x' });
  assert.equal(kept.future_field, 7);
});

test('supply lines leave out zeros and keep catalogue order', () => {
  assert.deepEqual(B.supplyLines({ syringes: '10', naloxone_kit: '2', other: '0' }, ['naloxone_kit', 'syringes']), [
    { item: 'naloxone_kit', quantity: 2 },
    { item: 'syringes', quantity: 10 }
  ]);
  assert.deepEqual(B.supplyLines({}, []), []);
});

test('quantities and numbers from fields', () => {
  assert.equal(B.clampQuantity('0'), 1);
  assert.equal(B.clampQuantity('0', 0), 0);
  assert.equal(B.clampQuantity('-5'), 1);
  assert.equal(B.clampQuantity('abc'), 1);
  assert.equal(B.clampQuantity('2.6'), 3);
  assert.equal(B.clampQuantity('99999'), 10000);
  assert.equal(B.intOrNull(''), null);
  assert.equal(B.intOrNull('  '), null);
  assert.equal(B.intOrNull('45'), 45);
  assert.equal(B.intOrNull('abc'), null);
  assert.equal(B.textOrNull('  hi '), 'hi');
  assert.equal(B.textOrNull(''), null);
});

test('navigation body', () => {
  const nav = def('systems_navigation');
  const b = B.bodyFrom(nav, {
    task: 'housing', contact_type: 'accompaniment', travel_minutes: '20', outcome: 'pending',
    barriers: 'no ID\n\n  transport ', 'referral.destination': 'Housing office', 'referral.type': 'warm_handoff',
    follow_up_date: '2026-12-01', out_of_pocket_cents: B.moneyToCents('12,50')
  }, { minutes: 60 });
  assert.deepEqual(b, {
    minutes: 60, task: 'housing', contact_type: 'accompaniment', travel_minutes: 20,
    barriers: ['no ID', 'transport'], referral: { destination: 'Housing office', type: 'warm_handoff' },
    outcome: 'pending', follow_up_date: '2026-12-01', out_of_pocket_cents: 1250
  });
  // Nothing chosen: the definition's defaults, no referral without a destination.
  const empty = B.bodyFrom(nav, { task: null, contact_type: null, outcome: null, barriers: '', 'referral.destination': ' ', 'referral.type': null, out_of_pocket_cents: B.moneyToCents('') });
  assert.equal(empty.task, D.defaultOf(nav, 'task'));
  assert.equal(empty.contact_type, 'accompaniment');
  assert.equal(empty.outcome, 'completed');
  assert.equal(empty.referral, null);
  assert.equal(empty.out_of_pocket_cents, null);
  assert.deepEqual(empty.barriers, []);
  assert.equal(B.moneyToCents('abc'), null);
});

test('common fields: off shift only when the worker says so', () => {
  assert.deepEqual(B.commonFields({ area: '', note: '  ' }), { area: null, note: null });
  assert.deepEqual(B.commonFields({ area: 'downtown', note: 'ok', offShift: true }, { shift_id: 'abc', on_shift: true }),
    { shift_id: null, on_shift: false, area: 'downtown', note: 'ok' });
  assert.equal(B.commonFields({ area: '', note: '', offShift: false }, { on_shift: false }).on_shift, true);
  assert.equal('on_shift' in B.commonFields({ area: '', note: '', offShift: false }), false);
});

test('an organization’s own fields are typed as its definition says, empty ones left out', () => {
  // As the core defines an organization's kind: its fields under `fields.`, then the shared ones.
  const foot = {
    id: 'foot_care', record_type: 'activity', custom: true, label: { en: 'Foot care', fr: 'Soins des pieds' },
    fields: [
      { id: 'fields.n', label: { en: 'Pairs of socks', fr: 'Paires de bas' }, type: 'integer', min: 0, max: 50, required: false },
      { id: 'fields.b', label: { en: 'Wound seen', fr: 'Plaie vue' }, type: 'boolean', required: false },
      { id: 'fields.c', label: { en: 'Where', fr: 'Où' }, type: 'choice', options: [{ id: 'x', label: { en: 'x', fr: 'x' } }], required: false },
      { id: 'fields.t', label: { en: 'What', fr: 'Quoi' }, type: 'text', max_chars: 40, required: false },
      ...def('outreach_contact').fields
    ]
  };
  assert.deepEqual(B.bodyFrom(foot, { 'fields.n': '3', 'fields.b': true, 'fields.c': 'x', 'fields.t': '', people_reached: '2' }, { fields: { t: 'old', other: 1 } }),
    { fields: { n: 3, b: true, c: 'x', other: 1 }, people_reached: 2 });
  assert.deepEqual(D.ownFields(foot).map((f) => f.id), ['fields.n', 'fields.b', 'fields.c', 'fields.t']);
  assert.deepEqual(D.bounds(foot, 'fields.n'), { min: 0, max: 50 });
  assert.equal(D.fieldLabel(D.fieldOf(foot, 'fields.b'), 'fr'), 'Plaie vue');
});

test('kind definitions: choices, words, defaults and limits as the core gives them', () => {
  const od = def('overdose_response');
  assert.deepEqual(D.choices(od, 'called_911', 'en').map((c) => c.value), ['yes', 'no', 'unknown']);
  assert.equal(D.choices(od, 'called_911', 'fr')[0].label, 'Oui');
  assert.equal(D.choiceLabel(od, 'outcome', 'transported', 'en'), 'Taken to hospital');
  assert.equal(D.choiceLabel(od, 'outcome', 'teleported', 'en'), 'teleported');
  assert.equal(D.defaultOf(od, 'naloxone.doses'), 0);
  assert.equal(D.defaultOf(od, 'note', 'none'), 'none');
  assert.deepEqual(D.bounds(od, 'naloxone.doses'), { min: 0, max: 20 });
  assert.equal(D.maxChars(od, 'note', 1), 280);
  assert.deepEqual(D.choices(def('supplies_distributed'), 'items', 'en').map((c) => c.value).slice(0, 1), ['naloxone_kit']);
  assert.ok(D.choices(def('shift'), 'pay_type', 'en').some((c) => c.value === 'volunteer'));
  assert.equal(D.kindDef(kinds, 'teleportation'), null);
  assert.deepEqual(D.choices(null, 'x', 'en'), []);
  assert.equal(D.getPath({ naloxone: { doses: 2 } }, 'naloxone.doses'), 2);
  assert.equal(D.getPath({ naloxone: null }, 'naloxone.doses'), undefined);
  assert.deepEqual(D.setPath({ a: 1, n: { x: 1 } }, 'n.y', 2), { a: 1, n: { x: 1, y: 2 } });
  assert.deepEqual(D.setPath({ a: 1 }, 'a', undefined), {});
});

test('times: datetime-local round trip with the device offset', () => {
  const iso = L.localInputToRfc3339('2026-11-20T14:30');
  assert.match(iso, /^2026-11-20T14:30:00[+-]\d\d:\d\d$/);
  assert.equal(L.toLocalInput(iso), '2026-11-20T14:30');
  assert.equal(L.localInputToRfc3339(''), null);
  assert.equal(L.localInputToRfc3339('garbage'), null);
  assert.equal(new Date(L.toRfc3339(new Date(2026, 0, 2, 3, 4, 5))).getTime(), new Date(2026, 0, 2, 3, 4, 5).getTime());
});

test('periods', () => {
  const now = new Date(2026, 10, 22, 15, 0); // Sunday 22 November 2026
  const w = L.periodRange('week', now);
  assert.equal(L.toLocalInput(w.from), '2026-11-16T00:00');
  assert.equal(L.toLocalInput(w.to), '2026-11-23T00:00');
  assert.equal(L.toLocalInput(L.periodRange('month', now).from), '2026-11-01T00:00');
  assert.equal(L.toLocalInput(L.periodRange('month', now).to), '2026-12-01T00:00');
  assert.equal(L.toLocalInput(L.periodRange('last_month', now).from), '2026-10-01T00:00');
  assert.equal(L.toLocalInput(L.periodRange('year', new Date(2026, 0, 5)).to), '2027-01-01T00:00');
});

test('summary rows are localized', () => {
  const f = {
    paid_hours: 7.5, unpaid_hours: 2, off_shift_hours: 0.25, off_shift_activities: 1, activities: 3,
    activities_by_kind: { overdose_response: 1, supplies_distributed: 2 }, people_reached: 1234,
    supplies_by_item: { naloxone_kit: 3 }, naloxone_doses: 2, navigation_by_outcome: { completed: 1 },
    debriefs_requested: 1, trainings: 0
  };
  const en = Object.fromEntries(L.summaryRows(f, catalogue, 'en', kinds).map((r) => [r.key, `${r.label}=${r.value}`]));
  assert.equal(en.paid_hours, 'Paid hours=7.5 h');
  assert.equal(en.off_shift_hours, 'Hours off shift=0.3 h');
  assert.equal(en['kind:overdose_response'], 'Overdose response=1');
  assert.equal(en.people_reached, 'People reached=1,234');
  assert.equal(en['item:naloxone_kit'], 'Supplies handed out: Naloxone kit=3');
  const fr = Object.fromEntries(L.summaryRows(f, catalogue, 'fr', kinds).map((r) => [r.key, `${r.label}=${r.value}`]));
  assert.equal(fr.paid_hours, 'Heures payées=7,5 h');
  assert.equal(fr.people_reached, 'Personnes rejointes=1\u00a0234');
  assert.deepEqual(L.summaryRows(null, catalogue, 'en'), []);
});

test('check-in rows say what happened to a debrief request', () => {
  const c = { created_at: '2026-11-22T10:42:00-08:00', wellbeing: 2, debrief_requested: true, shared_record_id: null, private_note: 'x' };
  assert.equal(L.checkinSummary(c, 'en').what, 'Check-in · Not great');
  assert.equal(L.checkinSummary(c, 'en').detail, 'Debrief asked for, not shared');
  assert.equal(L.checkinSummary({ ...c, shared_record_id: 'r' }, 'fr').detail, 'Débreffage demandé, partagé avec mon organisme');
  assert.equal(L.checkinSummary({ ...c, wellbeing: null, debrief_requested: false }, 'en').what, 'Check-in');
  assert.equal(L.checkinSummary({ ...c, wellbeing: null, debrief_requested: false }, 'en').detail, '');
});

test('auto-lock', () => {
  assert.equal(L.autolockMinutes(null), 5);
  assert.equal(L.autolockMinutes('0'), 0);
  assert.equal(L.autolockMinutes('15'), 15);
  assert.equal(L.autolockMinutes('7'), 5);
  assert.equal(L.shouldAutolock(0, 4 * 60000, 5), false);
  assert.equal(L.shouldAutolock(0, 5 * 60000, 5), true);
  assert.equal(L.shouldAutolock(0, 1e12, 0), false);
});

test('printable body drops styles and scripts', () => {
  const html = '<!doctype html><html><head><style>x{}</style></head><body><h1>My work summary</h1><style>y{}</style><script>alert(1)</script><table></table></body></html>';
  assert.equal(L.printableBody(html), '<h1>My work summary</h1><table></table>');
  assert.equal(L.printableBody(''), '');
});

test('language at start: the one chosen, else the system’s if we have it, else English', () => {
  assert.equal(L.initialLanguage('fr', 'en-US'), 'fr');
  assert.equal(L.initialLanguage(null, 'fr-CA'), 'fr');
  assert.equal(L.initialLanguage('de', 'de-DE'), 'en');
  assert.equal(L.initialLanguage(null, null), 'en');
});

test('Send now and redrawing lists follow the sync counts', () => {
  const s = { enrolled: true, waiting: 2, needs_attention: 0, last_sent_at: null, activity: { state: 'idle' } };
  assert.equal(L.canSendNow(s), true);
  assert.equal(L.canSendNow({ ...s, activity: { state: 'sending', done: 1, total: 2 } }), false);
  assert.equal(L.canSendNow({ ...s, waiting: 0 }), false);
  assert.equal(L.canSendNow({ ...s, enrolled: false }), false);
  assert.equal(L.canSendNow(null), false);
  assert.notEqual(L.statusKey(s), L.statusKey({ ...s, waiting: 1 }));
  assert.notEqual(L.statusKey(s), L.statusKey({ ...s, needs_attention: 1 }));
  assert.equal(L.statusKey(s), L.statusKey({ ...s, activity: { state: 'offline' } }));
});

test('a summary is empty only when it has no activity, hours or training', () => {
  assert.equal(L.summaryIsEmpty({ activities: 0, paid_hours: 0, unpaid_hours: 0, trainings: 0 }), true);
  assert.equal(L.summaryIsEmpty({ activities: 0, paid_hours: 0, unpaid_hours: 0.5, trainings: 0 }), false);
  assert.equal(L.summaryIsEmpty({ activities: 1 }), false);
  assert.ok(L.AUTOLOCK_CHOICES.every((n) => L.autolockMinutes(String(n)) === n));
});

test('shift hours, and an edit form’s time only when the worker changed it', () => {
  assert.equal(L.shiftHours({ started_at: '2026-11-22T09:00:00Z', ended_at: '2026-11-22T16:30:00Z' }), 7.5);
  const iso = L.localInputToRfc3339('2026-11-20T14:30');
  assert.equal(L.editedTime('2026-11-20T14:30', iso), null);
  assert.equal(L.editedTime('', iso), null);
  assert.equal(L.toLocalInput(L.editedTime('2026-11-20T09:05', iso)), '2026-11-20T09:05');
});

test('form starting choices: role, dose buttons, money', () => {
  assert.equal(B.chooseRole(catalogue, 'outreach'), 'outreach');
  assert.equal(B.chooseRole(catalogue, 'gone_role'), 'outreach');
  assert.equal(B.chooseRole({ roles: [] }, 'outreach'), '');
  assert.equal(B.doseChoice(0), '0');
  assert.equal(B.doseChoice(5), '5');
  assert.equal(B.doseChoice(6), 'more');
  assert.equal(B.doseChoice(undefined), '0');
  assert.equal(B.dosesFromChoice('more', '8'), '8');
  assert.equal(B.dosesFromChoice('3', '8'), '3');
  assert.equal(B.centsToInput(1250), '12.5');
  assert.equal(B.centsToInput(0), '0');
  assert.equal(B.centsToInput(null), '');
  assert.equal(B.clampQuantity('30', 0, 20), 20);
});

test('after everything is sent, a failed fetch is told without saying offline', () => {
  const base = { enrolled: true, waiting: 0, needs_attention: 0, last_sent_at: '2026-11-22T10:42:00-08:00', activity: { state: 'idle' } };
  const report = { accepted: 3, already_had: 0, rejected: 0, superseded: 0, conflicts: 0, pull_error: 'network', catalogue_error: null };
  const s = L.withSyncReport(base, report, 0);
  assert.deepEqual(L.syncLabel(s, 'en'), { text: 'All sent and safe · could not get the latest from your other devices yet', tone: 'ok' });
  assert.match(L.syncLabel(s, 'fr').text, /^Tout est envoyé et en sécurité · /);
  assert.doesNotMatch(L.syncLabel(s, 'en').text, /Offline/);
  assert.equal(L.canSendNow(s), true, 'the worker can try the fetch again');
  const lists = L.withSyncReport(base, { ...report, pull_error: null, catalogue_error: 'server' }, 0);
  assert.equal(L.syncLabel(lists, 'en').text, 'All sent and safe · could not get your organization\u2019s latest lists yet');
  // A run that fetched everything, or a run under way, says nothing of it.
  assert.match(L.syncLabel(L.withSyncReport(base, { ...report, pull_error: null }, 0), 'en').text, /^All sent · last sent/);
  assert.equal(L.syncLabel(L.withSyncReport({ ...base, waiting: 2, activity: { state: 'sending', done: 1, total: 2 } }, report, 0), 'en').text, 'Sending 1 of 2');
  // Records still waiting, or no signal at all, are said first.
  assert.equal(L.syncLabel(L.withSyncReport({ ...base, waiting: 2 }, report, 0), 'en').text, '2 waiting to send');
  assert.equal(L.syncLabel(L.withSyncReport({ ...base, activity: { state: 'offline' } }, null, 0), 'en').text, 'Offline');
  // The core's own status wins over an older report.
  assert.equal(L.withSyncReport({ ...base, pull_error: 'server' }, null, 0).pull_error, 'server');
});

test('Needs attention counts refused records and versions set aside', () => {
  const base = { enrolled: true, waiting: 0, needs_attention: 2, last_sent_at: null, activity: { state: 'idle' } };
  assert.equal(L.attentionCount(L.withSyncReport(base, null, 3)), 5);
  assert.equal(L.attentionCount(L.withSyncReport({ ...base, needs_attention: 0 }, null, 1)), 1);
  assert.equal(L.attentionCount(null), 0);
  assert.notEqual(L.statusKey(L.withSyncReport(base, null, 0)), L.statusKey(L.withSyncReport(base, null, 1)));
});

test('a version set aside reads like its record, with why in plain words', () => {
  const v = {
    id: '0192f0a0-0000-7000-8000-000000000001', record_id: '0192f0a0-0000-7000-8000-000000000002',
    record_type: 'activity', kind: 'outreach_contact', occurred_at: '2026-11-22T10:42:00-08:00', version: 2,
    deleted: false, body: { people_reached: 4, minutes: 45 }, reason: 'x', status: 'conflict', set_aside_at: '2026-11-22T11:00:00-08:00'
  };
  const en = L.setAsideSummary(v, catalogue, 'en', kinds);
  assert.equal(en.what, 'Outreach contact');
  assert.equal(en.detail, 'People reached: 4 · 45 min');
  assert.equal(en.why, 'Changed in two ways at once on two of your devices. The other change was kept.');
  assert.equal(L.setAsideSummary({ ...v, status: 'superseded' }, catalogue, 'en', kinds).why, 'A newer change from your other device was kept.');
  const fr = L.setAsideSummary({ ...v, status: 'superseded' }, catalogue, 'fr', kinds);
  assert.equal(fr.why, 'Un changement plus récent fait sur votre autre appareil a été gardé.');
  assert.match(fr.detail, /45 min/);
  assert.equal(L.setAsideSummary({ ...v, deleted: true }, catalogue, 'en', kinds).detail, 'You deleted it.');
  for (const word of ['superseded', 'conflict', 'version']) {
    for (const key of ['set_aside_superseded', 'set_aside_conflict', 'keep_mine', 'let_go', 'set_aside_help']) {
      assert.doesNotMatch(t('en', key), new RegExp(word, 'i'), `${key} says ${word}`);
    }
  }
});
