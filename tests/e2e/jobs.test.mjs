// The three jobs of the domain brief, end to end in the real desktop app (tauri-driver,
// WebKitGTK under Xvfb) with a real organization server that is stopped to play "no signal".

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, startServer, stopServer, restartServer, enrolledProfile, exportCsv, cleanup } from './harness.mjs';
import { openApp, shown, tap, nav, save, syncText, sendNow, shot, rowsFor, unquote } from './app.mjs';

after(cleanup);

/** Ids of the records in a list, newest first. */
function ids(s, list) {
  return s.execute(`return [...document.querySelectorAll(arguments[0] + ' li')].map((li) => li.dataset.id);`, [list]);
}

async function waitAllSent(s) {
  await s.waitUntil(async () => {
    await sendNow(s);
    return /All sent/.test(await syncText(s));
  }, 60000, 'everything to be sent');
}

test('job 1: an outreach shift offline — two hand-outs, an overdose response, a debrief asked for — then synced', { timeout: 240000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  await stopServer(server);
  const s = await openApp(profile);
  try {
    // Start a shift: the role says plainly what it expects.
    await s.click('#shift-start');
    await shown(s, '#shift');
    assert.match(await s.text('label[for="role-outreach"]'), /Outreach worker[\s\S]*hand out supplies/);
    await tap(s, 'role', 'outreach');
    await tap(s, 'pay', 'paid');
    await s.setValue('#shift-area', 'downtown');
    await s.click('#shift-save');
    await shown(s, '#shift-end');
    assert.match(await s.text('#shift-status'), /On shift since/);
    assert.match(await s.text('#shift-role'), /Outreach worker · Paid · Downtown/);

    // Two supply hand-outs.
    await s.click('#log-supplies_distributed');
    await shown(s, '#more-qty-naloxone_kit');
    await s.click('#more-qty-naloxone_kit');
    await s.click('#more-qty-naloxone_kit');
    await save(s);
    await s.click('#log-supplies_distributed');
    await shown(s, '#qty-syringes');
    await s.type('#qty-syringes', '10');
    await s.click('#more-qty-test_strips');
    await save(s);

    // The common overdose case: three taps after the quick-log button.
    await s.click('#log-overdose_response');
    await shown(s, '#activity');
    await tap(s, 'od-doses', '2'); // 1
    await tap(s, 'od-911', 'yes'); // 2
    await save(s, '#checkin'); // 3
    // A check-in is offered, not forced; this worker asks for a debrief and shares only that.
    assert.match(await s.text('#checkin-title'), /Check in/);
    assert.ok(await s.visible('#checkin-skip'));
    await tap(s, 'wellbeing', '2');
    await s.click('#checkin-debrief');
    await s.click('#checkin-share');
    await s.type('#checkin-note', 'rough one, need to talk');
    await s.click('#checkin-save');
    await shown(s, '#home');

    await s.click('#shift-end');
    await shown(s, '#shift-start');

    const today = await ids(s, '#today-list');
    assert.equal(today.length, 3, 'three activities today');
    const rows = await s.text('#today-list');
    assert.match(rows, /2 × Naloxone kit/);
    assert.match(rows, /10 × Syringes, 1 × Drug test strips/);
    assert.match(rows, /2 naloxone · 911: Yes · Survived/);
    assert.doesNotMatch(rows, /Sent/);
    await s.waitUntil(async () => /Offline · \d+ waiting, safe on this device/.test(await syncText(s)), 30000, 'the app to say it is offline');
    const waiting = Number(await s.attr('#sync-state', 'data-waiting'));
    assert.equal(waiting, 5, 'a shift, three activities and the debrief request wait');
    await shot(s, 'job1-offline');

    // The signal comes back.
    await restartServer(server);
    await waitAllSent(s);
    await s.waitUntil(async () => (await s.text('#today-list')).match(/Sent/g)?.length === 3, 20000, 'rows to say Sent');
    await shot(s, 'job1-synced');

    const csv = await exportCsv(server);
    const lines = rowsFor(csv, today);
    assert.equal(lines.length, 3, csv);
    const od = unquote(lines.find((l) => l.includes('overdose_response')) ?? '');
    assert.match(od, /"called_911":"yes"/);
    assert.match(od, /"doses":2/);
    assert.match(od, /"outcome":"survived"/);
    assert.match(csv, /debrief_request/, 'the shared debrief request reached the organization');
    assert.doesNotMatch(csv, /rough one/, 'the private note never leaves the device');
    assert.match(csv, /,shift,|shift/);

    // The check-in is the worker's own, listed on the device only, with its private note.
    await nav(s, 'records');
    await s.setValue('#records-filter', 'checkins');
    await s.waitFor('#records-list li[data-kind="checkin"]');
    const mine = await s.text('#records-list');
    assert.match(mine, /Check-in · Not great/);
    assert.match(mine, /Debrief asked for, shared with my organization/);
    assert.match(mine, /rough one, need to talk/);
    assert.equal((await s.findAll('#records-list [data-action="share"]')).length, 0, 'already shared');
    await shot(s, 'job1-checkins');
  } finally {
    await s.close();
  }
});

