import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tallyGroups, groupTotal, counterId, periodOf, localDay } from '../src/tally.js';
import { STRINGS } from '../src/i18n.js';

const tally = {
  org_id: 'o', shift_id: 's',
  counters: [
    { key: 'item:naloxone_kit', group: 'item', id: 'naloxone_kit', label: { en: 'Naloxone kit', fr: 'Trousse de naloxone' }, count: 3 },
    { key: 'item:syringes', group: 'item', id: 'syringes', label: { en: 'Syringes', fr: 'Seringues' }, count: 0 },
    { key: 'people:outreach_contact', group: 'people', id: 'outreach_contact', label: { en: 'Outreach contact', fr: 'Contact de proximité' }, count: 12 }
  ]
};

test('counters fall into items and people reached, in the worker\'s language', () => {
  const en = tallyGroups(tally, 'en');
  assert.deepEqual(en.items.map((c) => c.label), ['Naloxone kit', 'Syringes']);
  assert.deepEqual(en.people, [{ key: 'people:outreach_contact', label: 'Outreach contact', count: 12 }]);
  assert.equal(tallyGroups(tally, 'fr').items[0].label, 'Trousse de naloxone');
  assert.equal(groupTotal(en.items), 3);
  assert.deepEqual(tallyGroups(null, 'en'), { items: [], people: [] });
});

test('counter ids are safe element ids', () => {
  assert.equal(counterId('item:naloxone_kit'), 'tally-item-naloxone_kit');
  assert.match(counterId('item:a b"<x>'), /^tally-[A-Za-z0-9_-]+$/);
});

test('a period needs one day at least; one day alone is a period of one day', () => {
  assert.equal(periodOf('', ''), null);
  assert.equal(periodOf(undefined, null), null);
  assert.deepEqual(periodOf('2026-11-23', '2026-11-29'), { from: '2026-11-23', to: '2026-11-29' });
  assert.deepEqual(periodOf('2026-11-23', ''), { from: '2026-11-23', to: '2026-11-23' });
  assert.deepEqual(periodOf('', '2026-11-29'), { from: '2026-11-29', to: '2026-11-29' });
  assert.equal(localDay(new Date(2026, 0, 5)), '2026-01-05');
});

test('every tally word is in English and French, and says "people reached"', () => {
  const keys = Object.keys(STRINGS.en).filter((k) => k.startsWith('tally_') || k.startsWith('period_'));
  assert.ok(keys.length >= 10, keys.join());
  for (const k of keys) assert.ok(STRINGS.fr[k], `fr ${k}`);
  assert.equal(STRINGS.en.tally_people, 'People reached');
  for (const lang of ['en', 'fr']) {
    for (const k of keys) assert.doesNotMatch(STRINGS[lang][k], /client|addict|abuser|junkie|toxicoman/i, `${lang} ${k}`);
  }
});
