// The open shift's tally (issue 14): large − and + counters per supply item and per contact
// kind (people reached), one-handed, no free text. Every tap is one `tally_change` call, saved
// by the core before it answers. Also the activity form's "for past days" part (an aggregate
// entry, from a paper tally). The pure part at the top is unit-tested (ui/tests/tally.test.mjs).

import { pick } from './defs.js';
import { $, h, field } from './dom.js';
import { state, invoke, tr, fail, load, go } from './ctx.js';

/** The tally's counters in the two groups the screen shows, with their words. */
export function tallyGroups(tally, lang) {
  const of = (group) => (tally?.counters ?? [])
    .filter((c) => c.group === group)
    .map((c) => ({ key: c.key, label: pick(c.label, lang), count: c.count }));
  return { items: of('item'), people: of('people') };
}

/** The sum a group shows under its heading. */
export const groupTotal = (counters) => counters.reduce((n, c) => n + (c.count || 0), 0);

/** A safe element id for a counter key (`item:naloxone_kit` → `tally-item-naloxone_kit`). */
export const counterId = (key) => `tally-${String(key).replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** `{from, to}` for the body of an aggregate entry, or null when no period was given.
 * Both days or neither; the core checks the rest (order, 92 days, not in the future). */
export function periodOf(from, to) {
  const f = (from || '').trim();
  const t = (to || '').trim();
  if (!f && !t) return null;
  return { from: f || t, to: t || f };
}

/** A local YYYY-MM-DD for a date. */
export function localDay(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// ---------- the screen (needs the webview) ----------

let chain = Promise.resolve();

/** Draws the tally of the open shift. */
export async function renderTally() {
  $('tally-error').hidden = true;
  const tally = await load('tally', { orgId: state.orgId });
  if (!tally) return;
  const g = tallyGroups(tally, state.lang);
  const row = (c) => h('li', { class: 'tally-row' },
    h('span', { class: 'tally-label', id: `${counterId(c.key)}-label`, text: c.label }),
    h('output', { class: 'tally-count', id: `${counterId(c.key)}-count`, 'aria-live': 'polite', 'aria-labelledby': `${counterId(c.key)}-label`, text: String(c.count) }),
    h('button', { type: 'button', class: 'tally-less', id: `${counterId(c.key)}-less`, 'aria-label': tr('tally_less', { what: c.label }), text: '−', onclick: () => tap(c.key, -1) }),
    h('button', { type: 'button', class: 'tally-more', id: `${counterId(c.key)}-more`, 'aria-label': tr('tally_more', { what: c.label }), text: '+', onclick: () => tap(c.key, 1) }));
  $('tally-items').replaceChildren(...g.items.map(row));
  $('tally-people').replaceChildren(...g.people.map(row));
  $('tally-items-box').hidden = g.items.length === 0;
  $('tally-people-box').hidden = g.people.length === 0;
}

/** One tap, saved at once; taps are sent in order. */
function tap(key, delta) {
  chain = chain.then(async () => {
    try {
      const c = await invoke('tally_change', { orgId: state.orgId, key, delta });
      const out = $(`${counterId(key)}-count`);
      if (out) out.textContent = String(c.count);
      $('tally-error').hidden = true;
    } catch (e) {
      fail($('tally-error'), e);
    }
  });
  return chain;
}

/** Wires the Tally button on the shift card and the screen's Done button. */
export function wireTally() {
  $('shift-tally').addEventListener('click', () => go('tally'));
  $('tally-done').addEventListener('click', () => go('home'));
}

/** The activity form's "for past days" part: two dates, closed until the worker opens it. */
export function periodFields() {
  const max = localDay();
  return h('details', { class: 'period', id: 'f-period' },
    h('summary', { text: tr('period_open') }),
    h('p', { class: 'hint', text: tr('period_help') }),
    field('f-period-from', tr('period_from'), h('input', { type: 'date', max })),
    field('f-period-to', tr('period_to'), h('input', { type: 'date', max })));
}

/** `body` with the period the worker gave, if any. */
export function withPeriod(body) {
  const period = periodOf($('f-period-from')?.value, $('f-period-to')?.value);
  return period ? { ...body, period } : body;
}
