// dom.js — a tiny element builder, the only way the console makes DOM.
//
// Every value that comes from the API (message text, names, errors) may hold
// markup a sender slipped in. It is only ever set as textContent or as an
// attribute value through setAttribute, never parsed as HTML: there is no
// innerHTML anywhere in the console. The CSP forbids inline script anyway;
// this keeps injected markup from even rendering.

// h('tr', {class: 'x', dataset: {messageId: id}, on: {click: fn}}, child, ...)
// Children: strings and numbers become text nodes; null, undefined and false
// are skipped; arrays are flattened.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

// Properties that must be set as DOM properties rather than attributes, so
// that a form control shows them (value) or so that booleans work.
const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'open',
  'readOnly', 'required', 'multiple', 'max', 'min', 'htmlFor']);

function setProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || (value === false && !PROPERTIES.has(key))) continue;
    if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'dataset') {
      for (const [name, v] of Object.entries(value)) if (v !== undefined && v !== null) el.dataset[name] = String(v);
    } else if (key === 'on') {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === 'href') {
      el.setAttribute('href', safeHref(value));
    } else if (PROPERTIES.has(key)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

// The console links only to its own hash routes: anything else (a
// javascript: URL built from data, say) becomes a dead link.
function safeHref(value) {
  const text = String(value);
  return text.startsWith('#') ? text : '#';
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Replaces the children of `el`.
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// A <label> around a caption and a control, so that every input is labelled
// without ids to keep unique.
export function field(caption, control, extraClass) {
  return h('label', {class: ['labelled', extraClass]}, h('span', {class: 'caption'}, caption), control);
}

// A definition list from [term, value] pairs; pairs whose value is empty are
// left out so that the header only shows what the message has.
export function definitions(pairs, className) {
  const dl = h('dl', {class: ['facts', className]});
  for (const [term, value] of pairs) {
    if (value === undefined || value === null || value === '' ||
        (Array.isArray(value) && value.length === 0)) continue;
    dl.append(h('dt', null, term), h('dd', null, value));
  }
  return dl;
}
