// The tally in the real app (issue 14): the worker opens the Tally from the open shift and taps
// counters; the app process is SIGKILLed in the middle of a burst of taps and started again,
// and every tap the app had confirmed (shown the core's answer for) is still there. Ending the
// shift turns the tally into ordinary records, marked "source": "tally". An aggregate entry for
// past days goes through the activity form. Screenshots of the tally and the form at phone and
// desktop sizes, in English and French (tests/e2e/out/tally/), and axe-core inside the webview.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, OUT, PIN, ROOT, startServer, enrolledProfile, startDriver, exportCsv, cleanup } from './harness.mjs';
import { Session } from './webdriver.mjs';
import { shown, save, sendNow, rowsFor } from './app.mjs';

after(cleanup);

const DIR = join(OUT, 'tally');
mkdirSync(DIR, { recursive: true });
const AXE = readFileSync(join(ROOT, 'ui', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const SIZES = { phone: [360, 740], desktop: [1280, 800] };

async function axe(s) {
  const loaded = await s.execute('return typeof window.axe === "object";');
  if (!loaded) await s.execute(`${AXE}\nreturn true;`);
  return s.executeAsync(`const done = arguments[arguments.length - 1];
    window.axe.run(document, { resultTypes: ['violations'] })
      .then((r) => done({ passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })) }))
      .catch((e) => done({ passes: 0, violations: [{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }] }));`);
}

const cli = (profile, args) => execFileSync(BIN.cli, ['--data-dir', profile, ...args], { env: { ...process.env, SHIFTLOG_PIN: PIN } }).toString();

/** The app's own process: the one running BIN.app among the driver's descendants. */
function appPids(rootPid) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [];
  const walk = (pid) => {
    for (const k of kids.get(pid) ?? []) {
      try {
        if (readFileSync(`/proc/${k}/cmdline`, 'utf8').split('\0')[0] === BIN.app) out.push(k);
      } catch { /* gone */ }
      walk(k);
    }
  };
  walk(rootPid);
  return out;
}

/** Launches the app on `profile`, unlocked; returns the session and its driver. */
async function launch(profile, lang) {
  const driver = await startDriver(profile);
  const s = await Session.create(driver.base, { browserName: 'wry', 'tauri:options': { application: BIN.app } });
  await s.waitFor('body[data-ready="true"]', 30000);
  await s.setValue('#lock-lang', lang);
  await s.setValue('#autolock', '5');
  await s.type('#pin', PIN);
  await s.click('#unlock-submit');
  await s.waitFor('#home:not([hidden])');
  return { s, driver };
}

const count = (s, key) => s.execute(`return Number(document.getElementById(arguments[0])?.textContent ?? NaN);`, [`tally-${key.replace(':', '-')}-count`]);

async function openTally(s) {
  await shown(s, '#shift-tally');
  await s.click('#shift-tally');
  await shown(s, '#tally');
  await s.waitFor('#tally-people .tally-row');
}

test('the tally: taps survive a SIGKILL of the app, and become records when the shift ends', { timeout: 600000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  cli(profile, ['shift', 'start', '--pay', 'paid']);
  const problems = [];
  const seen = [];
  let { s, driver } = await launch(profile, 'en');
  const capture = async (name, lang, size) => {
    await s.setSize(...SIZES[size]);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(DIR, `${name}-${lang}-${size}.png`), await s.screenshot());
    seen.push(`${name}-${lang}-${size}`);
    if (size !== 'phone') return;
    const result = await axe(s);
    assert.ok(result.passes > 10, `axe-core checked only ${result.passes} rules on ${name}`);
    for (const v of result.violations) if (v.impact === 'serious' || v.impact === 'critical') problems.push({ screen: `${name} (${lang})`, ...v });
  };
  await s.setSize(...SIZES.phone);
  await capture('home-shift', 'en', 'phone');
  await openTally(s);
  const item = await s.execute('return document.querySelector("#tally-items .tally-more").id.replace(/^tally-item-/, "").replace(/-more$/, "");');
  const itemKey = `item:${item}`;
  const people = 'people:outreach_contact';
  const click = (key, dir) => s.click(`#tally-${key.replace(':', '-')}-${dir}`);
  for (let i = 0; i < 5; i++) await click(itemKey, 'more');
  await click(itemKey, 'less');
  for (let i = 0; i < 3; i++) await click(people, 'more');
  await click('people:meal_service', 'less'); // at 0: stays 0
  await s.waitUntil(async () => (await count(s, itemKey)) === 4 && (await count(s, people)) === 3, 20000, 'the taps to be saved');
  assert.equal(await count(s, 'people:meal_service'), 0);
  await top(s);
  await capture('tally', 'en', 'phone');
  await into(s, '#tally-people-box');
  await capture('tally-people', 'en', 'phone');
  await top(s);
  await capture('tally', 'en', 'desktop');

  // A burst of taps, and the app killed in the middle of it.
  await s.execute(`const b = document.getElementById(arguments[0]); for (let i = 0; i < 30; i++) b.click(); return true;`, [`tally-${itemKey.replace(':', '-')}-more`]);
  await new Promise((r) => setTimeout(r, 40));
  const confirmed = await count(s, itemKey);
  const pids = appPids(driver.child.pid);
  assert.equal(pids.length, 1, `the app's process: ${pids}`);
  process.kill(pids[0], 'SIGKILL');
  try { process.kill(-driver.child.pid, 'SIGKILL'); } catch { /* gone with it */ }
  eprint(`killed the app with ${confirmed - 4} of 30 burst taps confirmed`);

  // Started again: every confirmed tap is there, and none that was never made.
  ({ s, driver } = await launch(profile, 'fr'));
  await s.setSize(...SIZES.phone);
  await openTally(s);
  const after = await count(s, itemKey);
  eprint(`after the restart: ${after} (confirmed ${confirmed}, made at most 34)`);
  assert.ok(after >= confirmed && after <= 34, `${after} after the restart, ${confirmed} confirmed before the kill`);
  assert.equal(await count(s, people), 3);
  await top(s);
  await capture('tally', 'fr', 'phone');
  await into(s, '#tally-people-box');
  await capture('tally-people', 'fr', 'phone');
  await top(s);
  await capture('tally', 'fr', 'desktop');

  // An aggregate entry for past days, through the activity form.
  await s.click('#tally-done');
  await shown(s, '#home');
  for (const lang of ['fr', 'en']) {
    if (lang === 'en') await s.setValue('#lang', 'en').catch(() => {});
    await s.click('#log-outreach_contact');
    await shown(s, '#activity');
    await s.execute('document.getElementById("f-period").open = true; return true;');
    await into(s, '#f-period');
    await capture('activity-period', lang, 'phone');
    if (lang === 'fr') {
      await s.click('#activity-cancel');
      await shown(s, '#home');
    }
  }
  const day = (n) => { const d = new Date(Date.now() - n * 86400000); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; };
  await s.setValue('#f-period-from', day(13));
  await s.setValue('#f-period-to', day(7));
  await s.execute('const el = document.querySelector("#activity-fields input[type=number]"); if (el) { el.value = "25"; el.dispatchEvent(new Event("change", { bubbles: true })); } return true;');
  await save(s, '#home, #checkin');

  // Ending the shift: the tally becomes records.
  await s.setSize(...SIZES.phone);
  if (!(await s.visible('#home'))) { await s.click('#nav button[data-screen="home"]'); await shown(s, '#home'); }
  await s.click('#shift-end');
  await s.waitUntil(async () => !(await s.visible('#shift-tally')), 20000, 'the shift to end');
  await capture('home-ended', 'en', 'phone');
  const list = JSON.parse(cli(profile, ['--json', 'list']));
  const fromTally = list.filter((r) => r.body.source === 'tally');
  const supplies = fromTally.find((r) => r.kind === 'supplies_distributed');
  assert.deepEqual(supplies?.body.items, [{ item, quantity: after }], JSON.stringify(fromTally));
  assert.equal(fromTally.find((r) => r.kind === 'outreach_contact')?.body.people_reached, 3);
  assert.equal(fromTally.length, 2, 'no record for a counter at 0');
  const aggregate = list.find((r) => r.body.period);
  assert.deepEqual(aggregate?.body.period, { from: day(13), to: day(7) }, JSON.stringify(list.map((r) => r.body)));
  assert.ok(await s.text('#today-list').then((t) => /Outreach contact/.test(t)));
  // And they reach the organization's server like any record (its check accepts the marker).
  await sendNow(s);
  const ids = [...fromTally, aggregate].map((r) => r.id);
  await s.waitUntil(async () => rowsFor(await exportCsv(server), ids).length === 3, 30000, 'the tally records and the aggregate entry to reach the server');

  writeFileSync(join(DIR, 'axe.json'), JSON.stringify({ serious_or_critical: problems, seen }, null, 2));
  assert.deepEqual(problems, [], `axe-core found serious or critical problems:\n${JSON.stringify(problems, null, 2)}`);
});

const top = (s) => s.execute('window.scrollTo(0, 0); return true;');
const into = (s, css) => s.execute('document.querySelector(arguments[0]).scrollIntoView({ block: "center" }); return true;', [css]);

function eprint(m) { process.stderr.write(`${m}\n`); }
