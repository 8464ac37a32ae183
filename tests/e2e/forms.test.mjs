// The forms of built-in kinds are drawn from the core's kind definitions: in the real app, each
// group of choices offers exactly the definition's choices, in its order and words, starts on
// its default, and each input carries the definition's limits. In English and French.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown, nav } from './app.mjs';

after(cleanup);

// Which radio group on which form shows which field of the definition.
const GROUPS = {
  overdose_response: { 'od-route': 'naloxone.route', 'od-911': 'called_911', 'od-outcome': 'outcome' },
  systems_navigation: { 'nav-task': 'task', 'nav-contact': 'contact_type', 'nav-outcome': 'outcome', 'nav-referral': 'referral.type' },
  training: { 'tr-status': 'status' },
  shift: { pay: 'pay_type' }
};

/** The radio buttons of a group as the app drew them: value, words, checked. */
function group(s, name) {
  return s.execute(`return [...document.querySelectorAll('input[name="${name}"]')].map((i) => ({
    value: i.value, label: i.parentElement.textContent.trim(), checked: i.checked }));`);
}

const attr = (s, css, a) => s.execute(`return document.querySelector(${JSON.stringify(css)})?.getAttribute(${JSON.stringify(a)}) ?? null;`);

test('built-in forms offer the definitions’ choices, defaults and limits, in both languages', { timeout: 240000 }, async () => {
  const server = await startServer();
  const s = await openApp(enrolledProfile(server));
  try {
    // The webview keeps the last pay type and route chosen across runs; start without them.
    await s.execute('localStorage.removeItem("last_pay"); localStorage.removeItem("last_route");');
    for (const lang of ['en', 'fr']) {
      await nav(s, 'settings');
      await s.setValue('#lang', lang);
      await nav(s, 'home');
      const kinds = await s.executeAsync(`const done = arguments[arguments.length - 1];
        window.__TAURI__.core.invoke('kind_definitions', { lang: '${lang}', orgId: null }).then(done, (e) => done({ error: String(e.message || e) }));`);
      assert.ok(Array.isArray(kinds), JSON.stringify(kinds));
      const def = (id) => kinds.find((k) => k.id === id);
      const field = (kind, id) => def(kind).fields.find((f) => f.id === id);
      let checked = 0;
      for (const [kind, groups] of Object.entries(GROUPS)) {
        if (kind === 'shift') {
          await s.click('#shift-start');
          await shown(s, '#shift');
        } else {
          await s.click(`#log-${kind}`);
          await shown(s, '#activity');
        }
        for (const [name, path] of Object.entries(groups)) {
          const f = field(kind, path);
          const drawn = await group(s, name);
          assert.deepEqual(drawn.map((o) => o.value), f.options.map((o) => o.id), `${kind} ${path}: choices`);
          assert.deepEqual(drawn.map((o) => o.label), f.options.map((o) => o.label[lang]), `${kind} ${path}: words in ${lang}`);
          // A new record starts on the definition's default (the shift's pay type and the route
          // may start on the worker's last choice instead; this profile has none yet).
          assert.equal(drawn.find((o) => o.checked)?.value, f.default, `${kind} ${path}: default`);
          checked++;
        }
        if (kind === 'overdose_response') {
          assert.equal(await attr(s, '#od-doses-count', 'max'), String(field(kind, 'naloxone.doses').max));
          assert.equal(await attr(s, '#f-note', 'maxlength'), String(field(kind, 'note').max_chars));
          const doses = await group(s, 'od-doses');
          assert.equal(doses.find((o) => o.checked)?.value, String(field(kind, 'naloxone.doses').default));
        }
        if (kind === 'systems_navigation') {
          assert.equal(await attr(s, '#f-referral', 'maxlength'), String(field(kind, 'referral.destination').max_chars));
          assert.equal(await attr(s, '#f-travel', 'max'), String(field(kind, 'travel_minutes').max));
          assert.equal(await attr(s, '#f-money', 'max'), String(field(kind, 'out_of_pocket_cents').max / 100));
        }
        if (kind === 'training') assert.equal(await attr(s, '#f-topic', 'maxlength'), String(field(kind, 'topic').max_chars));
        await s.click(kind === 'shift' ? '#shift-cancel' : '#activity-cancel');
        await shown(s, '#home');
      }
      // Supplies: one stepper per item of the definition, bounded by its largest quantity.
      await s.click('#log-supplies_distributed');
      await shown(s, '#activity');
      const items = field('supplies_distributed', 'items');
      const steppers = await s.execute('return [...document.querySelectorAll("#activity-fields input[type=number][id^=qty-]")].map((i) => [i.id, i.max]);');
      assert.deepEqual(steppers, items.options.map((o) => [`qty-${o.id}`, String(items.max_quantity)]));
      // What was brought back has one counter per item too, with the same limit.
      const back = await s.execute('return [...document.querySelectorAll("#activity-fields input[type=number][id^=back-]")].map((i) => [i.id, i.max]);');
      assert.deepEqual(back, items.options.map((o) => [`back-${o.id}`, String(items.max_quantity)]));
      await s.click('#activity-cancel');
      await shown(s, '#home');
      assert.ok(checked >= 9, `only ${checked} groups checked`);
    }
  } finally {
    await s.close();
  }
});
