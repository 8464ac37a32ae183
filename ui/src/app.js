// The app's screens. Every action is one call to a core command through Tauri's IPC;
// wording and formatting come from i18n.js and logic.js.

import { t, LANGS } from './i18n.js';
import { syncLabel, recordSummary, suppliesActivity, clampQuantity, itemLabel } from './logic.js';

const invoke = (cmd, args = {}) => window.__TAURI__.core.invoke(cmd, { lang: state.lang, ...args });
const $ = (id) => document.getElementById(id);

const state = {
  lang: LANGS.includes(localStorage.getItem('lang')) ? localStorage.getItem('lang') : (navigator.language || 'en').slice(0, 2) === 'fr' ? 'fr' : 'en',
  view: null,
  profile: null,
  screen: 'lock',
  item: null
};

function applyLanguage() {
  document.documentElement.lang = state.lang;
  $('lang').value = state.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(state.lang, el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(state.lang, el.dataset.i18nLabel));
  if (!$('join-device').value) $('join-device').placeholder = t(state.lang, 'device_name_default');
}

function show(screen) {
  state.screen = screen;
  for (const id of ['lock', 'join', 'home', 'supplies']) $(id).hidden = id !== screen;
  $('sync-box').hidden = screen === 'lock';
}

function renderLock() {
  const creating = !state.profile?.exists;
  $('lock-title').textContent = t(state.lang, creating ? 'pin_choose_title' : 'pin_enter_title');
  $('lock-help').textContent = t(state.lang, creating ? 'pin_choose_help' : 'pin_enter_help');
  $('unlock-submit').textContent = t(state.lang, creating ? 'set_pin' : 'open');
}

async function showLock() {
  state.profile = await window.__TAURI__.core.invoke('profile_state');
  $('pin').value = '';
  $('lock-error').hidden = true;
  $('org-name').textContent = 'shiftlog';
  renderLock();
  show('lock');
  $('pin').focus();
}

async function unlock(ev) {
  ev.preventDefault();
  const btn = $('unlock-submit');
  btn.disabled = true;
  $('lock-error').hidden = true;
  try {
    await invoke('unlock', { pin: $('pin').value });
    $('pin').value = '';
    show('home');
    await refreshView();
    lastStatusKey = '';
    await refreshStatus();
  } catch (e) {
    fail($('lock-error'), e);
    $('pin').select();
  } finally {
    btn.disabled = false;
  }
}

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

function fail(el, e) {
  el.textContent = e && e.message ? e.message : String(e);
  el.hidden = false;
}

async function refreshView() {
  try {
    state.view = await invoke('app_state');
  } catch (e) {
    fail($('fatal'), e);
    return;
  }
  const org = state.view.organizations[0];
  $('org-name').textContent = org ? org.name : t(state.lang, 'no_org');
  if (!org && state.screen !== 'join') show('join');
  if (org && state.screen === 'join') show('home');
  renderItems();
  await refreshRecords();
}

function renderItems() {
  const box = $('item-choices');
  box.replaceChildren();
  const items = state.view?.catalogue?.items ?? [];
  if (!state.item && items.length) state.item = items[0].id;
  for (const item of items) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'item';
    input.value = item.id;
    input.id = `item-${item.id}`;
    input.checked = item.id === state.item;
    input.addEventListener('change', () => { state.item = item.id; });
    label.append(input, document.createTextNode(itemLabel(state.view.catalogue, item.id, state.lang)));
    box.append(label);
  }
}

async function refreshRecords() {
  let list;
  try {
    list = await invoke('todays_activities');
  } catch (e) {
    fail($('fatal'), e);
    return;
  }
  const ul = $('today-list');
  ul.replaceChildren();
  for (const a of list) {
    const s = recordSummary(a, state.view?.catalogue, state.lang);
    const li = document.createElement('li');
    li.dataset.id = a.id;
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = s.time;
    const what = document.createElement('span');
    what.className = 'what';
    what.textContent = s.what;
    const st = document.createElement('span');
    st.className = 'state';
    st.dataset.state = s.stateKey;
    st.textContent = s.state;
    li.append(time, what, st);
    ul.append(li);
  }
  $('today-empty').hidden = list.length > 0;
}

let lastStatusKey = '';
async function refreshStatus() {
  if (state.screen === 'lock') return;
  let status;
  try {
    status = await invoke('sync_status');
  } catch {
    return;
  }
  const label = syncLabel(status, state.lang);
  const pill = $('sync-state');
  pill.textContent = label.text;
  pill.dataset.tone = label.tone;
  pill.dataset.waiting = String(status.waiting);
  $('send-now').hidden = !(status.enrolled && status.waiting > 0 && status.activity.state !== 'sending');
  // Records change state when they are sent: redraw the list when the counts move.
  const key = `${status.waiting}|${status.last_sent_at}|${status.needs_attention}`;
  if (key !== lastStatusKey) {
    lastStatusKey = key;
    await refreshRecords();
  }
}

function openSupplies() {
  $('qty').value = '1';
  $('form-error').hidden = true;
  renderItems();
  show('supplies');
  const checked = document.querySelector('#item-choices input:checked');
  if (checked) checked.focus();
}

async function saveSupplies() {
  const org = state.view?.organizations?.[0];
  const btn = $('save-supplies');
  btn.disabled = true;
  try {
    await invoke('log_activity', { activity: suppliesActivity(org?.id, state.item, $('qty').value) });
    show('home');
    toast(t(state.lang, 'saved'));
    await refreshRecords();
    await refreshStatus();
  } catch (e) {
    fail($('form-error'), e);
  } finally {
    btn.disabled = false;
  }
}

async function join(ev) {
  ev.preventDefault();
  $('join-error').hidden = true;
  const btn = $('join-submit');
  btn.disabled = true;
  try {
    const org = await invoke('enroll', {
      server: $('join-server').value,
      code: $('join-code').value,
      deviceName: $('join-device').value || t(state.lang, 'device_name_default')
    });
    toast(t(state.lang, 'joined', { org: org.name }));
    show('home');
    await refreshView();
  } catch (e) {
    fail($('join-error'), e);
  } finally {
    btn.disabled = false;
  }
}

function wire() {
  $('log-supplies').addEventListener('click', openSupplies);
  $('save-supplies').addEventListener('click', saveSupplies);
  $('cancel-supplies').addEventListener('click', () => show('home'));
  $('qty-less').addEventListener('click', () => { $('qty').value = clampQuantity(Number($('qty').value) - 1); });
  $('qty-more').addEventListener('click', () => { $('qty').value = clampQuantity(Number($('qty').value) + 1); });
  $('qty').addEventListener('change', () => { $('qty').value = clampQuantity($('qty').value); });
  $('join-form').addEventListener('submit', join);
  $('lock-form').addEventListener('submit', unlock);
  $('lock-now').addEventListener('click', async () => {
    await window.__TAURI__.core.invoke('lock');
    await showLock();
  });
  $('send-now').addEventListener('click', () => invoke('sync_now').catch(() => {}).finally(refreshStatus));
  $('lang').addEventListener('change', async () => {
    state.lang = $('lang').value;
    localStorage.setItem('lang', state.lang);
    applyLanguage();
    if (state.screen === 'lock') {
      renderLock();
      return;
    }
    lastStatusKey = '';
    await refreshView();
    await refreshStatus();
  });
}

async function start() {
  wire();
  applyLanguage();
  await showLock();
  setInterval(refreshStatus, 1000);
  document.body.dataset.ready = 'true';
}

start();
