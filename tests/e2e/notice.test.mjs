// A record back-dated past the organization's retention window is removed from the device
// right after it is sent (records/purge.rs). The worker is told so when it is saved, in
// plain words, in English and French; a record dated today gets the usual words only.
// Screenshots in tests/e2e/out/notice-*.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { OUT, startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, nav, save, tap } from './app.mjs';

after(cleanup);
const pad = (n) => String(n).padStart(2, '0');
const local = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T10:30`;

test('saving a record dated past the retention window says it will leave this device once sent', { timeout: 300000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  const s = await openApp(profile);
  const days = await s.executeAsync(`const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke('catalogue', { lang: 'en', orgId: null }).then((c) => done(c.retention_days), (e) => done(String(e)));`);
  assert.ok(Number.isInteger(days), `retention days: ${days}`);
  const words = {
    en: [new RegExp(`more than ${days} days ago`), /kept on this device until it is sent, then removed from this device, as your organization asks/],
    fr: [new RegExp(`plus de ${days} jours`), /gardé sur cet appareil jusqu’à son envoi, puis retiré de cet appareil, comme votre organisme le demande/],
  };
  for (const [lang, [w, h]] of [['en', [360, 740]], ['fr', [1280, 800]], ['fr', [360, 740]], ['en', [1280, 800]]]) {
    await s.setSize(w, h);
    await nav(s, 'settings');
    await s.setValue('#lang', lang);
    await nav(s, 'home');
    // Today: the usual words only.
    await s.click('#log-outreach_contact');
    await shown(s, '#activity');
    await save(s);
    await shown(s, '#toast');
    const today = await s.text('#toast');
    assert.doesNotMatch(today, words[lang][1], today);
    // Well past the window: the notice.
    await s.click('#log-outreach_contact');
    await shown(s, '#activity');
    await tap(s, 'f-when', 'earlier');
    await s.setValue('#f-when-at', local(new Date(Date.now() - (days + 5) * 86400000)));
    await save(s);
    await s.waitUntil(async () => words[lang][1].test(await s.text('#toast')), 10000, 'the retention notice');
    const old = await s.text('#toast');
    for (const re of words[lang]) assert.match(old, re, old);
    writeFileSync(join(OUT, `notice-${lang}-${w}.png`), await s.screenshot());
    await new Promise((r) => setTimeout(r, 4500));
    assert.ok(await s.visible('#toast'), 'the notice stays long enough to read');
  }
});
