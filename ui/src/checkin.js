// The check-in after an overdose response; kept on this device.

import { textOrNull } from './bodies.js';
import { $, option, segValue, toast, busy } from './dom.js';
import { state, invoke, tr, fail, go, show, focusTitle } from './ctx.js';
import { refreshStatus } from './status.js';

const WELLBEING = [1, 2, 3, 4, 5];

/** Draws the check-in; `reset` clears it for a new one (keeping nothing of the last). */
export function renderCheckin(reset = false) {
  const keep = reset ? null : segValue('wellbeing');
  $('checkin-wellbeing').replaceChildren(...WELLBEING.map((n) => option('wellbeing', n, tr(`wellbeing_${n}`), String(n) === keep)));
  if (reset) {
    $('checkin-debrief').checked = false;
    $('checkin-share').checked = false;
    $('checkin-share').disabled = true;
    $('checkin-note').value = '';
    $('checkin-error').hidden = true;
  }
}

/** Opens a new check-in after the record `afterRecordId`, saying `message` at its top. */
export function offerCheckin(afterRecordId, message) {
  $('checkin-saved').textContent = message;
  state.afterRecordId = afterRecordId;
  renderCheckin(true);
  show('checkin');
  focusTitle('checkin');
}

export async function saveCheckin(ev) {
  ev.preventDefault();
  const wellbeing = segValue('wellbeing');
  const checkin = {
    org_id: state.orgId,
    after_record_id: state.afterRecordId,
    debrief_requested: $('checkin-debrief').checked,
    wellbeing: wellbeing ? Number(wellbeing) : null,
    private_note: textOrNull($('checkin-note').value),
    share_debrief_request: $('checkin-debrief').checked && $('checkin-share').checked
  };
  await busy($('checkin-save'), async () => {
    try {
      await invoke('record_checkin', { checkin });
    } catch (e) {
      fail($('checkin-error'), e);
      return;
    }
    toast(tr(checkin.share_debrief_request ? 'checkin_shared' : 'checkin_saved'));
    state.afterRecordId = null;
    refreshStatus();
    await go('home');
  });
}

/** The worker chose not to check in now. */
export function skipCheckin() {
  state.afterRecordId = null;
  go('home');
}

/** Sharing a debrief request only makes sense when one is asked for. */
export function debriefToggled() {
  $('checkin-share').disabled = !$('checkin-debrief').checked;
  if (!$('checkin-debrief').checked) $('checkin-share').checked = false;
}
