// The staff dashboard: DOM and fetch over the same JSON API as every other client. Nothing here
// decides who may see what: the server does, and says so in its error messages.
import { STRINGS, pickLang } from './i18n.js';
import { drawSplit } from './chart.js';
import { loadTokens } from './tokens.js';
import { loadMessages } from './messages.js';
import { loadSpikeNotices, loadSpikeSettings } from './spikes.js';

const MEASURES = ['activities', 'people_reached', 'naloxone_doses', 'supplies', 'navigation_tasks', 'hours', 'debriefs', 'training_wanted'];
const DIMENSIONS = {
  activities: ['none', 'kind', 'area', 'role', 'worker', 'on_shift'],
  people_reached: ['none', 'kind', 'area', 'role', 'worker', 'on_shift'],
  naloxone_doses: ['none', 'area', 'role', 'worker', 'on_shift'],
  // Handed out, brought back, and naloxone kits that replace one by why: never added together.
  supplies: ['item', 'returned', 'reason'],
  navigation_tasks: ['none', 'nav_task', 'nav_outcome', 'area', 'worker'],
  hours: ['pay_type', 'none', 'role', 'worker', 'area'],
  debriefs: ['none'],
  training_wanted: ['topic'],
};
// The built-in activity kinds (shiftlog_model::body::BUILTIN_KINDS), in the app's order.
const BUILTIN_KINDS = ['overdose_response', 'supplies_distributed', 'outreach_contact', 'peer_education', 'emotional_support', 'meal_service', 'systems_navigation'];
const SECTIONS = [['activity_kinds', 'sec_kinds'], ['supply_items', 'sec_items'], ['areas', 'sec_areas'], ['roles', 'sec_roles']];

let lang = pickLang(localStorage.getItem('lang'), navigator.language);
let me = null;
const $ = (id) => document.getElementById(id);
const t = (k) => STRINGS[lang][k] ?? k;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function translate() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  $('lang').value = lang;
}

function showError(msg) {
  $('error').textContent = msg || '';
  $('error').hidden = !msg;
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && me?.csrf_token) headers['x-csrf-token'] = me.csrf_token;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = await r.json().catch(() => ({ code: 'bad_answer', message: `HTTP ${r.status}` }));
  if (!r.ok) throw Object.assign(new Error(data.message), { status: r.status, code: data.code });
  return data;
}

function show(page) {
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== `page-${page}`;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('current', a.getAttribute('href') === `#${page}`);
}

async function route() {
  showError('');
  if (!me) { show('login'); return; }
  const page = (location.hash || '#summary').slice(1);
  const pages = { summary: loadSummary, records: loadRecords, devices: loadDevices, catalogue: loadCatalogue, messages: () => loadMessages({ api, t, el, showError, lang, panel: $('messages-panel'), canPost: me.role !== 'viewer' }), audit: loadAudit, staff: loadStaff };
  if (me.role === 'viewer') delete pages.devices;
  show(pages[page] ? page : 'summary');
  try { await (pages[page] || loadSummary)(); } catch (e) { showError(e.message); }
}

async function whoAmI() {
  try { me = await api('GET', '/api/v1/staff/me'); } catch { me = null; }
  $('nav').hidden = !me; $('logout').hidden = !me;
  $('who').textContent = me ? `${me.username} (${me.role})` : '';
  $('org-name').textContent = me?.organization_name || 'shiftlog';
  $('unsuppressed-label').hidden = me?.role !== 'admin';
  $('nav-staff').hidden = me?.role !== 'admin';
  // Device names tie a worker to their pseudonym: only coordinators and admins see them.
  $('nav-devices').hidden = !me || me.role === 'viewer';
}

// ---- Summary -------------------------------------------------------------------------------

function fillSelect(sel, values, prefix, keep) {
  const old = keep ?? sel.value;
  sel.replaceChildren(...values.map((v) => el('option', { value: v, text: t(prefix + v) })));
  if (values.includes(old)) sel.value = old;
}

function summaryQuery() {
  const f = new FormData($('summary-form'));
  const q = new URLSearchParams();
  for (const k of ['measure', 'period', 'by', 'from', 'to', 'area', 'kind']) if (f.get(k)) q.set(k, f.get(k));
  if (f.get('unsuppressed')) q.set('unsuppressed', 'true');
  return q;
}

function cellText(v) { return typeof v === 'number' ? v.toLocaleString(lang) : String(v); }

