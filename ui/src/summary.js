// My summary: the core's figures for a period, and its printable page.

import * as L from './logic.js';
import { $, h } from './dom.js';
import { state, invoke, tr, fail } from './ctx.js';
import { paySection } from './pay.js';

function figuresTable(title, figures, id) {
  const rows = L.summaryRows(figures, state.catalogue, state.lang, state.kinds);
  return h('section', { class: 'figures', 'data-org': id },
    h('h2', { text: title }),
    h('dl', {}, ...rows.map((r) => h('div', { class: `fig${r.big ? ' big-fig' : ''}${r.sub ? ' sub' : ''}`, 'data-key': r.key }, h('dt', { text: r.label }), h('dd', { text: r.value })))));
}

export async function renderSummary() {
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
  const parts = [figuresTable(query.org_id ? state.orgs.find((o) => o.id === query.org_id)?.name ?? '' : tr('all_orgs'), s.total, query.org_id ?? 'all')];
  if (!query.org_id && s.organizations.length > 1) {
    for (const o of s.organizations) parts.push(figuresTable(o.org_name, o.figures, o.org_id));
  }
  if (L.summaryIsEmpty(s.total)) parts.push(h('p', { class: 'muted', text: tr('summary_empty') }));
  // Paid hours against money received (pay.js), the worker's own.
  try { parts.push(await paySection(query)); } catch (e) { fail($('fatal'), e); }
  $('summary-out').replaceChildren(...parts);
  // The printable page is the core's own; its markup is escaped there, and its inline style
  // would be refused by the CSP, so only its body is kept and style.css styles it for print.
  $('print-area').innerHTML = L.printableBody(html);
}
