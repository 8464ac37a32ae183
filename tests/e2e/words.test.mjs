// Words wrap whole in the real app at 360 px, in English and French: no word on Home (the
// buttons per kind, the shift card, the navigation) or on a form (labels, choices, legends)
// is cut across two lines or runs out of its button. Screenshots in tests/e2e/out/words/.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, nav } from './app.mjs';

after(cleanup);
const DIR = join(OUT, 'words');
mkdirSync(DIR, { recursive: true });

// Every word of every visible button, label, legend and heading: a word whose letters sit on
// more than one line was cut; a button narrower than its text lets it run out.
const CHECK = `
  const cut = [], over = [];
  const words = /[\\p{L}\\p{N}’']+/gu; // a break after a hyphen (Rendez-/vous) is allowed
  for (const el of document.querySelectorAll('main button, main label, main legend, main h1, main h2, #nav button, .top button')) {
    if (el.closest('[hidden]') || !el.getClientRects().length) continue;
    // (The organization's name shrinks with an ellipsis on purpose; its whole name is its title.)
    if (el.matches('button') && getComputedStyle(el).textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1) over.push(el.textContent.trim());
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.data.matchAll(words)) {
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
        if (tops.size > 1) cut.push(m[0]);
      }
    }
  }
  return { cut, over, lang: document.documentElement.lang };`;

test('words wrap whole at 360 px in English and French (Home and every form)', { timeout: 300000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  const s = await openApp(profile);
  const problems = [];
  for (const lang of ['en', 'fr']) {
    await nav(s, 'settings');
    await s.setValue('#lang', lang);
    for (const [size, w, h] of [['phone', 360, 740], ['desktop', 1280, 800]]) {
      await s.setSize(w, h);
      await nav(s, 'home');
      await new Promise((r) => setTimeout(r, 300));
      const home = await s.execute(CHECK);
      assert.equal(home.lang, lang, '<html lang> follows the chosen language (hyphenation needs it)');
      if (home.cut.length || home.over.length) problems.push({ screen: 'home', lang, size, ...home });
      writeFileSync(join(DIR, `home-${lang}-${size}.png`), await s.screenshot());
      if (size !== 'phone') continue;
      await s.execute('document.getElementById("log-systems_navigation").scrollIntoView({ block: "center" });');
      await new Promise((r) => setTimeout(r, 200));
      writeFileSync(join(DIR, `home-${lang}-${size}-kinds.png`), await s.screenshot());
      const kinds = await s.execute('return [...document.querySelectorAll("#quick button")].map((b) => b.id);');
      assert.ok(kinds.length >= 5, JSON.stringify(kinds));
      for (const id of kinds) {
        await s.click(`#${id}`);
        await shown(s, '#activity');
        await new Promise((r) => setTimeout(r, 150));
        const form = await s.execute(CHECK);
        if (form.cut.length || form.over.length) problems.push({ screen: id, lang, size, ...form });
        if (id === 'log-systems_navigation') writeFileSync(join(DIR, `form-navigation-${lang}-${size}.png`), await s.screenshot());
        await s.click('#activity-cancel');
        await shown(s, '#home');
      }
    }
  }
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 1));
});
