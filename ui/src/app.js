// The app's screens. Every action is one call to a core command through Tauri's IPC; the
// core validates and answers errors in the worker's language, which are shown as they come.
// Wording and formatting come from i18n.js and logic.js.

import { t, LANGS } from './i18n.js';
import * as L from './logic.js';

const $ = (id) => document.getElementById(id);
const raw = (cmd, args = {}) => window.__TAURI__.core.invoke(cmd, args);
const invoke = (cmd, args = {}) => raw(cmd, { lang: state.lang, ...args });

const SCREENS = ['lock', 'home', 'shift', 'activity', 'checkin', 'records', 'attention', 'summary', 'orgs', 'settings'];
const NAV_OF = { shift: 'home', activity: 'home', checkin: 'home', attention: 'records', orgs: 'settings' };

const stored = (k) => { try { return localStorage.getItem(k); } catch { return null; } };
const store = (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode */ } };

const state = {
  lang: LANGS.includes(stored('lang')) ? stored('lang') : (navigator.language || 'en').slice(0, 2) === 'fr' ? 'fr' : 'en',
  autolock: L.autolockMinutes(stored('autolock')),
  lastActive: Date.now(),
  profile: null,
  screen: 'lock',
  orgs: [],
  orgId: null,
  catalogue: null,
  openShift: null,
  status: null,
  form: null, // what the activity/shift form is editing: {mode, kind, record?, back}
  lastArea: null,
  afterRecordId: null
};

// ---------- small DOM helpers ----------

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const tr = (key, vars) => t(state.lang, key, vars);

/** A group of large radio buttons: [{value, label}], one of them checked. */
function seg(name, legend, options, selected, onChange) {
  const box = h('div', { class: 'seg', role: 'presentation' });
  for (const o of options) {
    const id = `${name}-${o.value}`;
    const input = h('input', { type: 'radio', name, id, value: o.value, checked: String(o.value) === String(selected) });
    if (onChange) input.addEventListener('change', () => onChange(o.value));
    box.append(h('label', { class: 'opt', for: id }, input, h('span', { text: o.label })));
  }
  return h('fieldset', {}, h('legend', { text: legend }), box);
}

function segValue(name) {
  const c = document.querySelector(`input[name="${name}"]:checked`);
  return c ? c.value : null;
}

function field(id, label, input, help) {
  input.id = id;
  const parts = [h('label', { for: id, text: label }), input];
  if (help) {
    input.setAttribute('aria-describedby', `${id}-help`);
    parts.push(h('p', { id: `${id}-help`, class: 'hint', text: help }));
  }
  return h('div', { class: 'field' }, ...parts);
}

function check(id, label, checked) {
  return h('label', { class: 'check' }, h('input', { type: 'checkbox', id, checked: !!checked }), h('span', { text: label }));
}

function stepper(id, label, value, min) {
  const input = h('input', { id, type: 'number', inputmode: 'numeric', min: String(min), max: '10000', value: String(value) });
  const set = (d) => { input.value = L.clampQuantity(Number(input.value) + d, min); };
  input.addEventListener('change', () => { input.value = L.clampQuantity(input.value, min); });
  return h('div', { class: 'stepper-row' },
    h('label', { for: id, text: label }),
    h('div', { class: 'stepper' },
      h('button', { type: 'button', class: 'step', id: `less-${id}`, 'aria-label': `${tr('less')}: ${label}`, text: '−', onclick: () => set(-1) }),
      input,
      h('button', { type: 'button', class: 'step', id: `more-${id}`, 'aria-label': `${tr('more')}: ${label}`, text: '+', onclick: () => set(1) })));
}

function selectOf(options, selected) {
  const s = h('select');
  for (const o of options) s.append(h('option', { value: o.value, text: o.label, selected: o.value === (selected ?? '') }));
  return s;
}

function areaSelect(selected) {
  return selectOf([{ value: '', label: tr('area_none') }, ...(state.catalogue?.areas ?? []).map((a) => ({ value: a.id, label: L.pick(a.label, state.lang) }))], selected);
}

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

function fail(el, e) {
  el.textContent = e && e.message ? e.message : tr('error_generic', { message: String(e) });
  el.hidden = false;
  el.scrollIntoView?.({ block: 'nearest' });
}

/** The answer of a command, or null after showing its error at the top of the screen. */
async function load(cmd, args) {
  try {
    return await invoke(cmd, args);
  } catch (e) {
    fail($('fatal'), e);
    return null;
  }
}

async function busy(btn, fn) {
  btn.disabled = true;
  try { return await fn(); } finally { btn.disabled = false; }
}

// ---------- language ----------