function drawChart(table) {
  const rows = table.rows.filter((r) => r.label !== 'total');
  const W = 640, H = 220, pad = 30;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 40}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('chart_title'));
  const totals = rows.map((r) => r.cells[r.cells.length - 1]);
  const max = Math.max(1, ...totals.map((v) => (typeof v === 'number' ? v : 4)));
  const bw = rows.length ? Math.min(80, (W - pad * 2) / rows.length - 8) : 0;
  rows.forEach((r, i) => {
    const v = totals[i];
    const n = typeof v === 'number' ? v : 4;
    const h = Math.round((n / max) * (H - 20));
    const x = pad + i * (bw + 8);
    const mk = (tag, attrs, text) => {
      const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
      for (const [k, val] of Object.entries(attrs)) e.setAttribute(k, val);
      if (text !== undefined) e.textContent = text;
      svg.append(e);
    };
    mk('rect', { x, y: H - h, width: bw, height: h, class: typeof v === 'number' ? 'bar' : 'bar hidden-bar' });
    mk('text', { x: x + bw / 2, y: H - h - 4, 'text-anchor': 'middle', class: 'bar-value' }, cellText(v));
    mk('text', { x: x + bw / 2, y: H + 16, 'text-anchor': 'middle', class: 'bar-label' }, r.label);
  });
  $('chart').replaceChildren(el('h2', { text: t('chart_title') }), svg);
}

// Column headings in plain words: the organization's own label from its catalogue, else the
// dashboard's word for a built-in value, else the id as stored.
let catalogueLabels = null;
let catalogueLists = {};
async function loadLabels() {
  if (catalogueLabels) return;
  catalogueLabels = new Map();
  catalogueLists = {};
  try {
    const c = await api('GET', '/api/v1/staff/catalogue');
    for (const [key] of SECTIONS) for (const e of c[key] || []) if (e.label) catalogueLabels.set(e.id, e.label);
    for (const [key] of SECTIONS) catalogueLists[key] = c[key] || [];
    // An organization that never listed its kinds uses the built-in ones (as its devices do).
    if (!catalogueLists.activity_kinds.length) catalogueLists.activity_kinds = BUILTIN_KINDS.map((id) => ({ id }));
  } catch { /* headings fall back to the dashboard's words */ }
  fillLists();
}
// The Area and Kind filters: the organization's own lists, in its own words, and "All".
function fillLists() {
  for (const sel of document.querySelectorAll('select[data-list]')) {
    const old = sel.value;
    sel.replaceChildren(el('option', { value: '', text: t('all') }),
      ...(catalogueLists[sel.dataset.list] || []).map((e) => el('option', { value: e.id, text: e.label || valueLabel(e.id) })));
    if ([...sel.options].some((o) => o.value === old)) sel.value = old;
  }
}
function valueLabel(c) {
  return catalogueLabels?.get(c) ?? STRINGS[lang][`v_${c}`] ?? c;
}

// The column with no key: "(not set)", or for topics the rare ones the server put together.
const unsetLabel = (table) => t(table.by === 'topic' ? 'other_topics' : 'not_set');

