// A real `shiftlog-server` on a loopback port with a real SQLite data directory, an
// organization whose catalogue has its own labels, a device that pushed November's records,
// and Chromium; for the dashboard tests that need their own server (filters, chart).
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const target = process.env.CARGO_TARGET_DIR || join(root, 'target');
const bin = join(target, 'debug', 'shiftlog-server');
export const out = join(here, 'out');
export const PASSWORD = 'correct horse battery';

/// The organization's own words: not the built-in names, so a test sees which ones it got.
export const CATALOGUE = {
  activity_kinds: [
    { id: 'outreach_contact', label: 'Street outreach', description: '' },
    { id: 'overdose_response', label: 'Overdose call', description: '' },
    { id: 'supplies_distributed', label: 'Harm reduction supplies', description: '' },
    { id: 'systems_navigation', label: 'Accompaniment', description: '' },
  ],
  supply_items: [{ id: 'naloxone_kit', label: 'Naloxone kit', description: '' }],
  areas: [{ id: 'v6a', label: 'Downtown Eastside', description: '' }, { id: 'v6b', label: 'Strathcona', description: '' },
    { id: 'v5l', label: 'Grandview', description: '' }],
  roles: [{ id: 'peer_outreach', label: 'Outreach worker', description: 'Walks the area, hands out supplies.' }],
  retention_days: 90,
};

// November: 12 outreach contacts in v6a, 3 overdose responses in v6b (a group of fewer than
// 5: protected), 7 supply handouts in v6a; October: 6 outreach contacts in v6a.
function records() {
  const list = [];
  let n = 0;
  const rec = (kind, day, body) => {
    n += 1;
    list.push({ id: `01936d5e-8f7a-7cc0-8a5e-${n.toString(16).padStart(12, '0')}`, version: 1, record_type: 'activity', kind,
      occurred_at: `${day}T10:00:00-08:00`, recorded_at: `${day}T10:00:05-08:00`, body });
  };
  for (let i = 0; i < 12; i++) rec('outreach_contact', '2026-11-03', { area: 'v6a', people_reached: 3 });
  for (let i = 0; i < 3; i++) rec('overdose_response', '2026-11-10', { area: 'v6b', called_911: 'yes', outcome: 'survived', naloxone: { doses: 2, route: 'intranasal' } });
  for (let i = 0; i < 7; i++) rec('supplies_distributed', '2026-11-12', { area: 'v6a', items: [{ item: 'naloxone_kit', quantity: 2 }] });
  for (let i = 0; i < 6; i++) rec('outreach_contact', '2026-10-20', { area: 'v6a' });
  return list;
}

/// `serveArgs`: more `serve` options (e.g. `['--public-url', 'https://…']`).
export async function startServer({ serveArgs = [] } = {}) {
  mkdirSync(out, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), 'shiftlog-dash-'));
  const cli = (...args) => execFileSync(bin, ['--data-dir', data, ...args], { encoding: 'utf8' });
  cli('add-org', 'demo', 'Demo Harm Reduction Society');
  execFileSync(bin, ['--data-dir', data, 'create-admin', '--org', 'demo', '--username', 'ada'], { input: `${PASSWORD}\n` });
  const code = cli('enrollment-code', '--org', 'demo').trim();
  const server = spawn(bin, ['--data-dir', data, 'serve', '--listen', '127.0.0.1:0', ...serveArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  const base = await new Promise((resolve, reject) => {
    let err = '';
    server.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(err);
      if (m) resolve(m[1]);
    });
    server.on('exit', (c) => reject(new Error(`server exited ${c}: ${err}`)));
  });
  const json = async (path, init = {}) => {
    const r = await fetch(base + path, { ...init, headers: { 'content-type': 'application/json', ...(init.headers || {}) } });
    const body = await r.json();
    assert.ok(r.ok, `${path}: ${JSON.stringify(body)}`);
    return body;
  };
  const login = await fetch(`${base}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ada', password: PASSWORD }) });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await login.json();
  await json('/api/v1/staff/catalogue', { method: 'PUT', headers: { cookie, 'x-csrf-token': csrf }, body: JSON.stringify(CATALOGUE) });
  const device = await json('/api/v1/enroll', { method: 'POST', body: JSON.stringify({ code, device_name: 'test phone' }) });
  const pushed = await json('/api/v1/push', { method: 'POST', headers: { authorization: `Bearer ${device.token}` },
    body: JSON.stringify({ protocol: 1, records: records() }) });
  assert.equal(pushed.results.filter((r) => r.status === 'accepted').length, 28, JSON.stringify(pushed.results.filter((r) => r.status !== 'accepted').slice(0, 3)));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    base, browser,
    async stop() {
      await browser.close();
      server.kill();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/// A signed-in page at `viewport`, in `lang`, collecting script errors.
export async function signedIn(s, { width = 1200, height = 900, lang = 'en' } = {}) {
  const context = await s.browser.newContext({ acceptDownloads: true, viewport: { width, height }, locale: lang === 'fr' ? 'fr-CA' : 'en-CA' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${s.base}/`);
  await page.locator('#login-form input[name=username]').fill('ada');
  await page.locator('#login-form input[name=password]').fill(PASSWORD);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#summary-table tbody tr').first().waitFor();
  errors.length = 0; // before signing in, /staff/me answers 401 (and there is no favicon), as it should
  return { context, page, errors };
}

/// The summary table's cells, row by row.
export function tableRows(page) {
  return page.locator('#summary-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
}

/// Clicks Show and waits until the new summary is drawn.
export async function submitSummary(page) {
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/staff/summary?'));
  await page.locator('#summary-form button[type=submit]').click();
  await answered;
  await page.waitForTimeout(100);
}