test('job 2: a week of accompaniments logged with no signal, then synced once, nothing duplicated', { timeout: 240000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  await stopServer(server);
  const s = await openApp(profile);
  try {
    const tasks = ['housing', 'income_assistance', 'id', 'health_appointment', 'bank_account', 'legal', 'housing'];
    for (let d = 6; d >= 0; d -= 1) {
      await s.click('#log-systems_navigation');
      await shown(s, '#activity');
      await tap(s, 'nav-task', tasks[d]);
      await tap(s, 'nav-contact', 'accompaniment');
      await s.type('#f-minutes', '60');
      await s.type('#f-travel', '30');
      if (d > 0) {
        await tap(s, 'f-when', 'earlier');
        const when = new Date(Date.now() - d * 86400000);
        const pad = (n) => String(n).padStart(2, '0');
        await s.setValue('#f-when-at', `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T10:30`);
      }
      await save(s);
    }
    await nav(s, 'records');
    await s.setValue('#records-filter', 'activity');
    await s.waitUntil(async () => (await ids(s, '#records-list')).length === 7, 20000, 'seven records listed');
    const week = await ids(s, '#records-list');
    assert.equal(new Set(week).size, 7);
    assert.doesNotMatch(await s.text('#records-list'), /Sent/);
    await s.waitUntil(async () => /Offline · 7 waiting/.test(await syncText(s)), 30000, 'offline with 7 waiting');
    await shot(s, 'job2-offline');

    await restartServer(server);
    await waitAllSent(s);
    await s.waitUntil(async () => (await s.text('#records-list')).match(/Sent/g)?.length === 7, 20000, 'rows to say Sent');
    // Sending again changes nothing.
    // Shown and clicked in one step: the status poll hides it again when nothing waits.
    await s.execute('const b = document.getElementById("send-now"); b.hidden = false; b.click();');
    await new Promise((r) => setTimeout(r, 1500));
    const csv = await exportCsv(server);
    const lines = rowsFor(csv, week);
    assert.equal(lines.length, 7, csv);
    for (const id of week) assert.equal(lines.filter((l) => l.startsWith(id)).length, 1, `exactly one row for ${id}`);
    assert.ok(lines.every((l) => /"contact_type":"accompaniment"/.test(unquote(l))));
    await shot(s, 'job2-synced');
  } finally {
    await s.close();
  }
});

