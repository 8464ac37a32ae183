// Pure: reading the core's kind definitions (kind_definitions): each form's fields, choices,
// limits and defaults, the same the core validates with. Field ids are paths into the body.

/** A label ({en, fr}) in `lang`. */
export function pick(label, lang) {
  if (!label) return '';
  return label[lang] ?? label.en ?? '';
}

/** The definition of a kind (an activity kind, 'shift' or 'training'), or null. */
export function kindDef(kinds, id) {
  return (kinds ?? []).find((k) => k.id === id) ?? null;
}

/** The field at `path` of a definition, or null. */
export function fieldOf(def, path) {
  return def?.fields?.find((f) => f.id === path) ?? null;
}

/** The value a new record starts with at `path`, or `fallback` when the definition has none. */
export function defaultOf(def, path, fallback = null) {
  const d = fieldOf(def, path)?.default;
  return d === undefined || d === null ? fallback : d;
}

/** The choices of a field as [{value, label}], in the order to show them. */
export function choices(def, path, lang) {
  return (fieldOf(def, path)?.options ?? []).map((o) => ({ value: o.id, label: pick(o.label, lang) || o.id }));
}

/** The words for a stored choice, or the id itself when the definition does not know it. */
export function choiceLabel(def, path, value, lang) {
  const o = fieldOf(def, path)?.options?.find((c) => c.id === value);
  return o ? pick(o.label, lang) || value : value ?? '';
}

/** A field's words in `lang` when the definition has them (organization-defined fields). */
export function fieldLabel(field, lang) {
  return pick(field?.label, lang);
}

/** The bounds of a number field: {min, max}, or `fallback`. */
export function bounds(def, path, fallback = { min: 0, max: 10000 }) {
  const f = fieldOf(def, path);
  return f && f.min !== undefined ? { min: f.min, max: f.max } : fallback;
}

/** The longest a text field may be, or `fallback`. */
export function maxChars(def, path, fallback) {
  return fieldOf(def, path)?.max_chars ?? fallback;
}

/** The value at a dotted path of a body (`naloxone.doses`), or undefined. */
export function getPath(body, path) {
  return path.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), body);
}

/** A copy of `body` with `value` at a dotted path (undefined removes it), making the objects on the way. */
export function setPath(body, path, value) {
  const [head, ...rest] = path.split('.');
  const out = { ...(body ?? {}) };
  if (rest.length) out[head] = setPath(out[head] && typeof out[head] === 'object' ? out[head] : {}, rest.join('.'), value);
  else if (value === undefined) delete out[head];
  else out[head] = value;
  return out;
}

/** The fields a kind has before the ones every activity shares (people reached, minutes, …). */
export function ownFields(def) {
  const shared = new Set(['people_reached', 'minutes', 'area', 'on_shift', 'note']);
  return (def?.fields ?? []).filter((f) => !shared.has(f.id));
}
