// The sync state in the header; lists are redrawn when its counts move.

import * as L from './logic.js';
import { $ } from './dom.js';
import { state, invoke, syncChanged } from './ctx.js';

let lastStatusKey = '';

/** Forgets the counts last seen, so the next poll redraws the lists (after unlocking). */
export function resetStatus() {
  lastStatusKey = '';
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
  const att = $('attention-pill');
  att.hidden = !status.needs_attention;
  att.textContent = L.attentionLabel(status.needs_attention, state.lang);
  $('attention-banner').hidden = !status.needs_attention;
  $('send-now').hidden = !L.canSendNow(status);
}

export async function refreshStatus() {
  if (state.screen === 'lock') return;
  try {
    state.status = await invoke('sync_status');
  } catch {
    return;
  }
  if (state.screen === 'lock') return;
  renderStatus();
  // Records change state when they are sent: redraw lists when the counts move.
  const key = L.statusKey(state.status);
  if (key !== lastStatusKey) {
    lastStatusKey = key;
    await syncChanged();
  }
}
