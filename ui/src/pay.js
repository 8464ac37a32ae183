// My pay: what the worker was paid, kept on this device (the core's pay ledger). The worker may
// share one line with the organization that paid; the words say who will then see it. The
// summary screen shows paid hours against money received. The top half is pure (node tests
// it); the rest draws and needs the webview. The core checks every value.

import { t } from './i18n.js';
import { formatDate, formatHours, toRfc3339 } from './logic.js';
import { choices, choiceLabel } from './defs.js';
import { textOrNull } from './bodies.js';
import { $, h, seg, segValue, toast, busy, showError } from './dom.js';
import { state, invoke, tr, fail } from './ctx.js';

/** Cents from what a person types ("40", "40.5", "40,50", "$40", "1 200,50"), or null. */
export function parseAmount(text) {
  const s = String(text ?? '').trim().replace(/^\$|\$$/g, '').replace(/[\s\u00a0\u202f]/g, '');
  const m = /^(\d{0,12})(?:[.,](\d{0,2}))?$/.exec(s);
  if (!m || (m[1] === '' && !m[2])) return null;
  const cents = Number(m[1] || 0) * 100 + Number((m[2] ?? '').padEnd(2, '0') || 0);
  return cents > 0 ? cents : null;
}

/** Cents as money in the worker's language: "$40.00" / "40,00 $". */
export function formatMoney(cents, currency, lang) {
  const loc = lang === 'fr' ? 'fr-CA' : 'en-CA';
  try {
    return new Intl.NumberFormat(loc, { style: 'currency', currency: currency || 'CAD' }).format((cents || 0) / 100);
  } catch {
    return `${((cents || 0) / 100).toFixed(2)} ${currency}`;
  }
}

/** Money received by currency ({CAD: 4000}) in words; "$0.00" for none. */
export function receivedWords(byCurrency, lang) {
  const entries = Object.entries(byCurrency || {});
  if (!entries.length) return formatMoney(0, 'CAD', lang);
  return entries.map(([c, v]) => formatMoney(v, c, lang)).join(' · ');
}

/** Where a line stands: on this device only, or shared (and sent, waiting, refused). */
export function shareState(p, orgName, lang) {
  if (!p.shared_record_id) return t(lang, 'pay_private');
  const s = p.shared?.state;
  if (s === 'needs_attention') return t(lang, 'pay_shared_refused', { org: orgName, reason: p.shared.reason });
  return t(lang, s === 'sent' ? 'pay_shared_sent' : 'pay_shared_waiting', { org: orgName });
}

/** The plain words asked before a line is shared: who sees what, and what stays here. */
export function shareQuestion(p, orgName, lang) {
  return t(lang, 'pay_share_question', { org: orgName, amount: formatMoney(p.amount_cents, p.currency, lang) });
}

/** The payment the form describes, as the core takes it. */
export function newPayment(values) {
  return {
    org_id: values.orgId || null,
    amount_cents: parseAmount(values.amount) ?? 0,
    currency: null,
    paid_on: values.date,
    method: values.method,
    shift_ids: values.shifts || [],
    note: textOrNull(values.note)
  };
}

/** "2026-11" as "November 2026" / "novembre 2026". */
export function monthWords(ym, lang) {
  const [y, m] = String(ym).split('-').map(Number);
  if (!y || !m) return String(ym ?? '');
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', { month: 'long', year: 'numeric' }).format(new Date(y, m - 1, 15));
}

/** Today's date as a date input holds it (the device's day). */
export function today(now = new Date()) {
  return toRfc3339(now).slice(0, 10);
}

// ---------- drawing ----------

const orgName = (id) => state.orgs.find((o) => o.id === id)?.name ?? id;
const isLocal = (id) => !state.orgs.find((o) => o.id === id)?.server_url;
let form = null; // the core's payment form (choices and limits)
let editing = null; // the line the form is changing, or null for a new one

