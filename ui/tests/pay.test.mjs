import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAmount, formatMoney, receivedWords, shareState, shareQuestion, newPayment, today, monthWords } from '../src/pay.js';
import { STRINGS } from '../src/i18n.js';

test('amounts read as people type them, in cents; nonsense is null', () => {
  for (const [s, cents] of [['40', 4000], ['40.00', 4000], ['40,5', 4050], ['$40.25', 4025], ['1 200,50', 120050], [' 0.01 ', 1], ['40.', 4000], ['.5', 50]]) {
    assert.equal(parseAmount(s), cents, s);
  }
  for (const s of ['', '0', '0,00', '-5', '4.001', 'forty', '1e3', '1.2.3', null, undefined]) assert.equal(parseAmount(s), null, String(s));
});

test('money is written the way each language writes it', () => {
  assert.equal(formatMoney(4000, 'CAD', 'en'), '$40.00');
  assert.match(formatMoney(120050, 'CAD', 'fr'), /^1\s200,50\s\$$/);
  assert.equal(receivedWords({}, 'en'), '$0.00');
  assert.match(receivedWords({ CAD: 4000, USD: 500 }, 'en'), /^\$40\.00 · US\$5\.00$/);
});

test('a line says who can see it, and the question before sharing says what goes and what stays', () => {
  const p = { id: 'x', amount_cents: 4137, currency: 'CAD', shared_record_id: null, shared: null };
  assert.equal(shareState(p, 'Peer Network', 'en'), 'Only on this device');
  assert.equal(shareState({ ...p, shared_record_id: 'r', shared: { state: 'waiting' } }, 'Peer Network', 'en'), 'Shared with Peer Network · waiting to send');
  assert.equal(shareState({ ...p, shared_record_id: 'r', shared: { state: 'sent', at: 'x' } }, 'Peer Network', 'fr'), 'Partagé avec Peer Network · son personnel peut voir cette ligne');
  assert.match(shareState({ ...p, shared_record_id: 'r', shared: { state: 'needs_attention', reason: 'old server' } }, 'P', 'en'), /refused it: old server$/);
  const q = shareQuestion(p, 'Peer Network', 'en');
  assert.match(q, /Staff at Peer Network will see \$41\.37/);
  assert.match(q, /note and your other lines stay on this device/);
  assert.match(shareQuestion(p, 'Peer Network', 'fr'), /41,37\s\$/);
  for (const k of Object.keys(STRINGS.en).filter((k) => k.startsWith('pay_') && k !== 'pay_total')) assert.notEqual(STRINGS.en[k], STRINGS.fr[k], k);
});

test('the form becomes the payment the core takes', () => {
  assert.deepEqual(newPayment({ orgId: 'o1', amount: '12,50', date: '2026-11-20', method: 'gift_card', shifts: ['s1'], note: '  ' }),
    { org_id: 'o1', amount_cents: 1250, currency: null, paid_on: '2026-11-20', method: 'gift_card', shift_ids: ['s1'], note: null });
  assert.equal(newPayment({ amount: 'x', date: '2026-11-20', method: 'cash' }).amount_cents, 0, 'the core refuses it with words');
  assert.equal(today(new Date(2026, 0, 5, 23, 59)), '2026-01-05');
});

test('months read as words', () => {
  assert.equal(monthWords('2026-11', 'en'), 'November 2026');
  assert.equal(monthWords('2026-11', 'fr'), 'novembre 2026');
  assert.equal(monthWords('', 'en'), '');
});
