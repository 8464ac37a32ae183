// Entry: which module draws each screen, index.html's controls wired, idle lock, sync poll.

import * as L from './logic.js';
import { $ } from './dom.js';
import { state, store, invoke, fail, go, registerViews } from './ctx.js';
import { applyLanguage, setLanguage, showLock, lockNow, unlock, followShellLock } from './lock.js';
import { openPinChange, renderPinChange, savePinChange } from './pin.js';
import { renderStatus, refreshStatus, sendNow } from './status.js';
import { refreshHome, refreshToday, switchOrg, endShift } from './home.js';
import { openShiftForm, renderShiftForm, saveShift } from './shift.js';
import { renderActivityForm, saveActivity, cancelActivity } from './activity.js';
import { renderCheckin, saveCheckin, skipCheckin, debriefToggled } from './checkin.js';
import { renderRecords, renderAttention } from './records.js';
import { renderSummary } from './summary.js';
import { renderOrgs, join, addLocal } from './orgs.js';
import { wireJoin } from './join.js';
import { renderSettings } from './settings.js';
import { renderPay, savePayment, shiftsChanged, cancelEdit } from './pay.js';
import { renderStatements, askStatements, openPage, printPage, wireStatement } from './statement.js';
import { renderTally, wireTally } from './tally.js';

registerViews({
  home: { render: refreshHome, onSync: refreshToday },
  records: { render: renderRecords, onSync: renderRecords },
  attention: { render: renderAttention, onSync: renderAttention },
  summary: { render: renderSummary },
  pay: { render: renderPay, onSync: renderPay },
  statement: { render: renderStatements },
  orgs: { render: renderOrgs },
  settings: { render: renderSettings },
  'pin-change': { render: renderPinChange },
  activity: { render: () => state.form && renderActivityForm() },
  shift: { render: () => state.form && renderShiftForm() },
  checkin: { render: () => renderCheckin() },
  tally: { render: renderTally }
}, renderStatus);

function tick() {
  if (state.screen !== 'lock' && L.shouldAutolock(state.lastActive, Date.now(), state.autolock)) {
    lockNow();
    return;
  }
  followShellLock();
  refreshStatus();
}

function wire() {
  const on = (id, ev, fn) => $(id).addEventListener(ev, fn);
  for (const b of document.querySelectorAll('#nav button')) b.addEventListener('click', () => go(b.dataset.screen));
  on('lock-form', 'submit', unlock);
  on('lang', 'change', () => setLanguage($('lang').value));
  on('lock-lang', 'change', () => setLanguage($('lock-lang').value));
  on('autolock', 'change', () => { state.autolock = L.autolockMinutes($('autolock').value); store('autolock', String(state.autolock)); });
  on('lock-now', 'click', lockNow);
  on('change-pin', 'click', () => openPinChange());
  on('pin-change-form', 'submit', savePinChange);
  on('pin-change-cancel', 'click', () => go('settings'));
  // Back from another app: if the shell locked meanwhile, show the PIN screen at once.
  document.addEventListener('visibilitychange', () => { if (!document.hidden) followShellLock(); });
  window.addEventListener('focus', followShellLock);
  on('hide-now', 'click', lockNow);
  on('send-now', 'click', sendNow);
  on('attention-pill', 'click', () => go('attention'));
  on('org-button', 'click', () => go('orgs'));
  on('settings-orgs', 'click', () => go('orgs'));
  on('attention-banner', 'click', () => go('attention'));
  on('org-switch', 'change', () => switchOrg($('org-switch').value));
  on('shift-start', 'click', () => openShiftForm());
  on('shift-end', 'click', endShift);
  on('shift-form', 'submit', saveShift);
  on('shift-cancel', 'click', () => go(state.form?.back ?? 'home'));
  on('activity-form', 'submit', saveActivity);
  on('activity-cancel', 'click', cancelActivity);
  on('checkin-form', 'submit', saveCheckin);
  on('checkin-skip', 'click', skipCheckin);
  on('checkin-debrief', 'change', debriefToggled);
  on('records-filter', 'change', renderRecords);
  on('summary-period', 'change', renderSummary);
  on('summary-org', 'change', renderSummary);
  on('summary-print', 'click', () => invoke('print_page').catch((e) => fail($('fatal'), e)));
  on('pay-form', 'submit', savePayment);
  on('pay-org', 'change', shiftsChanged);
  on('pay-cancel', 'click', cancelEdit);
  on('summary-statement', 'click', () => go('statement'));
  on('statement-form', 'submit', askStatements);
  on('statement-open', 'click', openPage);
  on('statement-print', 'click', printPage);
  wireStatement();
  on('join-form', 'submit', join);
  wireJoin(); // joining links and an organization's own certificate (join.js)
  wireTally(); // the open shift's tally (tally.js)
  on('local-form', 'submit', addLocal);
  const active = () => { state.lastActive = Date.now(); };
  for (const ev of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart']) document.addEventListener(ev, active, { passive: true, capture: true });
  // Escape twice in quick succession hides the app.
  let lastEsc = 0;
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || state.screen === 'lock') return;
    const now = Date.now();
    if (now - lastEsc < 800) lockNow();
    lastEsc = now;
  });
}

async function start() {
  wire();
  applyLanguage();
  try {
    await showLock();
  } catch (e) {
    fail($('fatal'), e);
  }
  setInterval(tick, 1000);
  // When the PIN screen took input: the start-up benchmark (tests/e2e/bench.mjs) reads it.
  document.body.dataset.readyAt = String(Date.now());
  document.body.dataset.ready = 'true';
}

start();
