// Messages from the organization on Home: unread alerts at the top, large and plain, until
// the worker taps "Got it"; everything else in a quieter list below. The core keeps them
// (offline too), drops them after their expiry and lists them unread first, alerts first.
// When the webview says a connection appeared, the app syncs at once, which fetches them.
// The top half is pure (node tests it); the rest draws and needs the webview.

import { t } from './i18n.js';
import { formatDate, formatTime } from './logic.js';
import { $, h } from './dom.js';
import { state, invoke, fail } from './ctx.js';
import { sendNow } from './status.js';

/** The core's list split for Home: unread alerts on top; the rest (notices, read alerts). */
export function arrange(list) {
  const top = [];
  const rest = [];
  for (const m of list || []) (m.urgency === 'alert' && !m.read_at ? top : rest).push(m);
  return { top, rest };
}

/** "From <organization> · until <day> <time>", in the worker's language. */
export function messageLine(m, lang) {
  const until = `${formatDate(m.expires_at, lang)} ${formatTime(m.expires_at, lang)}`;
  return t(lang, 'message_from', { org: m.org_name, until });
}

/** What identifies the list as drawn, so a poll redraws only when something changed. */
export function listKey(list, lang) {
  return `${lang}|${(list || []).map((m) => `${m.org_id}/${m.id}/${m.read_at ? 1 : 0}/${m.expires_at}/${m.text}`).join(',')}`;
}

let drawn = '';

/** Fetches the messages and draws them on Home (only when they changed). */
export async function renderMessages(force = false) {
  if (state.screen === 'lock') return;
  let list;
  try {
    list = await invoke('messages');
  } catch {
    return; // the profile is closing; the next poll draws them
  }
  const key = listKey(list, state.lang);
  if (!force && key === drawn) return;
  drawn = key;
  const { top, rest } = arrange(list);
  $('alerts').replaceChildren(...top.map(alertCard));
  $('alerts').hidden = !top.length;
  $('notices-list').replaceChildren(...rest.map(noticeItem));
  $('notices-box').hidden = !rest.length;
}

function alertCard(m) {
  const lang = state.lang;
  return h('div', { class: 'alert', role: 'alert', 'data-message': m.id },
    h('p', { class: 'alert-label', text: t(lang, 'alert_label') }),
    h('p', { class: 'alert-text', text: m.text }),
    h('p', { class: 'alert-from', text: messageLine(m, lang) }),
    h('button', { type: 'button', class: 'alert-ok', text: t(lang, 'alert_got_it'), onclick: (e) => markRead(m, e.currentTarget) }));
}

function noticeItem(m) {
  return h('li', { 'data-message': m.id, 'data-read': String(!!m.read_at) },
    h('p', { class: 'notice-text', text: m.text }),
    h('p', { class: 'muted notice-from', text: messageLine(m, state.lang) }));
}

async function markRead(m, button) {
  button.disabled = true;
  try {
    await invoke('mark_message_read', { orgId: m.org_id, id: m.id });
  } catch (e) {
    fail($('fatal'), e);
  }
  await renderMessages(true);
}

if (typeof window !== 'undefined') {
  // A connection appeared: sync now (which fetches messages) instead of at the next retry.
  window.addEventListener('online', async () => {
    if (state.screen === 'lock') return;
    await sendNow();
    await renderMessages();
  });
  // A sync in the background may have brought some: look every few seconds while on Home.
  setInterval(() => { if (state.screen === 'home') renderMessages(); }, 5000);
}
