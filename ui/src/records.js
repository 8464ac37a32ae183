// My records and Needs attention; their rows are also Today's on Home.

import * as L from './logic.js';
import { $, h, toast, busy } from './dom.js';
import { state, invoke, tr, fail, load, redraw, loadOrg, renderOrgName, go } from './ctx.js';
import { refreshStatus } from './status.js';
import { openShiftForm } from './shift.js';
import { openActivity } from './activity.js';

/** A record as a list row, with its buttons. */
export function recordItem(rec, actions) {
  const s = L.recordSummary(rec, state.catalogue, state.lang, state.kinds);
  const li = h('li', { 'data-id': rec.id, 'data-kind': rec.kind },
    h('span', { class: 'time' }, h('span', { text: s.time }), h('span', { class: 'date', text: s.date })),
    h('span', { class: 'what' }, h('strong', { text: s.what }), h('span', { class: 'detail', text: s.detail }),
      s.reason ? h('span', { class: 'reason', text: tr('reason', { reason: s.reason }) }) : null),
    h('span', { class: 'state', 'data-state': s.stateKey, text: s.state }));
  if (actions) li.append(h('span', { class: 'row-actions' }, ...actions));
  return li;
}

export function editButton(rec) {
  return h('button', { type: 'button', class: 'small', 'data-action': 'edit', text: tr('edit'), 'aria-label': `${tr('edit')}: ${L.recordSummary(rec, state.catalogue, state.lang, state.kinds).what} ${L.formatTime(rec.occurred_at, state.lang)}`, onclick: () => editRecord(rec) });
}

/** A Delete button that asks once more ("tap again") before calling `cmd` with `id`. */
function deleteButton(rec, cmd = 'delete_record', confirmKey = 'delete_confirm') {
  const b = h('button', { type: 'button', class: 'small danger', 'data-action': 'delete', text: tr('delete') });
  b.addEventListener('click', async () => {
    if (b.dataset.armed !== 'true') {
      b.dataset.armed = 'true';
      b.textContent = tr(confirmKey);
      return;
    }
    try {
      await invoke(cmd, { id: rec.id });
      toast(tr('deleted'));
    } catch (e) {
      fail($('fatal'), e);
    }
    await redraw();
  });
  return b;
}

/** The worker's own check-ins: only on this device; a debrief request can be shared later. */
async function renderCheckins() {
  const list = await load('list_checkins');
  if (!list) return;
  $('records-list').replaceChildren(...list.map((c) => {
    const s = L.checkinSummary(c, state.lang);
    const actions = [];
    if (c.debrief_requested && !c.shared_record_id) {
      actions.push(h('button', { type: 'button', class: 'small', 'data-action': 'share', text: tr('share_debrief'), onclick: async () => {
        try {
          await invoke('share_debrief_request', { id: c.id });
          toast(tr('checkin_shared'));
        } catch (e) {
          fail($('fatal'), e);
        }
        refreshStatus();
        await renderCheckins();
      } }));
    }
    actions.push(deleteButton(c, 'delete_checkin', 'checkin_delete_confirm'));
    return h('li', { 'data-id': c.id, 'data-kind': 'checkin' },
      h('span', { class: 'time' }, h('span', { text: s.time }), h('span', { class: 'date', text: s.date })),
      h('span', { class: 'what' }, h('strong', { text: s.what }), h('span', { class: 'detail', text: s.detail }),
        c.private_note ? h('span', { class: 'detail', text: c.private_note }) : null),
      h('span', { class: 'state', 'data-state': 'local', text: tr('state_local') }),
      h('span', { class: 'row-actions' }, ...actions));
  }));
  $('records-empty').hidden = list.length > 0;
}

/** Opens the form of `rec`, in its organization. */
async function editRecord(rec) {
  if (rec.org_id !== state.orgId) {
    state.orgId = rec.org_id;
    await loadOrg();
    renderOrgName();
  }
  if (rec.record_type === 'shift') openShiftForm(rec);
  else if (rec.record_type === 'training') openActivity('training', rec);
  else if (rec.record_type === 'activity') openActivity(rec.kind, rec);
  else if (rec.record_type === 'payment') await go('pay'); // a shared pay line is changed in My pay
}

export async function renderRecords() {
  if ($('records-filter').value === 'checkins') { await renderCheckins(); return; }
  const list = await load('list_records', { query: { record_type: $('records-filter').value || null, limit: 300 } });
  if (!list) return;
  // A debrief request is said once; it can be taken back, not edited.
  $('records-list').replaceChildren(...list.map((r) => recordItem(r, r.record_type === 'debrief_request' ? [deleteButton(r)] : r.record_type === 'payment' ? [editButton(r)] : [editButton(r), deleteButton(r)])));
  $('records-empty').hidden = list.length > 0;
}

/** A version the worker saved that lost to another change: what it was, why, and two choices. */
function setAsideItem(v) {
  const s = L.setAsideSummary(v, state.catalogue, state.lang, state.kinds);
  const choose = (cmd, done) => async (ev) => {
    const ok = await busy(ev.currentTarget, async () => {
      try {
        await invoke(cmd, { id: v.id });
        return true;
      } catch (e) {
        fail($('fatal'), e);
        return false;
      }
    });
    if (ok) toast(tr(done));
    await refreshStatus();
    await redraw();
  };
  const label = (key) => `${tr(key)}: ${s.what} ${s.time}`;
  return h('li', { class: 'set-aside', 'data-id': v.id, 'data-record': v.record_id, 'data-kind': v.kind, 'data-status': v.status },
    h('span', { class: 'time' }, h('span', { text: s.time }), h('span', { class: 'date', text: s.date })),
    h('span', { class: 'what' }, h('strong', { text: s.what }),
      h('span', { class: 'detail' }, h('span', { class: 'mine', text: tr('set_aside_state') }), ` ${s.detail}`),
      h('span', { class: 'reason', text: s.why })),
    h('span', { class: 'row-actions choices' },
      h('button', { type: 'button', class: 'primary', 'data-action': 'keep', text: tr('keep_mine'), 'aria-label': label('keep_mine'), onclick: choose('keep_set_aside', 'kept_mine') }),
      h('button', { type: 'button', class: 'secondary', 'data-action': 'let-go', text: tr('let_go'), 'aria-label': label('let_go'), onclick: choose('dismiss_set_aside', 'let_gone') })));
}

export async function renderAttention() {
  const list = await load('list_records', { query: { needs_attention: true } });
  const aside = await load('set_aside_versions');
  if (!list || !aside) return;
  $('attention-list').replaceChildren(...list.map((r) => recordItem(r, [h('button', { type: 'button', class: 'small', 'data-action': 'fix', text: tr('fix'), onclick: () => editRecord(r) })])));
  $('attention-help').hidden = list.length === 0;
  $('set-aside-list').replaceChildren(...aside.map(setAsideItem));
  $('set-aside-box').hidden = aside.length === 0;
  $('attention-empty').hidden = list.length + aside.length > 0;
}
