// Messages from the organization reach the app with a sync: a coordinator posts an alert and a
// notice on the real server (its staff API); the app, opened afterwards, fetches them in its
// first background sync. The alert sits at the top of Home, large, until "Got it" /
// "J'ai compris"; the notice sits in the quiet list below. Screenshots in English and French:
// tests/e2e/out/messages-*.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, nav, shot } from './app.mjs';

after(cleanup);

async function post(server, body) {
  const r = await fetch(`${server.url}/api/v1/staff/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.staff_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ expires_at: new Date(Date.now() + 86400000).toISOString(), ...body })
  });
  assert.ok(r.ok, `posting a message: ${r.status} ${await r.text()}`);
}

const ALERT = 'Strong batch going around downtown. Carry naloxone, do not use alone.';
const NOTICE = 'The drop-in closes at 3 pm on Friday.';

test('an alert stays at the top of Home until Got it; a notice waits in the quiet list', { timeout: 300000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  await post(server, { text: ALERT, urgency: 'alert' });
  await post(server, { text: NOTICE, urgency: 'notice' });
  const s = await openApp(profile);
  await s.setSize(360, 740);
  await shown(s, '#alerts .alert', 30000);
  assert.match(await s.text('#alerts .alert-text'), /^Strong batch going around downtown/);
  assert.match(await s.text('#alerts .alert-from'), /^From Demo/);
  assert.equal(await s.text('#alerts .alert-ok'), 'Got it');
  assert.match(await s.text('#notices-list'), /drop-in closes at 3 pm/);
  await shot(s, 'messages-en-360');

  await nav(s, 'settings');
  await s.setValue('#lang', 'fr');
  await nav(s, 'home');
  await s.waitUntil(async () => (await s.text('#alerts .alert-ok')) === 'J\u2019ai compris', 10000, 'the alert in French');
  assert.match(await s.text('#alerts .alert-label'), /alerte/i);
  assert.match(await s.text('#alerts .alert-from'), /^De Demo/);
  await shot(s, 'messages-fr-360');
  await s.setSize(1280, 800);
  await shot(s, 'messages-fr-1280');

  await s.click('#alerts .alert-ok');
  await s.waitUntil(async () => !(await s.visible('#alerts .alert')), 10000, 'the alert to leave the top of Home');
  // Read, it stays readable in the quiet list, and stays off the top after a reload of Home.
  assert.match(await s.text('#notices-list'), /Strong batch going around downtown/);
  await nav(s, 'records');
  await nav(s, 'home');
  assert.ok(!(await s.visible('#alerts .alert')), 'a read alert does not come back');
  await nav(s, 'settings');
  await s.setValue('#lang', 'en');
  await nav(s, 'home');
  await s.waitUntil(async () => /^No shift open/.test(await s.text('#shift-status')), 10000, 'Home redrawn in English');
  await s.execute('document.getElementById("notices-box").scrollIntoView()');
  await shot(s, 'messages-en-1280-read');
});
