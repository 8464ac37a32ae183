// The sync state in the header; lists are redrawn when its counts move.

import * as L from './logic.js';
import { $ } from './dom.js';
import { state, invoke, syncChanged } from './ctx.js';

let lastStatusKey = '';
/** What the last sync run the app asked for said (fetching after sending may have failed). */
let lastReport = null;

/** Forgets the counts last seen, so the next poll redraws the lists (after unlocking). */
export function resetStatus() {
  lastStatusKey = '';
  lastReport = null;
}

export function renderStatus() {
  const status = state.status;
  if (!status) return;
  const label = L.syncLabel(status, state.lang);
  const pill = $('sync-state');
  pill.textContent = label.text;
  $('sync-pill').title = label.text;
  $('sync-pill').dataset.tone = label.tone;
  pill.dataset.waiting = String(status.waiting);
  const n = L.attentionCount(status);
  const att = $('attention-pill');
  att.hidden = !n;
  att.textContent = L.attentionLabel(n, state.lang);
  $('attention-banner').hidden = !n;
  $('send-now').hidden = !L.canSendNow(status);
}

export async function refreshStatus() {
  if (state.screen === 'lock') return;
  let core;
  let setAside;
  try {
    core = await invoke('sync_status');
    setAside = await invoke('set_aside_versions');
  } catch {
    return;
  }
  if (state.screen === 'lock') return;
  if (core.activity?.state === 'sending') lastReport = null; // a new run: its own answer will tell
  state.status = L.withSyncReport(core, lastReport, setAside.length);
  renderStatus();
  // Records change state when they are sent: redraw lists when the counts move.
  const key = L.statusKey(state.status);
  if (key !== lastStatusKey) {
    lastStatusKey = key;
    await syncChanged();
  }
}

/** Send now: one sync run, whose answer says whether fetching afterwards failed. */
export async function sendNow() {
  try {
    lastReport = await invoke('sync_now');
  } catch {
    lastReport = null; // the core's state (offline, error) tells
  }
  await refreshStatus();
}
