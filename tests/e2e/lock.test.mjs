// Locking in the real app: Hide leaves no half-typed check-in note behind, and a window out of
// focus (another app in front, minimized, hidden) locks after its grace — the shell drops the
// core, the screen follows. The grace is shortened for the test (SHIFTLOG_LOCK_GRACE_SECONDS,
// which can only shorten it); focus is moved to another X window with xdotool.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { startServer, enrolledProfile, cleanup, PIN } from './harness.mjs';
import { openApp, shown, tap, save, shot } from './app.mjs';

after(cleanup);

async function unlockAgain(s) {
  await shown(s, '#lock');
  await s.type('#pin', PIN);
  await s.click('#unlock-submit');
  await s.waitFor('#home:not([hidden])');
}

test('Hide clears a half-typed check-in note, and every form', { timeout: 180000 }, async () => {
  const server = await startServer();
  const s = await openApp(enrolledProfile(server));
  try {
    await s.click('#log-overdose_response');
    await shown(s, '#activity');
    await tap(s, 'od-doses', '2');
    await save(s, '#checkin');
    await s.type('#checkin-note', 'half typed, about someone');
    await s.click('#hide-now');
    await shown(s, '#lock');
    assert.equal(await s.execute('return document.getElementById("checkin-note").value;'), '', 'gone at once');
    await unlockAgain(s);
    // The next overdose response offers a check-in with an empty note.
    await s.click('#log-overdose_response');
    await shown(s, '#activity');
    await save(s, '#checkin');
    assert.equal(await s.execute('return document.getElementById("checkin-note").value;'), '');
    await shot(s, 'lock-checkin-after-hide');
  } finally {
    await s.close();
  }
});

test('out of focus past the grace, the app locks; back within it, it does not', { timeout: 180000 }, async () => {
  const server = await startServer();
  const s = await openApp(enrolledProfile(server), { env: { SHIFTLOG_LOCK_GRACE_SECONDS: '3' } });
  const other = spawn('xev', ['-name', 'another-app'], { stdio: 'ignore' });
  const xdo = (...args) => execFileSync('xdotool', args, { env: process.env }).toString().trim();
  try {
    const appWindow = await s.waitUntil(() => {
      try { return xdo('search', '--onlyvisible', '--name', '^shiftlog$').split('\n')[0] || null; } catch { return null; }
    }, 20000, 'the app window');
    const otherWindow = await s.waitUntil(() => {
      try { return xdo('search', '--name', 'another-app').split('\n')[0] || null; } catch { return null; }
    }, 20000, 'the other window');
    xdo('windowfocus', '--sync', appWindow);

    // Away for less than the grace: still open.
    xdo('windowfocus', '--sync', otherWindow);
    await new Promise((r) => setTimeout(r, 1000));
    xdo('windowfocus', '--sync', appWindow);
    await new Promise((r) => setTimeout(r, 3500));
    assert.ok(await s.visible('#home'), 'back within the grace: not locked');

    // Away for longer: the shell locks (the core is dropped) and the screen follows.
    await s.click('#log-overdose_response');
    await shown(s, '#activity');
    xdo('windowfocus', '--sync', otherWindow);
    await new Promise((r) => setTimeout(r, 4500));
    const state = await s.executeAsync('window.__TAURI__.core.invoke("profile_state").then(arguments[arguments.length - 1]);');
    assert.equal(state.unlocked, false, 'the shell dropped the core');
    xdo('windowfocus', '--sync', appWindow);
    await shown(s, '#lock', 5000);
    assert.doesNotMatch(await s.execute('return document.getElementById("main").innerText;'), /naloxone|overdose/i);
    await shot(s, 'lock-after-focus-loss');
  } finally {
    other.kill();
    await s.close();
  }
});
