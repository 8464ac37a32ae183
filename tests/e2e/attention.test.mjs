// Needs attention, end to end in the real app: a record the organization's server refuses
// (its area was taken off the organization's list while the device was offline) is kept with
// the server's reason, fixed by the worker, and sent again — without blocking the rest.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, PIN, startServer, stopServer, restartServer, enrolledProfile, exportCsv, cleanup } from './harness.mjs';
import { openApp, shown, save, sendNow, shot, syncText } from './app.mjs';

after(cleanup);

async function setAreas(server, areas) {
  const r = await fetch(`${server.url}/api/v1/staff/catalogue`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.staff_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ activity_kinds: [], supply_items: [], roles: [], retention_days: 90, areas })
  });
  assert.ok(r.ok, `catalogue: ${r.status} ${await r.text()}`);
}

test('a refused record is kept with the reason, fixed, and sent again', { timeout: 240000 }, async () => {
  const server = await startServer();
  await setAreas(server, [{ id: 'downtown', label: 'Downtown' }, { id: 'harbour', label: 'Harbour' }]);
  const profile = enrolledProfile(server);
  // The device pulls the organization's areas, then loses its signal.
  execFileSync(BIN.cli, ['--data-dir', profile, 'sync'], { env: { ...process.env, SHIFTLOG_PIN: PIN } });
  await stopServer(server);

  const s = await openApp(profile);
  try {
    await s.click('#log-outreach_contact');
    await shown(s, '#activity');
    await s.setValue('#f-area', 'harbour');
    await save(s);
    await s.click('#log-meal_service');
    await shown(s, '#activity');
    await s.setValue('#f-area', 'downtown');
    await save(s);

    // Meanwhile the coordinator takes Harbour off the list; then the signal comes back.
    await restartServer(server);
    await setAreas(server, [{ id: 'downtown', label: 'Downtown' }]);
    await s.waitUntil(async () => { await sendNow(s); return s.visible('#attention-pill'); }, 60000, 'the refusal');
    // The other record went through.
    await s.waitUntil(async () => (await exportCsv(server)).includes('meal_service'), 20000, 'the meal on the server');

    await s.click('#attention-pill');
    await shown(s, '#attention');
    assert.match(await s.text('#attention-list'), /The area .harbour. is no longer on your organization's list\. Pick another area and send it again\./);
    await shot(s, 'attention');

    await s.click('#attention-list [data-action=fix]');
    await shown(s, '#activity');
    await s.setValue('#f-area', 'downtown');
    await save(s, '#attention');
    await s.waitUntil(async () => { await sendNow(s); return /All sent/.test(await syncText(s)); }, 60000, 'sent again');
    assert.ok(!(await s.visible('#attention-pill')), 'nothing needs attention any more');
    const csv = await exportCsv(server);
    const outreach = csv.split('\n').filter((l) => l.includes('outreach_contact'));
    assert.equal(outreach.length, 1, csv);
    assert.match(outreach[0], /downtown/);
  } finally {
    await s.close();
  }
});
