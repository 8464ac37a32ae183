// Shared by every screen: state, core commands over IPC, words, moving between screens.

import { t } from './i18n.js';
import * as L from './logic.js';
import { $, showError, selectOf } from './dom.js';

const SCREENS = ['lock', 'pin-change', 'home', 'shift', 'activity', 'checkin', 'records', 'attention', 'summary', 'statement', 'pay', 'orgs', 'settings', 'tally'];
const NAV_OF = { 'pin-change': 'settings', shift: 'home', activity: 'home', checkin: 'home', attention: 'records', orgs: 'settings', statement: 'summary', tally: 'home' };

export const stored = (k) => { try { return localStorage.getItem(k); } catch { return null; } };
export const store = (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode */ } };

export const state = {
  lang: L.initialLanguage(stored('lang'), typeof navigator === 'undefined' ? null : navigator.language),
  autolock: L.autolockMinutes(stored('autolock')),
  lastActive: Date.now(),
  profile: null,
  screen: 'lock',
  orgs: [],
  orgId: null,
  catalogue: null,
  kinds: [], // the forms of the organization in orgId: the core's kind_definitions
  openShift: null,
  status: null,
  form: null, // what the activity/shift form is editing: {mode, kind, record?, back}
  lastArea: null,
  afterRecordId: null
};

/** A core command without the worker's language (the lock screen's). */
export const raw = (cmd, args = {}) => window.__TAURI__.core.invoke(cmd, args);
/** A core command; its errors come back in the worker's language. */
export const invoke = (cmd, args = {}) => raw(cmd, { lang: state.lang, ...args });

/** The worker's words for `key`. */
export const tr = (key, vars) => t(state.lang, key, vars);

/** Shows a core error (its message as it came) in the paragraph `el`. */
export function fail(el, e) {
  showError(el, e && e.message ? e.message : tr('error_generic', { message: String(e) }));
}

/** The answer of a command, or null after showing its error at the top of the screen. */
export async function load(cmd, args) {
  try {
    return await invoke(cmd, args);
  } catch (e) {
    fail($('fatal'), e);
    return null;
  }
}

// ---------- moving between screens ----------

/** How each screen is drawn ({render, onSync}) and what is drawn after any: set by app.js. */
const views = {};
let afterRedraw = () => {};
export function registerViews(screens, after) {
  Object.assign(views, screens);
  afterRedraw = after;
}

export function show(screen) {
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
export function focusTitle(screen) {
  const h1 = $(screen)?.querySelector('h1');
  if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
}

export async function go(screen) {
  show(screen);
  await redraw();
  focusTitle(screen);
}

/** Draws the current screen again (after a change of language, organization or data). */
export async function redraw() {
  // While a screen draws, its buttons may still move or be replaced: body[data-drawing] says
  // so (the end-to-end tests wait for it to go before they tap).
  drawing += 1;
  document.body.dataset.drawing = 'true';
  try {
    await views[state.screen]?.render?.();
    afterRedraw();
  } finally {
    drawing -= 1;
    if (!drawing) delete document.body.dataset.drawing;
  }
}
let drawing = 0;

/** Refreshes the lists of the current screen after records changed state with sync. */
export async function syncChanged() {
  await views[state.screen]?.onSync?.();
}

/** Starts a form: `screen` ('shift' or 'activity') for a new record or to edit `record`. */
export function beginForm(screen, kind, record, render) {
  state.form = { mode: record ? 'edit' : 'new', kind, record, back: record ? state.screen : 'home' };
  $('toast').hidden = true;
  render();
  show(screen);
  focusTitle(screen);
}

// ---------- organizations and catalogue ----------

/** The organizations, and the catalogue, forms and open shift of the one chosen. */
export async function loadOrgs() {
  const view = await invoke('app_state');
  state.orgs = view.organizations;
  if (!state.orgs.some((o) => o.id === state.orgId)) state.orgId = state.orgs[0]?.id ?? null;
  if (state.orgId === state.orgs[0]?.id) {
    state.catalogue = view.catalogue;
    state.openShift = view.open_shift;
    state.kinds = await invoke('kind_definitions', { orgId: state.orgId });
  } else {
    await loadOrg();
  }
  renderOrgName();
}

/** The catalogue, forms and open shift of the organization in `state.orgId`. */
export async function loadOrg() {
  state.catalogue = await invoke('catalogue', { orgId: state.orgId });
  state.kinds = await invoke('kind_definitions', { orgId: state.orgId });
  state.openShift = state.orgId ? await invoke('open_shift', { orgId: state.orgId }) : null;
}

export function renderOrgName() {
  const org = state.orgs.find((o) => o.id === state.orgId);
  $('org-name').textContent = org ? org.name : tr('no_org');
}

/** A select of the catalogue's areas, with "Not said" first. */
export function areaSelect(selected) {
  return selectOf([{ value: '', label: tr('area_none') }, ...(state.catalogue?.areas ?? []).map((a) => ({ value: a.id, label: L.pick(a.label, state.lang) }))], selected);
}
