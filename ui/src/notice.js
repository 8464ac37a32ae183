// What the worker is told when a record is saved: the usual words, and, when the core says
// the record is already older than the organization keeps records on devices, that it will
// leave this device once it is sent (records/purge.rs would otherwise remove it silently).
// Pure, so node can test it.

import { t } from './i18n.js';

/** How long a toast that carries the retention notice stays up (it is longer to read). */
export const NOTICE_MS = 15000;

/** The message after a save: `base` (a string key), then the notice if `days` is a number. */
export function savedMessage(lang, base, days) {
  const saved = t(lang, base);
  if (!Number.isInteger(days)) return saved;
  return `${saved} ${t(lang, days === 1 ? 'retention_notice_one' : 'retention_notice', { days })}`;
}