function drawTable(table) {
  const head = el('tr', {}, el('th', { text: t('period_label') }),
    ...table.columns.map((c) => el('th', { text: c === 'total' ? t('total') : (c ? valueLabel(c) : unsetLabel(table)), 'data-id': c })));
  const body = table.rows.map((r) => el('tr', { class: r.label === 'total' ? 'total' : '' },
    el('th', { text: r.label === 'total' ? t('total') : r.label }),
    ...r.cells.map((c) => (typeof c === 'string'
      ? el('td', { text: c, class: 'protected', title: t(c === '<5' ? 'cell_small' : 'cell_x') })
      : el('td', { text: cellText(c) })))));
  $('summary-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
  $('legend').hidden = !table.suppressed;
}

function setExportLinks() {
  const q = summaryQuery();
  for (const [id, fmt, excel] of [['sum-csv', 'csv'], ['sum-excel', 'csv', true], ['sum-xlsx', 'xlsx'], ['sum-json', 'json']]) {
    const p = new URLSearchParams(q); p.set('format', fmt); if (excel) p.set('excel', 'true');
    $(id).href = `/api/v1/staff/summary/export?${p}`;
    $(id).setAttribute('download', '');
  }
}

async function loadSummary() {
  const f = $('summary-form');
  fillSelect(f.measure, MEASURES, 'm_');
  fillSelect(f.period, ['month', 'week', 'day'], 'p_');
  fillSelect(f.by, DIMENSIONS[f.measure.value], 'd_');
  setExportLinks();
  await loadLabels();
  loadSpikeNotices({ api, t, el, lang, panel: $('spike-notices'), canAlert: me.role !== 'viewer' }).catch(() => {});
  const table = await api('GET', `/api/v1/staff/summary?${summaryQuery()}`);
  drawChart(table);
  drawSplit($('split-chart'), table, {
    label: (c) => (c ? valueLabel(c) : unsetLabel(table)),
    fmt: cellText,
    words: { title: `${t('chart_split_title')} ${t(`d_${table.by}`)}`, protected: t('chart_protected'), note: t('chart_split_note') },
  });
  drawTable(table);
}

// ---- Records -------------------------------------------------------------------------------

async function loadRecords() {
  await loadLabels();
  const f = new FormData($('records-form'));
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'record_type', 'kind', 'area']) if (f.get(k)) q.set(k, f.get(k));
  for (const [id, fmt, excel] of [['rec-csv', 'csv'], ['rec-excel', 'csv', true], ['rec-xlsx', 'xlsx'], ['rec-json', 'json']]) {
    const p = new URLSearchParams(q); p.set('format', fmt); if (excel) p.set('excel', 'true');
    if (fmt === 'xlsx') p.set('lang', lang);
    $(id).href = `/api/v1/staff/records/export?${p}`;
    $(id).setAttribute('download', '');
  }
}

// ---- Devices -------------------------------------------------------------------------------

