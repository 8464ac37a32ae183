// Overdose spike notices: a calm notice on the summary page for each area that reached the
// organization's threshold, with a button that opens the Messages form filled in; and the
// thresholds form (coordinators and admins, on the catalogue page). The server decides
// everything (who may, what counts, what a notice says); this only shows it. Nothing here
// sends anything outside the organization.

const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));

// The Messages panel (messages.js) exports openMessageForm({ text, urgency }); until it is
// there, the request goes out as an event the panel can listen for.
async function openAlert(detail) {
  // Only a dashboard with a Messages page has messages.js (no request for a missing file).
  if (document.querySelector('#page-messages, a[href="#messages"]')) {
    try {
      const m = await import('./messages.js');
      if (typeof m.openMessageForm === 'function') return m.openMessageForm(detail);
    } catch { /* the panel could not be loaded: tell whoever listens */ }
  }
  window.dispatchEvent(new CustomEvent('shiftlog:compose-message', { detail }));
}

// The notices, into `panel` (emptied when there are none).
export async function loadSpikeNotices({ api, t, el, lang, panel, canAlert }) {
  const notices = await api('GET', '/api/v1/staff/spike-notices');
  const num = (n) => Number(n).toLocaleString(lang);
  panel.replaceChildren(...notices.map((n) => {
    const vars = { area: n.area_label || n.area, n: num(n.at_least), h: num(n.window_hours) };
    const box = el('div', { class: 'code-out spike-notice', role: 'status', 'data-area': n.area },
      el('p', {}, el('strong', { text: fill(t('sp_banner'), vars) })),
      el('p', { class: 'note', text: fill(t('sp_banner_note'), { ...vars, threshold: num(n.threshold) }) }));
    box.style.borderLeft = '6px solid #b7791f'; // amber, not red: a notice, not an alarm
    if (canAlert) {
      const b = el('button', { type: 'button', class: 'spike-alert', text: t('sp_send') });
      b.addEventListener('click', () => openAlert({ text: fill(t('sp_alert_text'), vars), urgency: 'alert' }));
      box.append(el('p', {}, b));
    }
    return box;
  }));
}

const WINDOW_DEFAULT = 24;

function ruleRow({ t, el, lang, limits, id, label, rule, isDefault }) {
  const modes = isDefault ? ['off', 'on'] : ['same', 'off', 'on'];
  const mode = el('select', { name: 'mode', 'aria-label': `${label}: ${t('sp_threshold')}` },
    ...modes.map((m) => el('option', { value: m, text: t(`sp_mode_${m}`) })));
  mode.value = !rule ? (isDefault ? 'off' : 'same') : rule.threshold == null ? 'off' : 'on';
  const count = el('input', { name: 'threshold', type: 'number', min: String(limits.threshold_min), max: String(limits.threshold_max),
    value: String(rule?.threshold ?? 3), 'aria-label': `${label}: ${t('sp_count')}` });
  const hours = el('select', { name: 'window_hours', 'aria-label': `${label}: ${t('sp_window')}` },
    ...limits.window_hours.map((h) => el('option', { value: String(h), text: t('sp_hours').replace('{h}', h.toLocaleString(lang)) })));
  hours.value = String(rule?.window_hours ?? WINDOW_DEFAULT);
  const sync = () => { count.disabled = hours.disabled = mode.value !== 'on'; };
  mode.addEventListener('change', sync);
  sync();
  return el('tr', { 'data-area': id ?? '' }, el('th', { text: label }), el('td', {}, mode), el('td', {}, count), el('td', {}, hours));
}

// The thresholds form, into `panel`.
export async function loadSpikeSettings({ api, t, el, showError, lang, panel }) {
  const s = await api('GET', '/api/v1/staff/spike-thresholds');
  const ruleOf = (area) => s.thresholds.find((x) => (x.area ?? null) === area);
  const rows = [ruleRow({ t, el, lang, limits: s.limits, id: null, label: t('sp_default'), rule: ruleOf(null), isDefault: true }),
    ...s.areas.map((a) => ruleRow({ t, el, lang, limits: s.limits, id: a.id, label: a.label || a.id, rule: ruleOf(a.id) }))];
  const head = el('tr', {}, ...['sp_area', 'sp_threshold', 'sp_count', 'sp_window'].map((k) => el('th', { text: t(k) })));
  const status = el('span', { class: 'note', id: 'spike-status' });
  const save = el('button', { type: 'submit', text: t('sp_save') });
  const form = el('form', { id: 'spike-form' },
    el('div', { class: 'table-wrap' }, el('table', { id: 'spike-table' }, el('thead', {}, head), el('tbody', {}, ...rows))),
    el('p', {}, save, ' ', status));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const thresholds = [];
    for (const tr of form.querySelectorAll('tbody tr')) {
      const area = tr.dataset.area || null;
      const mode = tr.querySelector('[name=mode]').value;
      const window_hours = Number(tr.querySelector('[name=window_hours]').value);
      if (mode === 'on') thresholds.push({ area, threshold: Number(tr.querySelector('[name=threshold]').value), window_hours });
      else if (mode === 'off' && area) thresholds.push({ area, threshold: null, window_hours });
    }
    try {
      await api('PUT', '/api/v1/staff/spike-thresholds', { thresholds });
      status.textContent = t('saved');
      showError('');
    } catch (e) { status.textContent = ''; showError(e.message); }
  });
  panel.replaceChildren(el('h2', { text: t('sp_title') }), el('p', { text: t('sp_intro') }), form);
}