async function shiftsOf(orgId) {
  const list = await invoke('list_records', { query: { record_type: 'shift', org_id: orgId, limit: 12 } });
  return list.filter((r) => r.body?.ended_at);
}

/** The organization changed: offer its shifts. */
export async function shiftsChanged() {
  await drawShifts();
}

async function drawShifts(checked = []) {
  const orgId = $('pay-org').value;
  const box = $('pay-shifts');
  let list = [];
  try { list = orgId ? await shiftsOf(orgId) : []; } catch { list = []; }
  box.replaceChildren(...(list.length ? list.map((r) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'pay-shift', value: r.id, checked: checked.includes(r.id) }),
    h('span', { text: `${formatDate(r.body.started_at, state.lang)} · ${formatHours((new Date(r.body.ended_at) - new Date(r.body.started_at)) / 3600000, state.lang)}` })))
    : [h('p', { class: 'muted', text: tr('pay_no_shifts') })]));
}

function drawForm(chosen) {
  const orgSel = $('pay-org');
  const keep = orgSel.value || state.orgId;
  orgSel.replaceChildren(...state.orgs.map((o) => h('option', { value: o.id, text: o.name })));
  orgSel.value = state.orgs.some((o) => o.id === keep) ? keep : (state.orgs[0]?.id ?? '');
  const method = chosen ?? segValue('pay-method') ?? 'cash';
  $('pay-method-box').replaceChildren(seg('pay-method', tr('pay_method'), choices(form, 'method', state.lang), method));
  if (!$('pay-date').value) $('pay-date').value = today();
  $('pay-date').max = today();
}

function line(p) {
  const org = orgName(p.org_id);
  const li = h('li', { class: 'pay-line', 'data-id': p.id },
    h('div', { class: 'pay-main' },
      h('strong', { class: 'pay-amount', text: formatMoney(p.amount_cents, p.currency, state.lang) }),
      h('span', { text: ` · ${formatDate(`${p.paid_on}T12:00:00`, state.lang)} · ${org} · ${choiceLabel(form, 'method', p.method, state.lang)}` })),
    p.note ? h('p', { class: 'muted', text: p.note }) : null,
    h('p', { class: `pay-state${p.shared_record_id ? ' shared' : ''}`, text: shareState(p, org, state.lang) }));
  const actions = h('div', { class: 'row-actions' });
  const ask = h('div', { class: 'pay-ask', hidden: true });
  if (!p.shared_record_id && !isLocal(p.org_id)) {
    actions.append(h('button', { type: 'button', class: 'secondary', 'data-action': 'share', text: tr('pay_share', { org }),
      onclick: () => { ask.replaceChildren(
        h('p', { text: shareQuestion(p, org, state.lang) }),
        h('button', { type: 'button', class: 'primary', 'data-action': 'share-yes', text: tr('pay_share_yes'), onclick: (e) => share(e.target, p) }),
        h('button', { type: 'button', class: 'secondary', text: tr('cancel'), onclick: () => { ask.hidden = true; } }));
      ask.hidden = false; } }));
  }
  actions.append(h('button', { type: 'button', class: 'secondary', 'data-action': 'change', text: tr('pay_change'), onclick: () => startEdit(p) }));
  actions.append(h('button', { type: 'button', class: 'link danger', 'data-action': 'delete', text: tr('delete'),
    onclick: () => { ask.replaceChildren(
      h('p', { text: tr(p.shared_record_id ? 'pay_delete_shared' : 'pay_delete_question', { org }) }),
      h('button', { type: 'button', class: 'primary', 'data-action': 'delete-yes', text: tr('delete'), onclick: (e) => remove(e.target, p) }),
      h('button', { type: 'button', class: 'secondary', text: tr('cancel'), onclick: () => { ask.hidden = true; } }));
    ask.hidden = false; } }));
  li.append(actions, ask);
  return li;
}

async function share(btn, p) {
  await busy(btn, async () => {
    try { await invoke('share_payment', { id: p.id }); } catch (e) { fail($('pay-error'), e); return; }
    toast(tr('pay_shared_toast', { org: orgName(p.org_id) }));
    await renderPay();
  });
}

