// Settings: auto-lock delay and what is kept on this device.

import * as L from './logic.js';
import { $, h } from './dom.js';
import { state, invoke, tr } from './ctx.js';

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
  items.push(h('li', { text: tr('kept_unsent') }), h('li', { text: tr('kept_checkins') }));
  $('kept-list').replaceChildren(...items);
}
