// Each kind's fields on the activity form, and reading them back into a body.

import * as L from './logic.js';
import * as B from './bodies.js';
import { $, h, seg, segValue, field, check, stepper, selectOf } from './dom.js';
import { state, tr, stored, store } from './ctx.js';

const step = (id, label, value, min) => stepper(id, label, value, min, { less: tr('less'), more: tr('more') });
const opened = () => state.form?.mode === 'edit';

function minutesField(value) {
  return field('f-minutes', tr('minutes'), h('input', { type: 'number', inputmode: 'numeric', min: '0', max: '1440', value: value == null ? '' : String(value) }));
}

const minutes = () => B.intOrNull($('f-minutes').value);

// ---------- overdose response ----------

const OD_FLAGS = ['ems_arrived', 'rescue_breathing', 'oxygen', 'recovery_position', 'stayed_until_recovery_or_ems', 'kit_replaced'];
const OD_FLAG_LABEL = { stayed_until_recovery_or_ems: 'od_stayed' };

function overdoseFields(b) {
  const doses = b.naloxone?.doses ?? 0;
  const doseChoice = B.doseChoice(doses);
  const more = h('div', { class: 'field', hidden: doseChoice !== 'more' },
    h('label', { for: 'od-doses-count', text: tr('od_doses_count') }),
    h('input', { type: 'number', id: 'od-doses-count', inputmode: 'numeric', min: '1', max: '20', value: String(doses > 5 ? doses : 6) }));
  const route = seg('od-route', tr('od_route'), [
    { value: 'intranasal', label: tr('od_route_intranasal') },
    { value: 'intramuscular', label: tr('od_route_intramuscular') }], b.naloxone?.route ?? stored('last_route') ?? 'intranasal');
  route.hidden = doses === 0;
  const dosesSeg = seg('od-doses', tr('od_doses'), [
    { value: '0', label: tr('od_doses_none') }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: L.formatNumber(n, state.lang) })),
    { value: 'more', label: tr('od_doses_more') }], doseChoice, (v) => {
    more.hidden = v !== 'more';
    route.hidden = v === '0';
  });
  dosesSeg.classList.add('doses');
  const details = h('details', { class: 'more', open: opened() },
    h('summary', { text: tr('more_details') }),
    ...OD_FLAGS.map((k) => check(`od-${k}`, tr(OD_FLAG_LABEL[k] ?? `od_${k}`), b[k])));
  return [
    dosesSeg, more, route,
    seg('od-911', tr('od_911'), [{ value: 'yes', label: tr('yes') }, { value: 'no', label: tr('no') }, { value: 'unknown', label: tr('dont_know') }], b.called_911 ?? 'unknown'),
    seg('od-outcome', tr('od_outcome'), ['survived', 'transported', 'died', 'unknown'].map((v) => ({ value: v, label: tr(`od_outcome_${v}`) })), b.outcome ?? 'survived'),
    details
  ];
}

function readOverdose(base) {
  const route = segValue('od-route');
  if (route) store('last_route', route);
  const f = { doses: B.dosesFromChoice(segValue('od-doses'), $('od-doses-count').value), route, called_911: segValue('od-911'), outcome: segValue('od-outcome') };
  for (const k of OD_FLAGS) f[k] = $(`od-${k}`).checked;
  return B.overdoseBody(f, base);
}

// ---------- supplies ----------

function suppliesFields(b) {
  const have = Object.fromEntries((b.items ?? []).map((l) => [l.item, l.quantity]));
  const rows = (state.catalogue?.items ?? []).map((i) => step(`qty-${i.id}`, L.pick(i.label, state.lang), have[i.id] ?? 0, 0));
  return [h('fieldset', { class: 'supplies' }, h('legend', { text: tr('what_item') }), ...rows)];
}

function readSupplies(base) {
  const q = {};
  for (const i of state.catalogue?.items ?? []) q[i.id] = $(`qty-${i.id}`)?.value;
  return { ...base, items: B.supplyLines(q, state.catalogue) };
}

// ---------- systems navigation ----------

const TASKS = ['id', 'income_assistance', 'disability_assistance', 'housing', 'bank_account', 'health_appointment', 'pharmacy', 'legal', 'other'];