test('job 3: the worker’s own summary shows paid and unpaid hours and the work done', { timeout: 240000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  const s = await openApp(profile);
  try {
    const pad = (n) => String(n).padStart(2, '0');
    const local = (ms) => { const d = new Date(ms); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`; };
    const base = Math.floor(Date.now() / 60000) * 60000;
    // Two shifts, started and ended in the app, then their times corrected in My records:
    // 3.5 h paid and 2 h as a volunteer.
    const shifts = [
      { pay: 'paid', from: base - 5 * 3600000, to: base - 1.5 * 3600000 },
      { pay: 'volunteer', from: base - 8 * 3600000, to: base - 6 * 3600000 }
    ];
    for (const sh of shifts) {
      await s.click('#shift-start');
      await shown(s, '#shift');
      await tap(s, 'pay', sh.pay);
      await s.click('#shift-save');
      await shown(s, '#shift-end');
      await s.click('#shift-end');
      await shown(s, '#shift-start');
      await nav(s, 'records');
      await s.setValue('#records-filter', 'shift');
      await s.waitFor('#records-list li');
      await s.click('#records-list li [data-action="edit"]');
      await shown(s, '#shift');
      await s.setValue('#shift-started', local(sh.from));
      await s.setValue('#shift-ended', local(sh.to));
      await s.click('#shift-save');
      await shown(s, '#records');
      await nav(s, 'home');
    }
    // Off shift: an overdose response with two doses.
    await s.click('#log-overdose_response');
    await tap(s, 'od-doses', '2');
    await tap(s, 'od-911', 'no');
    await save(s, '#checkin');
    await s.click('#checkin-skip');
    await shown(s, '#home');

    await nav(s, 'summary');
    await s.setValue('#summary-period', 'year');
    const fig = (key) => s.text(`#summary-out section[data-org="all"] [data-key="${key}"] dd`);
    let last;
    await s.waitUntil(async () => (last = await fig('paid_hours')) === '3.5 h', 20000, 'paid hours')
      .catch(async (e) => { await shot(s, 'job3-failed'); throw new Error(`${e.message}; paid hours shown: ${last}`); });
    assert.equal(await fig('unpaid_hours'), '2 h');
    assert.equal(await fig('activities'), '1');
    assert.equal(await fig('kind:overdose_response'), '1');
    assert.equal(await fig('naloxone_doses'), '2');
    assert.equal(await fig('off_shift_activities'), '1');
    // The printable page is ready for the webview's print (and "save as PDF").
    const printed = await s.execute('return document.getElementById("print-area").textContent;');
    assert.match(printed, /My work summary/);
    assert.match(printed, /3\.50/);
    assert.ok(await s.visible('#summary-print'));
    await shot(s, 'job3-summary');

    // A second organization, kept on this device only, where the worker took a training.
    await s.click('#org-button');
    await shown(s, '#orgs');
    assert.match(await s.text('#orgs-list'), /Demo Harm Reduction Society/);
    await s.type('#local-name', 'Night Shelter');
    await s.click('#local-submit');
    await s.waitUntil(async () => /Night Shelter/.test(await s.text('#orgs-list')), 20000, 'the new organization');
    assert.match(await s.text('#orgs-list'), /Kept on this device only/);
    await nav(s, 'home');
    await shown(s, '#org-switch-box');
    await s.setValue('#org-switch', 'local-night-shelter');
    await s.waitUntil(async () => (await s.text('#org-name')) === 'Night Shelter', 20000, 'logging for Night Shelter');
    await s.click('#log-training');
    await shown(s, '#activity');
    await s.type('#f-topic', 'Naloxone refresher');
    await s.type('#f-minutes', '90');
    await save(s);
    assert.match(await s.text('#toast'), /Saved on this device/);

    await nav(s, 'summary');
    await s.waitUntil(async () => (await fig('trainings')) === '1', 20000, 'training counted across organizations');
    assert.equal(await fig('paid_hours'), '3.5 h');
    const perOrg = (org, key) => s.text(`#summary-out section[data-org="${org}"] [data-key="${key}"] dd`);
    assert.equal(await perOrg('local-night-shelter', 'trainings'), '1');
    assert.equal(await perOrg('local-night-shelter', 'paid_hours'), '0 h');
    assert.equal(await perOrg('demo', 'paid_hours'), '3.5 h');
    assert.equal(await perOrg('demo', 'trainings'), '0');
    await s.setValue('#summary-org', 'demo');
    // The sections of every organization are already there: wait for the one-organization view.
    await s.waitUntil(async () => (await s.execute('return document.querySelectorAll("#summary-out section[data-org]").length;')) === 1, 20000, 'one organization only');
    assert.equal(await s.text('#summary-out section[data-org="demo"] [data-key="trainings"] dd'), '0');
    await s.setValue('#summary-org', '');

    // In French, the same numbers, written the French way.
    await nav(s, 'settings');
    await s.setValue('#lang', 'fr');
    await nav(s, 'summary');
    await s.waitUntil(async () => (await fig('paid_hours')) === '3,5 h', 20000, 'paid hours in French');
    assert.equal(await s.text('#summary-title'), 'Mon résumé');
    await shot(s, 'job3-summary-fr');

    // "Imprimer ou enregistrer en PDF" opens the system's print dialog (its "Print to File"
    // printer makes the PDF), seen as a new window on the X display.
    await s.click('#summary-print');
    await s.waitUntil(() => /"(Print|Imprimer)"/.test(execFileSync('xwininfo', ['-root', '-tree']).toString()), 20000, 'the print dialog');
    assert.ok(!(await s.visible('#fatal')), 'no error shown');
    writeFileSync(join(OUT, 'job3-print-dialog.png'), execFileSync('import', ['-window', 'root', 'png:-']));
  } finally {
    await s.close();
  }
});
