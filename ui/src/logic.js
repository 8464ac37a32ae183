// The UI's pure logic: what to say about sync state, records and summaries, dates and numbers
// in the worker's language, times to and from form inputs. No DOM and no Tauri here, so it is
// unit-tested with node --test. Nothing here decides whether a record is valid: the core does.

import { t, LANGS } from './i18n.js';
import { pick, kindDef, choiceLabel } from './defs.js';

export { pick };

const locale = (lang) => (lang === 'fr' ? 'fr-CA' : 'en-CA');

/** Formats a time of day in the worker's language, e.g. "10:42" or "10 h 42". */
export function formatTime(iso, lang) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}

/** A short date, e.g. "Sat, Nov 22" / "sam. 22 nov.". */
export function formatDate(iso, lang) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(lang), { weekday: 'short', month: 'short', day: 'numeric' }).format(d);
}

/** A number in the worker's language, with at most `digits` decimals. */
export function formatNumber(n, lang, digits = 0) {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(Number(n) || 0);
}

/** Hours, e.g. "7.5 h" / "7,5 h". */
export function formatHours(h, lang) {
  return t(lang, 'hours_value', { h: formatNumber(h, lang, 1) });
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** An RFC 3339 time with the device's UTC offset, as the core stores it. */
export function toRfc3339(date) {
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The value of a datetime-local input ("2026-11-20T14:30") as RFC 3339, or null. */
export function localInputToRfc3339(value) {
  if (!value) return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value);
  if (!m) return null;
  return toRfc3339(new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
}

/** An RFC 3339 time as a datetime-local input value, in device time. */
export function toLocalInput(iso) {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The start and end (exclusive) of a named period around `now`, in device time. */
export function periodRange(name, now = new Date()) {
  const y = now.getFullYear();
  const m = now.getMonth();
  const day = new Date(y, m, now.getDate());
  let from;
  let to;
  switch (name) {
    case 'week': {
      const dow = (day.getDay() + 6) % 7; // Monday first
      from = new Date(y, m, now.getDate() - dow);
      to = new Date(y, m, now.getDate() - dow + 7);
      break;
    }
    case 'last_month':
      from = new Date(y, m - 1, 1);
      to = new Date(y, m, 1);
      break;
    case 'year':
      from = new Date(y, 0, 1);
      to = new Date(y + 1, 0, 1);
      break;
    default:
      from = new Date(y, m, 1);
      to = new Date(y, m + 1, 1);
  }
  return { from: toRfc3339(from), to: toRfc3339(to) };
}


/** The length of a shift in hours, from its start and end. */
export function shiftHours(shift) {
  return (new Date(shift.ended_at) - new Date(shift.started_at)) / 3600000;
}

/**
 * The time typed in an edit form's datetime-local input, as RFC 3339, or null when the worker
 * left it as it was (the record keeps its time).
 */
export function editedTime(value, originalIso) {
  return value && value !== toLocalInput(originalIso) ? localInputToRfc3339(value) : null;
}

/** The language to start in: the one chosen before, else the system's if we have it, else English. */
export function initialLanguage(stored, systemLanguage) {
  if (LANGS.includes(stored)) return stored;
  const sys = (systemLanguage || 'en').slice(0, 2);
  return LANGS.includes(sys) ? sys : 'en';
}

/** One sentence about sync state, and a tone for its colour: ok, busy, warn, bad. */
export function syncLabel(status, lang) {
  if (!status) return { text: '', tone: 'busy' };
  if (!status.enrolled) return { text: t(lang, 'sync_not_joined'), tone: 'ok' };
  const a = status.activity || { state: 'idle' };
  const n = status.waiting;
  if (a.state === 'sending') {
    return { text: t(lang, 'sync_sending', { done: a.done, total: a.total }), tone: 'busy' };
  }
  if (a.state === 'device_revoked') return { text: t(lang, 'sync_revoked'), tone: 'bad' };
  // Not offline: the server answered with a certificate this device does not trust (the
  // organization changed it, or someone is in between). Waiting would not fix it.
  if (a.state === 'error' && a.code === 'untrusted_certificate') {
    return { text: t(lang, 'sync_untrusted_cert'), tone: 'bad' };
  }
  if (a.state === 'offline') {
    return n > 0
      ? { text: t(lang, 'sync_offline', { n }), tone: 'warn' }
      : { text: t(lang, 'sync_offline_none'), tone: 'warn' };
  }
  if (n > 0) {
    if (a.state === 'error') return { text: t(lang, 'sync_error'), tone: 'warn' };
    return { text: n === 1 ? t(lang, 'sync_waiting_one') : t(lang, 'sync_waiting', { n }), tone: 'busy' };
  }
  // Everything was sent, but what the other devices or the organization have could not be
  // fetched afterwards: not offline, and nothing is at risk.
  if (status.pull_error) return { text: t(lang, 'sync_sent_not_fetched'), tone: 'ok' };
  if (status.catalogue_error) return { text: t(lang, 'sync_sent_no_lists'), tone: 'ok' };
  if (status.last_sent_at) {
    return { text: t(lang, 'sync_sent_at', { time: formatTime(status.last_sent_at, lang) }), tone: 'ok' };
  }
  return { text: t(lang, 'sync_nothing_yet'), tone: 'ok' };
}

/** Whether to offer Send now: enrolled, nothing being sent, and something waits or could not be fetched. */
export function canSendNow(status) {
  const due = status?.waiting > 0 || !!status?.pull_error || !!status?.catalogue_error;
  return !!(status?.enrolled && due && status.activity?.state !== 'sending');
}

/**
 * The sync state the header shows: the core's, what the last sync run the app asked for said
 * about fetching (until another run starts), and the worker's versions set aside.
 */
export function withSyncReport(status, report, setAside) {
  const fresh = status.activity?.state !== 'sending' ? report : null;
  return {
    ...status,
    pull_error: status.pull_error ?? fresh?.pull_error ?? null,
    catalogue_error: status.catalogue_error ?? fresh?.catalogue_error ?? null,
    set_aside: setAside ?? 0
  };
}

/** Records refused by the server plus versions set aside: what Needs attention lists. */
export function attentionCount(s) {
  return (s?.needs_attention ?? 0) + (s?.set_aside ?? 0);
}

/** The counts that, when they move, mean lists of records changed state. */
export function statusKey(s) {
  return `${s.waiting}|${s.last_sent_at}|${s.needs_attention}|${s.set_aside ?? 0}`;
}

/** A version set aside as one row: the worker's values, like a record's, and why it lost. */
export function setAsideSummary(v, catalogue, lang, kinds) {
  const s = recordSummary(v, catalogue, lang, kinds);
  return {
    time: s.time,
    date: s.date,
    what: s.what,
    detail: v.deleted ? t(lang, 'set_aside_deleted') : s.detail,
    why: t(lang, v.status === 'conflict' ? 'set_aside_conflict' : 'set_aside_superseded')
  };
}

/** "2 need attention", or '' when none. */
export function attentionLabel(n, lang) {
  if (!n) return '';
  return n === 1 ? t(lang, 'needs_attention_one') : t(lang, 'needs_attention', { n });
}

/** The label of a supply item in `lang`, or its id if the catalogue does not know it. */
export function itemLabel(catalogue, id, lang) {
  const item = catalogue?.items?.find((i) => i.id === id);
  return item ? pick(item.label, lang) : id;
}

/** The label of an area, or '' for none. */
export function areaLabel(catalogue, id, lang) {
  if (!id) return '';
  const a = catalogue?.areas?.find((i) => i.id === id);
  return a ? pick(a.label, lang) : id;
}

/** A role's title, or its id. */
export function roleTitle(catalogue, id, lang) {
  if (!id) return '';
  const r = catalogue?.roles?.find((i) => i.id === id);
  return r ? pick(r.title, lang) : id;
}

/** The name of an activity kind: ours for built-in kinds, the organization's for its own. */
export function kindLabel(kind, catalogue, lang) {
  const custom = catalogue?.custom_kinds?.find((k) => k.id === kind);
  if (custom) return pick(custom.label, lang);
  const key = `kind_${kind}`;
  const s = t(lang, key);
  return s === key ? kind : s;
}

// The words of built-in fields, by field path, or `kind:path` where kinds share a path.
const FIELD_WORDS = {
  'naloxone.doses': 'od_doses', 'naloxone.route': 'od_route', called_911: 'od_911',
  'overdose_response:outcome': 'od_outcome', 'systems_navigation:outcome': 'nav_outcome',
  ems_arrived: 'od_ems_arrived', rescue_breathing: 'od_rescue_breathing', oxygen: 'od_oxygen',
  recovery_position: 'od_recovery_position', stayed_until_recovery_or_ems: 'od_stayed', kit_replaced: 'od_kit_replaced',
  task: 'nav_task', contact_type: 'contact_type', travel_minutes: 'travel_minutes',
  'referral.destination': 'referral_to', 'referral.type': 'referral_type', barriers: 'barriers',
  follow_up_date: 'follow_up', out_of_pocket_cents: 'out_of_pocket', items: 'what_item',
  people_reached: 'people_reached', minutes: 'minutes', area: 'area', on_shift: 'off_shift', note: 'note',
  topic: 'topic', status: 'training_status', role: 'role', pay_type: 'pay_type'
};

/** The i18n key of a built-in field's words (the definitions carry none for them). */
export function fieldWords(kind, path) {
  return FIELD_WORDS[`${kind}:${path}`] ?? FIELD_WORDS[path] ?? path;
}

/** The kinds to offer as quick-log buttons, in the catalogue's order. */
export function quickKinds(catalogue) {
  return [...(catalogue?.kinds ?? []), ...(catalogue?.custom_kinds ?? []).map((k) => k.id)];
}

/** What a record says, in one line; the words of its choices come from the kind definitions. */
export function recordDetail(rec, catalogue, lang, kinds) {
  const b = rec.body || {};
  const def = kindDef(kinds, rec.record_type === 'activity' ? rec.kind : rec.record_type);
  const word = (path, value) => choiceLabel(def, path, value, lang);
  if (rec.record_type === 'shift') {
    const pay = word('pay_type', b.pay_type);
    const start = formatTime(b.started_at, lang);
    const parts = [b.ended_at
      ? t(lang, 'shift_line', { start, end: formatTime(b.ended_at, lang), pay })
      : t(lang, 'shift_open_line', { start, pay })];
    if (b.role) parts.push(roleTitle(catalogue, b.role, lang));
    if (b.area) parts.push(areaLabel(catalogue, b.area, lang));
    return parts.join(' · ');
  }
  if (rec.record_type === 'training') {
    return t(lang, b.status === 'wanted' ? 'training_line_wanted' : 'training_line_received', { topic: b.topic });
  }
  if (rec.record_type !== 'activity') return '';
  const parts = [];
  switch (rec.kind) {
    case 'supplies_distributed':
      parts.push((b.items || []).map((l) => t(lang, 'qty_line', { qty: formatNumber(l.quantity, lang), item: itemLabel(catalogue, l.item, lang) })).join(', '));
      break;
    case 'overdose_response': {
      const doses = b.naloxone?.doses ? t(lang, 'od_doses_line', { n: b.naloxone.doses }) : t(lang, 'od_doses_none');
      parts.push(t(lang, 'od_line', { doses, called: word('called_911', b.called_911), outcome: word('outcome', b.outcome) }));
      break;
    }
    case 'systems_navigation':
      parts.push([word('task', b.task), word('contact_type', b.contact_type), word('outcome', b.outcome)].join(' · '));
      break;
    default:
      if (b.people_reached != null) parts.push(`${t(lang, 'people_reached')}: ${formatNumber(b.people_reached, lang)}`);
  }
  if (b.minutes) parts.push(`${formatNumber(b.minutes, lang)} min`);
  if (b.on_shift === false) parts.push(t(lang, 'off_shift'));
  return parts.filter(Boolean).join(' · ');
}

const stateKeys = { sent: 'state_sent', needs_attention: 'state_attention', local: 'state_local', waiting: 'state_waiting' };

/** A record as one list row: time, date, what, details, and its sync state. */
export function recordSummary(rec, catalogue, lang, kinds) {
  const what = rec.record_type === 'activity' ? kindLabel(rec.kind, catalogue, lang) : t(lang, `kind_${rec.record_type}`);
  return {
    time: formatTime(rec.occurred_at, lang),
    date: formatDate(rec.occurred_at, lang),
    what,
    detail: recordDetail(rec, catalogue, lang, kinds),
    state: t(lang, stateKeys[rec.sync?.state] || 'state_waiting'),
    stateKey: rec.sync?.state || 'waiting',
    reason: rec.sync?.reason || null
  };
}

/** A check-in as one list row: when, how the worker was, and what happened to a debrief request. */
export function checkinSummary(c, lang) {
  const parts = [];
  if (c.debrief_requested) parts.push(t(lang, c.shared_record_id ? 'checkin_debrief_shared' : 'checkin_debrief_private'));
  return {
    time: formatTime(c.created_at, lang),
    date: formatDate(c.created_at, lang),
    what: c.wellbeing ? `${t(lang, 'checkin_item')} · ${t(lang, `wellbeing_${c.wellbeing}`)}` : t(lang, 'checkin_item'),
    detail: parts.join(' · ')
  };
}
/** The figures of a summary as labelled rows for the screen, in `lang`. */
export function summaryRows(f, catalogue, lang, kinds) {
  if (!f) return [];
  const rows = [
    { key: 'paid_hours', label: t(lang, 'paid_hours'), value: formatHours(f.paid_hours, lang), big: true },
    { key: 'unpaid_hours', label: t(lang, 'unpaid_hours'), value: formatHours(f.unpaid_hours, lang), big: true },
    { key: 'off_shift_hours', label: t(lang, 'off_shift_hours'), value: formatHours(f.off_shift_hours, lang), big: true },
    { key: 'activities', label: t(lang, 'activities'), value: formatNumber(f.activities, lang), big: true }
  ];
  for (const [k, v] of Object.entries(f.activities_by_kind || {})) {
    rows.push({ key: `kind:${k}`, label: kindLabel(k, catalogue, lang), value: formatNumber(v, lang), sub: true });
  }
  rows.push(
    { key: 'off_shift_activities', label: t(lang, 'off_shift_activities'), value: formatNumber(f.off_shift_activities, lang) },
    { key: 'people_reached', label: t(lang, 'people_reached'), value: formatNumber(f.people_reached, lang) },
    { key: 'naloxone_doses', label: t(lang, 'naloxone_doses'), value: formatNumber(f.naloxone_doses, lang) }
  );
  for (const [k, v] of Object.entries(f.supplies_by_item || {})) {
    rows.push({ key: `item:${k}`, label: `${t(lang, 'supplies')}: ${itemLabel(catalogue, k, lang)}`, value: formatNumber(v, lang) });
  }
  for (const [k, v] of Object.entries(f.navigation_by_outcome || {})) {
    rows.push({ key: `nav:${k}`, label: `${t(lang, 'kind_systems_navigation')}: ${choiceLabel(kindDef(kinds, 'systems_navigation'), 'outcome', k, lang)}`, value: formatNumber(v, lang) });
  }
  rows.push(
    { key: 'debriefs_requested', label: t(lang, 'debriefs_requested'), value: formatNumber(f.debriefs_requested, lang) },
    { key: 'trainings', label: t(lang, 'trainings'), value: formatNumber(f.trainings, lang) }
  );
  return rows;
}

/** True when a summary has nothing to show. */
export function summaryIsEmpty(f) {
  return !f?.activities && !f?.paid_hours && !f?.unpaid_hours && !f?.trainings;
}

/** The auto-lock delays offered, in minutes; 0 means never. */
export const AUTOLOCK_CHOICES = [0, 1, 2, 5, 15, 30];

/** Minutes of inactivity after which the app locks; 0 means never. */
export function autolockMinutes(stored) {
  if (stored === null || stored === undefined || stored === '') return 5;
  const n = Number(stored);
  return AUTOLOCK_CHOICES.includes(n) ? n : 5;
}

/** True when the app has been idle long enough to lock. */
export function shouldAutolock(lastActiveMs, nowMs, minutes) {
  return minutes > 0 && nowMs - lastActiveMs >= minutes * 60000;
}

/** The body of a printable page (the core's summary_html) without its own styles. */
export function printableBody(html) {
  const m = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html || '');
  return (m ? m[1] : '').replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<script[\s\S]*?<\/script>/gi, '');
}