function applyLanguage() {
  document.documentElement.lang = state.lang;
  $('lang').value = state.lang;
  $('lock-lang').value = state.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = tr(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', tr(el.dataset.i18nLabel));
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = tr(el.dataset.i18nTitle);
  $('join-device').placeholder = tr('device_name_default');
  renderAutolock();
}

async function setLanguage(lang) {
  state.lang = lang;
  store('lang', lang);
  $('toast').hidden = true; // it was said in the other language
  applyLanguage();
  if (state.screen === 'lock') { renderLock(); return; }
  await redraw();
}

// ---------- screens ----------

function show(screen) {
  state.screen = screen;
  for (const id of SCREENS) $(id).hidden = id !== screen;
  const locked = screen === 'lock';
  $('sync-box').hidden = locked;
  $('nav').hidden = locked;
  $('top-actions').hidden = locked;
  $('org-button').disabled = locked;
  const current = NAV_OF[screen] || screen;
  for (const b of document.querySelectorAll('#nav button')) {
    if (b.dataset.screen === current) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  window.scrollTo?.(0, 0);
}

/** Moves focus to the screen's heading so screen readers announce where they are. */
function focusTitle(screen) {
  const h1 = $(screen)?.querySelector('h1');
  if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
}

async function go(screen) {
  show(screen);
  await redraw();
  focusTitle(screen);
}

async function redraw() {
  switch (state.screen) {
    case 'home': await refreshHome(); break;
    case 'records': await renderRecords(); break;
    case 'attention': await renderAttention(); break;
    case 'summary': await renderSummary(); break;
    case 'orgs': await renderOrgs(); break;
    case 'settings': await renderSettings(); break;
    case 'activity': if (state.form) renderActivityForm(); break;
    case 'shift': if (state.form) renderShiftForm(); break;
    case 'checkin': renderCheckin(); break;
    default: break;
  }
  renderStatus();
}

// ---------- lock ----------

function renderLock() {
  const creating = !state.profile?.exists;
  $('lock-title').textContent = tr(creating ? 'pin_choose_title' : 'pin_enter_title');
  $('lock-help').textContent = tr(creating ? 'pin_choose_help' : 'pin_enter_help');
  $('unlock-submit').textContent = tr(creating ? 'set_pin' : 'open');
}

function wipeScreens() {
  for (const id of ['today-list', 'records-list', 'attention-list', 'summary-out', 'print-area', 'orgs-list', 'activity-fields', 'activity-common', 'kept-list']) $(id).replaceChildren();
  state.form = null;
  state.openShift = null;
  state.status = null;
  $('toast').hidden = true;
  $('org-name').textContent = 'shiftlog';
  document.title = 'shiftlog';
}

async function showLock() {
  wipeScreens();
  state.profile = await raw('profile_state');
  $('pin').value = '';
  $('lock-error').hidden = true;
  renderLock();
  show('lock');
  $('pin').focus();
}

async function lockNow() {
  wipeScreens();
  show('lock');
  await raw('lock').catch(() => {});
  await showLock();
}

async function unlock(ev) {
  ev.preventDefault();
  $('lock-error').hidden = true;
  await busy($('unlock-submit'), async () => {
    try {
      await invoke('unlock', { pin: $('pin').value });
    } catch (e) {
      fail($('lock-error'), e);
      $('pin').select();
      return;
    }
    $('pin').value = '';
    state.lastActive = Date.now();
    await loadOrgs();
    lastStatusKey = '';
    await go(state.orgs.length ? 'home' : 'orgs');
    await refreshStatus();
  });
}

// ---------- organizations and catalogue ----------

async function loadOrgs() {
  const view = await invoke('app_state');
  state.orgs = view.organizations;
  if (!state.orgs.some((o) => o.id === state.orgId)) state.orgId = state.orgs[0]?.id ?? null;
  if (state.orgId === state.orgs[0]?.id) {
    state.catalogue = view.catalogue;
    state.openShift = view.open_shift;
  } else {
    await loadOrg();
  }
  renderOrgName();
}

async function loadOrg() {
  state.catalogue = await invoke('catalogue', { orgId: state.orgId });
  state.openShift = state.orgId ? await invoke('open_shift', { orgId: state.orgId }) : null;
}

function renderOrgName() {
  const org = state.orgs.find((o) => o.id === state.orgId);
  $('org-name').textContent = org ? org.name : tr('no_org');
}

// ---------- home ----------

async function refreshHome() {
  try {
    await loadOrgs();
  } catch (e) {
    fail($('fatal'), e);
    return;
  }
  if (!state.orgs.length) { await go('orgs'); return; }
  const sw = $('org-switch');
  sw.replaceChildren(...state.orgs.map((o) => h('option', { value: o.id, text: o.name, selected: o.id === state.orgId })));
  $('org-switch-box').hidden = state.orgs.length < 2;
  renderShiftCard();
  renderQuick();
  await refreshToday();
}

function renderShiftCard() {
  const s = state.openShift;
  $('shift-start').hidden = !!s;
  $('shift-end').hidden = !s;
  if (s) {
    $('shift-status').textContent = tr('on_shift_since', { time: L.formatTime(s.started_at, state.lang) });
    const bits = [L.roleTitle(state.catalogue, s.role, state.lang), tr(`pay_${s.pay_type}`), L.areaLabel(state.catalogue, s.area, state.lang)].filter(Boolean);
    $('shift-role').textContent = bits.join(' · ');
  } else {
    $('shift-status').textContent = tr('no_shift');
    $('shift-role').textContent = '';
  }
  $('shift-card').dataset.open = String(!!s);
}

function renderQuick() {
  const box = $('quick');
  box.replaceChildren();
  for (const kind of L.quickKinds(state.catalogue)) {
    box.append(h('button', { type: 'button', class: `big kind-${kind}`, id: `log-${kind}`, text: L.kindLabel(kind, state.catalogue, state.lang), onclick: () => openActivity(kind) }));
  }
  box.append(h('button', { type: 'button', class: 'big kind-training', id: 'log-training', text: tr('kind_training'), onclick: () => openActivity('training') }));
}

function recordItem(rec, actions) {
  const s = L.recordSummary(rec, state.catalogue, state.lang);
  const li = h('li', { 'data-id': rec.id, 'data-kind': rec.kind },
    h('span', { class: 'time' }, h('span', { text: s.time }), h('span', { class: 'date', text: s.date })),
    h('span', { class: 'what' }, h('strong', { text: s.what }), h('span', { class: 'detail', text: s.detail }),
      s.reason ? h('span', { class: 'reason', text: tr('reason', { reason: s.reason }) }) : null),
    h('span', { class: 'state', 'data-state': s.stateKey, text: s.state }));
  if (actions) li.append(h('span', { class: 'row-actions' }, ...actions));
  return li;
}

async function refreshToday() {
  const list = await load('todays_activities');
  if (!list) return;
  $('today-list').replaceChildren(...list.map((r) => recordItem(r, [editButton(r)])));
  $('today-empty').hidden = list.length > 0;
}

// ---------- shifts ----------

/** Opens the shift form or an activity form, new or to edit `record`. */
function openForm(screen, kind, record = null) {
  state.form = { mode: record ? 'edit' : 'new', kind, record, back: record ? state.screen : 'home' };
  $('toast').hidden = true;
  if (screen === 'shift') renderShiftForm();
  else renderActivityForm();
  show(screen);
  focusTitle(screen);
}

const openShiftForm = (record = null) => openForm('shift', 'shift', record);
const openActivity = (kind, record = null) => openForm('activity', kind, record);

function renderShiftForm() {
  const f = state.form;
  const b = f.record?.body ?? {};
  $('shift-title').textContent = tr(f.mode === 'edit' ? 'shift_edit_title' : 'shift_title');
  $('shift-save').textContent = tr(f.mode === 'edit' ? 'save' : 'start_shift');
  const orgSel = $('shift-org');
  orgSel.replaceChildren(...state.orgs.map((o) => h('option', { value: o.id, text: o.name, selected: o.id === (f.record?.org_id ?? state.orgId) })));
  orgSel.disabled = f.mode === 'edit';
  $('shift-org-box').hidden = state.orgs.length < 2;
  const cat = state.catalogue;
  const roles = $('shift-roles');
  const lastRole = b.role ?? stored('last_role');
  const roleIds = (cat?.roles ?? []).map((r) => r.id);
  const chosenRole = roleIds.includes(lastRole) ? lastRole : roleIds[0] ?? '';
  roles.replaceChildren(...(cat?.roles ?? []).map((r) => {
    const id = `role-${r.id}`;
    return h('label', { class: 'opt role', for: id },
      h('input', { type: 'radio', name: 'role', id, value: r.id, checked: r.id === chosenRole, 'aria-describedby': `${id}-exp` }),
      h('span', { class: 'role-text' }, h('strong', { text: L.pick(r.title, state.lang) }), h('span', { id: `${id}-exp`, class: 'expect', text: L.pick(r.expectations, state.lang) })));
  }));
  const pay = $('shift-pay');
  const payTypes = ['paid', 'unpaid', 'volunteer', 'on_call', 'honorarium'];
  const chosenPay = b.pay_type ?? stored('last_pay') ?? 'paid';
  pay.replaceChildren(...payTypes.map((p) => h('label', { class: 'opt', for: `pay-${p}` },
    h('input', { type: 'radio', name: 'pay', id: `pay-${p}`, value: p, checked: p === chosenPay }), h('span', { text: tr(`pay_${p}`) }))));
  const area = areaSelect(b.area ?? state.lastArea ?? '');
  $('shift-area').replaceChildren(...area.children);
  $('shift-area').value = b.area ?? state.lastArea ?? '';
  $('shift-times').hidden = f.mode !== 'edit';
  $('shift-started').value = b.started_at ? L.toLocalInput(b.started_at) : '';
  $('shift-ended').value = b.ended_at ? L.toLocalInput(b.ended_at) : '';
  $('shift-note').value = b.note ?? '';
  $('shift-error').hidden = true;
}

async function saveShift(ev) {
  ev.preventDefault();
  const f = state.form;
  const values = {
    role: segValue('role'),
    pay_type: segValue('pay') || 'paid',
    area: L.textOrNull($('shift-area').value),
    note: L.textOrNull($('shift-note').value)
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

async function endShift() {
  await busy($('shift-end'), async () => {
    try {
      const s = await invoke('end_shift', { shift: { org_id: state.orgId } });
      const hours = (new Date(s.ended_at) - new Date(s.started_at)) / 3600000;
      toast(tr('shift_ended', { hours: L.formatHours(hours, state.lang) }));
    } catch (e) {
      fail($('fatal'), e);
    }
    await refreshHome();
    refreshStatus();
  });
}

// ---------- activity forms ----------

function renderActivityForm() {
  const f = state.form;
  const b = f.record?.body ?? {};
  const label = f.kind === 'training' ? tr('kind_training') : L.kindLabel(f.kind, state.catalogue, state.lang);
  $('activity-title').textContent = f.mode === 'edit' ? tr('edit_title', { kind: label }) : label;
  $('activity-form').dataset.kind = f.kind;
  $('form-error').hidden = true;
  const fields = $('activity-fields');
  const common = $('activity-common');
  fields.replaceChildren();
  common.replaceChildren();
  switch (f.kind) {
    case 'overdose_response': fields.append(...overdoseFields(b)); break;
    case 'supplies_distributed': fields.append(...suppliesFields(b)); break;
    case 'systems_navigation': fields.append(...navigationFields(b)); break;
    case 'training': fields.append(...trainingFields(b)); break;
    default:
      if (state.catalogue?.custom_kinds?.some((k) => k.id === f.kind)) fields.append(...customFieldsUi(f.kind, b));
      else fields.append(...simpleFields(b));
  }
  if (f.kind !== 'training') {
    common.append(field('f-area', tr('area'), areaSelect(f.mode === 'edit' ? b.area : (state.openShift?.area ?? state.lastArea ?? '')), tr('area_help')));
    if (f.mode === 'edit') common.append(check('f-offshift', tr('off_shift'), b.on_shift === false));
    else if (state.openShift) common.append(check('f-offshift', tr('off_shift'), false));
    else common.append(h('p', { class: 'hint', id: 'f-offshift-auto', text: tr('off_shift_auto') }));
  }
  if (f.mode === 'new') common.append(whenFields());
  else common.append(field('f-when-at', tr('when'), h('input', { type: 'datetime-local', value: L.toLocalInput(f.record.occurred_at) })));
  if (f.kind !== 'training') {
    common.append(field('f-note', tr('note'), h('textarea', { maxlength: '280', rows: '2' }), tr('note_help')));
    $('f-note').value = b.note ?? '';
  }
}

function whenFields() {
  const at = h('input', { type: 'datetime-local', id: 'f-when-at', max: L.toLocalInput(new Date()) });
  const atBox = h('div', { class: 'field', hidden: true }, h('label', { for: 'f-when-at', text: tr('when_at') }), at);
  const s = seg('f-when', tr('when'), [{ value: 'now', label: tr('when_now') }, { value: 'earlier', label: tr('when_earlier') }], 'now', (v) => {
    atBox.hidden = v !== 'earlier';
    if (v === 'earlier' && !at.value) at.value = L.toLocalInput(new Date());
  });
  return h('div', { class: 'when' }, s, atBox);
}

function overdoseFields(b) {
  const doses = b.naloxone?.doses ?? 0;
  const doseChoice = doses > 5 ? 'more' : String(doses);
  const more = h('div', { class: 'field', hidden: doseChoice !== 'more' },
    h('label', { for: 'od-doses-count', text: tr('od_doses_count') }),
    h('input', { type: 'number', id: 'od-doses-count', inputmode: 'numeric', min: '1', max: '20', value: String(doses > 5 ? doses : 6) }));
  const route = seg('od-route', tr('od_route'), [
    { value: 'intranasal', label: tr('od_route_intranasal') },
    { value: 'intramuscular', label: tr('od_route_intramuscular') }], b.naloxone?.route ?? stored('last_route') ?? 'intranasal');
  route.hidden = doses === 0;
  const dosesSeg = seg('od-doses', tr('od_doses'), [
    { value: '0', label: tr('od_doses_none') }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: L.formatNumber(n, state.lang) })),
    { value: 'more', label: tr('od_doses_more') }], doseChoice, (v) => {
    more.hidden = v !== 'more';
    route.hidden = v === '0';
  });
  dosesSeg.classList.add('doses');
  const details = h('details', { class: 'more', open: state.form.mode === 'edit' },
    h('summary', { text: tr('more_details') }),
    check('od-ems_arrived', tr('od_ems_arrived'), b.ems_arrived),
    check('od-rescue_breathing', tr('od_rescue_breathing'), b.rescue_breathing),
    check('od-oxygen', tr('od_oxygen'), b.oxygen),
    check('od-recovery_position', tr('od_recovery_position'), b.recovery_position),
    check('od-stayed_until_recovery_or_ems', tr('od_stayed'), b.stayed_until_recovery_or_ems),
    check('od-kit_replaced', tr('od_kit_replaced'), b.kit_replaced));
  return [
    dosesSeg, more, route,
    seg('od-911', tr('od_911'), [{ value: 'yes', label: tr('yes') }, { value: 'no', label: tr('no') }, { value: 'unknown', label: tr('dont_know') }], b.called_911 ?? 'unknown'),
    seg('od-outcome', tr('od_outcome'), ['survived', 'transported', 'died', 'unknown'].map((v) => ({ value: v, label: tr(`od_outcome_${v}`) })), b.outcome ?? 'survived'),
    details
  ];
}

function readOverdose(base) {
  const choice = segValue('od-doses');
  const doses = choice === 'more' ? $('od-doses-count').value : choice;
  const route = segValue('od-route');
  if (route) store('last_route', route);
  const flags = ['ems_arrived', 'rescue_breathing', 'oxygen', 'recovery_position', 'stayed_until_recovery_or_ems', 'kit_replaced'];
  const f = { doses, route, called_911: segValue('od-911'), outcome: segValue('od-outcome') };
  for (const k of flags) f[k] = $(`od-${k}`).checked;
  return L.overdoseBody(f, base);
}

function suppliesFields(b) {
  const have = Object.fromEntries((b.items ?? []).map((l) => [l.item, l.quantity]));
  const rows = (state.catalogue?.items ?? []).map((i) => stepper(`qty-${i.id}`, L.pick(i.label, state.lang), have[i.id] ?? 0, 0));
  return [h('fieldset', { class: 'supplies' }, h('legend', { text: tr('what_item') }), ...rows)];
}

function readSupplies(base) {
  const q = {};
  for (const i of state.catalogue?.items ?? []) q[i.id] = $(`qty-${i.id}`)?.value;
  return { ...base, items: L.supplyLines(q, state.catalogue) };
}

function minutesField(value) {
  return field('f-minutes', tr('minutes'), h('input', { type: 'number', inputmode: 'numeric', min: '0', max: '1440', value: value == null ? '' : String(value) }));
}

function simpleFields(b) {
  return [stepper('f-people', tr('people_reached'), b.people_reached ?? 1, 0), minutesField(b.minutes)];
}

function readSimple(base) {
  return { ...base, people_reached: L.intOrNull($('f-people').value), minutes: L.intOrNull($('f-minutes').value) };
}

const TASKS = ['id', 'income_assistance', 'disability_assistance', 'housing', 'bank_account', 'health_appointment', 'pharmacy', 'legal', 'other'];

function navigationFields(b) {
  const tasks = seg('nav-task', tr('nav_task'), TASKS.map((v) => ({ value: v, label: tr(`task_${v}`) })), b.task ?? 'id');
  tasks.classList.add('grid');
  const money = b.out_of_pocket_cents != null ? String(b.out_of_pocket_cents / 100) : '';
  return [
    tasks,
    seg('nav-contact', tr('contact_type'), ['phone', 'in_person', 'accompaniment'].map((v) => ({ value: v, label: tr(`contact_${v}`) })), b.contact_type ?? 'accompaniment'),
    h('div', { class: 'row wrap' },
      minutesField(b.minutes),
      field('f-travel', tr('travel_minutes'), h('input', { type: 'number', inputmode: 'numeric', min: '0', max: '1440', value: b.travel_minutes == null ? '' : String(b.travel_minutes) }))),
    seg('nav-outcome', tr('nav_outcome'), ['completed', 'pending', 'declined'].map((v) => ({ value: v, label: tr(`nav_outcome_${v}`) })), b.outcome ?? 'completed'),
    h('details', { class: 'more', open: state.form.mode === 'edit' },
      h('summary', { text: tr('more_details') }),
      field('f-barriers', tr('barriers'), h('textarea', { rows: '2', text: (b.barriers ?? []).join('\n') }), tr('note_help')),
      field('f-referral', tr('referral_to'), h('input', { maxlength: '120', value: b.referral?.destination ?? '' })),
      seg('nav-referral', tr('referral_type'), ['passive', 'active', 'warm_handoff'].map((v) => ({ value: v, label: tr(`referral_${v}`) })), b.referral?.type ?? 'passive'),
      field('f-followup', tr('follow_up'), h('input', { type: 'date', value: b.follow_up_date ?? '' })),
      field('f-money', tr('out_of_pocket'), h('input', { type: 'number', inputmode: 'decimal', min: '0', step: '0.01', value: money })))
  ];
}

function readNavigation(base) {
  return {
    ...L.navigationBody({
      task: segValue('nav-task'),
      contact_type: segValue('nav-contact'),
      travel_minutes: $('f-travel').value,
      outcome: segValue('nav-outcome'),
      barriers: $('f-barriers').value,
      referral_destination: $('f-referral').value,
      referral_type: segValue('nav-referral'),
      follow_up_date: $('f-followup').value,
      out_of_pocket: $('f-money').value
    }, base),
    minutes: L.intOrNull($('f-minutes').value)
  };
}

function trainingFields(b) {
  return [
    field('f-topic', tr('topic'), h('input', { maxlength: '120', value: b.topic ?? '' })),
    seg('tr-status', tr('training_status'), [{ value: 'received', label: tr('training_received') }, { value: 'wanted', label: tr('training_wanted') }], b.status ?? 'received'),
    minutesField(b.minutes)
  ];
}

function customDef(kind) {
  return state.catalogue?.custom_kinds?.find((k) => k.id === kind);
}

function customFieldsUi(kind, b) {
  const def = customDef(kind);
  const vals = b.fields ?? {};
  const out = [];
  for (const d of def.fields) {
    const id = `cf-${d.id}`;
    const label = L.pick(d.label, state.lang);
    if (d.type === 'boolean') out.push(check(id, label, vals[d.id]));
    else if (d.type === 'integer') out.push(field(id, label, h('input', { type: 'number', inputmode: 'numeric', min: String(d.min), max: String(d.max), value: vals[d.id] ?? '' })));
    else if (d.type === 'choice') out.push(field(id, label, selectOf([{ value: '', label: '—' }, ...d.options.map((o) => ({ value: o, label: o }))], vals[d.id])));
    else out.push(field(id, label, h('input', { maxlength: String(d.max_chars ?? 80), value: vals[d.id] ?? '' }), tr('note_help')));
  }
  return [...out, stepper('f-people', tr('people_reached'), b.people_reached ?? 1, 0), minutesField(b.minutes)];
}

function readCustom(kind, base) {
  const def = customDef(kind);
  const values = {};
  for (const d of def.fields) {
    const el = $(`cf-${d.id}`);
    values[d.id] = d.type === 'boolean' ? el.checked : el.value;
  }
  return { ...readSimple(base), fields: L.customFields(def.fields, values) };
}

function readCommon(base) {
  const f = { area: $('f-area').value, note: $('f-note').value };
  const off = $('f-offshift');
  if (off) f.offShift = off.checked;
  return L.commonFields(f, base);
}

/** The time the worker gave, or null for "now" (new) or "unchanged" (edit). */
function occurredAt() {
  const f = state.form;
  if (f.mode === 'edit') {
    const v = $('f-when-at').value;
    return v && v !== L.toLocalInput(f.record.occurred_at) ? L.localInputToRfc3339(v) : null;
  }
  if (segValue('f-when') !== 'earlier') return null;
  return L.localInputToRfc3339($('f-when-at').value);
}

async function saveActivity(ev) {
  ev.preventDefault();
  const f = state.form;
  $('form-error').hidden = true;
  await busy($('activity-save'), async () => {
    let saved;
    try {
      if (f.kind === 'training') {
        const body = { ...(f.record?.body ?? {}), topic: $('f-topic').value, status: segValue('tr-status'), minutes: L.intOrNull($('f-minutes').value) };
        saved = f.mode === 'edit'
          ? await invoke('edit_record', { id: f.record.id, occurredAt: occurredAt(), body })
          : await invoke('log_training', { training: { org_id: state.orgId, ...body, occurred_at: occurredAt() } });
      } else {
        let body = readCommon(f.record?.body ?? {});
        if (f.kind === 'overdose_response') body = readOverdose(body);
        else if (f.kind === 'supplies_distributed') body = readSupplies(body);
        else if (f.kind === 'systems_navigation') body = readNavigation(body);
        else if (customDef(f.kind)) body = readCustom(f.kind, body);
        else body = readSimple(body);
        state.lastArea = body.area;
        saved = f.mode === 'edit'
          ? await invoke('edit_record', { id: f.record.id, occurredAt: occurredAt(), body })
          : await invoke('log_activity', { activity: { org_id: state.orgId, kind: f.kind, body, occurred_at: occurredAt() } });
      }
    } catch (e) {
      fail($('form-error'), e);
      return;
    }
    const local = saved?.sync?.state === 'local';
    const message = tr(f.mode === 'edit' ? 'changed' : local ? 'saved_local' : 'saved');
    refreshStatus();
    if (f.mode === 'new' && f.kind === 'overdose_response') {
      // Said on the check-in screen itself, so no toast covers its buttons.
      $('checkin-saved').textContent = message;
      state.afterRecordId = saved.id;
      state.form = null;
      renderCheckin(true);
      show('checkin');
      focusTitle('checkin');
      return;
    }
    state.form = null;
    toast(message);
    await go(f.back);
  });
}

// ---------- check-in ----------

function renderCheckin(reset = false) {
  const keep = reset ? null : segValue('wellbeing');
  $('checkin-wellbeing').replaceChildren(...[1, 2, 3, 4, 5].map((n) => h('label', { class: 'opt', for: `wellbeing-${n}` },
    h('input', { type: 'radio', name: 'wellbeing', id: `wellbeing-${n}`, value: String(n), checked: String(n) === keep }), h('span', { text: tr(`wellbeing_${n}`) }))));
  if (reset) {
    $('checkin-debrief').checked = false;
    $('checkin-share').checked = false;
    $('checkin-share').disabled = true;
    $('checkin-note').value = '';
    $('checkin-error').hidden = true;
  }
}

async function saveCheckin(ev) {
  ev.preventDefault();
  const wellbeing = segValue('wellbeing');
  const checkin = {
    org_id: state.orgId,
    after_record_id: state.afterRecordId,
    debrief_requested: $('checkin-debrief').checked,
    wellbeing: wellbeing ? Number(wellbeing) : null,
    private_note: L.textOrNull($('checkin-note').value),
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

// ---------- my records, needs attention ----------

function editButton(rec) {
  return h('button', { type: 'button', class: 'small', 'data-action': 'edit', text: tr('edit'), 'aria-label': `${tr('edit')}: ${L.recordSummary(rec, state.catalogue, state.lang).what} ${L.formatTime(rec.occurred_at, state.lang)}`, onclick: () => editRecord(rec) });
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

async function editRecord(rec) {
  if (rec.org_id !== state.orgId) {
    state.orgId = rec.org_id;
    await loadOrg();
    renderOrgName();
  }
  if (rec.record_type === 'shift') openShiftForm(rec);
  else if (rec.record_type === 'training') openActivity('training', rec);
  else if (rec.record_type === 'activity') openActivity(rec.kind, rec);
}

async function renderRecords() {
  if ($('records-filter').value === 'checkins') { await renderCheckins(); return; }
  const list = await load('list_records', { query: { record_type: $('records-filter').value || null, limit: 300 } });
  if (!list) return;
  $('records-list').replaceChildren(...list.map((r) => recordItem(r, r.record_type === 'debrief_request' ? [deleteButton(r)] : [editButton(r), deleteButton(r)])));
  $('records-empty').hidden = list.length > 0;
}

async function renderAttention() {
  const list = await load('list_records', { query: { needs_attention: true } });
  if (!list) return;
  $('attention-list').replaceChildren(...list.map((r) => recordItem(r, [h('button', { type: 'button', class: 'small', 'data-action': 'fix', text: tr('fix'), onclick: () => editRecord(r) })])));
  $('attention-empty').hidden = list.length > 0;
}

// ---------- summary ----------

function figuresTable(title, figures, id) {
  const rows = L.summaryRows(figures, state.catalogue, state.lang);
  return h('section', { class: 'figures', 'data-org': id },
    h('h2', { text: title }),
    h('dl', {}, ...rows.map((r) => h('div', { class: `fig${r.big ? ' big-fig' : ''}${r.sub ? ' sub' : ''}`, 'data-key': r.key }, h('dt', { text: r.label }), h('dd', { text: r.value })))));
}

async function renderSummary() {
  const orgSel = $('summary-org');
  const chosen = orgSel.value;
  orgSel.replaceChildren(h('option', { value: '', text: tr('all_orgs') }), ...state.orgs.map((o) => h('option', { value: o.id, text: o.name })));
  orgSel.value = state.orgs.some((o) => o.id === chosen) ? chosen : '';
  const query = { ...L.periodRange($('summary-period').value), org_id: orgSel.value || null };
  let s;
  let html;
  try {
    s = await invoke('summary', { query });
    html = await invoke('summary_html', { query });
  } catch (e) {
    fail($('fatal'), e);
    return;
  }
  const out = $('summary-out');
  const parts = [figuresTable(query.org_id ? state.orgs.find((o) => o.id === query.org_id)?.name ?? '' : tr('all_orgs'), s.total, query.org_id ?? 'all')];
  if (!query.org_id && s.organizations.length > 1) {
    for (const o of s.organizations) parts.push(figuresTable(o.org_name, o.figures, o.org_id));
  }
  if (!s.total.activities && !s.total.paid_hours && !s.total.unpaid_hours && !s.total.trainings) parts.push(h('p', { class: 'muted', text: tr('summary_empty') }));
  out.replaceChildren(...parts);
  // The printable page is the core's own; its markup is escaped there, and its inline style
  // would be refused by the CSP, so only its body is kept and style.css styles it for print.
  $('print-area').innerHTML = L.printableBody(html);
}

// ---------- organizations ----------

async function renderOrgs() {
  try {
    await loadOrgs();
  } catch (e) {
    fail($('fatal'), e);
    return;
  }
  $('orgs-first').hidden = state.orgs.length > 0;
  const items = [];
  for (const o of state.orgs) {
    let cat = null;
    try { cat = await invoke('catalogue', { orgId: o.id }); } catch { /* shown without roles */ }
    items.push(h('li', { class: 'card', 'data-org': o.id },
      h('h2', { text: o.name }),
      h('p', { class: 'muted', text: o.server_url ? tr('org_server', { server: o.server_url }) : tr('org_local') }),
      cat?.roles?.length ? h('details', { class: 'more' }, h('summary', { text: tr('roles_title') }),
        h('dl', { class: 'roles-list' }, ...cat.roles.map((r) => h('div', {}, h('dt', { text: L.pick(r.title, state.lang) }), h('dd', { text: L.pick(r.expectations, state.lang) }))))) : null,
      o.server_url ? leaveButton(o) : null));
  }
  $('orgs-list').replaceChildren(...items);
}

/**
 * Leave an organization: asks once more; if records were not sent yet, says so (the core's
 * words) and offers to leave anyway. Records always stay on this device.
 */
function leaveButton(org) {
  const msg = h('p', { class: 'error', role: 'alert', hidden: true });
  const b = h('button', { type: 'button', class: 'small danger', 'data-action': 'leave', text: tr('leave') });
  b.addEventListener('click', async () => {
    const stage = b.dataset.stage || 'start';
    if (stage === 'start') {
      b.dataset.stage = 'armed';
      b.textContent = tr('leave_confirm');
      return;
    }
    try {
      await invoke('leave_organization', { orgId: org.id, evenIfUnsent: stage === 'anyway' });
      toast(tr('left', { org: org.name }));
      await renderOrgs();
      refreshStatus();
    } catch (e) {
      fail(msg, e);
      b.dataset.stage = 'anyway';
      b.textContent = tr('leave_anyway');
    }
  });
  return h('div', { class: 'leave' }, msg, b);
}

async function join(ev) {
  ev.preventDefault();
  $('join-error').hidden = true;
  await busy($('join-submit'), async () => {
    try {
      const org = await invoke('enroll', {
        server: $('join-server').value,
        code: $('join-code').value,
        deviceName: $('join-device').value || tr('device_name_default')
      });
      toast(tr('joined', { org: org.name }));
      $('join-code').value = '';
      state.orgId = org.id;
    } catch (e) {
      fail($('join-error'), e);
      return;
    }
    await renderOrgs();
    refreshStatus();
  });
}

async function addLocal(ev) {
  ev.preventDefault();
  $('local-error').hidden = true;
  await busy($('local-submit'), async () => {
    try {
      const org = await invoke('add_local_organization', { name: $('local-name').value });
      toast(tr('added', { org: org.name }));
      $('local-name').value = '';
      if (!state.orgId) state.orgId = org.id;
    } catch (e) {
      fail($('local-error'), e);
      return;
    }
    await renderOrgs();
  });
}

// ---------- settings ----------

function renderAutolock() {
  const sel = $('autolock');
  sel.replaceChildren(...[0, 1, 2, 5, 15, 30].map((n) => h('option', { value: String(n), text: n ? tr('autolock_min', { n }) : tr('autolock_off'), selected: n === state.autolock })));
}

async function renderSettings() {
  renderAutolock();
  const items = [h('li', { text: tr('kept_encrypted') })];
  for (const o of state.orgs) {
    if (!o.server_url) { items.push(h('li', { text: tr('kept_local', { org: o.name }) })); continue; }
    let days = '?';
    try { days = (await invoke('catalogue', { orgId: o.id })).retention_days; } catch { /* unknown */ }
    items.push(h('li', { text: tr('kept_retention', { org: o.name, days: L.formatNumber(days, state.lang) }) }));
  }
  items.push(h('li', { text: tr('kept_unsent') }), h('li', { text: tr('kept_checkins') }));
  $('kept-list').replaceChildren(...items);
}

// ---------- sync state ----------

let lastStatusKey = '';
function renderStatus() {
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
  $('send-now').hidden = !(status.enrolled && status.waiting > 0 && status.activity?.state !== 'sending');
}

async function refreshStatus() {
  if (state.screen === 'lock') return;
  try {
    state.status = await invoke('sync_status');
  } catch {
    return;
  }
  if (state.screen === 'lock') return;
  renderStatus();
  // Records change state when they are sent: redraw lists when the counts move.
  const s = state.status;
  const key = `${s.waiting}|${s.last_sent_at}|${s.needs_attention}`;
  if (key !== lastStatusKey) {
    lastStatusKey = key;
    if (state.screen === 'home') await refreshToday();
    else if (state.screen === 'records') await renderRecords();
    else if (state.screen === 'attention') await renderAttention();
  }
}

function tick() {
  if (state.screen !== 'lock' && L.shouldAutolock(state.lastActive, Date.now(), state.autolock)) {
    lockNow();
    return;
  }
  refreshStatus();
}

// ---------- wiring ----------

function wire() {
  for (const b of document.querySelectorAll('#nav button')) b.addEventListener('click', () => go(b.dataset.screen));
  $('lock-form').addEventListener('submit', unlock);
  $('lang').addEventListener('change', () => setLanguage($('lang').value));
  $('lock-lang').addEventListener('change', () => setLanguage($('lock-lang').value));
  $('autolock').addEventListener('change', () => { state.autolock = L.autolockMinutes($('autolock').value); store('autolock', String(state.autolock)); });
  $('lock-now').addEventListener('click', lockNow);
  $('hide-now').addEventListener('click', lockNow);
  $('send-now').addEventListener('click', () => invoke('sync_now').catch(() => {}).finally(refreshStatus));
  $('attention-pill').addEventListener('click', () => go('attention'));
  $('org-button').addEventListener('click', () => go('orgs'));
  $('settings-orgs').addEventListener('click', () => go('orgs'));
  $('attention-banner').addEventListener('click', () => go('attention'));
  $('org-switch').addEventListener('change', async () => { state.orgId = $('org-switch').value; await loadOrg(); renderOrgName(); await refreshHome(); });
  $('shift-start').addEventListener('click', () => openShiftForm());
  $('shift-end').addEventListener('click', endShift);
  $('shift-form').addEventListener('submit', saveShift);
  $('shift-cancel').addEventListener('click', () => go(state.form?.back ?? 'home'));
  $('activity-form').addEventListener('submit', saveActivity);
  $('activity-cancel').addEventListener('click', () => { const back = state.form?.back ?? 'home'; state.form = null; go(back); });
  $('checkin-form').addEventListener('submit', saveCheckin);
  $('checkin-skip').addEventListener('click', () => { state.afterRecordId = null; go('home'); });
  $('checkin-debrief').addEventListener('change', () => {
    $('checkin-share').disabled = !$('checkin-debrief').checked;
    if (!$('checkin-debrief').checked) $('checkin-share').checked = false;
  });
  $('records-filter').addEventListener('change', renderRecords);
  $('summary-period').addEventListener('change', renderSummary);
  $('summary-org').addEventListener('change', renderSummary);
  $('summary-print').addEventListener('click', () => invoke('print_page').catch((e) => fail($('fatal'), e)));
  $('join-form').addEventListener('submit', join);
  $('local-form').addEventListener('submit', addLocal);
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