async function loadDevices() {
  const devices = await api('GET', '/api/v1/staff/devices');
  const head = el('tr', {}, ...['worker', 'device', 'joined', 'status', ''].map((k) => el('th', { text: k ? t(k) : '' })));
  const rows = devices.map((d) => {
    const action = el('td');
    if (!d.revoked_at && me.role !== 'viewer') {
      const b = el('button', { class: 'danger', text: t('revoke') });
      b.addEventListener('click', async () => {
        if (!confirm(t('confirm_revoke'))) return;
        try { await api('POST', `/api/v1/staff/devices/${d.id}/revoke`); await loadDevices(); } catch (e) { showError(e.message); }
      });
      action.append(b);
    }
    return el('tr', {}, el('td', { text: d.pseudonym }), el('td', { text: d.name }),
      el('td', { text: new Date(d.enrolled_at).toLocaleString(lang) }),
      el('td', { text: d.revoked_at ? t('removed') : t('active') }), action);
  });
  $('devices-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

async function newCode(ev) {
  ev.preventDefault();
  showError('');
  const p = new FormData($('code-form')).get('pseudonym').trim();
  try {
    const c = await api('POST', '/api/v1/staff/enrollment-codes', p ? { pseudonym: p } : {});
    $('code-text').textContent = c.code;
    $('code-qr').src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(c.qr_svg)}`;
    $('code-expiry').textContent = new Date(c.expires_at).toLocaleString(lang);
    $('code-server').textContent = c.server;
    $('code-guessed').hidden = !c.server_guessed;
    $('code-link').textContent = c.link;
    $('code-link').href = c.link;
    $('code-out').hidden = false;
  } catch (e) { showError(e.message); }
}

// ---- Catalogue -----------------------------------------------------------------------------

let catalogue = null;

function entryRow(section, e) {
  const tr = el('tr', {},
    el('td', {}, el('input', { name: 'id', value: e.id, 'aria-label': t('id'), pattern: '[A-Za-z0-9_\\-]+' })),
    el('td', {}, el('input', { name: 'label', value: e.label, 'aria-label': t('label') })),
    el('td', {}, el('input', { name: 'description', value: e.description || '', 'aria-label': t('description') })));
  const rm = el('button', { type: 'button', text: t('remove') });
  rm.addEventListener('click', () => tr.remove());
  tr.append(el('td', {}, rm));
  return tr;
}

async function loadCatalogue() {
  catalogue = await api('GET', '/api/v1/staff/catalogue');
  const editor = $('catalogue-editor');
  editor.replaceChildren(...SECTIONS.map(([key, title]) => {
    const body = el('tbody', { 'data-section': key }, ...catalogue[key].map((e) => entryRow(key, e)));
    const add = el('button', { type: 'button', text: t('add') });
    add.addEventListener('click', () => body.append(entryRow(key, { id: '', label: '', description: '' })));
    return el('div', { class: 'section' }, el('h2', { text: t(title) }),
      el('table', {}, el('thead', {}, el('tr', {}, ...['id', 'label', 'description', ''].map((k) => el('th', { text: k ? t(k) : '' })))), body), add);
  }));
  $('retention').value = catalogue.retention_days;
  $('catalogue-save').disabled = me.role === 'viewer';
  if (me.role !== 'viewer') await loadSpikeSettings({ api, t, el, showError, lang, panel: $('spike-panel') });
}

async function saveCatalogue() {
  const out = { retention_days: Number($('retention').value) };
  for (const [key] of SECTIONS) {
    out[key] = [...document.querySelectorAll(`tbody[data-section="${key}"] tr`)].map((tr) => ({
      id: tr.querySelector('[name=id]').value.trim(),
      label: tr.querySelector('[name=label]').value.trim(),
      description: tr.querySelector('[name=description]').value.trim(),
    })).filter((e) => e.id || e.label);
  }
  try {
    await api('PUT', '/api/v1/staff/catalogue', out);
    catalogueLabels = null;
    await loadLabels();
    $('catalogue-status').textContent = t('saved');
    showError('');
  } catch (e) { showError(e.message); }
}

// ---- Audit ---------------------------------------------------------------------------------

async function loadAudit() {
  const entries = await api('GET', '/api/v1/staff/audit?limit=200');
  const head = el('tr', {}, ...['when', 'who', 'action', 'details'].map((k) => el('th', { text: t(k) })));
  const rows = entries.map((a) => el('tr', {}, el('td', { text: new Date(a.at).toLocaleString(lang) }),
    el('td', { text: a.actor }), el('td', { text: a.action }), el('td', { class: 'detail', text: JSON.stringify(a.detail) })));
  $('audit-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

// ---- Staff (admins) ------------------------------------------------------------------------

async function loadStaff() {
  const staff = await api('GET', '/api/v1/staff/accounts');
  const head = el('tr', {}, ...['username', 'role', ''].map((k) => el('th', { text: k ? t(k) : '' })));
  const rows = staff.map((s) => {
    const sel = el('select', { 'aria-label': `${t('role')} ${s.username}` },
      ...['viewer', 'coordinator', 'admin'].map((r) => el('option', { value: r, text: t(`r_${r}`) })));
    sel.value = s.role;
    const b = el('button', { type: 'button', text: t('change_role') });
    b.addEventListener('click', async () => {
      try { await api('PUT', `/api/v1/staff/accounts/${s.id}/role`, { role: sel.value }); await loadStaff(); } catch (e) { showError(e.message); }
    });
    return el('tr', {}, el('td', { text: s.username }), el('td', {}, sel), el('td', {}, b));
  });
  $('staff-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  await loadTokens({ api, t, el, showError, lang, panel: $('tokens-panel') });
}

$('staff-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  try {
    await api('POST', '/api/v1/staff/accounts', { username: f.get('username'), password: f.get('password'), role: f.get('role') });
    ev.target.reset();
    showError('');
    await loadStaff();
  } catch (e) { showError(e.message); }
});

// ---- Wiring --------------------------------------------------------------------------------

// A link from the organization (`/?org=<id>`) fills in which one to sign in to.
$('login-form').organization.value = new URLSearchParams(location.search).get('org') || '';
$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  try {
    const login = { username: f.get('username'), password: f.get('password') };
    if (f.get('organization')) login.organization = f.get('organization').trim();
    await api('POST', '/api/v1/staff/login', login);
    await whoAmI();
    location.hash = '#summary';
    await route();
  } catch (e) { showError(e.message); }
});
$('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/v1/staff/logout'); } catch { /* signed out anyway */ }
  me = null; await whoAmI(); show('login');
});
$('summary-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadSummary().catch((e) => showError(e.message)); });
$('summary-form').measure.addEventListener('change', () => fillSelect($('summary-form').by, DIMENSIONS[$('summary-form').measure.value], 'd_'));
$('records-form').addEventListener('input', () => loadRecords().catch((e) => showError(e.message)));
$('code-form').addEventListener('submit', newCode);
$('catalogue-save').addEventListener('click', saveCatalogue);
$('lang').addEventListener('change', () => { lang = $('lang').value; localStorage.setItem('lang', lang); translate(); fillLists(); route(); });
window.addEventListener('hashchange', route);

translate();
await whoAmI();
await route();
