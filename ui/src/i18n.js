// Every string the worker sees, in English and French (i18n/en.js, i18n/fr.js). Plain words;
// "people reached", never "clients". Keys are stable; a missing French string falls back to
// English (the unit tests make sure none is missing).

import en from './i18n/en.js';
import fr from './i18n/fr.js';

export const STRINGS = { en, fr };

export const LANGS = ['en', 'fr'];

/** The string `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export function t(lang, key, vars = {}) {
  const table = STRINGS[lang] || STRINGS.en;
  const s = table[key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}
