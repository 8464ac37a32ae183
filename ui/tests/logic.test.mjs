import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncLabel, recordSummary, clampQuantity, suppliesActivity, itemLabel } from '../src/logic.js';
import { t, STRINGS } from '../src/i18n.js';

const catalogue = { items: [{ id: 'naloxone_kit', label: { en: 'Naloxone kit', fr: 'Trousse de naloxone' } }] };

test('every English string has a French translation and the same placeholders', () => {
  for (const [key, en] of Object.entries(STRINGS.en)) {
    const fr = STRINGS.fr[key];
    assert.ok(fr, `missing French for ${key}`);
    const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join(',');
    assert.equal(ph(fr), ph(en), `placeholders differ for ${key}`);
  }
});

test('no stigmatizing or identity words in worker-facing strings', () => {
  const banned = /\b(client|clients|addict|junkie|abuser|user name|patient name)\b/i;
  for (const lang of Object.keys(STRINGS)) {
    for (const [key, s] of Object.entries(STRINGS[lang])) assert.doesNotMatch(s, banned, `${lang}.${key}`);
  }
});

test('t fills placeholders and falls back to English', () => {
  assert.equal(t('en', 'sync_waiting', { n: 3 }), '3 waiting to send');
  assert.equal(t('de', 'save'), 'Save');
  assert.equal(t('fr', 'save'), 'Enregistrer');
});

test('sync label table', () => {
  const base = { enrolled: true, waiting: 0, needs_attention: 0, last_sent_at: null, activity: { state: 'idle' } };
  const cases = [
    [{ ...base, enrolled: false }, 'en', 'Not joined to an organization', 'warn'],
    [{ ...base, waiting: 3 }, 'en', '3 waiting to send', 'busy'],
    [{ ...base, waiting: 1 }, 'en', '1 waiting to send', 'busy'],
    [{ ...base, waiting: 3 }, 'fr', '3 en attente d\u2019envoi', 'busy'],
    [{ ...base, waiting: 5, activity: { state: 'sending', done: 2, total: 5 } }, 'en', 'Sending 2 of 5', 'busy'],
    [{ ...base, waiting: 2, activity: { state: 'offline' } }, 'en', 'Offline · 2 waiting, safe on this device', 'warn'],
    [{ ...base, activity: { state: 'device_revoked' } }, 'en', 'This device was removed by your organization', 'bad'],
    [{ ...base }, 'en', 'Nothing to send yet', 'ok']
  ];
  for (const [status, lang, text, tone] of cases) {
    assert.deepEqual(syncLabel(status, lang), { text, tone }, JSON.stringify(status));
  }
  const sent = syncLabel({ ...base, last_sent_at: '2026-11-22T10:42:00-08:00' }, 'en');
  assert.match(sent.text, /^All sent · last sent \d\d:\d\d$/);
  assert.equal(sent.tone, 'ok');
});

test('record summary names the item in the chosen language', () => {
  const a = {
    kind: 'supplies_distributed',
    occurred_at: '2026-11-22T10:42:00-08:00',
    body: { items: [{ item: 'naloxone_kit', quantity: 2 }] },
    sync: { state: 'waiting' }
  };
  assert.equal(recordSummary(a, catalogue, 'en').what, '2 × Naloxone kit');
  assert.equal(recordSummary(a, catalogue, 'fr').what, '2 × Trousse de naloxone');
  assert.equal(recordSummary(a, catalogue, 'fr').state, 'En attente');
  assert.equal(recordSummary({ ...a, sync: { state: 'sent', at: 'x' } }, catalogue, 'en').state, 'Sent');
  assert.equal(recordSummary({ ...a, sync: { state: 'local' } }, catalogue, 'fr').state, 'Sur cet appareil');
  assert.equal(itemLabel(catalogue, 'unknown_item', 'en'), 'unknown_item');
});

test('quantities are clamped to what the core accepts', () => {
  assert.equal(clampQuantity('0'), 1);
  assert.equal(clampQuantity('-5'), 1);
  assert.equal(clampQuantity('abc'), 1);
  assert.equal(clampQuantity('2.6'), 3);
  assert.equal(clampQuantity('99999'), 10000);
  assert.deepEqual(suppliesActivity('demo', 'naloxone_kit', '2'), {
    org_id: 'demo',
    kind: 'supplies_distributed',
    body: { items: [{ item: 'naloxone_kit', quantity: 2 }] }
  });
});
