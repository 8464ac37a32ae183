// My pay in the real app: the worker notes two payments (one for a shift), shares one line
// with its organization after a question that says who will see it, and sends it. The real
// server's export then holds the shared line's amount and not the other; the summary screen
// sets paid hours against money received. Screenshots of the pay screen, the question and the
// summary at phone and desktop sizes, in English and French (tests/e2e/out/pay/), and axe-core
// inside the real webview with no serious or critical violation.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, OUT, PIN, ROOT, startServer, enrolledProfile, exportCsv, cleanup } from './harness.mjs';
import { openApp, shown, tap, nav, sendNow } from './app.mjs';

after(cleanup);

const DIR = join(OUT, 'pay');
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

/** A shift of three hours that ended an hour ago, written with the CLI (the same core). */
function pastShift(profile) {
  const at = (h) => new Date(Date.now() - h * 3600000).toISOString();
  const env = { ...process.env, SHIFTLOG_PIN: PIN };
  execFileSync(BIN.cli, ['--data-dir', profile, 'shift', 'start', '--pay', 'paid', '--at', at(4)], { env });
  execFileSync(BIN.cli, ['--data-dir', profile, 'shift', 'end', '--at', at(1)], { env });
}

/** The id of the ledger line whose text holds `words`. */
function lineId(s, words) {
  return s.execute(`return [...document.querySelectorAll('#pay-list li')].find((li) => li.textContent.includes(${JSON.stringify(words)}))?.dataset.id ?? null;`);
}

async function addPayment(s, amount, method, { shift = false, note = '' } = {}) {
  await s.click('#pay-amount');
  await s.type('#pay-amount', amount);
  await tap(s, 'pay-method', method);
  if (shift) await s.click('#pay-shifts label.check');
  if (note) await s.type('#pay-note', note);
  const before = (await s.execute('return document.querySelectorAll("#pay-list li").length;'));
  await s.click('#pay-save');
  await s.waitUntil(async () => (await s.execute('return document.querySelectorAll("#pay-list li").length;')) > before
    || (await s.visible('#pay-error')), 20000, 'the payment to be saved');
  if (await s.visible('#pay-error')) assert.fail(`the app refused the payment: ${await s.text('#pay-error')}`);
}

test('the pay ledger: note, share one line with plain words, the summary; phone and desktop, English and French', { timeout: 600000 }, async () => {
  const server = await startServer();
  const profile = enrolledProfile(server);
  pastShift(profile);
  const s = await openApp(profile, { lang: 'en' });
  const problems = [];
  const seen = [];
  const capture = async (name, lang, size) => {
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(DIR, `${name}-${lang}-${size}.png`), await s.screenshot());
    seen.push(`${name}-${lang}-${size}`);
    if (size !== 'phone') return;
    const result = await axe(s);
    assert.ok(result.passes > 10, `axe-core checked only ${result.passes} rules on ${name}`);
    for (const v of result.violations) if (v.impact === 'serious' || v.impact === 'critical') problems.push({ screen: `${name} (${lang})`, ...v });
  };
  try {
    await s.setSize(...SIZES.phone);
    await nav(s, 'pay');
    assert.match(await s.text('#pay'), /stays on this device/);
    await capture('pay-empty', 'en', 'phone');

    await addPayment(s, '41.37', 'e_transfer', { shift: true, note: 'weekly stipend' });
    await addPayment(s, '25', 'cash');
    const list = await s.text('#pay-list');
    assert.match(list, /\$41\.37/);
    assert.match(list, /\$25\.00/);
    assert.equal((list.match(/Only on this device/g) || []).length, 2, list);

    // Sharing asks first, and says who will see what and what stays.
    const id = await lineId(s, '$41.37');
    assert.ok(id, 'the 41.37 line');
    await s.click(`#pay-list li[data-id="${id}"] [data-action="share"]`);
    await shown(s, `#pay-list li[data-id="${id}"] .pay-ask`);
    const question = await s.text(`#pay-list li[data-id="${id}"] .pay-ask`);
    assert.match(question, /Staff at Demo Harm Reduction Society will see \$41\.37/);
    assert.match(question, /Your note and your other lines stay on this device/);
    await s.execute(`document.querySelector('#pay-list li[data-id="${id}"] .pay-ask').scrollIntoView({ block: 'center' });`);
    await capture('pay-share-question', 'en', 'phone');
    await s.click(`#pay-list li[data-id="${id}"] [data-action="share-yes"]`);
    await s.waitUntil(async () => /Shared with/.test(await s.text(`#pay-list li[data-id="${id}"]`)), 20000, 'the line to be shared');
    await sendNow(s);
    await s.waitUntil(async () => {
      await nav(s, 'pay');
      return /its staff can see this line/.test(await s.text(`#pay-list li[data-id="${id}"] .pay-state`));
    }, 30000, 'the shared line to be sent');

    // The server holds the shared line, not the other one, and never the note.
    const csv = await exportCsv(server);
    assert.match(csv, /4137/, 'the shared line is on the server');
    assert.doesNotMatch(csv, /2500|25\.00/, 'the other line stays on the device');
    assert.doesNotMatch(csv, /weekly stipend/, 'the note never leaves');

    // Changing a line: the form fills in, the change is saved on the device.
    const cashId = await lineId(s, '$25.00');
    await s.click(`#pay-list li[data-id="${cashId}"] [data-action="change"]`);
    await shown(s, '#pay-cancel');
    assert.equal(await s.execute('return document.getElementById("pay-amount").value;'), '25.00');
    await capture('pay-change', 'en', 'phone');
    await s.type('#pay-amount', '30');
    await s.click('#pay-save');
    await s.waitUntil(async () => /\$30\.00/.test(await s.text('#pay-list')), 20000, 'the change to be saved');
    assert.doesNotMatch(await s.text('#pay-list'), /\$25\.00/);
    assert.equal(await s.visible('#pay-cancel'), false);

    for (const lang of ['en', 'fr']) {
      await nav(s, 'settings');
      await s.setValue('#lang', lang);
      for (const [size, [w, h]] of Object.entries(SIZES)) {
        await s.setSize(w, h);
        await nav(s, 'pay');
        await s.waitFor('#pay-list li');
        await capture('pay', lang, size);
        await s.execute('window.scrollTo(0, document.body.scrollHeight);');
        await capture('pay-list', lang, size);
        await s.execute('window.scrollTo(0, 0);');
        await nav(s, 'summary');
        await s.waitFor('#pay-summary .pay-month');
        const table = await s.text('#pay-summary');
        if (lang === 'en') {
          assert.match(table, /Paid hours and money received/);
          assert.match(table, /\$71\.37/, table);
          assert.match(table, /3 h|3\.0 h/, table);
        } else {
          assert.match(table, /Heures payées et argent reçu/);
          assert.match(table, /71,37\s\$/, table);
        }
        await s.execute('document.getElementById("pay-summary").scrollIntoView();');
        await capture('summary-pay', lang, size);
      }
    }
  } finally {
    writeFileSync(join(DIR, 'axe.json'), JSON.stringify({ serious_or_critical: problems }, null, 2));
    await s.close();
  }
  assert.ok(seen.length >= 14, `only ${seen.length} screenshots`);
  assert.deepEqual(problems, [], `axe-core found serious or critical problems:\n${JSON.stringify(problems, null, 2)}`);
});
