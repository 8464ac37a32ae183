// The PIN in the real app: a profile made with a 4-digit PIN opens, and the app asks for a
// new PIN before Home; Settings → Change PIN changes it (the old one stops working); wrong
// PINs get a wait the core decides. Screenshots of the change-PIN screen at phone and
// desktop sizes, in English and French.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, enrolledProfile, cleanup, PIN } from './harness.mjs';
import { openApp, shown, nav, shot } from './app.mjs';

after(cleanup);

const NEW = '975310';

async function changePin(s, { old, next, again = next }) {
  if (old !== undefined) await s.type('#pin-old', old);
  await s.type('#pin-new', next);
  await s.type('#pin-new-again', again);
  await s.click('#pin-change-submit');
}

async function unlockWith(s, pin) {
  await s.type('#pin', pin);
  await s.click('#unlock-submit');
}

test('a 4-digit profile opens and must choose a new PIN before Home', { timeout: 180000 }, async () => {
  // key.json of a profile made before new PINs needed 6 digits (PIN 2468, 19 MiB × 2).
  const dir = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-legacy-'));
  copyFileSync(new URL('./fixtures/legacy-pin-2468.key.json', import.meta.url), join(dir, 'key.json'));
  const s = await openApp(dir, { unlock: false });
  try {
    await unlockWith(s, '2468');
    await shown(s, '#pin-change');
    assert.ok(!(await s.visible('#pin-old')), 'the PIN just typed is not asked again');
    assert.ok(!(await s.visible('#pin-change-cancel')), 'no way around it');
    assert.ok(!(await s.visible('#nav')), 'no way around it');
    for (const [lang, [w, h]] of [['en', [360, 740]], ['fr', [1280, 800]], ['fr', [360, 740]], ['en', [1280, 800]]]) {
      await s.setSize(w, h);
      await s.setValue('#lang', lang);
      await shot(s, `pin-change-required-${lang}-${w}`);
    }
    await changePin(s, { next: NEW, again: '975311' });
    assert.match(await s.text('#pin-change-error'), /not the same/);
    await changePin(s, { next: '1357' });
    assert.ok(await s.visible('#pin-change'), 'a 4-digit new PIN is not taken');
    await changePin(s, { next: NEW });
    await shown(s, '#orgs');
    await s.click('#hide-now');
    await shown(s, '#lock');
    await unlockWith(s, '2468');
    await shown(s, '#lock-error');
    await s.waitUntil(async () => /does not open/.test(await s.text('#lock-error')), 20000, 'the old PIN refused');
    await unlockWith(s, NEW);
    await shown(s, '#orgs');
  } finally {
    await s.close();
  }
});

test('Settings → Change PIN, and wrong PINs wait', { timeout: 180000 }, async () => {
  const server = await startServer();
  const s = await openApp(enrolledProfile(server));
  try {
    await nav(s, 'settings');
    await s.click('#change-pin');
    await shown(s, '#pin-change');
    for (const [lang, [w, h]] of [['en', [360, 740]], ['fr', [1280, 800]], ['fr', [360, 740]], ['en', [1280, 800]]]) {
      await s.setSize(w, h);
      await s.setValue('#lang', lang);
      await shot(s, `pin-change-settings-${lang}-${w}`);
    }
    await changePin(s, { old: '111111', next: NEW });
    await shown(s, '#pin-change-error');
    assert.match(await s.text('#pin-change-error'), /does not open/);
    await changePin(s, { old: PIN, next: NEW });
    await shown(s, '#settings');
    assert.match(await s.text('#toast'), /PIN changed/);
    await s.click('#hide-now');
    await shown(s, '#lock');
    // The old PIN no longer opens; after five wrong PINs, even the right one waits.
    const said = async () => {
      await shown(s, '#lock-error');
      await s.waitUntil(() => s.execute('return !document.getElementById("unlock-submit").disabled;'), 20000, 'the answer');
      return s.text('#lock-error');
    };
    for (let i = 0; i < 5; i++) {
      await unlockWith(s, PIN);
      assert.match(await said(), /does not open/, `try ${i + 1}`);
    }
    await unlockWith(s, NEW);
    assert.match(await said(), /Too many wrong PINs\. Wait (29|30) seconds/);
    await s.setSize(360, 740);
    await shot(s, 'pin-too-many-tries-en-360');
  } finally {
    await s.close();
  }
});
