// Home: the organization's alerts (alerts.js), organization, shift card, a button per kind,
// what was logged today, the organization's other messages.

import * as L from './logic.js';
import * as D from './defs.js';
import { $, h, toast, busy } from './dom.js';
import { state, invoke, tr, fail, load, go, loadOrgs, loadOrg, renderOrgName } from './ctx.js';
import { refreshStatus } from './status.js';
import { openActivity } from './activity.js';
import { recordItem, editButton } from './records.js';
import { renderMessages } from './alerts.js';

export async function refreshHome() {
  try {
    await loadOrgs();
  } catch (e) {
    fail($('fatal'), e);
    return;
  }
  if (!state.orgs.length) { await go('orgs'); return; }
  $('org-switch').replaceChildren(...state.orgs.map((o) => h('option', { value: o.id, text: o.name, selected: o.id === state.orgId })));
  $('org-switch-box').hidden = state.orgs.length < 2;
  renderShiftCard();
  renderQuick();
  await Promise.all([refreshToday(), renderMessages()]);
}

/** The worker chose another organization to log for. */
export async function switchOrg(orgId) {
  state.orgId = orgId;
  await loadOrg();
  renderOrgName();
  await refreshHome();
}

function renderShiftCard() {
  const s = state.openShift;
  $('shift-start').hidden = !!s;
  $('shift-end').hidden = !s;
  if (s) {
    $('shift-status').textContent = tr('on_shift_since', { time: L.formatTime(s.started_at, state.lang) });
    const bits = [L.roleTitle(state.catalogue, s.role, state.lang), D.choiceLabel(D.kindDef(state.kinds, 'shift'), 'pay_type', s.pay_type, state.lang), L.areaLabel(state.catalogue, s.area, state.lang)].filter(Boolean);
    $('shift-role').textContent = bits.join(' · ');
  } else {
    $('shift-status').textContent = tr('no_shift');
    $('shift-role').textContent = '';
  }
  $('shift-card').dataset.open = String(!!s);
}

function renderQuick() {
  const box = $('quick');
  box.replaceChildren();
  for (const kind of L.quickKinds(state.catalogue)) {
    box.append(h('button', { type: 'button', class: `big kind-${kind}`, id: `log-${kind}`, text: L.kindLabel(kind, state.catalogue, state.lang), onclick: () => openActivity(kind) }));
  }
  box.append(h('button', { type: 'button', class: 'big kind-training', id: 'log-training', text: tr('kind_training'), onclick: () => openActivity('training') }));
  requestAnimationFrame(fitQuick);
}

/** A Home button whose longest word would not fit its half of the row takes the whole row,
 * so "Accompaniment" or "Accompagnement" is never cut in two at 360 px. */
export function fitQuick() {
  for (const b of $('quick').children) {
    b.classList.remove('whole-row');
    if (b.clientWidth && b.scrollWidth > b.clientWidth + 1) b.classList.add('whole-row');
  }
}
if (typeof window !== 'undefined') window.addEventListener('resize', () => requestAnimationFrame(fitQuick));

export async function refreshToday() {
  const list = await load('todays_activities');
  if (!list) return;
  $('today-list').replaceChildren(...list.map((r) => recordItem(r, [editButton(r)])));
  $('today-empty').hidden = list.length > 0;
}

export async function endShift() {
  await busy($('shift-end'), async () => {
    try {
      const s = await invoke('end_shift', { shift: { org_id: state.orgId } });
      toast(tr('shift_ended', { hours: L.formatHours(L.shiftHours(s), state.lang) }));
    } catch (e) {
      fail($('fatal'), e);
    }
    await refreshHome();
    refreshStatus();
  });
}
