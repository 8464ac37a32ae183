// The summary split by the chosen "Split by": one small chart per column, in the
// organization's words, every bar the server's own number (the chart draws exactly the
// table's cells), a protected cell a hatched mark with "<5" or "x" and no bar, readable in
// grey scale; and the summary page at phone size (360 and 400 px) in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, signedIn, submitSummary, tableRows, out } from './harness.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); });

async function show(page, measure, by) {
  await page.locator('#summary-form select[name=measure]').selectOption(measure);
  await page.locator('#summary-form select[name=by]').selectOption(by);
  await submitSummary(page);
}

function panels(page) {
  return page.locator('#split-chart figure.panel').evaluateAll((figs) => figs.map((f) => ({
    column: f.dataset.column,
    title: f.querySelector('figcaption').textContent,
    bars: [...f.querySelectorAll('rect.split-bar')].map((r) => ({ period: r.dataset.period, h: Number(r.getAttribute('height')) })),
    marks: [...f.querySelectorAll('rect.protected-mark')].map((r) => r.dataset.period),
    values: [...f.querySelectorAll('text.bar-value')].map((t) => t.textContent),
  })));
}

for (const lang of ['en', 'fr']) {
  test(`the chart splits by kind, draws the server's numbers and marks protected cells (${lang})`, async () => {
    const { context, page, errors } = await signedIn(s, { lang });
    await show(page, 'activities', 'kind');
    const p = await panels(page);
    assert.deepEqual(p.map((x) => x.title), ['Street outreach', 'Overdose call', 'Harm reduction supplies']);
    // Every number on the chart is the table's cell, period by period: nothing is worked out here.
    const rows = await tableRows(page);
    p.forEach((panel, j) => assert.deepEqual(panel.values, rows.slice(0, -1).map((r) => r[j + 1]), panel.title));
    const od = p[1];
    assert.deepEqual(od.marks, ['2026-11'], 'the 3 overdose calls are protected');
    assert.ok(!od.bars.some((b) => b.period === '2026-11'), 'a protected cell is never a bar');
    assert.ok(od.values.includes('<5'));
    // One scale for every panel: 12 contacts, 7 handouts.
    const h = (panel, period) => panel.bars.find((b) => b.period === period).h;
    assert.ok(Math.abs(h(p[0], '2026-11') / h(p[2], '2026-11') - 12 / 7) < 0.05);
    await page.locator('#split-chart').screenshot({ path: join(out, `chart-${lang}.png`) });
    await page.evaluate(() => { document.documentElement.style.filter = 'grayscale(1)'; });
    await page.locator('#split-chart').screenshot({ path: join(out, `chart-grey-${lang}.png`) });

    // By area: Strathcona's 3 overdose calls are protected, so no bar for November.
    await page.evaluate(() => { document.documentElement.style.filter = ''; });
    await show(page, 'activities', 'area');
    const areas = await panels(page);
    assert.deepEqual(areas.map((x) => x.title), ['Downtown Eastside', 'Strathcona']);
    assert.deepEqual(areas[1].bars.filter((b) => b.period === '2026-11'), []);
    await show(page, 'activities', 'none');
    assert.ok(await page.locator('#split-chart').isHidden(), 'nothing to split');
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const width of [360, 400]) {
    test(`the summary fits a ${width} px phone (${lang})`, async () => {
      const { context, page, errors } = await signedIn(s, { width, height: 800, lang });
      await show(page, 'activities', 'kind');
      const fits = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: window.innerWidth,
        wide: [...document.querySelectorAll('body *')].filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName + '#' + e.id + '.' + e.className) }));
      assert.ok(fits.doc <= fits.win, JSON.stringify(fits));
      assert.deepEqual(fits.wide, []);
      const panelWidth = await page.locator('#split-chart figure.panel').first().evaluate((f) => f.getBoundingClientRect().width);
      assert.ok(panelWidth > width * 0.7, `one panel per row on a phone (${panelWidth})`);
      const target = await page.locator('#summary-form button[type=submit]').evaluate((b) => b.getBoundingClientRect().height);
      assert.ok(target >= 40, `large enough to tap (${target})`);
      await page.screenshot({ path: join(out, `summary-phone-${width}-${lang}.png`), fullPage: true });
      // Every other page too: nothing makes the page scroll sideways (wide tables scroll in their box).
      for (const name of ['records', 'devices', 'catalogue', 'audit', 'staff']) {
        await page.locator(`#nav a[href="#${name}"]`).click();
        await page.locator(`#page-${name}:not([hidden])`).waitFor();
        await page.waitForTimeout(300);
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width === 360) await page.screenshot({ path: join(out, `${name}-phone-${width}-${lang}.png`), fullPage: true });
        assert.ok(w <= width, `${name} at ${width} px: ${w} px wide`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
