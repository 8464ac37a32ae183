// End to end in the real desktop app: log supplies by clicking, see it sync, find it in the
// organization's CSV export. Run under Xvfb (scripts/test.sh does).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from './webdriver.mjs';
import { BIN, OUT, PIN, startServer, enrolledProfile, startDriver, exportCsv, cleanup } from './harness.mjs';

after(cleanup);

test('a supplies record logged in the app reaches the organization CSV export', { timeout: 180000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  const driver = await startDriver(profile);
  const s = await Session.create(driver.base, {
    browserName: 'wry',
    'tauri:options': { application: BIN.app }
  });
  try {
    await s.waitFor('body[data-ready="true"]', 30000);
    await s.setValue('#lock-lang', 'en'); // the webview keeps the last language chosen
    // The profile is encrypted: the app asks for the PIN, and a wrong one is refused plainly.
    assert.equal(await s.text('#lock-title'), 'Enter your PIN');
    await s.type('#pin', '1111');
    await s.click('#unlock-submit');
    // Unlocking runs off the UI thread: the answer comes a moment after the click.
    await s.waitUntil(async () => /That PIN does not open your data/.test(await s.text('#lock-error')), 20000, 'the wrong PIN to be refused');
    await s.type('#pin', PIN);
    await s.click('#unlock-submit');
    await s.waitFor('#home:not([hidden])');
    assert.equal(await s.text('#org-name'), 'Demo Harm Reduction Society');
    assert.match(await s.text('#sync-state'), /Nothing to send yet/);

    await s.click('#log-supplies_distributed');
    await s.waitFor('#more-qty-naloxone_kit');
    await s.click('#more-qty-naloxone_kit');
    await s.click('#more-qty-naloxone_kit');
    await s.click('#activity-save');
    await s.waitFor('#home:not([hidden])');

    const id = await s.attr('#today-list li', 'data-id');
    assert.match(id, /^[0-9a-f-]{36}$/);
    const rowText = await s.text('#today-list li');
    assert.match(rowText, /2 × Naloxone kit/);
    writeFileSync(join(OUT, 'after-log.png'), await s.screenshot());

    // The core's background sync sends it; the UI says so.
    await s.waitUntil(async () => /All sent/.test(await s.text('#sync-state')), 30000, 'sync to finish');
    assert.match(await s.text('#today-list li .state'), /Sent/);
    writeFileSync(join(OUT, 'after-sync.png'), await s.screenshot());

    const csv = await exportCsv(server);
    const lines = csv.trim().split('\n').filter((l) => l.startsWith(id));
    assert.equal(lines.length, 1, csv);
    assert.match(lines[0], /supplies_distributed/);
    assert.match(lines[0], /naloxone_kit x2/);
  } finally {
    await s.close();
  }
});
