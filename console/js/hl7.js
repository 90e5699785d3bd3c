// hl7.js — reads an HL7 v2 message into segments, fields, repetitions,
// components and subcomponents, and draws it with each part titled by its
// field path (PID-3, PID-3.1, PID-3[2].1, PID-3.4.2: the syntax of navette's
// field filter and routes, adapters/hl7v2/field_path.h), so that hovering a
// value tells the analyst what to type in the search's `field` box.
//
// The separators are those the message declares in MSH-1 and MSH-2, not
// assumed. MSH (and the batch headers BHS, FHS) count differently: MSH-1 is
// the field separator itself and MSH-2 the encoding characters, so the text
// after "MSH|^~\&|" is MSH-3. Both are shown whole, never split.
//
// Values are shown as sent (escape sequences included): this is the wire
// text an analyst compares with the sender's logs. Drawing puts every
// character of a segment back in order, so copying a segment gives its text.
import {h} from './dom.js';
import {t} from './i18n.js';

const HEADER_SEGMENTS = new Set(['MSH', 'BHS', 'FHS']);

// The separators of `text`, from its header segment; the HL7 defaults when
// it has none (a fragment, or text that is not HL7 at all).
export function encodingOf(text) {
  const enc = {field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&'};
  const first = (text || '').replace(/^[\s\x0b]+/, '');
  if (first.length > 3 && HEADER_SEGMENTS.has(first.slice(0, 3))) {
    enc.field = first[3];
    const end = first.indexOf(enc.field, 4);
    const chars = first.slice(4, end < 0 ? undefined : end).split(/[\r\n]/)[0];
    if (chars[0]) enc.component = chars[0];
    if (chars[1]) enc.repetition = chars[1];
    if (chars[2]) enc.escape = chars[2];
    if (chars[3]) enc.subcomponent = chars[3];
  }
  return enc;
}

// Segments end with CR (the standard), LF or CRLF (files, editors).
export function splitSegments(text) {
  return (text || '').split(/\r\n|\r|\n/).filter((line) => line.length > 0);
}

// "PID-3", "PID-3.1", "PID-3[2].1", "PID-3.4.2".
export function pathOf(segment, field, repetition = 1, component = 0, subcomponent = 0) {
  let path = `${segment}-${field}`;
  if (repetition > 1) path += `[${repetition}]`;
  if (component > 0) path += `.${component}`;
  if (subcomponent > 0) path += `.${subcomponent}`;
  return path;
}

// The whole message: {encoding, segments: [{name, occurrence, text,
// fields: [Field]}]}. fields[0] is unused so that fields[n] is field n.
// A Field is {number, path, value, atomic, repetitions: [{value,
// components: [{value, subcomponents: [string]}]}]}.
export function parseMessage(text) {
  const encoding = encodingOf(text);
  const seen = {};
  const segments = splitSegments(text).map((line) => {
    const parts = line.split(encoding.field);
    const name = parts[0];
    seen[name] = (seen[name] || 0) + 1;
    const fields = [null];
    if (HEADER_SEGMENTS.has(name)) {
      // MSH|^~\&|APP: parts[1] is MSH-2; MSH-1 is the separator between.
      fields.push(atomicField(name, 1, encoding.field));
      if (parts.length > 1) fields.push(atomicField(name, 2, parts[1]));
      for (let i = 2; i < parts.length; i += 1) fields.push(splitField(name, i + 1, parts[i], encoding));
    } else {
      for (let i = 1; i < parts.length; i += 1) fields.push(splitField(name, i, parts[i], encoding));
    }
    return {name, occurrence: seen[name], text: line, fields};
  });
  return {encoding, segments};
}

function atomicField(segment, number, value) {
  return {number, path: pathOf(segment, number), value, atomic: true,
    repetitions: [{value, components: [{value, subcomponents: [value]}]}]};
}

function splitField(segment, number, value, enc) {
  const repetitions = value.split(enc.repetition).map((rep) => ({
    value: rep,
    components: rep.split(enc.component).map((comp) => ({value: comp, subcomponents: comp.split(enc.subcomponent)})),
  }));
  return {number, path: pathOf(segment, number), value, atomic: false, repetitions};
}

// One value out of a parsed segment: field n, repetition r (1-based),
// component c and subcomponent s (0: whole). '' when absent.
export function valueOf(segment, field, repetition = 1, component = 0, subcomponent = 0) {
  const f = segment.fields[field];
  if (!f) return '';
  const rep = f.repetitions[repetition - 1];
  if (!rep) return '';
  if (component === 0) return rep.value;
  const comp = rep.components[component - 1];
  if (!comp) return '';
  if (subcomponent === 0) return comp.value;
  return comp.subcomponents[subcomponent - 1] ?? '';
}

// The segments named `name` ('OBX'), in order.
export function segmentsNamed(parsed, name) {
  return parsed.segments.filter((s) => s.name === name);
}

// Text left as is by HL7's escape sequences: \F\ \S\ \T\ \R\ \E\ and \.br\
// (a value carried without base64, e.g. XML in an ED with encoding A).
export function unescapeValue(value, enc) {
  const e = enc.escape;
  if (!e || !value.includes(e)) return value;
  const map = {F: enc.field, S: enc.component, T: enc.subcomponent, R: enc.repetition, E: e, '.br': '\n'};
  const quoted = e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`${quoted}(F|S|T|R|E|\\.br|X[0-9A-Fa-f]+)${quoted}`, 'g');
  return value.replace(pattern, (whole, code) => {
    if (code[0] === 'X') {
      const bytes = code.slice(1).match(/../g) || [];
      return bytes.map((b) => String.fromCharCode(parseInt(b, 16))).join('');
    }
    return map[code] ?? whole;
  });
}

