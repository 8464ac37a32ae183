// Changed on two devices, end to end in the real app: the worker edits the same records in the
// app and on their second device (the CLI, enrolled as the same worker). The second device's
// changes reach the server first; the app's lose (one at the same version, one to a newer
// change), the server's are taken, and the worker's own versions wait in Needs attention with
// why, in plain words, and two choices: Keep mine (saved again, sent, and it wins everywhere)
// or Let it go (the other change stays).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PIN, ROOT, startServer, stopServer, restartServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, save, nav, shot, syncText, sendNow } from './app.mjs';

after(cleanup);

const env = { ...process.env, SHIFTLOG_PIN: PIN };
const cli = (dir, ...args) => execFileSync(BIN.cli, ['--data-dir', dir, ...args], { env }).toString();
const json = (dir, ...args) => JSON.parse(cli(dir, '--json', ...args));

async function staff(server, method, path, body) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.staff_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!r.ok) assert.fail(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A second device of the same worker: a code for their pseudonym, redeemed by the CLI. */
async function secondDevice(server) {
  const [first] = await staff(server, 'GET', '/api/v1/staff/devices');
  const invite = await staff(server, 'POST', '/api/v1/staff/enrollment-codes', { pseudonym: first.pseudonym });
  const dir = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-phone-'));
  cli(dir, 'enroll', server.url, invite.code, '--device-name', 'e2e phone');
  const devices = await staff(server, 'GET', '/api/v1/staff/devices');
  assert.equal(devices.length, 2);
  assert.ok(devices.every((d) => d.pseudonym === first.pseudonym), 'both devices are the same worker');
  return dir;
}

/** The record `id` as the CLI device `dir` holds it. */
function recordOn(dir, id) {
  const list = json(dir, 'list', '--limit', '100');
  const rec = (Array.isArray(list) ? list : list.records).find((r) => r.id === id);
  assert.ok(rec, `record ${id} on ${dir}`);
  return rec;
}

function editOn(dir, id, minutes) {
  const rec = recordOn(dir, id);
  cli(dir, 'edit', id, JSON.stringify({ ...rec.body, minutes }));
}

/** Changes the minutes of record `id` in the app's My records. */
async function editInApp(s, id, minutes) {
  await nav(s, 'records');
  await s.setValue('#records-filter', 'activity');
  await s.waitFor(`#records-list li[data-id="${id}"]`);
  await s.click(`#records-list li[data-id="${id}"] [data-action="edit"]`);
  await shown(s, '#activity');
  await s.type('#f-minutes', String(minutes));
  await save(s, '#records');
}

async function unlockApp(s) {
  await s.type('#pin', PIN);
  await s.click('#unlock-submit');
  await shown(s, '#home');
}

/** Brings `css` to the middle of the screen, as a person scrolls to it. */
const scrollTo = (s, css) => s.execute('document.querySelector(arguments[0]).scrollIntoView({ block: "center" });', [css]).then(() => new Promise((r) => setTimeout(r, 150)));
const AXE = readFileSync(join(ROOT, 'ui', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
/** axe-core inside the real webview: the serious or critical violations on the page. */
async function axeProblems(s) {
  if (!(await s.execute('return typeof window.axe === "object";'))) await s.execute(`${AXE}\nreturn true;`);
  const r = await s.executeAsync(`const done = arguments[arguments.length - 1];
    window.axe.run(document, { resultTypes: ['violations'] })
      .then((r) => done({ passes: r.passes.length, bad: r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')) }))
      .catch((e) => done({ passes: 0, bad: [String(e)] }));`);
  assert.ok(r.passes > 10, `axe-core checked only ${r.passes} rules`);
  return r.bad;
}
const rowText = (s, id) => s.text(`#records-list li[data-id="${id}"]`);
/** The words of the header's Needs attention pill ('' when hidden). */
const pillText = (s) => s.execute('const b = document.getElementById("attention-pill"); return b.hidden ? "" : b.textContent;');

test('versions that lost on another device are shown, kept or let go', { timeout: 300000 }, async () => {
  const server = await startServer();
  const laptop = enrolledProfile(server); // the app's profile
  const outreach = json(laptop, 'log', 'outreach', '--minutes', '30');
  const meal = json(laptop, 'log', 'meal', '--minutes', '30');
  cli(laptop, 'sync');
  const phone = await secondDevice(server);
  cli(phone, 'sync'); // the phone has both records now
  assert.equal(recordOn(phone, outreach.id).body.minutes, 30);

  const s = await openApp(laptop);
  try {
    await s.setSize(360, 740);
    // No signal: the worker changes both records in the app, then hides it.
    await stopServer(server);
    await editInApp(s, outreach.id, 45);
    await editInApp(s, meal.id, 50);
    await s.click('#hide-now');
    await shown(s, '#lock');

    // Later, on the phone with signal, the same records are changed too and sent first:
    // the outreach once (the same version as the app's), the meal twice (a newer one).
    await restartServer(server);
    editOn(phone, outreach.id, 20);
    editOn(phone, meal.id, 10);
    editOn(phone, meal.id, 15);
    cli(phone, 'sync');

    // The app opens again and sends: both of its changes lost.
    await unlockApp(s);
    await s.waitUntil(async () => { await sendNow(s); return s.visible('#attention-pill'); }, 60000, 'the versions set aside');
    await s.waitUntil(async () => (await pillText(s)) === '2 need attention', 20000, 'both counted');
    assert.doesNotMatch(await syncText(s), /Offline/);

    // The records show the phone's changes, as the server has them.
    await nav(s, 'records');
    await s.setValue('#records-filter', 'activity');
    await s.waitUntil(async () => /20 min/.test(await rowText(s, outreach.id)), 20000, 'the phone\'s outreach');
    assert.match(await rowText(s, meal.id), /15 min/);

    await s.click('#attention-pill');
    await shown(s, '#attention');
    const mine = `#set-aside-list li[data-record="${outreach.id}"]`;
    const lost = `#set-aside-list li[data-record="${meal.id}"]`;
    await s.waitFor(mine);
    await s.waitFor(lost);
    const mineText = await s.text(mine);
    assert.match(mineText, /Outreach contact/);
    assert.match(mineText, /45 min/, 'the worker\'s own values');
    assert.match(mineText, /Changed in two ways at once on two of your devices\./);
    assert.equal(await s.attr(mine, 'data-status'), 'conflict');
    const lostText = await s.text(lost);
    assert.match(lostText, /Meal service/);
    assert.match(lostText, /50 min/);
    assert.match(lostText, /A newer change from your other device was kept\./);
    assert.equal(await s.attr(lost, 'data-status'), 'superseded');
    assert.equal(await s.text(`${mine} [data-action="keep"]`), 'Keep mine');
    assert.equal(await s.text(`${mine} [data-action="let-go"]`), 'Let it go');
    assert.ok(!(await s.visible('#attention-help')), 'no refused record: the refusal help is not shown');
    await shot(s, 'set-aside-en-phone');
    assert.deepEqual(await axeProblems(s), [], 'axe-core, English');
    await scrollTo(s, `${lost} .choices`);
    await shot(s, 'set-aside-en-phone-buttons');

    // The same screen in French.
    await s.setValue('#lang', 'fr');
    await s.waitUntil(async () => /Garder le mien/.test(await s.text(mine)), 10000, 'French words');
    assert.match(await s.text(mine), /Changé de deux façons en même temps sur deux de vos appareils\./);
    assert.match(await s.text(lost), /Un changement plus récent fait sur votre autre appareil a été gardé\./);
    assert.match(await s.text(lost), /Laisser tomber/);
    assert.equal(await pillText(s), '2 à vérifier');
    await s.execute('window.scrollTo(0, 0);');
    await shot(s, 'set-aside-fr-phone');
    assert.deepEqual(await axeProblems(s), [], 'axe-core, French');
    await scrollTo(s, `${lost} .choices`);
    await shot(s, 'set-aside-fr-phone-buttons');
    await s.setValue('#lang', 'en');
    await s.waitUntil(async () => /Keep mine/.test(await s.text(mine)), 10000, 'English words');

    // Keep mine: the worker's outreach is saved again, sent, and wins on the phone too.
    await s.click(`${mine} [data-action="keep"]`);
    await s.waitUntil(async () => !(await s.visible(mine)), 20000, 'the kept row to go');
    assert.match(await s.text('#toast'), /Your change is kept/);
    await s.waitUntil(async () => (await pillText(s)) === '1 needs attention', 20000, 'one left');
    await s.waitUntil(async () => { await sendNow(s); return /All sent/.test(await syncText(s)); }, 60000, 'the kept change sent');
    await nav(s, 'records');
    await s.setValue('#records-filter', 'activity');
    await s.waitUntil(async () => /45 min/.test(await rowText(s, outreach.id)), 20000, 'the worker\'s outreach');
    assert.match(await rowText(s, outreach.id), /Sent/);
    cli(phone, 'sync');
    assert.equal(recordOn(phone, outreach.id).body.minutes, 45, 'the kept change reached the other device');

    // Let it go: the phone's meal stays, on both devices.
    await s.click('#attention-pill');
    await shown(s, '#attention');
    await s.click(`${lost} [data-action="let-go"]`);
    await s.waitUntil(async () => !(await s.visible(lost)), 20000, 'the row to go');
    assert.match(await s.text('#toast'), /The other change stays/);
    await s.waitUntil(async () => !(await s.visible('#attention-pill')), 20000, 'nothing left');
    assert.ok(await s.visible('#attention-empty'));
    await nav(s, 'records');
    await s.setValue('#records-filter', 'activity');
    await s.waitFor(`#records-list li[data-id="${meal.id}"]`);
    assert.match(await rowText(s, meal.id), /15 min/);
    cli(phone, 'sync');
    assert.equal(recordOn(phone, meal.id).body.minutes, 15);
    await shot(s, 'set-aside-after-en-phone');
  } catch (e) {
    await shot(s, 'set-aside-failed').catch(() => {});
    const pill = await pillText(s).catch(() => '?');
    throw new Error(`${e.message} (attention pill: "${pill}", sync: "${await syncText(s).catch(() => '?')}")`);
  } finally {
    await s.close();
  }
});