async function remove(btn, p) {
  await busy(btn, async () => {
    try { await invoke('delete_payment', { id: p.id }); } catch (e) { fail($('pay-error'), e); return; }
    toast(tr('pay_deleted'));
    await renderPay();
  });
}

export async function renderPay() {
  try {
    form = form ?? await invoke('payment_form');
    drawForm();
    await drawShifts();
    const list = await invoke('list_payments', { orgId: null });
    $('pay-list').replaceChildren(...list.map(line));
    $('pay-empty').hidden = list.length > 0;
  } catch (e) {
    fail($('fatal'), e);
  }
}

/** Fills the form with a line to change it. */
async function startEdit(p) {
  editing = p;
  $('pay-org').value = p.org_id;
  $('pay-amount').value = (p.amount_cents / 100).toFixed(2);
  $('pay-date').value = p.paid_on;
  $('pay-note').value = p.note ?? '';
  drawForm(p.method);
  await drawShifts(p.shift_ids);
  $('pay-form-title').textContent = tr('pay_change_title');
  $('pay-save').textContent = tr('pay_save_change');
  $('pay-cancel').hidden = false;
  $('pay-form-title').scrollIntoView?.({ block: 'start' });
  $('pay-amount').focus();
}

/** Back to a new line. */
export async function cancelEdit() {
  editing = null;
  $('pay-form-title').textContent = tr('pay_add_title');
  $('pay-save').textContent = tr('save');
  $('pay-cancel').hidden = true;
  $('pay-amount').value = '';
  $('pay-note').value = '';
  $('pay-date').value = today();
  await drawShifts();
}

export async function savePayment(ev) {
  ev.preventDefault();
  $('pay-error').hidden = true;
  const values = {
    orgId: $('pay-org').value,
    amount: $('pay-amount').value,
    date: $('pay-date').value,
    method: segValue('pay-method'),
    shifts: [...document.querySelectorAll('input[name="pay-shift"]:checked')].map((c) => c.value),
    note: $('pay-note').value
  };
  if (parseAmount(values.amount) === null) {
    showError($('pay-error'), tr('pay_amount_help'));
    $('pay-amount').focus();
    return;
  }
  await busy($('pay-save'), async () => {
    const was = editing;
    try {
      if (was) await invoke('edit_payment', { id: was.id, payment: newPayment(values) });
      else await invoke('add_payment', { payment: newPayment(values) });
    } catch (e) { fail($('pay-error'), e); return; }
    toast(was?.shared_record_id ? tr('pay_changed_shared', { org: orgName(was.org_id) }) : tr(was ? 'pay_changed' : 'pay_saved'));
    await cancelEdit();
    await renderPay();
  });
}

/** The summary's pay part: paid hours against money received, by month and organization. */
export async function paySection(query) {
  const s = await invoke('pay_summary', { query });
  const fig = (key, value) => h('div', { class: 'fig', 'data-key': key }, h('dt', { text: tr(key) }), h('dd', { text: value }));
  const block = (label, f) => h('div', { class: 'pay-month' },
    h('h3', { text: label }),
    h('dl', {},
      fig('pay_col_paid', formatHours(f.paid_hours, state.lang)),
      fig('pay_col_received', receivedWords(f.received_cents, state.lang)),
      fig('pay_col_unpaid', formatHours(f.unpaid_hours, state.lang))));
  const blocks = s.rows.map((r) => block(`${monthWords(r.month, state.lang)} · ${r.org_name}`, r.figures));
  if (s.rows.length > 1) blocks.push(block(tr('pay_total'), s.total));
  return h('section', { class: 'figures pay-summary', id: 'pay-summary' },
    h('h2', { text: tr('pay_summary_title') }),
    h('p', { class: 'muted', text: tr('pay_summary_help') }),
    ...(blocks.length ? blocks : [h('p', { text: tr('pay_summary_empty') })]));
}