// --- drawing ---------------------------------------------------------------

const FOLD_OVER = 200;     // characters: a longer base64 value is folded
const FOLD_SHOW = 60;      // characters shown of a folded value
const BASE64 = /^[A-Za-z0-9+/=]+$/;

// Fills `container` (#hl7) with one div.segment per segment.
export function renderMessage(container, parsed) {
  const enc = parsed.encoding;
  for (const segment of parsed.segments) {
    const line = h('div', {class: 'segment', dataset: {segment: segment.name}},
      h('span', {class: 'segment-name'}, segment.name));
    const header = HEADER_SEGMENTS.has(segment.name);
    segment.fields.forEach((field, n) => {
      if (!field) return;
      // In MSH, MSH-1 *is* the separator after the name and MSH-2 follows
      // it directly: "MSH" "|" "^~\&" "|" "APP".
      if (!(header && n <= 2)) line.append(sep(enc.field));
      line.append(drawField(segment.name, field, enc));
    });
    container.append(line);
  }
}

function sep(char) {
  return h('span', {class: 'sep'}, char);
}

function drawField(segment, field, enc) {
  const span = h('span', {class: 'field', title: field.path});
  if (field.atomic) return leaf(span, field.value);
  const reps = field.repetitions;
  reps.forEach((rep, r) => {
    if (r > 0) span.append(sep(enc.repetition));
    const target = reps.length > 1
      ? span.appendChild(h('span', {class: 'repetition', title: pathOf(segment, field.number, r + 1)}))
      : span;
    drawComponents(target, segment, field.number, r + 1, rep, enc);
  });
  return span;
}

function drawComponents(target, segment, number, r, rep, enc) {
  if (rep.components.length === 1) {
    drawSubcomponents(target, segment, number, r, 0, rep.components[0], enc);
    return;
  }
  rep.components.forEach((comp, c) => {
    if (c > 0) target.append(sep(enc.component));
    const span = h('span', {class: 'component', title: pathOf(segment, number, r, c + 1)});
    drawSubcomponents(span, segment, number, r, c + 1, comp, enc);
    target.append(span);
  });
}

function drawSubcomponents(target, segment, number, r, c, comp, enc) {
  if (comp.subcomponents.length === 1 || c === 0) {
    leaf(target, comp.value);
    return;
  }
  comp.subcomponents.forEach((sub, s) => {
    if (s > 0) target.append(sep(enc.subcomponent));
    target.append(leaf(h('span', {class: 'subcomponent', title: pathOf(segment, number, r, c, s + 1)}), sub));
  });
}

// Puts a value in `el`, folding long base64 (an embedded PDF or CDA is
// hundreds of kilobytes of noise on screen) behind button.unfold.
function leaf(el, value) {
  if (value.length <= FOLD_OVER || !BASE64.test(value)) {
    el.append(value);
    return el;
  }
  const folded = h('span', {class: 'folded'}, value.slice(0, FOLD_SHOW), '…');
  const button = h('button', {type: 'button', class: 'unfold', 'aria-expanded': 'false'},
    t('hl7.unfold', {n: value.length.toLocaleString()}));
  button.addEventListener('click', () => {
    folded.replaceChildren(value);
    folded.classList.add('unfolded');
    button.remove();
  });
  el.append(folded, button);
  return el;
}