function navigationFields(b) {
  const tasks = seg('nav-task', tr('nav_task'), TASKS.map((v) => ({ value: v, label: tr(`task_${v}`) })), b.task ?? 'id');
  tasks.classList.add('grid');
  return [
    tasks,
    seg('nav-contact', tr('contact_type'), ['phone', 'in_person', 'accompaniment'].map((v) => ({ value: v, label: tr(`contact_${v}`) })), b.contact_type ?? 'accompaniment'),
    h('div', { class: 'row wrap' },
      minutesField(b.minutes),
      field('f-travel', tr('travel_minutes'), h('input', { type: 'number', inputmode: 'numeric', min: '0', max: '1440', value: b.travel_minutes == null ? '' : String(b.travel_minutes) }))),
    seg('nav-outcome', tr('nav_outcome'), ['completed', 'pending', 'declined'].map((v) => ({ value: v, label: tr(`nav_outcome_${v}`) })), b.outcome ?? 'completed'),
    h('details', { class: 'more', open: opened() },
      h('summary', { text: tr('more_details') }),
      field('f-barriers', tr('barriers'), h('textarea', { rows: '2', text: (b.barriers ?? []).join('\n') }), tr('note_help')),
      field('f-referral', tr('referral_to'), h('input', { maxlength: '120', value: b.referral?.destination ?? '' })),
      seg('nav-referral', tr('referral_type'), ['passive', 'active', 'warm_handoff'].map((v) => ({ value: v, label: tr(`referral_${v}`) })), b.referral?.type ?? 'passive'),
      field('f-followup', tr('follow_up'), h('input', { type: 'date', value: b.follow_up_date ?? '' })),
      field('f-money', tr('out_of_pocket'), h('input', { type: 'number', inputmode: 'decimal', min: '0', step: '0.01', value: B.centsToInput(b.out_of_pocket_cents) })))
  ];
}

function readNavigation(base) {
  return {
    ...B.navigationBody({
      task: segValue('nav-task'),
      contact_type: segValue('nav-contact'),
      travel_minutes: $('f-travel').value,
      outcome: segValue('nav-outcome'),
      barriers: $('f-barriers').value,
      referral_destination: $('f-referral').value,
      referral_type: segValue('nav-referral'),
      follow_up_date: $('f-followup').value,
      out_of_pocket: $('f-money').value
    }, base),
    minutes: minutes()
  };
}

// ---------- training ----------

function trainingFields(b) {
  return [
    field('f-topic', tr('topic'), h('input', { maxlength: '120', value: b.topic ?? '' })),
    seg('tr-status', tr('training_status'), [{ value: 'received', label: tr('training_received') }, { value: 'wanted', label: tr('training_wanted') }], b.status ?? 'received'),
    minutesField(b.minutes)
  ];
}

function readTraining(base) {
  return { ...base, topic: $('f-topic').value, status: segValue('tr-status'), minutes: minutes() };
}

// ---------- simple kinds, and the organization's own ----------

function simpleFields(b) {
  return [step('f-people', tr('people_reached'), b.people_reached ?? 1, 0), minutesField(b.minutes)];
}

function readSimple(base) {
  return { ...base, people_reached: B.intOrNull($('f-people').value), minutes: minutes() };
}

const customDef = (kind) => state.catalogue?.custom_kinds?.find((k) => k.id === kind);

function customFields(kind, b) {
  const vals = b.fields ?? {};
  const out = [];
  for (const d of customDef(kind).fields) {
    const id = `cf-${d.id}`;
    const label = L.pick(d.label, state.lang);
    if (d.type === 'boolean') out.push(check(id, label, vals[d.id]));
    else if (d.type === 'integer') out.push(field(id, label, h('input', { type: 'number', inputmode: 'numeric', min: String(d.min), max: String(d.max), value: vals[d.id] ?? '' })));
    else if (d.type === 'choice') out.push(field(id, label, selectOf([{ value: '', label: '—' }, ...d.options.map((o) => ({ value: o, label: o }))], vals[d.id])));
    else out.push(field(id, label, h('input', { maxlength: String(d.max_chars ?? 80), value: vals[d.id] ?? '' }), tr('note_help')));
  }
  return [...out, ...simpleFields(b)];
}

function readCustom(kind, base) {
  const defs = customDef(kind).fields;
  const values = {};
  for (const d of defs) {
    const el = $(`cf-${d.id}`);
    values[d.id] = d.type === 'boolean' ? el.checked : el.value;
  }
  return { ...readSimple(base), fields: B.customFields(defs, values) };
}

const FORMS = {
  overdose_response: { draw: overdoseFields, read: readOverdose },
  supplies_distributed: { draw: suppliesFields, read: readSupplies },
  systems_navigation: { draw: navigationFields, read: readNavigation },
  training: { draw: trainingFields, read: readTraining }
};

/** How the form of `kind` is drawn from a body and read back into one: {draw(body), read(base)}. */
export function kindForm(kind) {
  if (FORMS[kind]) return FORMS[kind];
  if (customDef(kind)) return { draw: (b) => customFields(kind, b), read: (base) => readCustom(kind, base) };
  return { draw: simpleFields, read: readSimple };
}
