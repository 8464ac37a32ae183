// Overdose spike notices in real Chromium against the real server: a coordinator sets the
// default threshold with the form on the catalogue page; a device pushes 3 overdose responses
// from the last hours in one area; the summary page shows a calm notice for that area (the
// threshold reached, never an exact count), whose button opens the Messages form filled in.
// A viewer sees the notice without the button. English and French; screenshots in
// tests/dashboard/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, signedIn, out, PASSWORD } from './harness.mjs';

let s;
let admin;
const call = async (path, { method = 'GET', body, who = admin } = {}) => {
  const headers = { 'content-type': 'application/json' };
  if (who?.cookie) { headers.cookie = who.cookie; headers['x-csrf-token'] = who.csrf; }
  if (who?.bearer) headers.authorization = `Bearer ${who.bearer}`;
  const r = await fetch(s.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await r.json();
  assert.ok(r.ok, `${path}: ${JSON.stringify(data)}`);
  return data;
};
const signIn = async (username) => {
  const r = await fetch(`${s.base}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }) });
  assert.equal(r.status, 200);
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
};

before(async () => {
  s = await startServer();
  admin = await signIn('ada');
  // Three overdose responses in the Downtown Eastside in the last hours, one synced late.
  const { code } = await call('/api/v1/staff/enrollment-codes', { method: 'POST', body: {} });
  const device = await call('/api/v1/enroll', { method: 'POST', who: null, body: { code, device_name: 'outreach phone' } });
  const records = [1, 3, 20].map((hours, i) => {
    const at = new Date(Date.now() - hours * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
    return { id: `01936d5e-8f7a-7cc0-8a5e-${(0x900 + i).toString(16).padStart(12, '0')}`, version: 1, record_type: 'activity',
      kind: 'overdose_response', occurred_at: at, recorded_at: at, body: { area: 'v6a', called_911: 'yes', outcome: 'survived' } };
  });
  const pushed = await call('/api/v1/push', { method: 'POST', who: { bearer: device.token }, body: { protocol: 1, records } });
  assert.ok(pushed.results.every((r) => r.status === 'accepted'), JSON.stringify(pushed.results));
  await call('/api/v1/staff/accounts', { method: 'POST', body: { username: 'vic', password: PASSWORD, role: 'viewer' } });
});
after(async () => { await s?.stop(); });

const WORDS = {
  en: { banner: 'Downtown Eastside: 3 or more overdose responses in the last 24 hours.', send: 'Send an alert to devices', saved: 'Saved.' },
  fr: { banner: 'Downtown Eastside : 3 interventions lors d’une surdose ou plus dans les dernières 24 heures.', send: 'Envoyer une alerte aux appareils', saved: 'Enregistré.' },
};

for (const lang of ['en', 'fr']) {
  test(`a threshold set in the form makes a notice that opens an alert (${lang})`, async () => {
    await call('/api/v1/staff/spike-thresholds', { method: 'PUT', body: { thresholds: [] } });
    const { context, page, errors } = await signedIn(s, { lang });

    await page.goto(`${s.base}/dashboard/#catalogue`);
    const form = page.locator('#spike-form');
    await form.waitFor();
    const def = form.locator('tbody tr[data-area=""]');
    await def.locator('select[name=mode]').selectOption('on');
    await def.locator('input[name=threshold]').fill('3');
    await def.locator('select[name=window_hours]').selectOption('24');
    // Strathcona is off whatever the default says.
    await form.locator('tbody tr[data-area="v6b"] select[name=mode]').selectOption('off');
    await form.locator('button[type=submit]').click();
    await page.locator('#spike-status', { hasText: WORDS[lang].saved }).waitFor();
    const set = await call('/api/v1/staff/spike-thresholds');
    assert.deepEqual(set.thresholds, [{ area: null, threshold: 3, window_hours: 24 }, { area: 'v6b', threshold: null, window_hours: 24 }]);
    await page.locator('#spike-panel').screenshot({ path: join(out, `spikes-settings-${lang}.png`) });

    await page.goto(`${s.base}/dashboard/#summary`);
    const notice = page.locator('.spike-notice');
    await notice.waitFor();
    assert.equal(await notice.count(), 1);
    assert.equal(await notice.getAttribute('data-area'), 'v6a');
    assert.equal((await notice.locator('strong').textContent()).trim(), WORDS[lang].banner);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(out, `spikes-notice-${lang}.png`) });

    // The button hands the Messages form its words and an alert urgency.
    await page.evaluate(() => {
      window.__composed = null;
      window.addEventListener('shiftlog:compose-message', (e) => { window.__composed = e.detail; }, { once: true });
    });
    await notice.locator('button.spike-alert', { hasText: WORDS[lang].send }).click();
    // The Messages form when the dashboard has one, else the event it would listen for.
    const read = () => page.evaluate(() => {
      const form = document.querySelector('#message-form');
      const text = form?.querySelector('textarea')?.value;
      if (text) return { text, urgency: form.querySelector('[name=urgency]')?.value, form: true };
      return window.__composed;
    });
    let detail = null;
    for (let i = 0; i < 50 && !detail; i++) { detail = await read(); if (!detail) await page.waitForTimeout(100); }
    assert.ok(detail, 'the alert button opened nothing');
    if (await page.locator('#page-messages').count()) {
      assert.ok(detail.form, 'the Messages page got the words');
      assert.equal(new URL(page.url()).hash, '#messages');
    }
    assert.equal(detail.urgency, 'alert');
    assert.match(detail.text, /Downtown Eastside/);
    assert.match(detail.text, lang === 'fr' ? /24 heures/ : /24 hours/);
    assert.ok(!detail.text.includes('3'), `no count in the alert: ${detail.text}`);
    await page.screenshot({ path: join(out, `spikes-alert-${lang}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a viewer sees the notice, without the alert button or the thresholds form', async () => {
  await call('/api/v1/staff/spike-thresholds', { method: 'PUT', body: { thresholds: [{ area: 'v6a', threshold: 2, window_hours: 6 }] } });
  const context = await s.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-CA' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${s.base}/`);
  await page.locator('#login-form input[name=username]').fill('vic');
  await page.locator('#login-form input[name=password]').fill(PASSWORD);
  await page.locator('#login-form button[type=submit]').click();
  const notice = page.locator('.spike-notice');
  await notice.waitFor();
  assert.equal((await notice.locator('strong').textContent()).trim(), 'Downtown Eastside: 2 or more overdose responses in the last 6 hours.');
  assert.equal(await notice.locator('button').count(), 0);
  await page.screenshot({ path: join(out, 'spikes-viewer-phone.png'), fullPage: false });
  await page.goto(`${s.base}/dashboard/#catalogue`);
  await page.locator('#catalogue-editor .section').first().waitFor();
  assert.equal(await page.locator('#spike-form').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
