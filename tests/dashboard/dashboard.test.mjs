// The staff dashboard in real Chromium (playwright-core, /usr/bin/chromium) against the real
// `shiftlog-server` binary on a loopback port with a real SQLite data directory: sign in, see
// a chart and a table with known numbers, download exports and check the files, visit every
// page in English and French, and save a screenshot of each (tests/dashboard/out/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const target = process.env.CARGO_TARGET_DIR || join(root, 'target');
const bin = join(target, 'debug', 'shiftlog-server');
const out = join(here, 'out');
const PASSWORD = 'correct horse battery';

let server, base, browser, data;

function cli(...args) {
  return execFileSync(bin, ['--data-dir', data, ...args], { encoding: 'utf8' });
}

async function json(path, init = {}) {
  const r = await fetch(base + path, { ...init, headers: { 'content-type': 'application/json', ...(init.headers || {}) } });
  const body = await r.json();
  assert.ok(r.ok, `${path}: ${JSON.stringify(body)}`);
  return body;
}

// November: 12 outreach contacts, 3 overdose responses, 7 supply handouts; two paid 8-hour
// shifts and one unpaid 3-hour shift; October: 6 outreach contacts.
function records() {
  const out = [];
  let n = 0;
  const rec = (record_type, kind, day, body) => {
    n += 1;
    out.push({ id: `01936d5e-8f7a-7cc0-8a5e-${n.toString(16).padStart(12, '0')}`, version: 1, record_type, kind,
      occurred_at: `${day}T10:00:00-08:00`, recorded_at: `${day}T10:00:05-08:00`, body });
  };
  for (let i = 0; i < 12; i++) rec('activity', 'outreach_contact', '2026-11-03', { area: 'v6a', people_reached: 3 });
  for (let i = 0; i < 3; i++) rec('activity', 'overdose_response', '2026-11-10', { area: 'v6b', called_911: 'yes', outcome: 'survived', naloxone: { doses: 2, route: 'intranasal' } });
  for (let i = 0; i < 7; i++) rec('activity', 'supplies_distributed', '2026-11-12', { items: [{ item: 'naloxone_kit', quantity: 2 }] });
  for (const [pay, h] of [['paid', 8], ['paid', 8], ['unpaid', 3]]) {
    rec('shift', 'shift', '2026-11-04', { started_at: '2026-11-04T09:00:00-08:00', ended_at: `2026-11-04T${String(9 + h).padStart(2, '0')}:00:00-08:00`, pay_type: pay });
  }
  for (let i = 0; i < 6; i++) rec('activity', 'outreach_contact', '2026-10-20', { area: 'v6a' });
  return out;
}

