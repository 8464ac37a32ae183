// Pure: the JSON bodies of docs/records.md from a form's values (the core validates them).

import { setPath } from './defs.js';

/** Keeps a typed quantity within what the core accepts. */
export function clampQuantity(value, min = 1, max = 10000) {
  const n = Math.round(Number(value));
  if (!Number.isFinite(n) || n < min) return min;
  return Math.min(n, max);
}

/** A whole number from a form field, or null when empty. The core checks the range. */
export function intOrNull(value) {
  if (value === null || value === undefined || String(value).trim() === '') return null;
  const n = Number(String(value).replace(',', '.'));
  return Number.isFinite(n) ? Math.round(n) : null;
}

/** A trimmed string, or null when empty. */
export function textOrNull(value) {
  const s = (value ?? '').toString().trim();
  return s ? s : null;
}

/** Supply lines from {item: quantity}, leaving out zeros, in the order of `order` (item ids). */
export function supplyLines(quantities, order) {
  return Object.entries(quantities)
    .map(([item, q]) => ({ item, quantity: Math.round(Number(q) || 0) }))
    .filter((l) => l.quantity > 0)
    .sort((a, b) => order.indexOf(a.item) - order.indexOf(b.item));
}

/**
 * The supplies part of a body: what was handed out (`out`: {item: quantity}), which naloxone
 * kits replace one and why (`reasons`: {kit item: reason id}, all of that item's kits), and
 * what was brought back (`back`: {item: quantity}), each in the order of `order`
 * (docs/records.md). A reason for an item not handed out is left out.
 */
export function suppliesBody(out, reasons, back, order) {
  const items = supplyLines(out, order);
  const replaced = items
    .filter((l) => reasons?.[l.item])
    .map((l) => ({ item: l.item, quantity: l.quantity, reason: reasons[l.item] }));
  return { items, replaced, returned: supplyLines(back ?? {}, order) };
}

/** The reason of each kit item in a stored body's `replaced` lines: {item: reason}. */
export function reasonsOf(body) {
  return Object.fromEntries((body?.replaced ?? []).map((r) => [r.item, r.reason]));
}

/** An amount typed in dollars ("12,50") as cents, or null. */
export function moneyToCents(value) {
  const money = textOrNull(value);
  const cents = money === null ? null : Math.round(Number(money.replace(',', '.')) * 100);
  return Number.isFinite(cents) ? cents : null;
}

/** A form value typed as its field definition says; undefined leaves an own field out. */
function typed(field, v) {
  switch (field.type) {
    case 'integer': return intOrNull(v);
    case 'boolean': return !!v;
    case 'choice': return textOrNull(v) ?? field.default ?? null;
    case 'text_list': return String(v ?? '').split('\n').map((x) => x.trim()).filter(Boolean);
    case 'items':
    case 'replacements': return v ?? [];
    default: return textOrNull(v);
  }
}

/**
 * A body from a form's values, keyed by the definition's field paths (`naloxone.doses`).
 * `base` (the record being edited) keeps what the form does not show, fields a newer device
 * sent included. An organization's own fields (`fields.*`) left empty are left out; naloxone is null when
 * none was given, and a referral when it has no destination (docs/records.md).
 */
export function bodyFrom(def, values, base = {}) {
  let body = { ...base };
  for (const f of def?.fields ?? []) {
    if (!(f.id in values)) continue;
    const v = typed(f, values[f.id]);
    body = setPath(body, f.id, v === null && f.id.startsWith('fields.') ? undefined : v);
  }
  if (def?.id === 'overdose_response' && !(body.naloxone?.doses > 0)) body.naloxone = null;
  if (def?.id === 'systems_navigation' && !body.referral?.destination) body.referral = null;
  return body;
}

/**
 * The common fields. Without `offShift` the core links the activity to the open shift (or
 * counts it off shift when none is open); with it, the worker said it was done off shift.
 */
export function commonFields(f, base = {}) {
  const out = { ...base, area: textOrNull(f.area), note: textOrNull(f.note) };
  if ('minutes' in f) out.minutes = intOrNull(f.minutes);
  if ('people_reached' in f) out.people_reached = intOrNull(f.people_reached);
  if (f.offShift === true) {
    out.on_shift = false;
    out.shift_id = null;
  } else if (f.offShift === false && base.on_shift === false) {
    out.on_shift = true;
  }
  return out;
}

/** The role a new shift starts with: the one asked for if the catalogue has it, else the first. */
export function chooseRole(catalogue, wanted) {
  const ids = (catalogue?.roles ?? []).map((r) => r.id);
  return ids.includes(wanted) ? wanted : ids[0] ?? '';
}

/** The dose button for a number of naloxone doses: '0'…'5', or 'more' above `buttons`. */
export function doseChoice(doses, buttons = 5) {
  const n = Number(doses) || 0;
  return n > buttons ? 'more' : String(n);
}

/** The number of doses from the dose buttons, or from the count typed under "More". */
export function dosesFromChoice(choice, count) {
  return choice === 'more' ? count : choice;
}

/** Cents as the value of a money input ("12.5"), or '' for none. */
export function centsToInput(cents) {
  return cents == null ? '' : String(cents / 100);
}
