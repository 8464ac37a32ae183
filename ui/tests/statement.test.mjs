import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoDay, defaultPeriod, periodProblem, signers, defaultSelection, hoursOf, statementWords, askedWords, pagePart } from '../src/statement.js';
import { STRINGS } from '../src/i18n.js';

const kept = (id, org, minutes = 150) => ({
  id, org_id: org, org_name: `Org ${org}`, from: '2026-09-03', to: '2026-12-02', short_code: '7K3QD-M9X2A',
  signed: { statement: { hours: [{ minutes }, { minutes: 30 }], activities: [{ count: 4 }, { count: 1 }] } }
});

test('the period offered is the last three months up to today, and a bad one says why', () => {
  assert.deepEqual(defaultPeriod(new Date(2026, 11, 2, 20, 0)), { from: '2026-09-03', to: '2026-12-02' });
  assert.equal(isoDay(new Date(2026, 0, 5, 23, 59)), '2026-01-05');
  const today = '2026-12-02';
  assert.equal(periodProblem('2026-11-01', '2026-11-30', today), null);
  assert.equal(periodProblem('2025-12-02', today, today), null, '366 days');
  assert.equal(periodProblem('2025-12-01', today, today), 'statement_too_long');
  assert.equal(periodProblem('2026-11-30', '2026-11-01', today), 'statement_backwards');
  assert.equal(periodProblem('2026-12-01', '2026-12-03', today), 'statement_future');
  assert.equal(periodProblem('', today, today), 'statement_need_dates');
  for (const k of ['statement_too_long', 'statement_backwards', 'statement_future', 'statement_need_dates']) assert.ok(STRINGS.fr[k], k);
});

test('only organizations with a server are asked, and the newest of each goes on the page', () => {
  assert.deepEqual(signers([{ id: 'a', server_url: 'https://a/' }, { id: 'local-b', server_url: null }]).map((o) => o.id), ['a']);
  assert.deepEqual(signers(undefined), []);
  // The core lists newest first.
  assert.deepEqual(defaultSelection([kept('s3', 'a'), kept('s2', 'b'), kept('s1', 'a')]), ['s3', 's2']);
  assert.deepEqual(defaultSelection([]), []);
});

test('a kept statement and what asking did read in each language', () => {
  assert.equal(hoursOf(90, 'en'), '1.5 h');
  assert.equal(hoursOf(90, 'fr'), '1,5 h');
  const w = statementWords(kept('s1', 'a'), 'fr');
  assert.equal(w.title, 'Org a');
  assert.equal(w.period, 'du 2026-09-03 au 2026-12-02');
  assert.equal(w.detail, '3 h de quarts · activités : 5 · code 7K3QD-M9X2A');
  assert.equal(statementWords(kept('s1', 'a'), 'en').detail, '3 h of shifts · activities: 5 · code 7K3QD-M9X2A');
  const lines = askedWords([
    { org_name: 'Harbour', statement: { short_code: 'AAAAA-BBBBB' } },
    { org_name: 'North', statement: null, error: { code: 'offline', message: 'Offline.' } }
  ], 'en');
  assert.deepEqual(lines, [
    { ok: true, text: 'Harbour signed it. Code AAAAA-BBBBB.' },
    { ok: false, text: 'North did not sign it: Offline.' }
  ]);
  for (const k of Object.keys(STRINGS.en).filter((k) => k.startsWith('statement_'))) assert.notEqual(STRINGS.en[k], STRINGS.fr[k], k);
});

test('the page shown is the core page\'s article, without its styles or any script', () => {
  const html = '<!doctype html><html><head><style>body{}</style></head><body><main><article class="work-record"><h1>Work record</h1><script>x()</script><section>s</section></article></main></body></html>';
  assert.equal(pagePart(html), '<article class="work-record"><h1>Work record</h1><section>s</section></article>');
  assert.equal(pagePart(''), '');
  assert.equal(pagePart(null), '');
});
