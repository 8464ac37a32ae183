// "Print or save as PDF": the printable summary, as a PDF, turned into images and read back.
//
// The real app prints through WebKitGTK's print dialog (jobs.test.mjs sees it open); that
// dialog cannot print to a file headlessly here. So this test takes the page the app would
// print — the real app's DOM after the Summary screen drew it (the core's summary inside
// #print-area) and the app's own style.css with its print rules — and prints it with Chromium
// (playwright-core's page.pdf(), print media, A4), then turns every page into a PNG with
// pdftoppm (tests/e2e/out/print/) and reads each page's text with pdftotext. Checked, in
// English and French: every section on one page (no section cut by a page break), the
// numbers of each table right-aligned on one edge in tabular figures, nothing of the app's
// screens in the print.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OUT, ROOT, BIN, PIN, startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, nav } from './app.mjs';

after(cleanup);
const DIR = join(OUT, 'print');
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const { chromium } = createRequire(join(ROOT, 'tests', 'dashboard', 'package.json'))('playwright-core');

function cli(profile, ...args) {
  return execFileSync(BIN.cli, ['--data-dir', profile, ...args], { env: { ...process.env, SHIFTLOG_PIN: PIN }, encoding: 'utf8' });
}

test('the printed summary: every page looked at, both languages, no section cut, numbers aligned', { timeout: 300000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  // Three organizations (the enrolled one and two kept on this device), so the summary has a
  // total and three sections: more than one A4 page.
  cli(profile, 'add-org', 'Downtown Peer Network');
  cli(profile, 'add-org', 'Rural Outreach Collective — Kootenay Boundary');
  const orgs = cli(profile, 'orgs').trim().split('\n').map((l) => l.split(/\s+/)[0]);
  assert.equal(orgs.length, 3, orgs.join(','));
  orgs.forEach((org, i) => {
    cli(profile, 'log', 'supplies', '--org', org, 'naloxone_kit=2', `syringes=${150 * (i + 1)}`);
    cli(profile, 'log', 'outreach', '--org', org, '--people', String(12 + i), '--minutes', '45');
    cli(profile, 'log', 'supplies', '--org', org, 'naloxone_kit=1');
  });

  const s = await openApp(profile);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const css = readFileSync(join(ROOT, 'ui', 'src', 'style.css'), 'utf8');
  try {
    for (const lang of ['en', 'fr']) {
      await nav(s, 'settings');
      await s.setValue('#lang', lang);
      await nav(s, 'summary');
      await s.waitUntil(() => s.execute('return document.querySelectorAll("#print-area section").length >= 4;'), 20000, 'the printable summary');
      const body = await s.execute('return document.body.outerHTML;');
      const page = await browser.newPage();
      await page.setContent(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><style>${css}</style></head>${body}</html>`);
      await page.emulateMedia({ media: 'print' });
      // Numbers: right-aligned on one edge per table, in tabular figures.
      const tables = await page.evaluate(() => [...document.querySelectorAll('#print-area table')].map((t) => {
        const tds = [...t.querySelectorAll('td')];
        // One right edge per column of figures (the pay part has several columns).
        const cols = [...new Set(tds.map((d) => d.cellIndex))];
        return { rights: cols.map((c) => [...new Set(tds.filter((d) => d.cellIndex === c).map((d) => Math.round(d.getBoundingClientRect().right)))].length),
          align: [...new Set(tds.map((d) => getComputedStyle(d).textAlign))],
          nums: [...new Set(tds.map((d) => getComputedStyle(d).fontVariantNumeric))],
          heads: [...new Set([...t.querySelectorAll('th')].map((d) => getComputedStyle(d).textAlign))] };
      }));
      // Four summary tables and the pay part (paid hours against money received).
      assert.equal(tables.length, 5);
      for (const t of tables) {
        assert.ok(t.rights.every((n) => n === 1), `one right edge per column: ${JSON.stringify(t)}`);
        assert.deepEqual(t.align, ['right']);
        assert.deepEqual(t.nums, ['tabular-nums']);
        assert.deepEqual(t.heads, ['left']);
      }
      const visible = await page.evaluate(() => [...document.body.children].filter((e) => getComputedStyle(e).display !== 'none').map((e) => e.id));
      assert.deepEqual(visible, ['print-area'], 'only the summary prints');
      const pdf = join(DIR, `summary-${lang}.pdf`);
      await page.pdf({ path: pdf, format: 'A4', printBackground: true });
      await page.close();

      execFileSync('pdftoppm', ['-png', '-r', '60', pdf, join(DIR, `summary-${lang}`)]);
      const pngs = readdirSync(DIR).filter((f) => f.startsWith(`summary-${lang}-`) && f.endsWith('.png'));
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))[1]);
      assert.ok(pages >= 2, `the summary takes more than one page (${pages})`);
      assert.equal(pngs.length, pages, 'one image per page');
      const text = (n) => execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' });
      const headings = await s.execute('return [...document.querySelectorAll("#print-area h2")].map((h) => h.textContent);');
      const lastRow = await s.execute('return [...document.querySelectorAll("#print-area section")].map((x) => x.querySelector("tr:last-child th").textContent);');
      // Each section's heading and its last row are on the same page: no section is cut.
      for (const [i, h2] of headings.entries()) {
        const on = [...Array(pages).keys()].map((k) => k + 1).find((n) => text(n).includes(h2.slice(0, 30)));
        assert.ok(on, `${h2} printed`);
        assert.ok(text(on).includes(lastRow[i].slice(0, 25)), `${h2}: its last row on the same page`);
      }
      const all = [...Array(pages).keys()].map((k) => text(k + 1)).join('\n');
      assert.match(all, lang === 'fr' ? /Mon résumé de travail/ : /My work summary/);
      assert.match(all, /450/, 'the numbers are there (third organization: 450 syringes)');
    }
  } finally {
    await browser.close();
  }
});
