// The Messages page in real Chromium against the real server: a coordinator (here the admin)
// posts an alert to everyone, a device that joined with a code fetches it over HTTP and says
// it stored it, and the list then shows 1 device received it; Withdraw takes it off the
// device's list. English and French; screenshots in tests/dashboard/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, signedIn, out, PASSWORD } from './harness.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); });

async function newDevice() {
  const login = await fetch(`${s.base}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ada', password: PASSWORD }) });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await login.json();
  const invite = await (await fetch(`${s.base}/api/v1/staff/enrollment-codes`, { method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: '{}' })).json();
  const device = await (await fetch(`${s.base}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: invite.code, device_name: 'phone' }) })).json();
  assert.ok(device.token, JSON.stringify(invite));
  return device.token;
}

const fetchMessages = async (token) =>
  (await (await fetch(`${s.base}/api/v1/messages`, { headers: { authorization: `Bearer ${token}` } })).json()).messages;

for (const lang of ['en', 'fr']) {
  test(`a message is posted, received by a device and counted (${lang})`, async () => {
    const token = await newDevice();
    const { context, page, errors } = await signedIn(s, { lang });
    await page.goto(`${s.base}/dashboard/#messages`);
    await page.locator('#message-form').waitFor();
    const text = `Strong batch around Main and Hastings (${lang}). Carry naloxone, try not to use alone.`;
    await page.locator('#message-form textarea[name=text]').fill(text);
    await page.locator('#message-form select[name=urgency]').selectOption('alert');
    await page.locator('#message-form select[name=expires]').selectOption('24');
    await page.locator('#message-form button[type=submit]').click();
    const row = page.locator('#messages-table tbody tr', { hasText: text });
    await row.waitFor();
    assert.equal((await row.locator('td.delivered').textContent()).trim(), '0');

    const got = await fetchMessages(token);
    const mine = got.find((m) => m.text === text);
    assert.ok(mine, JSON.stringify(got));
    assert.equal(mine.urgency, 'alert');
    const r = await fetch(`${s.base}/api/v1/messages/received`, { method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ids: [mine.id, mine.id] }) });
    assert.equal(r.status, 204);

    await page.reload();
    await row.waitFor();
    assert.equal((await row.locator('td.delivered').textContent()).trim(), '1');
    await page.screenshot({ path: join(out, `messages-${lang}.png`), fullPage: true });

    page.once('dialog', (d) => d.accept());
    await row.locator('button.withdraw').click();
    await row.locator('button.withdraw').waitFor({ state: 'detached' });
    assert.ok(!(await fetchMessages(token)).some((m) => m.id === mine.id), 'withdrawn: no longer sent');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('openMessageForm fills the form in', async () => {
  const { context, page, errors } = await signedIn(s, { lang: 'en' });
  await page.evaluate(async () => {
    const m = await import('/dashboard/messages.js');
    m.openMessageForm({ text: 'Take care downtown', urgency: 'notice' });
  });
  await page.locator('#message-form').waitFor();
  await page.waitForFunction(() => document.querySelector('#message-form textarea').value === 'Take care downtown');
  assert.equal(await page.locator('#message-form select[name=urgency]').inputValue(), 'notice');
  assert.deepEqual(errors, []);
  await context.close();
});
