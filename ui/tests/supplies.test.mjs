// The supplies body the form sends: what was handed out, which naloxone kits replace one and
// why, and what was brought back, each its own lines (docs/records.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../src/bodies.js';
import en from '../src/i18n/en.js';
import fr from '../src/i18n/fr.js';

const order = ['naloxone_kit_nasal', 'naloxone_kit_injectable', 'syringes'];

test('returns never count as handed out, and a reason goes with the kits it is for', () => {
  const body = B.suppliesBody(
    { naloxone_kit_nasal: '2', syringes: '10', naloxone_kit_injectable: '0' },
    { naloxone_kit_nasal: 'used', naloxone_kit_injectable: 'lost' },
    { syringes: '40', naloxone_kit_nasal: '0' },
    order,
  );
  assert.deepEqual(body, {
    items: [{ item: 'naloxone_kit_nasal', quantity: 2 }, { item: 'syringes', quantity: 10 }],
    // No injectable kit was handed out: its reason is left out.
    replaced: [{ item: 'naloxone_kit_nasal', quantity: 2, reason: 'used' }],
    returned: [{ item: 'syringes', quantity: 40 }],
  });
});

test('returns alone make a record, and a stored body gives its reasons back to the form', () => {
  assert.deepEqual(B.suppliesBody({}, {}, { syringes: 40 }, order),
    { items: [], replaced: [], returned: [{ item: 'syringes', quantity: 40 }] });
  assert.deepEqual(B.reasonsOf({ replaced: [{ item: 'naloxone_kit_nasal', quantity: 1, reason: 'expired' }] }),
    { naloxone_kit_nasal: 'expired' });
  assert.deepEqual(B.reasonsOf({ items: [] }), {});
});

test('the words for replacements and returns are there in English and French', () => {
  for (const k of ['replaces_kit', 'replaces_none', 'brought_back']) {
    assert.ok(en[k] && fr[k] && en[k] !== fr[k], k);
  }
});
