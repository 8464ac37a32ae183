// The UI's pure logic: what to say about sync state and records, and what to send to the
// core. No DOM and no Tauri here, so it is unit-tested with node --test.

import { t } from './i18n.js';

/** Formats a time of day in the worker's language, e.g. "10:42" or "10 h 42". */
export function formatTime(iso, lang) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false
  }).format(d);
}

/** One sentence about sync state, and a tone for its colour: ok, busy, warn, bad. */
export function syncLabel(status, lang) {
  if (!status) return { text: '', tone: 'busy' };
  if (!status.enrolled) return { text: t(lang, 'sync_not_joined'), tone: 'warn' };
  const a = status.activity || { state: 'idle' };
  const n = status.waiting;
  if (a.state === 'sending') {
    return { text: t(lang, 'sync_sending', { done: a.done, total: a.total }), tone: 'busy' };
  }
  if (a.state === 'device_revoked') return { text: t(lang, 'sync_revoked'), tone: 'bad' };
  if (a.state === 'offline') {
    return n > 0
      ? { text: t(lang, 'sync_offline', { n }), tone: 'warn' }
      : { text: t(lang, 'sync_offline_none'), tone: 'warn' };
  }
  if (n > 0) {
    if (a.state === 'error') return { text: t(lang, 'sync_error'), tone: 'warn' };
    return { text: n === 1 ? t(lang, 'sync_waiting_one') : t(lang, 'sync_waiting', { n }), tone: 'busy' };
  }
  if (status.last_sent_at) {
    return { text: t(lang, 'sync_sent_at', { time: formatTime(status.last_sent_at, lang) }), tone: 'ok' };
  }
  return { text: t(lang, 'sync_nothing_yet'), tone: 'ok' };
}

/** The label of a supply item in `lang`, or its id if the catalogue does not know it. */
export function itemLabel(catalogue, id, lang) {
  const item = catalogue?.items?.find((i) => i.id === id);
  if (!item) return id;
  return item.label[lang] ?? item.label.en;
}

/** A record as one line for the "today" list. */
export function recordSummary(activity, catalogue, lang) {
  let what = activity.kind;
  if (activity.kind === 'supplies_distributed') {
    what = activity.body.items
      .map((l) => t(lang, 'qty_line', { qty: l.quantity, item: itemLabel(catalogue, l.item, lang) }))
      .join(', ');
  }
  const labels = { sent: 'state_sent', needs_attention: 'state_attention', local: 'state_local' };
  const state = t(lang, labels[activity.sync.state] || 'state_waiting');
  return { time: formatTime(activity.occurred_at, lang), what, state, stateKey: activity.sync.state };
}

/** Keeps a typed quantity within what the core accepts. */
export function clampQuantity(value) {
  const n = Math.round(Number(value));
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(n, 10000);
}

/** The argument for the core's log_activity command for one supplies line. */
export function suppliesActivity(orgId, item, quantity) {
  return {
    org_id: orgId ?? null,
    kind: 'supplies_distributed',
    body: { items: [{ item, quantity: clampQuantity(quantity) }] }
  };
}
