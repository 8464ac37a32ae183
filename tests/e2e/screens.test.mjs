// Every main screen of the real app, at phone (360×740) and desktop (1280×800) sizes, in
// English and French: a screenshot of each in tests/e2e/out/screens/, and axe-core run inside
// the real webview on each, with no serious or critical violation allowed.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, tap, nav, save } from './app.mjs';

after(cleanup);

const DIR = join(OUT, 'screens');
mkdirSync(DIR, { recursive: true });
const AXE = readFileSync(join(ROOT, 'ui', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const SIZES = { phone: [360, 740], desktop: [1280, 800] };

async function axe(s) {
  const loaded = await s.execute('return typeof window.axe === "object";');
  if (!loaded) await s.execute(`${AXE}\nreturn true;`);
  return s.executeAsync(`const done = arguments[arguments.length - 1];
    window.axe.run(document, { resultTypes: ['violations'] })
      .then((r) => done({ passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })) }))
      .catch((e) => done({ passes: 0, violations: [{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }] }));`);
}

test('every main screen, phone and desktop, English and French: screenshots and axe-core', { timeout: 600000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  const s = await openApp(profile, { unlock: false });
  const problems = [];
  const all = [];
  const seen = [];
  const capture = async (name, lang, size) => {
    await new Promise((r) => setTimeout(r, 150)); // let the layout settle
    writeFileSync(join(DIR, `${name}-${lang}-${size}.png`), await s.screenshot());
    seen.push(`${name}-${lang}-${size}`);
    if (size !== 'phone') return; // the DOM is the same; the phone layout is the harder one
    const result = await axe(s);
    // axe really ran: it checked the page and found rules that pass.
    assert.ok(result.passes > 10, `axe-core checked only ${result.passes} rules on ${name}`);
    for (const v of result.violations) {
      all.push({ screen: `${name} (${lang})`, ...v });
      if (v.impact === 'serious' || v.impact === 'critical') problems.push({ screen: `${name} (${lang})`, ...v });
    }
  };
  try {
    for (const lang of ['en', 'fr']) {
      for (const [size, [w, h]] of Object.entries(SIZES)) {
        await s.setSize(w, h);
        if (await s.visible('#lock')) {
          await s.setValue('#lock-lang', lang);
          await capture('lock', lang, size);
          await s.type('#pin', '246813');
          await s.click('#unlock-submit');
          await shown(s, '#home');
        }
        await nav(s, 'settings');
        await s.setValue('#lang', lang);
        await capture('settings', lang, size);
        await nav(s, 'home');

        // The shift form, then a shift under way with some work logged.
        if (await s.visible('#shift-start')) {
          await s.click('#shift-start');
          await shown(s, '#shift');
          await capture('shift-start', lang, size);
          await tap(s, 'role', 'outreach');
          await s.click('#shift-save');
          await shown(s, '#shift-end');
        }
        for (const kind of ['supplies_distributed', 'systems_navigation', 'outreach_contact', 'training']) {
          await s.click(`#log-${kind}`);
          await shown(s, '#activity');
          await capture(`form-${kind}`, lang, size);
          await s.click('#activity-cancel');
          await shown(s, '#home');
        }
        await s.click('#log-supplies_distributed');
        await shown(s, '#activity');
        await s.click('#more-qty-naloxone_kit');
        await save(s);
        await s.click('#log-overdose_response');
        await shown(s, '#activity');
        await tap(s, 'od-doses', '2');
        await capture('form-overdose_response', lang, size);
        await save(s, '#checkin');
        await capture('checkin', lang, size);
        await s.click('#checkin-skip');
        await shown(s, '#home');
        await s.execute('window.scrollTo(0, 0);');
        await capture('home', lang, size);
        await s.execute('window.scrollTo(0, document.body.scrollHeight);');
        await capture('home-today', lang, size);
        await s.execute('window.scrollTo(0, 0);');

        await nav(s, 'records');
        await s.waitFor('#records-list li');
        await capture('records', lang, size);
        await s.click('#records-list li [data-action="edit"]');
        await s.waitUntil(async () => (await s.visible('#activity')) || (await s.visible('#shift')), 20000, 'the edit form');
        await capture('edit', lang, size);
        await s.click((await s.visible('#activity')) ? '#activity-cancel' : '#shift-cancel');
        await shown(s, '#records');
        await nav(s, 'summary');
        await s.waitFor('#summary-out section');
        await capture('summary', lang, size);
        await s.click('#org-button');
        await shown(s, '#orgs');
        await s.waitFor('#orgs-list li');
        await s.execute('document.querySelectorAll("#orgs-list details").forEach((d) => { d.open = true; });');
        await capture('orgs', lang, size);
        await nav(s, 'home');
        await s.click('#shift-end');
        await shown(s, '#shift-start');
        // Quick hide: one tap locks and leaves a plain screen with nothing of the worker's.
        await s.click('#hide-now');
        await shown(s, '#lock');
        const left = await s.execute('return document.getElementById("main").innerText;');
        assert.doesNotMatch(left, /Naloxone|naloxone|Overdose|Surdose|Demo Harm/);
        assert.equal(await s.execute('return document.getElementById("org-name").textContent;'), 'shiftlog');
      }
    }
  } finally {
    writeFileSync(join(DIR, 'axe.json'), JSON.stringify({ serious_or_critical: problems, all }, null, 2));
    await s.close();
  }
  assert.ok(seen.length >= 50, `only ${seen.length} screenshots`);
  assert.deepEqual(problems, [], `axe-core found serious or critical problems:\n${JSON.stringify(problems, null, 2)}`);
});
