// A worker's first day in the real app: choose a PIN, join the organization with the code the
// coordinator gave (a wrong code first), log something, see it sent; settings say what is
// kept; locking asks for the PIN again.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, cleanup } from './harness.mjs';
import { openApp, shown, nav, save, syncText, sendNow, shot } from './app.mjs';

after(cleanup);

test('first run: choose a PIN, join with a one-time code, log, sync, lock', { timeout: 240000 }, async () => {
  const server = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-new-'));
  // A machine with no OS keystore (no Secret Service on the session bus): the PIN makes the
  // key. Under Xvfb an auto-started keyring would wait forever for someone to type a keyring
  // password; a desktop with an unlocked keyring takes the other path (the core's tests).
  const s = await openApp(profile, { unlock: false, env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/shiftlog-e2e-bus' } });
  try {
    assert.equal(await s.text('#lock-title'), 'Choose a PIN');
    await s.type('#pin', '135791');
    await s.click('#unlock-submit');
    await shown(s, '#orgs');
    await shown(s, '#orgs-first'); // it says how to start (drawn once the organizations are read)
    await s.waitUntil(async () => /Kept on this device only/.test(await syncText(s)), 20000, 'sync state without an organization');
    await shot(s, 'first-run-orgs');

    await s.type('#join-server', server.url);
    await s.type('#join-code', 'WRONG-CODE1');
    await s.type('#join-device', 'Sam phone');
    await s.click('#join-submit');
    await shown(s, '#join-error');
    const refused = await s.text('#join-error');
    assert.ok(refused.length > 10, `the core's message is shown: ${refused}`);

    await s.type('#join-code', server.enrollment_code);
    await s.click('#join-submit');
    await s.waitUntil(async () => /Demo Harm Reduction Society/.test(await s.text('#orgs-list')), 20000, 'joined');
    assert.ok(!(await s.visible('#join-error')));
    assert.match(await s.text('#orgs-list'), new RegExp(`Sends to ${server.url.replace(/[.]/g, '\\.')}`));

    await nav(s, 'home');
    assert.equal(await s.text('#org-name'), 'Demo Harm Reduction Society');
    await s.click('#log-outreach_contact');
    await shown(s, '#activity');
    await s.click('#more-f-people');
    await s.type('#f-minutes', '20');
    await s.setValue('#f-area', 'east_side');
    await s.type('#f-note', 'handed out info on the new site');
    await save(s);
    await s.waitUntil(async () => { await sendNow(s); return /All sent/.test(await syncText(s)); }, 60000, 'sent');
    assert.match(await s.text('#today-list'), /People reached: 2 · 20 min · Done off shift/);

    await nav(s, 'settings');
    let kept = '';
    await s.waitUntil(async () => /Demo Harm Reduction Society: records are removed from this device \d+ days after they were sent/.test(kept = await s.text('#kept-list')), 20000, 'retention said')
      .catch((e) => { throw new Error(`${e.message}: ${kept}`); });
    assert.match(await s.text('#kept-list'), /never leave this device/);
    await shot(s, 'first-run-settings');

    // The webview cannot reach the network itself (the CSP allows only IPC to the core).
    const direct = await s.executeAsync(`const done = arguments[arguments.length - 1];
      fetch(arguments[0] + '/api/v1/info').then(() => done('reached'), (e) => done('refused: ' + e));`, [server.url]);
    assert.match(direct, /^refused/);

    await s.click('#lock-now');
    await shown(s, '#lock');
    assert.equal(await s.text('#lock-title'), 'Enter your PIN');
    await s.type('#pin', '135791');
    await s.click('#unlock-submit');
    await shown(s, '#home');
    assert.match(await s.text('#today-list'), /Outreach contact/);

    // Leaving the organization with a record not sent yet: the app says so and leaves only
    // when asked again; every record stays on the device.
    server.child.kill('SIGKILL');
    await s.click('#log-outreach_contact');
    await shown(s, '#activity');
    await save(s);
    await nav(s, 'settings');
    await s.click('#settings-orgs');
    await shown(s, '#orgs');
    await s.click('#orgs-list [data-action=leave]');
    assert.match(await s.text('#orgs-list [data-action=leave]'), /Tap again to leave/);
    await s.click('#orgs-list [data-action=leave]');
    await s.waitUntil(async () => /1 record\(s\) have not been sent/.test(await s.text('#orgs-list')), 20000, 'the unsent warning');
    assert.match(await s.text('#orgs-list [data-action=leave]'), /Leave anyway/);
    await s.click('#orgs-list [data-action=leave]');
    await s.waitUntil(async () => /Kept on this device only/.test(await s.text('#orgs-list')), 20000, 'left');
    await shot(s, 'first-run-left');
    await nav(s, 'home');
    await s.waitUntil(async () => (await s.text('#today-list')).split('Outreach contact').length === 3, 20000, 'both records still here');

    // Auto-lock: after a minute with no touch or key, the app locks itself.
    await nav(s, 'settings');
    await s.setValue('#autolock', '1');
    const idleFrom = Date.now();
    await s.waitUntil(() => s.visible('#lock'), 90000, 'the app to lock itself');
    const idle = Date.now() - idleFrom;
    assert.ok(idle >= 55000 && idle < 80000, `locked after ${idle} ms`);
    assert.equal(await s.text('#lock-title'), 'Enter your PIN');
    await s.setValue('#autolock', '5').catch(() => {});
  } finally {
    await s.close();
  }
});
