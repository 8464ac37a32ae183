// The Area and Kind filters are lists drawn from the organization's catalogue, in the
// organization's own words (not the built-in names, not ids), on the summary and the record
// downloads, in English and French, at desktop and phone size. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, signedIn, submitSummary, tableRows, out, CATALOGUE } from './harness.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); });

const options = (page, sel) => page.locator(sel).evaluate((e) => [...e.options].map((o) => [o.value, o.textContent]));

for (const lang of ['en', 'fr']) {
  for (const [size, width, height] of [['desktop', 1200, 900], ['phone', 360, 780]]) {
    test(`area and kind filters list the catalogue in its own words (${lang}, ${size})`, async () => {
      const { context, page, errors } = await signedIn(s, { width, height, lang });
      const all = lang === 'fr' ? 'Tout' : 'All';
      const want = (list) => [['', all], ...list.map((e) => [e.id, e.label])];
      assert.deepEqual(await options(page, '#summary-form select[name=area]'), want(CATALOGUE.areas));
      assert.deepEqual(await options(page, '#summary-form select[name=kind]'), want(CATALOGUE.activity_kinds));
      assert.equal(await page.locator('#summary-form input[name=area], #summary-form input[name=kind]').count(), 0, 'no free-text boxes');

      // One area, split by kind: only what happened in Downtown Eastside.
      await page.locator('#summary-form select[name=by]').selectOption('kind');
      await page.locator('#summary-form select[name=area]').selectOption('v6a');
      await submitSummary(page);
      const heads = await page.locator('#summary-table thead th').allTextContents();
      assert.deepEqual(heads.slice(1, -1), ['Street outreach', 'Harm reduction supplies']);
      assert.deepEqual((await tableRows(page)).map((r) => r.slice(1)), [['6', '0', '6'], ['12', '7', '19'], ['18', '7', '25']]);
      await page.screenshot({ path: join(out, `filters-${lang}-${size}.png`), fullPage: true });

      // One kind, every area: the 18 outreach contacts.
      await page.locator('#summary-form select[name=area]').selectOption('');
      await page.locator('#summary-form select[name=kind]').selectOption('outreach_contact');
      await page.locator('#summary-form select[name=by]').selectOption('none');
      await submitSummary(page);
      assert.deepEqual((await tableRows(page)).map((r) => r.slice(1)), [['6', '6'], ['12', '12'], ['18', '18']]);
      const xlsx = new URL(await page.locator('#sum-xlsx').getAttribute('href'), s.base);
      assert.equal(xlsx.searchParams.get('kind'), 'outreach_contact');

      // Record downloads: the same lists; the links carry the choice (and the XLSX the language).
      await page.locator('#nav a[href="#records"]').click();
      await page.locator('#records-form select[name=area] option[value=v6b]').waitFor({ state: 'attached' });
      assert.deepEqual(await options(page, '#records-form select[name=area]'), want(CATALOGUE.areas));
      assert.deepEqual(await options(page, '#records-form select[name=kind]'), want(CATALOGUE.activity_kinds));
      await page.locator('#records-form select[name=kind]').selectOption('overdose_response');
      await page.locator('#records-form select[name=area]').selectOption('v6b');
      const href = new URL(await page.locator('#rec-xlsx').getAttribute('href'), s.base);
      assert.deepEqual([href.searchParams.get('kind'), href.searchParams.get('area'), href.searchParams.get('lang')], ['overdose_response', 'v6b', lang]);
      const csv = await page.evaluate(async (h) => (await fetch(h)).text(), await page.locator('#rec-csv').getAttribute('href'));
      assert.equal(csv.trim().split('\r\n').length, 1 + 3, csv);
      await page.screenshot({ path: join(out, `filters-records-${lang}-${size}.png`), fullPage: true });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
