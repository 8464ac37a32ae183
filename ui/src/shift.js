// The shift form: start a shift, or edit one and its times.

import * as L from './logic.js';
import * as B from './bodies.js';
import * as D from './defs.js';
import { $, h, option, segValue, toast, busy } from './dom.js';
import { state, invoke, tr, fail, stored, store, go, beginForm, areaSelect } from './ctx.js';

/** Opens the shift form, to start a shift or to edit `record`. */
export function openShiftForm(record = null) {
  beginForm('shift', 'shift', record, renderShiftForm);
}

export function renderShiftForm() {
  const f = state.form;
  const b = f.record?.body ?? {};
  $('shift-title').textContent = tr(f.mode === 'edit' ? 'shift_edit_title' : 'shift_title');
  $('shift-save').textContent = tr(f.mode === 'edit' ? 'save' : 'start_shift');
  const orgSel = $('shift-org');
  orgSel.replaceChildren(...state.orgs.map((o) => h('option', { value: o.id, text: o.name, selected: o.id === (f.record?.org_id ?? state.orgId) })));
  orgSel.disabled = f.mode === 'edit';
  $('shift-org-box').hidden = state.orgs.length < 2;
  const chosenRole = B.chooseRole(state.catalogue, b.role ?? stored('last_role'));
  $('shift-roles').replaceChildren(...(state.catalogue?.roles ?? []).map((r) => {
    const words = h('span', { class: 'role-text' }, h('strong', { text: L.pick(r.title, state.lang) }), h('span', { id: `role-${r.id}-exp`, class: 'expect', text: L.pick(r.expectations, state.lang) }));
    const opt = option('role', r.id, words, r.id === chosenRole, { 'aria-describedby': `role-${r.id}-exp` });
    opt.classList.add('role');
    return opt;
  }));
  const def = D.kindDef(state.kinds, 'shift');
  const pay = D.choices(def, 'pay_type', state.lang);
  const lastPay = stored('last_pay');
  const chosenPay = b.pay_type ?? (pay.some((p) => p.value === lastPay) ? lastPay : D.defaultOf(def, 'pay_type'));
  $('shift-pay').replaceChildren(...pay.map((p) => option('pay', p.value, p.label, p.value === chosenPay)));
  const area = areaSelect(b.area ?? state.lastArea ?? '');
  $('shift-area').replaceChildren(...area.children);
  $('shift-area').value = b.area ?? state.lastArea ?? '';
  $('shift-times').hidden = f.mode !== 'edit';
  $('shift-started').value = b.started_at ? L.toLocalInput(b.started_at) : '';
  $('shift-ended').value = b.ended_at ? L.toLocalInput(b.ended_at) : '';
  $('shift-note').value = b.note ?? '';
  $('shift-note').maxLength = D.maxChars(def, 'note', 280);
  $('shift-error').hidden = true;
}

export async function saveShift(ev) {
  ev.preventDefault();
  const f = state.form;
  const values = {
    role: segValue('role'),
    pay_type: segValue('pay') || D.defaultOf(D.kindDef(state.kinds, 'shift'), 'pay_type'),
    area: B.textOrNull($('shift-area').value),
    note: B.textOrNull($('shift-note').value)
  };
  await busy($('shift-save'), async () => {
    try {
      if (f.mode === 'edit') {
        const body = {
          ...f.record.body,
          ...values,
          started_at: L.localInputToRfc3339($('shift-started').value) ?? f.record.body.started_at,
          ended_at: L.localInputToRfc3339($('shift-ended').value)
        };
        // A shift's time is its start (docs/records.md).
        await invoke('edit_record', { id: f.record.id, occurredAt: body.started_at, body });
        toast(tr('changed'));
      } else {
        state.orgId = $('shift-org').value || state.orgId;
        await invoke('start_shift', { shift: { org_id: state.orgId, ...values } });
        if (values.role) store('last_role', values.role);
        store('last_pay', values.pay_type);
        state.lastArea = values.area;
        toast(tr('shift_started'));
      }
    } catch (e) {
      fail($('shift-error'), e);
      return;
    }
    await go(f.back);
  });
}
