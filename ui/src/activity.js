// The activity and training form: its kind's fields (kinds.js), the shared ones, saving.

import * as L from './logic.js';
import * as B from './bodies.js';
import { $, h, seg, segValue, field, check, toast, busy } from './dom.js';
import { state, invoke, tr, fail, go, beginForm, areaSelect } from './ctx.js';
import { refreshStatus } from './status.js';
import { offerCheckin } from './checkin.js';
import { kindForm } from './kinds.js';
import { savedMessage, NOTICE_MS } from './notice.js';
import { periodFields, withPeriod } from './tally.js';

/** Opens the form of `kind`, for a new record or to edit `record`. */
export function openActivity(kind, record = null) {
  beginForm('activity', kind, record, renderActivityForm);
}

export function renderActivityForm() {
  const f = state.form;
  const b = f.record?.body ?? {};
  const training = f.kind === 'training';
  const label = training ? tr('kind_training') : L.kindLabel(f.kind, state.catalogue, state.lang);
  $('activity-title').textContent = f.mode === 'edit' ? tr('edit_title', { kind: label }) : label;
  $('activity-form').dataset.kind = f.kind;
  $('form-error').hidden = true;
  $('activity-fields').replaceChildren(...kindForm(f.kind).draw(b));
  const common = $('activity-common');
  common.replaceChildren();
  if (!training) {
    common.append(field('f-area', tr('area'), areaSelect(f.mode === 'edit' ? b.area : (state.openShift?.area ?? state.lastArea ?? '')), tr('area_help')));
    if (f.mode === 'edit') common.append(check('f-offshift', tr('off_shift'), b.on_shift === false));
    else if (state.openShift) common.append(check('f-offshift', tr('off_shift'), false));
    else common.append(h('p', { class: 'hint', id: 'f-offshift-auto', text: tr('off_shift_auto') }));
  }
  if (f.mode === 'new') common.append(whenFields());
  else common.append(field('f-when-at', tr('when'), h('input', { type: 'datetime-local', value: L.toLocalInput(f.record.occurred_at) })));
  if (f.mode === 'new' && !training) common.append(periodFields()); // past days (tally.js)
  if (!training) {
    common.append(field('f-note', tr('note'), h('textarea', { maxlength: '280', rows: '2' }), tr('note_help')));
    $('f-note').value = b.note ?? '';
  }
}

/** "Now" or "Earlier", with a date and time for earlier (never in the future). */
function whenFields() {
  const at = h('input', { type: 'datetime-local', id: 'f-when-at', max: L.toLocalInput(new Date()) });
  const atBox = h('div', { class: 'field', hidden: true }, h('label', { for: 'f-when-at', text: tr('when_at') }), at);
  const s = seg('f-when', tr('when'), [{ value: 'now', label: tr('when_now') }, { value: 'earlier', label: tr('when_earlier') }], 'now', (v) => {
    atBox.hidden = v !== 'earlier';
    if (v === 'earlier' && !at.value) at.value = L.toLocalInput(new Date());
  });
  return h('div', { class: 'when' }, s, atBox);
}

function readCommon(base) {
  const f = { area: $('f-area').value, note: $('f-note').value };
  const off = $('f-offshift');
  if (off) f.offShift = off.checked;
  return B.commonFields(f, base);
}

/** The time the worker gave, or null for "now" (new) or "unchanged" (edit). */
function occurredAt() {
  const f = state.form;
  if (f.mode === 'edit') return L.editedTime($('f-when-at').value, f.record.occurred_at);
  if (segValue('f-when') !== 'earlier') return null;
  return L.localInputToRfc3339($('f-when-at').value);
}

/** Saves the form: a new record through log_activity or log_training, or an edit. */
async function send(f) {
  const base = f.record?.body ?? {};
  const when = occurredAt();
  if (f.kind === 'training') {
    const body = kindForm('training').read(base);
    return f.mode === 'edit'
      ? invoke('edit_record', { id: f.record.id, occurredAt: when, body })
      : invoke('log_training', { training: { org_id: state.orgId, ...body, occurred_at: when } });
  }
  const body = withPeriod(kindForm(f.kind).read(readCommon(base)));
  state.lastArea = body.area;
  return f.mode === 'edit'
    ? invoke('edit_record', { id: f.record.id, occurredAt: when, body })
    : invoke('log_activity', { activity: { org_id: state.orgId, kind: f.kind, body, occurred_at: when } });
}

export async function saveActivity(ev) {
  ev.preventDefault();
  const f = state.form;
  $('form-error').hidden = true;
  await busy($('activity-save'), async () => {
    let saved;
    try {
      saved = await send(f);
    } catch (e) {
      fail($('form-error'), e);
      return;
    }
    const local = saved?.sync?.state === 'local';
    // Back-dated past the organization's retention: say it will leave this device once sent.
    let days = null;
    if (!local && saved?.occurred_at) {
      try { days = await invoke('retention_notice', { orgId: saved.org_id, occurredAt: saved.occurred_at }); } catch { /* the save stands; only the notice is missing */ }
    }
    const message = savedMessage(state.lang, f.mode === 'edit' ? 'changed' : local ? 'saved_local' : 'saved', days);
    state.form = null;
    refreshStatus();
    if (f.mode === 'new' && f.kind === 'overdose_response') {
      // Said on the check-in screen itself, so no toast covers its buttons.
      offerCheckin(saved.id, message);
      return;
    }
    toast(message);
    if (days !== null) { clearTimeout(toast.timer); toast.timer = setTimeout(() => { $('toast').hidden = true; }, NOTICE_MS); }
    await go(f.back);
  });
}

/** Leaves the form without saving. */
export function cancelActivity() {
  const back = state.form?.back ?? 'home';
  state.form = null;
  go(back);
}
