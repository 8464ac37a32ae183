// The PIN screen, locking, and the worker's language (also chosen on the PIN screen).

import { $, busy } from './dom.js';
import { state, raw, invoke, tr, fail, store, show, go, redraw, loadOrgs } from './ctx.js';
import { resetStatus, refreshStatus } from './status.js';
import { renderAutolock } from './settings.js';
import { openPinChange, forgetPinChange } from './pin.js';
import { openPendingJoinLink } from './join.js';

// ---------- language ----------

export function applyLanguage() {
  document.documentElement.lang = state.lang;
  $('lang').value = state.lang;
  $('lock-lang').value = state.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = tr(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', tr(el.dataset.i18nLabel));
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = tr(el.dataset.i18nTitle);
  $('join-device').placeholder = tr('device_name_default');
  renderAutolock();
}

export async function setLanguage(lang) {
  state.lang = lang;
  store('lang', lang);
  $('toast').hidden = true; // it was said in the other language
  applyLanguage();
  if (state.screen === 'lock') { renderLock(); return; }
  await redraw();
}

// ---------- lock ----------

function renderLock() {
  const creating = !state.profile?.exists;
  $('lock-title').textContent = tr(creating ? 'pin_choose_title' : 'pin_enter_title');
  $('lock-help').textContent = tr(creating ? 'pin_choose_help' : 'pin_enter_help');
  $('unlock-submit').textContent = tr(creating ? 'set_pin' : 'open');
}

/** Leaves nothing of the worker's on screen: lists, every form (a half-typed check-in note
 * too), open dialogs, scroll positions, the organization's name. */
function wipeScreens() {
  for (const id of ['today-list', 'records-list', 'attention-list', 'summary-out', 'print-area', 'orgs-list', 'activity-fields', 'activity-common', 'kept-list']) $(id).replaceChildren();
  for (const id of ['statement-list', 'statement-results', 'statement-preview', 'statement-print-area']) $(id)?.replaceChildren();
  for (const f of document.querySelectorAll('form')) f.reset();
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  for (const el of document.querySelectorAll('main, main > section')) el.scrollTop = 0;
  window.scrollTo?.(0, 0);
  forgetPinChange();
  state.form = null;
  state.openShift = null;
  state.status = null;
  $('toast').hidden = true;
  $('org-name').textContent = 'shiftlog';
  document.title = 'shiftlog';
}

export async function showLock() {
  wipeScreens();
  state.profile = await raw('profile_state');
  $('pin').value = '';
  $('lock-error').hidden = true;
  renderLock();
  show('lock');
  $('pin').focus();
}

export async function lockNow() {
  wipeScreens();
  show('lock');
  await raw('lock').catch(() => {});
  await showLock();
}

export async function unlock(ev) {
  ev.preventDefault();
  $('lock-error').hidden = true;
  await busy($('unlock-submit'), async () => {
    const pin = $('pin').value;
    let opened;
    try {
      opened = await invoke('unlock', { pin });
    } catch (e) {
      fail($('lock-error'), e);
      $('pin').select();
      return;
    }
    $('pin').value = '';
    state.lastActive = Date.now();
    await loadOrgs();
    resetStatus();
    if (opened?.pin_change_needed) openPinChange(pin);
    else await go(state.orgs.length ? 'home' : 'orgs');
    await openPendingJoinLink(); // a shiftlog://join link that came while locked (join.js)
    await refreshStatus();
  });
}

/** The shell locks on its own when the window stays out of focus past the grace: when the
 * profile is no longer open, this screen follows (and wipes what it showed). */
export async function followShellLock() {
  if (state.screen === 'lock') return;
  const p = await raw('profile_state').catch(() => null);
  if (p && !p.unlocked && state.screen !== 'lock') await lockNow();
}
