import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrange, messageLine, listKey } from '../src/alerts.js';
import { STRINGS } from '../src/i18n.js';

const msg = (id, urgency, read_at = null) => ({
  org_id: 'o1', org_name: 'Peer Network', id, urgency, text: `text ${id}`, role: null,
  posted_at: '2026-12-02T17:00:00Z', expires_at: '2026-12-03T17:30:00Z', read_at
});

test('unread alerts go on top; notices and read alerts go in the quiet list, in the core\u2019s order', () => {
  const { top, rest } = arrange([msg('a1', 'alert'), msg('a2', 'alert'), msg('n1', 'notice'), msg('a3', 'alert', '2026-12-02T18:00:00Z')]);
  assert.deepEqual(top.map((m) => m.id), ['a1', 'a2']);
  assert.deepEqual(rest.map((m) => m.id), ['n1', 'a3']);
  assert.deepEqual(arrange(null), { top: [], rest: [] });
  assert.deepEqual(arrange([msg('n', 'notice', null)]).top, [], 'a notice never sits on top');
});

test('each message says where it came from and until when, in English and French', () => {
  const en = messageLine(msg('a1', 'alert'), 'en');
  assert.match(en, /^From Peer Network · until /);
  assert.doesNotMatch(en, /\{|undefined|Invalid/);
  const fr = messageLine(msg('a1', 'alert'), 'fr');
  assert.match(fr, /^De Peer Network · jusqu\u2019au /);
  assert.doesNotMatch(fr, /\{|undefined|Invalid/);
  for (const key of ['alert_label', 'alert_got_it', 'message_from', 'notices_title']) {
    assert.ok(STRINGS.en[key] && STRINGS.fr[key], key);
    assert.notEqual(STRINGS.en[key], STRINGS.fr[key], key);
  }
  assert.equal(STRINGS.en.alert_got_it, 'Got it');
  assert.equal(STRINGS.fr.alert_got_it, 'J\u2019ai compris');
});

test('the list is redrawn when a message is read, changed, or the language changes, and only then', () => {
  const list = [msg('a1', 'alert'), msg('n1', 'notice')];
  assert.equal(listKey(list, 'en'), listKey(structuredClone(list), 'en'));
  assert.notEqual(listKey(list, 'en'), listKey(list, 'fr'));
  assert.notEqual(listKey(list, 'en'), listKey([msg('a1', 'alert', '2026-12-02T18:00:00Z'), msg('n1', 'notice')], 'en'));
  assert.notEqual(listKey(list, 'en'), listKey([{ ...list[0], text: 'changed' }, list[1]], 'en'));
  assert.notEqual(listKey(list, 'en'), listKey(list.slice(1), 'en'));
});
