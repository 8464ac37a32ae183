// Settings: the worker chooses how long their check-ins stay on this device (7, 30, 90 or
// 365 days, or until they delete them; 30 unless they choose), in English and French. The
// choice goes to the core (Core::set_checkin_retention_days) and survives the screen.
// Screenshots in tests/e2e/out/checkin-keep-*.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { OUT, startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, nav } from './app.mjs';

after(cleanup);

const core = (s, cmd, args = {}) => s.executeAsync(`const done = arguments[arguments.length - 1];
  window.__TAURI_INTERNALS__.invoke(${JSON.stringify(cmd)}, Object.assign({ lang: 'en' }, ${JSON.stringify(args)})).then((v) => done({ v }), (e) => done({ e: String(e && e.message || e) }));`);

test('the worker chooses how long check-ins stay, in plain words', { timeout: 300000 }, async () => {
  const server = await startServer();
  const s = await openApp(enrolledProfile(server));
  await nav(s, 'settings');
  await shown(s, '#checkin-keep');
  assert.equal(await s.text('#checkin-keep-label'), 'Keep my check-ins on this device for');
  assert.deepEqual(await core(s, 'checkin_retention'), { v: 30 }, 'the default');
  await s.waitUntil(async () => /removed from this device 30 days after you write them/.test(await s.text('#kept-list')), 10000, 'the 30-day words');
  await s.setValue('#checkin-keep', '0');
  await s.waitUntil(async () => (await core(s, 'checkin_retention')).v === null, 10000, 'kept until deleted');
  await s.waitUntil(async () => /stay on this device until you delete them/.test(await s.text('#kept-list')), 10000, 'the words follow');
  writeFileSync(join(OUT, 'checkin-keep-en.png'), await s.screenshot());
  await s.setValue('#lang', 'fr');
  await s.waitUntil(async () => (await s.text('#checkin-keep-label')) === 'Garder mes prises de nouvelles sur cet appareil pendant', 10000, 'French label');
  await s.setValue('#checkin-keep', '90');
  await s.waitUntil(async () => (await core(s, 'checkin_retention')).v === 90, 10000, '90 days');
  await s.waitUntil(async () => /retirées de cet appareil 90 jours/.test(await s.text('#kept-list')), 10000, 'French words');
  writeFileSync(join(OUT, 'checkin-keep-fr.png'), await s.screenshot());
  const bad = await core(s, 'set_checkin_retention', { days: 31 });
  assert.ok(bad.e, 'the core refuses a period it does not offer');
  assert.deepEqual(await core(s, 'checkin_retention'), { v: 90 });
});
