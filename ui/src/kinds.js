// Each kind's fields on the activity form, and reading them back into a body. Choices, limits
// and defaults come from the core's kind definitions (defs.js); the words for built-in fields
// from i18n.js, and where each field goes on the screen from here.

import * as L from './logic.js';
import * as B from './bodies.js';
import * as D from './defs.js';
import { $, h, seg, segValue, field, check, stepper, selectOf } from './dom.js';
import { state, tr, stored, store } from './ctx.js';

const DOSE_BUTTONS = 5;

/** A field's words: the definition's (organization-defined fields), else ours. */
function words(def, path) {
  return D.fieldLabel(D.fieldOf(def, path), state.lang) || tr(L.fieldWords(def?.id, path));
}

const value = (b, def, path) => D.getPath(b, path) ?? D.defaultOf(def, path);
const opened = () => state.form?.mode === 'edit';
const choose = (name, def, path, b, selected) => seg(name, words(def, path), D.choices(def, path, state.lang), selected ?? value(b, def, path));

function number(id, def, path, v) {
  const { min, max } = D.bounds(def, path);
  return field(id, words(def, path), h('input', { type: 'number', inputmode: 'numeric', min: String(min), max: String(max), value: v == null ? '' : String(v) }));
}

function text(id, def, path, v, help) {
  return field(id, words(def, path), h('input', { maxlength: String(D.maxChars(def, path, 80)), value: v ?? '' }), help);
}

function people(def, b) {
  const { min, max } = D.bounds(def, 'people_reached');
  return stepper('f-people', words(def, 'people_reached'), b.people_reached ?? Math.max(min, 1), min, { less: tr('less'), more: tr('more') }, max);
}

const minutes = (def, b) => number('f-minutes', def, 'minutes', b.minutes);
const readMinutes = () => $('f-minutes').value;

// ---------- overdose response ----------

/** The yes/no details: every boolean field of the kind but on_shift, which the common part asks. */
const flags = (def) => (def?.fields ?? []).filter((f) => f.type === 'boolean' && f.id !== 'on_shift').map((f) => f.id);

function overdoseFields(def, b) {
  const doses = b.naloxone?.doses ?? D.defaultOf(def, 'naloxone.doses', 0);
  const doseChoice = B.doseChoice(doses, DOSE_BUTTONS);
  const { max } = D.bounds(def, 'naloxone.doses');
  const more = h('div', { class: 'field', hidden: doseChoice !== 'more' },
    h('label', { for: 'od-doses-count', text: tr('od_doses_count') }),
    h('input', { type: 'number', id: 'od-doses-count', inputmode: 'numeric', min: '1', max: String(max), value: String(doses > DOSE_BUTTONS ? doses : DOSE_BUTTONS + 1) }));
  const route = choose('od-route', def, 'naloxone.route', b, b.naloxone?.route ?? stored('last_route'));
  route.hidden = doses === 0;
  const buttons = [{ value: '0', label: tr('od_doses_none') }];
  for (let n = 1; n <= Math.min(DOSE_BUTTONS, max); n++) buttons.push({ value: String(n), label: L.formatNumber(n, state.lang) });
  if (max > DOSE_BUTTONS) buttons.push({ value: 'more', label: tr('od_doses_more') });
  const dosesSeg = seg('od-doses', words(def, 'naloxone.doses'), buttons, doseChoice, (v) => {
    more.hidden = v !== 'more';
    route.hidden = v === '0';
  });
  dosesSeg.classList.add('doses');
  return [
    dosesSeg, more, route,
    choose('od-911', def, 'called_911', b),
    choose('od-outcome', def, 'outcome', b),
    h('details', { class: 'more', open: opened() }, h('summary', { text: tr('more_details') }),
      ...flags(def).map((k) => check(`od-${k}`, words(def, k), value(b, def, k))))
  ];
}

function readOverdose(def) {
  const route = segValue('od-route');
  if (route) store('last_route', route);
  const v = {
    'naloxone.doses': B.dosesFromChoice(segValue('od-doses'), $('od-doses-count').value),
    'naloxone.route': route,
    called_911: segValue('od-911'),
    outcome: segValue('od-outcome')
  };
  for (const k of flags(def)) v[k] = $(`od-${k}`).checked;
  return v;
}

// ---------- supplies ----------