before(async () => {
  mkdirSync(out, { recursive: true });
  data = mkdtempSync(join(tmpdir(), 'shiftlog-dash-'));
  cli('add-org', 'demo', 'Demo Harm Reduction Society');
  execFileSync(bin, ['--data-dir', data, 'create-admin', '--org', 'demo', '--username', 'ada'], { input: `${PASSWORD}\n` });
  const code = cli('enrollment-code', '--org', 'demo').trim();
  server = spawn(bin, ['--data-dir', data, 'serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  base = await new Promise((resolve, reject) => {
    let err = '';
    server.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(err);
      if (m) resolve(m[1]);
    });
    server.on('exit', (c) => reject(new Error(`server exited ${c}: ${err}`)));
  });
  // The organization's areas (the server refuses an area that is not on its list).
  const login = await fetch(`${base}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ada', password: PASSWORD }) });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await login.json();
  const cat = await json('/api/v1/staff/catalogue', { headers: { cookie } });
  await json('/api/v1/staff/catalogue', { method: 'PUT', headers: { cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({ activity_kinds: cat.activity_kinds, supply_items: cat.supply_items, roles: cat.roles,
      areas: [{ id: 'v6a', label: 'V6A', description: '' }, { id: 'v6b', label: 'V6B', description: '' }], retention_days: cat.retention_days }) });
  const device = await json('/api/v1/enroll', { method: 'POST', body: JSON.stringify({ code, device_name: 'test phone' }) });
  const pushed = await json('/api/v1/push', { method: 'POST', headers: { authorization: `Bearer ${device.token}` },
    body: JSON.stringify({ protocol: 1, records: records() }) });
  assert.equal(pushed.results.filter((r) => r.status === 'accepted').length, 31, JSON.stringify(pushed.results.filter((r) => r.status !== 'accepted').slice(0, 3)));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (data) rmSync(data, { recursive: true, force: true });
});

test('a coordinator signs in, reads the numbers, downloads exports, and visits every page', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 }, locale: 'en-CA' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(`${base}/`);
  await page.locator('#login-form').getByLabel('User name').fill('ada');
  await page.locator('#login-form').getByLabel('Password').fill('wrong password!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#error').waitFor();
  assert.match(await page.locator('#error').textContent(), /sign in again|valid token/i);
  await page.screenshot({ path: join(out, 'login.png') });
  errors.length = 0; // the refused sign-in logs a 401 in the console, as it should

  await page.locator('#login-form').getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#summary-table tbody tr').first().waitFor();

  // Activities by kind, by month, protected: the chart has one bar per month with its total,
  // and the table shows the known numbers. The 3 overdose responses are one group of fewer
  // than 5: they show as "<5" and count as 1 or 4 in the totals (docs/privacy.md); the 12
  // contacts and the 7 handouts are groups of 5 or more and count exactly.
  await page.locator('select[name=by]').selectOption('kind');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#summary-table th', { hasText: 'Overdose response' }).waitFor();
  const rows = await page.locator('#summary-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const od = Number(rows[1][4]) - 19; // what the overdose group counts as
  assert.ok(od === 1 || od === 4, JSON.stringify(rows));
  assert.deepEqual(rows, [
    ['2026-10', '6', '0', '0', '6'],
    ['2026-11', '12', '<5', '7', String(19 + od)],
    ['Total', '18', '<5', '7', String(25 + od)],
  ]);
  const bars = await page.locator('#chart .bar-value').allTextContents();
  assert.deepEqual(bars, ['6', String(19 + od)]);
  // The plain-words explanation of the protection, "<5" and "x", beside the table; a
  // protected cell says what it means when pointed at.
  const legend = await page.locator('#legend').innerText();
  assert.match(legend, /Small numbers are protected/);
  assert.match(legend, /1 to 4 records is counted as 1 or as 4/);
  assert.match(legend, /<5\s+means fewer than 5/);
  assert.match(legend, /x\s+means hidden: people, doses, supplies or hours that come from fewer than 5 records/);
  assert.equal(await page.locator('#summary-table td.protected').first().getAttribute('title'), 'Fewer than 5');
  await page.screenshot({ path: join(out, 'summary.png'), fullPage: true });

  // Filtered to one area: only v6a's outreach (October 6, November 12); supplies had no area.
  await page.locator('#summary-form select[name=area]').selectOption('v6a');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#summary-table tbody tr', { hasText: '2026-11' }).locator('td', { hasText: '12' }).first().waitFor();
  const v6a = await page.locator('#summary-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(v6a, [['2026-10', '6', '6'], ['2026-11', '12', '12'], ['Total', '18', '18']]);
  await page.locator('#summary-form select[name=area]').selectOption('');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#summary-table th', { hasText: 'Overdose response' }).waitFor();

  // The summary as CSV: the same numbers.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#sum-csv').click()]);
  const csvText = readFileSync(await csv.path(), 'utf8');
  assert.ok(csvText.startsWith('period,outreach_contact,overdose_response,supplies_distributed,total\r\n'), csvText);
  assert.ok(csvText.includes(`2026-11,12,<5,7,${19 + od}\r\n`), csvText);
  assert.ok(csvText.includes('Small numbers are protected.'), csvText);

  // Hours, paid and unpaid: two paid shifts and one unpaid are groups of fewer than 5, so
  // their hours are hidden ("x"); the admin's unprotected view (logged) shows them.
  await page.locator('select[name=measure]').selectOption('hours');
  await page.locator('select[name=by]').selectOption('pay_type');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#summary-table th', { hasText: 'unpaid' }).waitFor();
  const hidden = await page.locator('#summary-table tbody tr').first().evaluate((tr) => [...tr.children].map((c) => c.textContent));
  assert.deepEqual(hidden, ['2026-11', 'x', 'x', 'x']);
  assert.equal(await page.locator('#summary-table td.protected').first().getAttribute('title'), 'Hidden: from fewer than 5 records');
  await page.screenshot({ path: join(out, 'summary-hours.png'), fullPage: true });
  await page.locator('#summary-form input[name=unsuppressed]').check();
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#summary-table td', { hasText: '16' }).first().waitFor();
  const hours = await page.locator('#summary-table tbody tr').first().evaluate((tr) => [...tr.children].map((c) => c.textContent));
  assert.deepEqual(hours, ['2026-11', '16', '3', '19']);
  assert.ok(await page.locator('#legend').isHidden());
  await page.locator('#summary-form input[name=unsuppressed]').uncheck();

  // Record-level exports: Excel CSV with a BOM, and an XLSX.
  await page.getByRole('link', { name: 'Records' }).click();
  await page.locator('#records-form select[name=kind]').selectOption('supplies_distributed');
  const [xcsv] = await Promise.all([page.waitForEvent('download'), page.locator('#rec-excel').click()]);
  const bytes = readFileSync(await xcsv.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'Excel CSV starts with a BOM');
  const lines = bytes.toString('utf8').trim().split('\r\n');
  assert.equal(lines.length, 1 + 7);
  assert.ok(lines[1].includes('naloxone_kit x2'));
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('#rec-xlsx').click()]);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');
  await page.screenshot({ path: join(out, 'records.png'), fullPage: true });

  // Devices: the enrolled phone under its pseudonym, and a new code with its QR code.
  await page.getByRole('link', { name: 'Devices and joining' }).click();
  await page.locator('#devices-table tbody tr').first().waitFor();
  assert.match(await page.locator('#devices-table tbody td').first().textContent(), /^W-[A-Z0-9]{4}$/);
  await page.getByRole('button', { name: 'Make a joining code' }).click();
  await page.locator('#code-out:not([hidden])').waitFor();
  assert.match(await page.locator('#code-text').textContent(), /^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
  assert.ok(await page.locator('#code-qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'QR code renders');
  await page.screenshot({ path: join(out, 'devices.png'), fullPage: true });

  // Catalogue: add a role with what it is expected to do, save, and see it again after a reload.
  await page.getByRole('link', { name: 'Catalogue' }).click();
  await page.locator('#catalogue-editor .section').nth(3).getByRole('button', { name: 'Add' }).click();
  const role = page.locator('tbody[data-section=roles] tr').last();
  await role.locator('[name=id]').fill('peer_outreach');
  await role.locator('[name=label]').fill('Outreach worker');
  await role.locator('[name=description]').fill('Walks the area, hands out supplies, responds to overdoses.');
  await page.locator('#retention').fill('90');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#catalogue-status', { hasText: 'Saved.' }).waitFor();
  await page.reload();
  await page.locator('tbody[data-section=roles] tr').first().waitFor();
  assert.equal(await page.locator('tbody[data-section=roles] [name=label]').first().inputValue(), 'Outreach worker');
  await page.screenshot({ path: join(out, 'catalogue.png'), fullPage: true });

  // Audit log: the exports and the catalogue change, by ada.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.locator('#audit-table tbody tr').first().waitFor();
  const actions = await page.locator('#audit-table tbody tr td:nth-child(3)').allTextContents();
  assert.equal(actions[0], 'catalogue_change');
  assert.equal(actions.filter((a) => a === 'export').length, 3);
  await page.screenshot({ path: join(out, 'audit.png'), fullPage: true });

  // Staff: the admin adds a coordinator, who then appears with that role.
  await page.getByRole('link', { name: 'Staff' }).click();
  await page.locator('#staff-table tbody tr').first().waitFor();
  await page.locator('#staff-form [name=username]').fill('cora');
  await page.locator('#staff-form [name=password]').fill('another long password');
  await page.locator('#staff-form [name=role]').selectOption('coordinator');
  await page.locator('#staff-form').getByRole('button', { name: 'Add' }).click();
  await page.locator('#staff-table td', { hasText: 'cora' }).waitFor();
  assert.equal(await page.getByLabel('Role cora').inputValue(), 'coordinator');
  await page.screenshot({ path: join(out, 'staff.png'), fullPage: true });

  // French.
  await page.locator('#lang').selectOption('fr');
  await page.getByRole('link', { name: 'Résumé' }).click();
  await page.locator('#summary-table tbody tr').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Afficher' }).count(), 1);
  await page.screenshot({ path: join(out, 'summary-fr.png'), fullPage: true });

  // A phone-sized screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(out, 'summary-phone.png'), fullPage: true });

  assert.deepEqual(errors, [], 'no script errors');
  await context.close();
});
