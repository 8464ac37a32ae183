// Messages to devices (coordinators and admins post; everyone sees the counts): a form to
// post an alert or a notice to every device or to one role, until it expires, and the list
// with how many devices have received each one and a Withdraw button. The server decides
// everything (who may, what text is allowed, which devices get what); this only shows it.
// openMessageForm({ text, urgency }) fills the form in (the overdose spike notice uses it).

const HOURS = [1, 24, 168];
let ctx = null;
let pending = null;

export async function loadMessages({ api, t, el, showError, lang, panel, canPost }) {
  ctx = { api, t, el, showError, lang, panel, canPost };
  const { messages, roles } = await api('GET', '/api/v1/staff/messages');
  const when = (s) => new Date(s).toLocaleString(lang);
  const roleName = (id) => {
    const r = roles.find((x) => x.id === id);
    return r ? (lang === 'fr' ? r.label_fr : r.label) : id;
  };
  const head = el('tr', {}, ...['msg_col', 'msg_urgency', 'msg_to', 'msg_posted', 'msg_expires', 'msg_state', 'msg_delivered', '']
    .map((k) => el('th', { text: k ? t(k) : '' })));
  const rows = messages.map((m) => {
    const cell = el('td', {});
    if (canPost && m.state === 'live') {
      const b = el('button', { type: 'button', class: 'withdraw', text: t('msg_withdraw'), 'aria-label': `${t('msg_withdraw')}: ${m.text}` });
      b.addEventListener('click', async () => {
        if (!window.confirm(t('msg_withdraw_confirm'))) return;
        try { await api('POST', `/api/v1/staff/messages/${m.id}/withdraw`); await reload(); } catch (e) { showError(e.message); }
      });
      cell.append(b);
    }
    return el('tr', { 'data-message': m.id }, el('td', { text: m.text }), el('td', { text: t(`msg_u_${m.urgency}`) }),
      el('td', { text: m.role ? roleName(m.role) : t('msg_everyone') }), el('td', { text: when(m.posted_at) }),
      el('td', { text: when(m.expires_at) }), el('td', { text: t(`msg_s_${m.state}`) }),
      m.delivered_fewer_than_5
        ? el('td', { class: 'delivered protected', text: '<5', title: t('cell_small') })
        : el('td', { class: 'delivered', text: Number(m.delivered).toLocaleString(lang) }), cell);
  });
  const table = messages.length
    ? el('table', { id: 'messages-table' }, el('thead', {}, head), el('tbody', {}, ...rows))
    : el('p', { class: 'note', id: 'messages-none', text: t('msg_none') });
  const parts = [el('p', { text: t('msg_intro') })];
  if (canPost) {
    const urgency = el('select', { name: 'urgency' },
      el('option', { value: 'alert', text: t('msg_u_alert') }), el('option', { value: 'notice', text: t('msg_u_notice') }));
    const role = el('select', { name: 'role' }, el('option', { value: '', text: t('msg_everyone') }),
      ...roles.map((r) => el('option', { value: r.id, text: lang === 'fr' ? r.label_fr : r.label })));
    const expires = el('select', { name: 'expires' }, ...HOURS.map((h) => el('option', { value: String(h), text: t(`msg_h_${h}`) })));
    expires.value = '24';
    const form = el('form', { id: 'message-form', class: 'filters' },
      el('label', {}, el('span', { text: t('msg_text') }), ' ', el('textarea', { name: 'text', required: '', maxlength: '500', rows: '3', cols: '50' })),
      el('label', {}, el('span', { text: t('msg_urgency') }), ' ', urgency),
      el('label', {}, el('span', { text: t('msg_to') }), ' ', role),
      el('label', {}, el('span', { text: t('msg_lasts') }), ' ', expires),
      el('button', { type: 'submit', text: t('msg_post') }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      // Messages are one line: line breaks typed in the box become spaces.
      const body = { text: String(f.get('text')).replace(/\s*\n\s*/g, ' '), urgency: f.get('urgency'),
        expires_at: new Date(Date.now() + Number(f.get('expires')) * 3600e3).toISOString() };
      if (f.get('role')) body.role = f.get('role');
      try { await api('POST', '/api/v1/staff/messages', body); showError(''); await reload(); } catch (e) { showError(e.message); }
    });
    parts.push(el('h2', { text: t('msg_new') }), form);
  }
  panel.replaceChildren(...parts, el('h2', { text: t('msg_sent') }), el('div', { class: 'table-wrap' }, table));
  if (pending) { fill(pending); pending = null; }
}

const reload = () => loadMessages(ctx);

function fill({ text, urgency }) {
  const form = document.getElementById('message-form');
  if (!form) return;
  if (text !== undefined) form.text.value = text;
  if (urgency === 'alert' || urgency === 'notice') form.urgency.value = urgency;
  form.text.focus();
}

// Opens the Messages page with the form filled in.
export function openMessageForm(detail = {}) {
  pending = detail;
  if (location.hash !== '#messages') location.hash = '#messages';
  else if (document.getElementById('message-form')) { fill(detail); pending = null; }
}
