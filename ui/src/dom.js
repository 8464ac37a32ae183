// DOM helpers: elements and the app's form controls. No state, no words of their own.

import { clampQuantity } from './bodies.js';

export const $ = (id) => document.getElementById(id);

/** An element: props are attributes, `text`, `class`, `on<event>` handlers or DOM properties. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A large radio button: a label wrapping its input and words, for a `.seg` or `.roles` box. */
export function option(name, value, label, checked, props = {}) {
  const id = `${name}-${value}`;
  return h('label', { class: 'opt', for: id },
    h('input', { type: 'radio', name, id, value: String(value), checked, ...props }),
    typeof label === 'string' ? h('span', { text: label }) : label);
}

/** A group of large radio buttons: [{value, label}], one of them checked. */
export function seg(name, legend, options, selected, onChange) {
  const box = h('div', { class: 'seg', role: 'presentation' });
  for (const o of options) {
    const opt = option(name, o.value, o.label, String(o.value) === String(selected));
    if (onChange) opt.firstChild.addEventListener('change', () => onChange(o.value));
    box.append(opt);
  }
  return h('fieldset', {}, h('legend', { text: legend }), box);
}

/** The checked value of a group of radio buttons, or null. */
export function segValue(name) {
  const c = document.querySelector(`input[name="${name}"]:checked`);
  return c ? c.value : null;
}

/** A labelled input, with an optional hint read by screen readers. */
export function field(id, label, input, help) {
  input.id = id;
  const parts = [h('label', { for: id, text: label }), input];
  if (help) {
    input.setAttribute('aria-describedby', `${id}-help`);
    parts.push(h('p', { id: `${id}-help`, class: 'hint', text: help }));
  }
  return h('div', { class: 'field' }, ...parts);
}

export function check(id, label, checked) {
  return h('label', { class: 'check' }, h('input', { type: 'checkbox', id, checked: !!checked }), h('span', { text: label }));
}

/** A number with − and + buttons; `words` = {less, more} name the buttons for screen readers. */
export function stepper(id, label, value, min, words, max = 10000) {
  const input = h('input', { id, type: 'number', inputmode: 'numeric', min: String(min), max: String(max), value: String(value) });
  const set = (d) => { input.value = clampQuantity(Number(input.value) + d, min, max); };
  input.addEventListener('change', () => { input.value = clampQuantity(input.value, min, max); });
  return h('div', { class: 'stepper-row' },
    h('label', { for: id, text: label }),
    h('div', { class: 'stepper' },
      h('button', { type: 'button', class: 'step', id: `less-${id}`, 'aria-label': `${words.less}: ${label}`, text: '−', onclick: () => set(-1) }),
      input,
      h('button', { type: 'button', class: 'step', id: `more-${id}`, 'aria-label': `${words.more}: ${label}`, text: '+', onclick: () => set(1) })));
}

export function selectOf(options, selected) {
  const s = h('select');
  for (const o of options) s.append(h('option', { value: o.value, text: o.label, selected: o.value === (selected ?? '') }));
  return s;
}

/** A short message at the bottom of the screen for four seconds. */
export function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

/** Shows `message` in the error paragraph `el` and brings it into view. */
export function showError(el, message) {
  el.textContent = message;
  el.hidden = false;
  el.scrollIntoView?.({ block: 'nearest' });
}

/** Runs `fn` with `btn` disabled, so a double tap does not save twice. */
export async function busy(btn, fn) {
  btn.disabled = true;
  try { return await fn(); } finally { btn.disabled = false; }
}
