// My work record: the worker picks a period and asks each organization with a server to sign
// a statement of their work (counts only); the core checks each before keeping it. The kept
// statements are listed, and the chosen ones (the newest of each organization, unless the
// worker picks others) make one printable page with a code and a QR code each. The top half
// is pure (node tests it); the rest draws and needs the webview.

import { t } from './i18n.js';
import { $, h, busy, showError } from './dom.js';
import { state, invoke, tr, fail } from './ctx.js';

/** A date as a date input holds it (the device's day). */
export function isoDay(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The period first offered: the last three months, up to today. */
export function defaultPeriod(now = new Date()) {
  const from = new Date(now.getFullYear(), now.getMonth() - 3, now.getDate() + 1);
  return { from: isoDay(from), to: isoDay(now) };
}

/** Why a period cannot be asked for (a key of the words), or null. */
export function periodProblem(from, to, today) {
  if (!from || !to) return 'statement_need_dates';
  if (from > to) return 'statement_backwards';
  if (to > today) return 'statement_future';
  const days = (Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86400000 + 1;
  return days > 366 ? 'statement_too_long' : null;
}

/** The organizations that can sign (those joined at a server). */
export function signers(orgs) {
  return (orgs || []).filter((o) => o.server_url);
}

/** The statements put on the page at first: the newest of each organization. */
export function defaultSelection(list) {
  const seen = new Set();
  const ids = [];
  for (const s of list || []) {
    if (seen.has(s.org_id)) continue;
    seen.add(s.org_id);
    ids.push(s.id);
  }
  return ids;
}

/** Minutes as hours in the worker's language: "12.5 h" / "12,5 h". */
export function hoursOf(minutes, lang) {
  const n = new Intl.NumberFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', { maximumFractionDigits: 1 }).format((minutes || 0) / 60);
  return t(lang, 'hours_value', { h: n });
}

/** One kept statement in words: who signed, the period, the hours, the code. */
export function statementWords(s, lang) {
  const st = s.signed.statement;
  const minutes = st.hours.reduce((a, x) => a + x.minutes, 0);
  const activities = st.activities.reduce((a, x) => a + x.count, 0);
  return {
    title: s.org_name,
    period: t(lang, 'statement_period_words', { from: s.from, to: s.to }),
    detail: t(lang, 'statement_detail', { hours: hoursOf(minutes, lang), activities, code: s.short_code })
  };
}

/** What asking did, one line per organization: [{ok, text}]. */
export function askedWords(answers, lang) {
  return (answers || []).map((a) => (a.statement
    ? { ok: true, text: t(lang, 'statement_kept', { org: a.org_name, code: a.statement.short_code }) }
    : { ok: false, text: t(lang, 'statement_failed', { org: a.org_name, reason: a.error?.message ?? '' }) }));
}

/** The printable part of the core's page (its article), without styles, scripts or links. */
export function pagePart(html) {
  const m = /<article class="work-record"[\s\S]*<\/article>/.exec(html || '');
  return (m ? m[0] : '').replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<script[\s\S]*?<\/script>/gi, '');
}

// ---------- drawing ----------

let chosen = null; // ids on the page; null until the list is first drawn
let answers = null; // what the last ask brought back, drawn in the language of the moment

function drawAnswers() {
  $('statement-results').replaceChildren(...askedWords(answers, state.lang).map((l) => h('p', { class: l.ok ? 'statement-ok' : 'error', text: l.text })));
}

function drawSigners() {
  const list = signers(state.orgs);
  $('statement-orgs').textContent = list.length
    ? tr('statement_asks', { orgs: list.map((o) => o.name).join(', ') })
    : tr('statement_no_server');
  $('statement-ask').disabled = !list.length;
}

function item(s) {
  const w = statementWords(s, state.lang);
  const box = h('input', { type: 'checkbox', id: `statement-pick-${s.id}`, value: s.id, checked: chosen.includes(s.id),
    onchange: (e) => { chosen = e.target.checked ? [...chosen, s.id] : chosen.filter((x) => x !== s.id); hidePage(); } });
  return h('li', { class: 'statement-line', 'data-id': s.id, 'data-code': s.short_code },
    h('strong', { text: w.title }),
    h('span', { text: ` · ${w.period}` }),
    h('p', { class: 'muted', text: w.detail }),
    h('label', { class: 'check', for: box.id }, box, h('span', { text: tr('statement_on_page') })));
}

function hidePage() {
  $('statement-preview').hidden = true;
  $('statement-print').hidden = true;
}

export async function renderStatements() {
  drawSigners();
  drawAnswers();
  if (!$('statement-from').value) {
    const p = defaultPeriod();
    $('statement-from').value = p.from;
    $('statement-to').value = p.to;
  }
  $('statement-to').max = isoDay(new Date());
  let list;
  try { list = await invoke('statements'); } catch (e) { fail($('fatal'), e); return; }
  if (chosen === null) chosen = defaultSelection(list);
  chosen = chosen.filter((id) => list.some((s) => s.id === id));
  $('statement-list').replaceChildren(...list.map(item));
  $('statement-empty').hidden = list.length > 0;
  $('statement-open').hidden = list.length === 0;
  hidePage();
}

/** Asks every organization with a server, then lists what came back. */
export async function askStatements(ev) {
  ev.preventDefault();
  const err = $('statement-error');
  err.hidden = true;
  const from = $('statement-from').value;
  const to = $('statement-to').value;
  const problem = periodProblem(from, to, isoDay(new Date()));
  if (problem) { showError(err, tr(problem)); return; }
  await busy($('statement-ask'), async () => {
    $('statement-results').replaceChildren(h('p', { text: tr('statement_asking') }));
    try {
      answers = await invoke('request_statement', { orgId: null, from, to });
    } catch (e) {
      answers = null;
      $('statement-results').replaceChildren();
      fail(err, e);
      return;
    }
    const got = answers.filter((a) => a.statement).map((a) => a.statement);
    // What was just signed goes on the page, in place of older ones of the same organizations.
    const orgs = new Set(got.map((s) => s.org_id));
    const list = await invoke('statements');
    chosen = [...chosen.filter((id) => !orgs.has(list.find((s) => s.id === id)?.org_id)), ...got.map((s) => s.id)];
    await renderStatements();
  });
}

/** Draws the printable page of the chosen statements (and keeps a copy for printing). */
export async function openPage() {
  if (!chosen?.length) { showError($('statement-error'), tr('statement_pick')); return; }
  let html;
  try { html = await invoke('work_record_html', { ids: chosen }); } catch (e) { fail($('fatal'), e); return; }
  const part = pagePart(html);
  const preview = $('statement-preview');
  preview.innerHTML = part;
  // Inside the app a link would take the whole window away: the address stays as text.
  for (const a of preview.querySelectorAll('a')) a.replaceWith(document.createTextNode(a.textContent));
  $('statement-print-area').innerHTML = preview.innerHTML;
  preview.hidden = false;
  $('statement-print').hidden = false;
  preview.scrollIntoView?.({ block: 'start' });
}

/** Prints the page through the shell (WebKitGTK ignores window.print()). */
export async function printPage() {
  document.body.classList.add('printing-statement');
  try {
    await invoke('print_page');
  } catch (e) {
    fail($('fatal'), e);
  }
}

/** Leaving the page (another screen, or the summary's own print) prints the summary again. */
export function wireStatement() {
  const done = () => document.body.classList.remove('printing-statement');
  for (const id of ['nav', 'summary-print']) $(id).addEventListener('click', done, { capture: true });
}
