import { test } from 'node:test';
import assert from 'node:assert/strict';
import { savedMessage } from '../src/notice.js';

test('a save past the retention window says, in plain words, that the record will leave this device once sent', () => {
  assert.equal(savedMessage('en', 'saved', null), 'Saved. It will be sent when there is a connection.');
  assert.equal(savedMessage('en', 'saved', undefined), 'Saved. It will be sent when there is a connection.');
  const en = savedMessage('en', 'saved', 30);
  assert.match(en, /^Saved\. It will be sent when there is a connection\. /);
  assert.match(en, /more than 30 days ago/);
  assert.match(en, /kept on this device until it is sent, then removed from this device, as your organization asks/);
  assert.match(en, /Your organization keeps it/);
  const fr = savedMessage('fr', 'saved', 30);
  assert.match(fr, /^Enregistré\./);
  assert.match(fr, /plus de 30 jours/);
  assert.match(fr, /gardé sur cet appareil jusqu\u2019à son envoi, puis retiré de cet appareil, comme votre organisme le demande/);
  assert.doesNotMatch(fr, /\{days\}|retention_notice/);
  assert.match(savedMessage('en', 'saved', 1), /more than 1 day ago/);
  assert.match(savedMessage('fr', 'changed', 1), /plus d\u2019un jour/);
  assert.match(savedMessage('en', 'saved', 0), /0 days/, 'a number is a number, even 0');
});
