// My work record in the real app, with the real server: a worker who did a shift and logged
// supplies (through the CLI, the same core) opens My summary, follows the link to My work
// record, picks a period and asks; the organization's server signs, the app checks and keeps
// the statement, lists it with its code, shows the page to print with its QR code. The page
// the app would print (the real DOM and the app's stylesheets, print media) is printed to PDF
// by Chromium and looked at page by page (tests/e2e/out/statement/). The statement the app
// kept verifies offline with `shiftlog verify`, and its code opens the organization's verify
// page. Screenshots at phone and desktop sizes, English and French, axe-core in the webview
// with no serious or critical violation. Last, "Print" opens the system's print dialog.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BIN, OUT, PIN, ROOT, startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, nav } from './app.mjs';

after(cleanup);

const DIR = join(OUT, 'statement');
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const AXE = readFileSync(join(ROOT, 'ui', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const SIZES = { phone: [360, 740], desktop: [1280, 800] };
const { chromium } = createRequire(join(ROOT, 'tests', 'dashboard', 'package.json'))('playwright-core');

async function axe(s) {
  const loaded = await s.execute('return typeof window.axe === "object";');
  if (!loaded) await s.execute(`${AXE}\nreturn true;`);
  return s.executeAsync(`const done = arguments[arguments.length - 1];
    window.axe.run(document, { resultTypes: ['violations'] })
      .then((r) => done({ passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })) }))
      .catch((e) => done({ passes: 0, violations: [{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }] }));`);
}

function cli(profile, ...args) {
  return execFileSync(BIN.cli, ['--data-dir', profile, ...args], { env: { ...process.env, SHIFTLOG_PIN: PIN }, encoding: 'utf8' });
}

/** A three-hour shift that ended an hour ago, with supplies handed out during it, sent. */
function pastWork(profile) {
  const at = (h) => new Date(Date.now() - h * 3600000).toISOString();
  cli(profile, 'shift', 'start', '--pay', 'paid', '--at', at(4));
  cli(profile, 'log', 'supplies', 'naloxone_kit=2', '--at', at(3));
  cli(profile, 'shift', 'end', '--at', at(1));
  cli(profile, 'sync');
}

test('my work record: ask, keep, show, print; verified offline and on the verify page; phone and desktop, English and French', { timeout: 600000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  pastWork(profile);
  const s = await openApp(profile);
  const problems = [];
  const capture = async (name, lang, size) => {
    await new Promise((r) => setTimeout(r, 150));
    writeFileSync(join(DIR, `${name}-${lang}-${size}.png`), await s.screenshot());
    if (size !== 'phone') return;
    const result = await axe(s);
    assert.ok(result.passes > 10, `axe-core checked only ${result.passes} rules on ${name}`);
    for (const v of result.violations) if (v.impact === 'serious' || v.impact === 'critical') problems.push({ screen: `${name} (${lang})`, ...v });
  };
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const css = ['style.css', 'statement.css'].map((f) => readFileSync(join(ROOT, 'ui', 'src', f), 'utf8')).join('\n');
  let code = null;
  try {
    for (const lang of ['en', 'fr']) {
      await nav(s, 'settings');
      await s.setValue('#lang', lang);
      for (const [size, [w, h]] of Object.entries(SIZES)) {
        await s.setSize(w, h);
        await nav(s, 'summary');
        await s.waitFor('#summary-out section');
        await s.click('#summary-statement');
        await shown(s, '#statement');
        assert.equal(await s.text('#statement-title'), lang === 'fr' ? 'Mon relevé de travail' : 'My work record');
        assert.match(await s.text('#statement-orgs'), /Demo/);
        if (!code) {
          assert.ok(await s.visible('#statement-empty'), 'nothing kept yet');
          await capture('statement-empty', lang, size);
          // A period that ends before it starts is refused with words, before asking.
          await s.execute('document.getElementById("statement-from").value = document.getElementById("statement-to").value; document.getElementById("statement-to").value = "2020-01-01";');
          await s.click('#statement-ask');
          await shown(s, '#statement-error');
          assert.match(await s.text('#statement-error'), /first day must be on or before/);
          await s.execute('const d = new Date(); const iso = (x) => x.toISOString().slice(0, 10); document.getElementById("statement-to").value = iso(new Date(d.getTime() - d.getTimezoneOffset() * 60000)); document.getElementById("statement-from").value = iso(new Date(d.getTime() - 30 * 86400000));');
          await s.click('#statement-ask');
          await s.waitUntil(async () => (await s.execute('return document.querySelectorAll("#statement-list li").length;')) === 1, 30000, 'the signed statement listed');
          assert.match(await s.text('#statement-results'), /^Demo.* signed it\. Code [0-9A-Z]{5}-[0-9A-Z]{5}\.$/);
          code = await s.execute('return document.querySelector("#statement-list li").dataset.code;');
          assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
          await capture('statement-asked', lang, size);
        }
        // What the last ask brought back, in the language of the moment.
        assert.match(await s.text('#statement-results'), lang === 'fr' ? /l’a signé\. Code / : / signed it\. Code /);
        const line = await s.text('#statement-list li');
        assert.ok(line.includes(code), line);
        assert.match(line, lang === 'fr' ? /3 h de quarts · activités : 1/ : /3 h of shifts · activities: 1/);
        await capture('statement-list', lang, size);
        await s.click('#statement-open');
        await shown(s, '#statement-preview');
        await s.waitFor('#statement-preview svg.qr');
        assert.equal(await s.text('#statement-preview .ws-code'), code);
        assert.equal(await s.execute('return document.querySelectorAll("#statement-preview a").length;'), 0, 'no link can take the window away');
        assert.match(await s.text('#statement-preview h1'), lang === 'fr' ? /Relevé de travail/ : /Work record/);
        await s.execute('document.getElementById("statement-preview").scrollIntoView();');
        await capture('statement-page', lang, size);
      }

      // The page the app prints: its DOM with the printing class, its stylesheets, print media.
      await s.execute('document.body.classList.add("printing-statement");');
      const body = await s.execute('return document.body.outerHTML;');
      await s.execute('document.body.classList.remove("printing-statement");');
      const page = await browser.newPage();
      await page.setContent(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><style>${css}</style></head>${body}</html>`);
      await page.emulateMedia({ media: 'print' });
      const visible = await page.evaluate(() => [...document.body.children].filter((e) => getComputedStyle(e).display !== 'none').map((e) => e.id));
      assert.deepEqual(visible, ['statement-print-area'], 'only the work record prints');
      const aligns = await page.evaluate(() => [...document.querySelectorAll('#statement-print-area td')].map((d) => `${d.className}:${getComputedStyle(d).textAlign}`));
      assert.ok(aligns.length > 0 && aligns.every((a) => (a.startsWith('n:') ? a.endsWith(':right') : a.endsWith(':left'))), aligns.join(' '));
      const pdf = join(DIR, `print-${lang}.pdf`);
      await page.pdf({ path: pdf, format: 'A4', printBackground: true });
      await page.close();
      execFileSync('pdftoppm', ['-png', '-r', '70', pdf, join(DIR, `print-${lang}`)]);
      assert.ok(readdirSync(DIR).some((f) => f.startsWith(`print-${lang}-`) && f.endsWith('.png')));
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      assert.ok(text.includes(code), 'the code is printed');
      assert.match(text, lang === 'fr' ? /Heures par type de rémunération/ : /Hours by pay type/);
      assert.match(text, /\/verify\?code=/);
    }

    // The kept statement verifies offline, by anyone, with the keys it was checked against.
    const id = JSON.parse(cli(profile, '--json', 'statement', 'list'))[0].id;
    const file = join(DIR, 'statement.json');
    const keys = join(DIR, 'keys.json');
    cli(profile, 'statement', 'save', id, '--out', file, '--keys-out', keys);
    const v = spawnSync(BIN.cli, ['verify', file, '--keys', keys], { encoding: 'utf8', env: { ...process.env, SHIFTLOG_PIN: '' } });
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.ok(v.stdout.startsWith(`VALID (${code})`), v.stdout);
    // The QR code's address: the organization's verify page knows the code.
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const r = await fetch(`${server.url}/verify?code=${encodeURIComponent(code)}`);
    assert.equal(r.status, 200);
    assert.ok((await r.text()).includes(code));
    assert.equal(doc.statement.organization.id, 'demo');

    // "Print or save as PDF" opens the system's print dialog.
    await s.setSize(1280, 800);
    await s.click('#statement-print');
    await s.waitUntil(() => /"(Print|Imprimer)"/.test(execFileSync('xwininfo', ['-root', '-tree']).toString()), 20000, 'the print dialog');
    assert.ok(!(await s.visible('#fatal')), 'no error shown');
    writeFileSync(join(DIR, 'print-dialog.png'), execFileSync('import', ['-window', 'root', 'png:-']));
  } finally {
    await browser.close();
    await s.close();
  }
  assert.deepEqual(problems, [], `axe-core found serious or critical problems:\n${JSON.stringify(problems, null, 2)}`);
});
