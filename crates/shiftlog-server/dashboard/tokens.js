// Staff API tokens (admins): the list, a Revoke button for each, and a form to make one. The
// server decides everything (scopes, expiry, who may); this only shows what it says. A new
// token's secret is shown once, here, and never again.
export async function loadTokens({ api, t, el, showError, lang, panel }) {
  const tokens = await api('GET', '/api/v1/staff/tokens');
  const when = (s) => (s ? new Date(s).toLocaleString(lang) : t('tok_never'));
  const head = el('tr', {}, ...['tok_name', 'tok_scope', 'tok_created', 'tok_expires', 'tok_last_used', 'tok_by', '']
    .map((k) => el('th', { text: k ? t(k) : '' })));
  const rows = tokens.map((tok) => {
    const b = el('button', { type: 'button', class: 'revoke', text: t('tok_revoke'), 'aria-label': `${t('tok_revoke')} ${tok.name}` });
    b.addEventListener('click', async () => {
      if (!window.confirm(`${t('tok_revoke_confirm')} ${tok.name}`)) return;
      try { await api('POST', `/api/v1/staff/tokens/${tok.id}/revoke`); await reload(); } catch (e) { showError(e.message); }
    });
    const expired = new Date(tok.expires_at) <= new Date();
    return el('tr', { 'data-token': tok.id }, el('td', { text: tok.name }), el('td', { text: t(`tok_s_${tok.scope}`) }),
      el('td', { text: when(tok.created_at) }),
      el('td', { text: expired ? `${when(tok.expires_at)} (${t('tok_expired')})` : when(tok.expires_at) }),
      el('td', { text: when(tok.last_used_at) }), el('td', { text: tok.created_by }), el('td', {}, b));
  });
  const table = tokens.length
    ? el('table', { id: 'tokens-table' }, el('thead', {}, head), el('tbody', {}, ...rows))
    : el('p', { class: 'note', id: 'tokens-none', text: t('tok_none') });

  const scope = el('select', { name: 'scope' },
    el('option', { value: 'summary', text: t('tok_s_summary') }), el('option', { value: 'coordinator', text: t('tok_s_coordinator') }));
  const form = el('form', { id: 'token-form', class: 'filters' },
    el('label', {}, el('span', { text: t('tok_name') }), ' ', el('input', { name: 'name', required: '', maxlength: '64', autocomplete: 'off' })),
    el('label', {}, el('span', { text: t('tok_scope') }), ' ', scope),
    el('label', {}, el('span', { text: t('tok_days') }), ' ', el('input', { name: 'days', type: 'number', min: '1', max: '365', value: '90' })),
    el('button', { type: 'submit', text: t('tok_create') }));
  const secret = el('div', { id: 'token-secret', class: 'code-out', hidden: '' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    try {
      const made = await api('POST', '/api/v1/staff/tokens', { name: f.get('name'), scope: f.get('scope'), days: Number(f.get('days')) });
      showError('');
      await reload();
      const shown = panel.querySelector('#token-secret');
      const code = el('code', { id: 'token-secret-text', text: made.token });
      code.style.wordBreak = 'break-all'; // 68 characters with no break: wrap anywhere (CSSOM, allowed by the CSP)
      shown.replaceChildren(el('p', { text: t('tok_secret_once') }), el('p', {}, code));
      shown.hidden = false;
    } catch (e) { showError(e.message); }
  });
  const reload = () => loadTokens({ api, t, el, showError, lang, panel });
  panel.replaceChildren(el('h2', { text: t('tok_title') }), el('p', { text: t('tok_intro') }),
    el('div', { class: 'table-wrap' }, table), el('h3', { text: t('tok_new') }), form, secret);
}
