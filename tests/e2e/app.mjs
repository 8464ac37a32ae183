// Opening the real app on a profile, and the few gestures every end-to-end test repeats.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from './webdriver.mjs';
import { BIN, OUT, PIN, startDriver } from './harness.mjs';

/** Launches the app through tauri-driver on `profile` and unlocks it with the PIN. */
export async function openApp(profile, { unlock = true, lang = 'en', env = {} } = {}) {
  const driver = await startDriver(profile, env);
  const s = await Session.create(driver.base, { browserName: 'wry', 'tauri:options': { application: BIN.app } });
  await s.waitFor('body[data-ready="true"]', 30000);
  // The language is kept by the webview across runs; each test says which one it reads.
  await s.setValue('#lock-lang', lang);
  await s.setValue('#autolock', '5'); // also kept by the webview; a test may have changed it
  if (unlock) {
    await s.type('#pin', PIN);
    await s.click('#unlock-submit');
    await s.waitFor('#home:not([hidden]), #orgs:not([hidden])');
  }
  return s;
}

/** Waits until `css` is shown (not inside anything hidden). */
export async function shown(s, css, ms = 20000) {
  try {
    return await s.waitUntil(() => s.visible(css), ms, `${css} to be shown`);
  } catch (e) {
    const screen = await s.execute('return [...document.querySelectorAll("main > section:not([hidden])")].map((x) => x.id).join(",");').catch(() => '?');
    await shot(s, `failed-${css.replace(/[^\w-]+/g, '_')}`).catch(() => {});
    throw new Error(`${e.message} (screen shown: ${screen})`);
  }
}

/** Picks an option of a group of large radio buttons by tapping its label. */
export function tap(s, name, value) {
  return s.click(`label[for="${name}-${value}"]`);
}

/** Goes to a main screen with the navigation bar. */
export async function nav(s, screen) {
  await s.click(`#nav button[data-screen="${screen}"]`);
  await shown(s, `#${screen}`);
}

/** Saves the open activity form and waits for the screen that follows. */
export async function save(s, next = '#home') {
  await s.click('#activity-save');
  await s.waitUntil(async () => (await s.visible(next)) || (await s.visible('#form-error')), 20000, 'the form to be saved');
  if (await s.visible('#form-error')) assert.fail(`the app refused the form: ${await s.text('#form-error')}`);
}

/** The sync pill's text. */
export function syncText(s) {
  return s.text('#sync-state');
}

/** Sends now (the button shows when something waits and the app is enrolled). */
export async function sendNow(s) {
  if (await s.visible('#send-now')) await s.click('#send-now');
}

export async function shot(s, name) {
  writeFileSync(join(OUT, `${name}.png`), await s.screenshot());
}

/** Rows of the organization's CSV export whose first cell is one of `ids`. */
export function rowsFor(csv, ids) {
  return csv.split(/\r?\n/).filter((l) => ids.some((id) => l.startsWith(id)));
}

/** A CSV cell's JSON, readable: doubled quotes undone. */
export function unquote(line) {
  return line.replace(/""/g, '"');
}
