// The API tokens panel on the Staff page (admins), in real Chromium against the real server:
// make a summary token (its secret shown once), see it listed with its scope and expiry, use
// it from outside the browser (summary 200, record export 403), revoke it with the button and
// see it refused (401). English and French; screenshots in tests/dashboard/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, signedIn, out } from './harness.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); });

const status = async (path, token) => (await fetch(s.base + path, { headers: { authorization: `Bearer ${token}` } })).status;

for (const lang of ['en', 'fr']) {
  test(`an admin makes, sees and revokes a summary token (${lang})`, async () => {
    const { context, page, errors } = await signedIn(s, { lang });
    await page.goto(`${s.base}/dashboard/#staff`);
    await page.locator('#token-form').waitFor();
    const name = `funder ${lang}`;
    await page.locator('#token-form input[name=name]').fill(name);
    await page.locator('#token-form select[name=scope]').selectOption('summary');
    await page.locator('#token-form input[name=days]').fill('30');
    await page.locator('#token-form button[type=submit]').click();
    const secret = (await page.locator('#token-secret-text').textContent()).trim();
    assert.match(secret, /^sls_[0-9a-f]{64}$/);
    const row = page.locator('#tokens-table tbody tr', { hasText: name });
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[1], lang === 'fr' ? 'Sommaires seulement' : 'Summaries only');
    assert.equal(cells[5], 'ada');
    const table = await page.locator('#tokens-table').textContent();
    assert.ok(!table.includes(secret.slice(4)), 'the list never shows the secret');
    await page.screenshot({ path: join(out, `tokens-${lang}.png`), fullPage: true });

    assert.equal(await status('/api/v1/staff/summary?measure=activities', secret), 200);
    assert.equal(await status('/api/v1/staff/records/export?format=csv', secret), 403);

    page.once('dialog', (d) => d.accept());
    await row.locator('button.revoke').click();
    await row.waitFor({ state: 'detached' });
    assert.equal(await status('/api/v1/staff/summary?measure=activities', secret), 401);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
