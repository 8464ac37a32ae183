// Pure: the JSON bodies of docs/records.md from a form's values (the core validates them).

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

/** Supply lines from {item: quantity}, leaving out zeros, in catalogue order. */
export function supplyLines(quantities, catalogue) {
  const order = (catalogue?.items ?? []).map((i) => i.id);
  return Object.entries(quantities)
    .map(([item, q]) => ({ item, quantity: Math.round(Number(q) || 0) }))
    .filter((l) => l.quantity > 0)
    .sort((a, b) => order.indexOf(a.item) - order.indexOf(b.item));
}

/** An overdose response body from the form's choices; `base` keeps what the form does not show. */
export function overdoseBody(f, base = {}) {
  const doses = intOrNull(f.doses) ?? 0;
  return {
    ...base,
    called_911: f.called_911 || 'unknown',
    naloxone: doses > 0 ? { doses, route: f.route || 'intranasal' } : null,
    outcome: f.outcome || 'survived',
    ems_arrived: !!f.ems_arrived,
    rescue_breathing: !!f.rescue_breathing,
    oxygen: !!f.oxygen,
    recovery_position: !!f.recovery_position,
    stayed_until_recovery_or_ems: !!f.stayed_until_recovery_or_ems,
    kit_replaced: !!f.kit_replaced
  };
}

/** A systems navigation body from the form's values. */
export function navigationBody(f, base = {}) {
  const dest = textOrNull(f.referral_destination);
  const money = textOrNull(f.out_of_pocket);
  const cents = money === null ? null : Math.round(Number(money.replace(',', '.')) * 100);
  return {
    ...base,
    task: f.task || 'other',
    contact_type: f.contact_type || 'in_person',
    travel_minutes: intOrNull(f.travel_minutes),
    barriers: (f.barriers || '').split('\n').map((s) => s.trim()).filter(Boolean),
    referral: dest ? { destination: dest, type: f.referral_type || 'passive' } : null,
    outcome: f.outcome || 'completed',
    follow_up_date: textOrNull(f.follow_up_date),
    out_of_pocket_cents: Number.isFinite(cents) ? cents : null
  };
}

/** Values of an organization-defined kind's fields, typed as the catalogue says. */
export function customFields(defs, values) {
  const out = {};
  for (const d of defs || []) {
    const v = values[d.id];
    if (d.type === 'boolean') out[d.id] = !!v;
    else if (d.type === 'integer') { const n = intOrNull(v); if (n !== null) out[d.id] = n; }
    else { const s = textOrNull(v); if (s !== null) out[d.id] = s; }
  }
  return out;
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
