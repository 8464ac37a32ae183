// The supplies table keeps what was handed out, what was brought back and why a naloxone kit
// replaced one apart; training workers would like shows by topic, small numbers protected.
// Real server, real Chromium (issue 15, sections 3 and 4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, signedIn, submitSummary, tableRows, out, CATALOGUE, PASSWORD } from './harness.mjs';

let s;
before(async () => {
  s = await startServer();
  const post = async (path, body, headers = {}) => {
    const r = await fetch(s.base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const j = await r.json();
    assert.ok(r.ok, `${path}: ${JSON.stringify(j)}`);
    return { r, j };
  };
  const { r, j } = await post('/api/v1/staff/login', { username: 'ada', password: PASSWORD });
  const staff = { cookie: r.headers.get('set-cookie').split(';')[0], 'x-csrf-token': j.csrf_token };
  const items = [...CATALOGUE.supply_items, { id: 'naloxone_kit_nasal', label: 'Nasal naloxone kit', description: '' },
    { id: 'syringes', label: 'Syringes', description: '' }];
  const put = await fetch(`${s.base}/api/v1/staff/catalogue`, { method: 'PUT', headers: { 'content-type': 'application/json', ...staff },
    body: JSON.stringify({ ...CATALOGUE, supply_items: items }) });
  assert.ok(put.ok, await put.text());
  const { j: code } = await post('/api/v1/staff/enrollment-codes', {}, staff);
  const { j: device } = await post('/api/v1/enroll', { code: code.code, device_name: 'second phone' });
  const records = [];
  const rec = (record_type, kind, day, body) => records.push({ id: `01936d5e-8f7a-7cc0-8b5e-${(records.length + 1).toString(16).padStart(12, '0')}`,
    version: 1, record_type, kind, occurred_at: `2026-11-${day}T10:00:00-08:00`, recorded_at: `2026-11-${day}T10:00:05-08:00`, body });
  for (let i = 0; i < 6; i++) {
    rec('activity', 'supplies_distributed', '14', { area: 'v6a', items: [{ item: 'naloxone_kit_nasal', quantity: 2 }, { item: 'syringes', quantity: 10 }],
      replaced: [{ item: 'naloxone_kit_nasal', quantity: 1, reason: 'used' }], returned: [{ item: 'syringes', quantity: 30 }] });
  }
  for (let i = 0; i < 6; i++) rec('training', 'training', '15', { topic: i % 2 ? 'Naloxone training' : ' naloxone  TRAINING', status: 'wanted' });
  for (let i = 0; i < 2; i++) rec('training', 'training', '16', { topic: 'Grief support', status: 'wanted' });
  const { j: pushed } = await post('/api/v1/push', { protocol: 1, records }, { authorization: `Bearer ${device.token}` });
  assert.equal(pushed.results.filter((x) => x.status === 'accepted').length, records.length, JSON.stringify(pushed.results.slice(0, 2)));
});
after(async () => { await s?.stop(); });

const heads = (page) => page.locator('#summary-table thead th').allTextContents();
const totalRow = async (page) => (await tableRows(page)).at(-1).slice(1);

test('supplies: handed out, brought back and replacement reasons are separate tables', async () => {
  const { context, page, errors } = await signedIn(s);
  const form = '#summary-form';
  await page.locator(`${form} select[name=measure]`).selectOption('supplies');
  await page.locator(`${form} select[name=measure]`).dispatchEvent('change');
  await page.waitForTimeout(100);
  const byOptions = await page.locator(`${form} select[name=by]`).evaluate((e) => [...e.options].map((o) => o.value));
  assert.deepEqual(byOptions, ['item', 'returned', 'reason']);

  await page.locator(`${form} select[name=by]`).selectOption('item');
  await submitSummary(page);
  assert.deepEqual((await heads(page)).slice(1), ['Naloxone kit', 'Nasal naloxone kit', 'Syringes', 'Total']);
  assert.deepEqual(await totalRow(page), ['14', '12', '60', '86'], 'handed out only: 30 back per visit are not here');

  await page.locator(`${form} select[name=by]`).selectOption('returned');
  await submitSummary(page);
  assert.deepEqual((await heads(page)).slice(1), ['Syringes', 'Total']);
  assert.deepEqual(await totalRow(page), ['180', '180']);

  await page.locator(`${form} select[name=by]`).selectOption('reason');
  await submitSummary(page);
  assert.deepEqual((await heads(page)).slice(1), ['Used on someone', 'Total']);
  assert.deepEqual(await totalRow(page), ['6', '6']);
  await page.screenshot({ path: join(out, 'supplies-reason-en.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('training wanted: one topic however it was typed, small ones protected (fr)', async () => {
  const { context, page, errors } = await signedIn(s, { lang: 'fr' });
  const form = '#summary-form';
  await page.locator(`${form} select[name=measure]`).selectOption('training_wanted');
  await page.locator(`${form} select[name=measure]`).dispatchEvent('change');
  await page.waitForTimeout(100);
  await page.locator(`${form} select[name=by]`).selectOption('topic');
  await submitSummary(page);
  const h = (await heads(page)).slice(1);
  assert.deepEqual(h, ['Autres sujets (chacun demandé moins de 5 fois)', 'naloxone training', 'Total']);
  const total = await totalRow(page);
  assert.equal(total[1], '6');
  assert.equal(total[0], '<5', 'the 2 asks for grief support: protected, and their words not shown');
  assert.ok(!(await page.locator('#summary-table').textContent()).toLowerCase().includes('grief'));
  await page.screenshot({ path: join(out, 'training-wanted-fr.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
