// Changing the PIN: from Settings, or required right after an unlock with a PIN shorter than
// new PINs may be (4 or 5 digits). The core checks and re-keys; this screen only asks.

import { $, busy } from './dom.js';
import { state, invoke, tr, fail, show, go, focusTitle, renderOrgName } from './ctx.js';

/** The PIN just typed at an unlock that must be changed: kept only until the change. */
let forcedOld = null;

/** Shows the change-PIN screen; `old` given means it is required now (no way around it). */
export function openPinChange(old = null) {
  forcedOld = old;
  $('pin-change-form').reset();
  $('pin-change-error').hidden = true;
  renderPinChange();
  show('pin-change');
  if (forcedOld !== null) {
    $('nav').hidden = true;
  }
  focusTitle('pin-change');
}

export function renderPinChange() {
  const forced = forcedOld !== null;
  renderOrgName(); // in the language just chosen
  $('pin-change-help').textContent = tr(forced ? 'pin_change_forced_help' : 'pin_change_help');
  $('pin-old-box').hidden = forced;
  $('pin-old').required = !forced;
  $('pin-change-cancel').hidden = forced;
}

/** Forgets the PIN kept for a required change (on a lock or Hide). */
export function forgetPinChange() {
  forcedOld = null;
}

export async function savePinChange(ev) {
  ev.preventDefault();
  $('pin-change-error').hidden = true;
  const next = $('pin-new').value;
  if (next !== $('pin-new-again').value) {
    fail($('pin-change-error'), { message: tr('pin_mismatch') });
    return;
  }
  await busy($('pin-change-submit'), async () => {
    try {
      await invoke('change_pin', { old: forcedOld ?? $('pin-old').value, new: next });
    } catch (e) {
      fail($('pin-change-error'), e);
      return;
    }
    const wasForced = forcedOld !== null;
    forcedOld = null;
    $('pin-change-form').reset();
    $('toast').textContent = tr('pin_changed');
    $('toast').hidden = false;
    await go(wasForced ? (state.orgs.length ? 'home' : 'orgs') : 'settings');
    $('toast').textContent = tr('pin_changed');
    $('toast').hidden = false;
  });
}
