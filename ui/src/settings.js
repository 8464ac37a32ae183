// Settings: auto-lock delay and what is kept on this device.

import * as L from './logic.js';
import { $, h } from './dom.js';
import { state, invoke, tr, fail } from './ctx.js';

/** How long check-ins may stay, in days; 0 is "until I delete them" (the core's `None`). */
export const CHECKIN_KEEP_CHOICES = [7, 30, 90, 365, 0];

/** The check-in retention choice, made once beside "What is kept on this device". */
async function renderCheckinKeep() {
  let sel = $('checkin-keep');
  if (!sel) {
    sel = h('select', { id: 'checkin-keep' });
    const error = h('p', { id: 'checkin-keep-error', role: 'alert', class: 'error', hidden: true });
    sel.addEventListener('change', async () => {
      const n = Number(sel.value);
      try { await invoke('set_checkin_retention', { days: n || null }); error.hidden = true; await renderSettings(); } catch (e) { fail(error, e); }
    });
    $('kept-list').after(h('label', { for: 'checkin-keep', id: 'checkin-keep-label' }), sel, error);
  }
  $('checkin-keep-label').textContent = tr('checkin_keep');
  let days = 30;
  try { days = (await invoke('checkin_retention')) ?? 0; } catch { /* the default */ }
  sel.replaceChildren(...CHECKIN_KEEP_CHOICES.map((n) => h('option', { value: String(n), text: n ? tr('checkin_keep_days', { n: L.formatNumber(n, state.lang) }) : tr('checkin_keep_forever'), selected: n === days })));
  return days;
}

export function renderAutolock() {
  $('autolock').replaceChildren(...L.AUTOLOCK_CHOICES.map((n) => h('option', { value: String(n), text: n ? tr('autolock_min', { n }) : tr('autolock_off'), selected: n === state.autolock })));
}

export async function renderSettings() {
  renderAutolock();
  const items = [h('li', { text: tr('kept_encrypted') })];
  for (const o of state.orgs) {
    if (!o.server_url) { items.push(h('li', { text: tr('kept_local', { org: o.name }) })); continue; }
    let days = '?';
    try { days = (await invoke('catalogue', { orgId: o.id })).retention_days; } catch { /* unknown */ }
    items.push(h('li', { text: tr('kept_retention', { org: o.name, days: L.formatNumber(days, state.lang) }) }));
  }
  const days = await renderCheckinKeep();
  items.push(h('li', { text: tr('kept_unsent') }), h('li', { text: tr('kept_checkins') }),
    h('li', { text: days ? tr('kept_checkins_days', { n: L.formatNumber(days, state.lang) }) : tr('kept_checkins_forever') }));
  $('kept-list').replaceChildren(...items);
}
