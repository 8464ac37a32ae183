// Keyboard only, in the real app: log the common overdose response with Enter and the arrow
// keys, skip the check-in, then hide the app with Escape twice. Keys go to the element, as a
// keyboard or a switch device would send them.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, enrolledProfile, cleanup } from './harness.mjs';
import { openApp, shown } from './app.mjs';

after(cleanup);

const ENTER = '\uE007';
const RIGHT = '\uE014';
const LEFT = '\uE012';
const ESCAPE = '\uE00C';

test('keyboard only: an overdose response, the check-in skipped, then Escape twice hides', { timeout: 120000 }, async () => {
  const server = await startServer();
  const s = await openApp(enrolledProfile(server));
  const keys = async (css, text) => s.cmd('POST', `/element/${await s.find(css)}/value`, { text });
  const checked = (name) => s.execute(`return document.querySelector('input[name="${name}"]:checked').value;`);
  try {
    await keys('#log-overdose_response', ENTER);
    await shown(s, '#activity');
    assert.equal(await s.execute('return document.activeElement.id;'), 'activity-title', 'focus moves to the form’s title');
    await keys('#od-doses-0', RIGHT + RIGHT); // None → 1 → 2
    assert.equal(await checked('od-doses'), '2');
    await keys('#od-911-unknown', LEFT + LEFT); // Don't know → No → Yes
    assert.equal(await checked('od-911'), 'yes');
    assert.equal(await checked('od-outcome'), 'survived');
    await keys('#activity-save', ENTER);
    await shown(s, '#checkin');
    await keys('#checkin-skip', ENTER);
    await shown(s, '#home');
    assert.match(await s.text('#today-list'), /2 naloxone · 911: Yes · Survived/);

    await keys('#log-training', ESCAPE + ESCAPE);
    await shown(s, '#lock');
    assert.doesNotMatch(await s.execute('return document.getElementById("main").innerText;'), /naloxone/i);
  } finally {
    await s.close();
  }
});