function suppliesFields(def, b) {
  const have = Object.fromEntries((b.items ?? []).map((l) => [l.item, l.quantity]));
  const back = Object.fromEntries((b.returned ?? []).map((l) => [l.item, l.quantity]));
  const items = D.fieldOf(def, 'items');
  const steps = { less: tr('less'), more: tr('more') };
  const kits = D.fieldOf(def, 'replaced');
  const kitIds = new Set((kits?.kits ?? []).map((k) => k.id));
  const reasons = B.reasonsOf(b);
  const why = (id) => seg(`why-${id}`, tr('replaces_kit'),
    [{ value: '', label: tr('replaces_none') }, ...(kits?.reasons ?? []).map((r) => ({ value: r.id, label: D.pick(r.label, state.lang) }))],
    reasons[id] ?? '');
  const rows = D.choices(def, 'items', state.lang).flatMap((i) => {
    const row = stepper(`qty-${i.value}`, i.label, have[i.value] ?? 0, 0, steps, items?.max_quantity);
    if (!kitIds.has(i.value)) return [row];
    // A naloxone kit: why it replaces one, asked only once one is handed out.
    const reason = why(i.value);
    reason.classList.add('why');
    const sync = () => { reason.hidden = !(Number($(`qty-${i.value}`)?.value) > 0); };
    row.addEventListener('click', () => setTimeout(sync));
    row.addEventListener('change', sync);
    reason.hidden = !(have[i.value] > 0);
    return [row, reason];
  });
  const returned = D.choices(def, 'returned', state.lang).map((i) => stepper(`back-${i.value}`, i.label, back[i.value] ?? 0, 0, steps, items?.max_quantity));
  return [
    h('fieldset', { class: 'supplies' }, h('legend', { text: words(def, 'items') }), ...rows),
    h('details', { class: 'more', id: 'returns', open: returned.length > 0 && Object.keys(back).length > 0 },
      h('summary', { text: tr('brought_back') }), ...returned)
  ];
}

function readSupplies(def) {
  const order = D.choices(def, 'items', state.lang).map((i) => i.value);
  const out = {}, back = {}, reasons = {};
  for (const id of order) {
    out[id] = $(`qty-${id}`)?.value;
    back[id] = $(`back-${id}`)?.value;
    const r = segValue(`why-${id}`);
    if (r) reasons[id] = r;
  }
  return B.suppliesBody(out, reasons, back, order);
}

// ---------- systems navigation ----------

function navigationFields(def, b) {
  const tasks = choose('nav-task', def, 'task', b);
  tasks.classList.add('grid');
  const cents = D.bounds(def, 'out_of_pocket_cents');
  return [
    tasks,
    choose('nav-contact', def, 'contact_type', b),
    h('div', { class: 'row wrap' }, minutes(def, b), number('f-travel', def, 'travel_minutes', b.travel_minutes)),
    choose('nav-outcome', def, 'outcome', b),
    h('details', { class: 'more', open: opened() },
      h('summary', { text: tr('more_details') }),
      field('f-barriers', words(def, 'barriers'), h('textarea', { rows: '2', text: (b.barriers ?? []).join('\n') }), tr('note_help')),
      text('f-referral', def, 'referral.destination', b.referral?.destination),
      choose('nav-referral', def, 'referral.type', b),
      field('f-followup', words(def, 'follow_up_date'), h('input', { type: 'date', value: b.follow_up_date ?? '' })),
      field('f-money', words(def, 'out_of_pocket_cents'), h('input', { type: 'number', inputmode: 'decimal', min: String(cents.min / 100), max: String(cents.max / 100), step: '0.01', value: B.centsToInput(b.out_of_pocket_cents) })))
  ];
}

function readNavigation() {
  return {
    task: segValue('nav-task'),
    contact_type: segValue('nav-contact'),
    minutes: readMinutes(),
    travel_minutes: $('f-travel').value,
    outcome: segValue('nav-outcome'),
    barriers: $('f-barriers').value,
    'referral.destination': $('f-referral').value,
    'referral.type': segValue('nav-referral'),
    follow_up_date: $('f-followup').value,
    out_of_pocket_cents: B.moneyToCents($('f-money').value)
  };
}

// ---------- training ----------

function trainingFields(def, b) {
  return [text('f-topic', def, 'topic', b.topic), choose('tr-status', def, 'status', b), minutes(def, b)];
}

function readTraining() {
  return { topic: $('f-topic').value, status: segValue('tr-status'), minutes: readMinutes() };
}

// ---------- the other kinds: their own fields (organization-defined), then people and minutes ----------

const domId = (path) => `cf-${path.replace(/^fields\./, '')}`;

function otherFields(def, b) {
  const out = [];
  for (const f of D.ownFields(def)) {
    const id = domId(f.id);
    const v = D.getPath(b, f.id);
    if (f.type === 'boolean') out.push(check(id, words(def, f.id), v));
    else if (f.type === 'integer') out.push(number(id, def, f.id, v));
    else if (f.type === 'choice') out.push(field(id, words(def, f.id), selectOf([{ value: '', label: '—' }, ...D.choices(def, f.id, state.lang)], v)));
    else out.push(text(id, def, f.id, v, tr('note_help')));
  }
  return [...out, people(def, b), minutes(def, b)];
}

function readOther(def) {
  const v = { people_reached: $('f-people').value, minutes: readMinutes() };
  for (const f of D.ownFields(def)) {
    const el = $(domId(f.id));
    v[f.id] = f.type === 'boolean' ? el.checked : el.value;
  }
  return v;
}

const FORMS = {
  overdose_response: [overdoseFields, readOverdose],
  supplies_distributed: [suppliesFields, readSupplies],
  systems_navigation: [navigationFields, readNavigation],
  training: [trainingFields, readTraining]
};

/** How the form of `kind` is drawn from a body and read back into one: {draw(body), read(base)}. */
export function kindForm(kind) {
  const def = D.kindDef(state.kinds, kind);
  const [draw, read] = FORMS[kind] ?? [otherFields, readOther];
  return { draw: (b) => draw(def, b), read: (base) => B.bodyFrom(def, read(def), base) };
}
