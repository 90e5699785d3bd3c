// cda.js — finds the CDA documents a message carries and shows them the way
// a clinician's viewer would, so that an analyst can tell which patient and
// which report a stuck message is about without decoding base64 by hand.
//
// Where: OBX-5 of an ED value, source^type^subtype^encoding^data (CI-SIS
// "Transmission de documents CDA en HL7v2": ^TEXT^XML^Base64^…, also
// ^text^XML^…, ^application^XML^…, ^text/xml^…); base64, or text (encoding
// A or none, HL7-escaped). The data must parse as XML with a
// ClinicalDocument root; anything else typed as XML is reported, not shown.
//
// How: DOMParser (XML mode: nothing runs, no external entity is fetched),
// then a walk that copies the narrative's structure (paragraphs, lists,
// tables) into new elements with textContent only. No attribute is copied
// but colspan/rowspan numbers and a fixed list of styleCode classes, and no
// link is made: a document cannot bring script, style or a URL in.
import {h, definitions} from './dom.js';
import {segmentsNamed, valueOf, unescapeValue} from './hl7.js';
import {t, formatDay, formatHl7Time, formatBytes} from './i18n.js';

// The INS OIDs (fr-specs: NIR, NIA, test NIR, demonstration NIR).
export const INS_OIDS = {
  '1.2.250.1.213.1.4.8': 'INS-NIR',
  '1.2.250.1.213.1.4.9': 'INS-NIA',
  '1.2.250.1.213.1.4.10': 'INS-NIR test',
  '1.2.250.1.213.1.4.11': 'INS-NIR démo',
};

// base64 → bytes; null when it is not base64.
export function decodeBase64(data) {
  const clean = (data || '').replace(/[\s]/g, '');
  if (!clean || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  try {
    const binary = atob(clean);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch (_) {
    return null;
  }
}

// Bytes → text in the charset the XML declaration names (UTF-8 unless it
// says otherwise; a BOM wins).
export function bytesToText(bytes) {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  const head = String.fromCharCode(...bytes.subarray(0, 200));
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  try {
    return new TextDecoder(declared ? declared[1] : 'utf-8').decode(bytes);
  } catch (_) {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

// [{where: 'OBX[1]-5', kind: 'cda'|'pdf'|'unreadable', text, size}].
export function findDocuments(parsed) {
  const found = [];
  for (const obx of segmentsNamed(parsed, 'OBX')) {
    const field = obx.fields[5];
    if (!field) continue;
    const isEd = valueOf(obx, 2) === 'ED';
    field.repetitions.forEach((rep, r) => {
      if (rep.components.length < 5) return;
      const type = valueOf(obx, 5, r + 1, 2), subtype = valueOf(obx, 5, r + 1, 3);
      const encoding = valueOf(obx, 5, r + 1, 4), data = valueOf(obx, 5, r + 1, 5);
      const xmlTyped = /xml/i.test(type) || /xml/i.test(subtype);
      if (!isEd && !xmlTyped) return;
      const where = `OBX[${obx.occurrence}]-5${field.repetitions.length > 1 ? `[${r + 1}]` : ''}`;
      let text = null;
      if (/^base64$/i.test(encoding)) {
        const bytes = decodeBase64(data);
        if (!bytes) {
          if (xmlTyped) found.push({where, kind: 'unreadable', reason: 'base64'});
          return;
        }
        if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) {
          found.push({where, kind: 'pdf', size: bytes.length});
          return;
        }
        text = bytesToText(bytes);
      } else if (xmlTyped && (encoding === '' || /^a$/i.test(encoding))) {
        text = unescapeValue(data, parsed.encoding);
      } else {
        return;
      }
      if (/<(?:[\w-]+:)?ClinicalDocument[\s>]/.test(text)) found.push({where, kind: 'cda', text});
      else if (xmlTyped) found.push({where, kind: 'unreadable', reason: 'not-cda'});
    });
  }
  return found;
}

// --- reading the XML -------------------------------------------------------

const kids = (el, name) => (el ? Array.from(el.children).filter((c) => c.localName === name) : []);
const kid = (el, name) => kids(el, name)[0] || null;
const path = (el, ...names) => names.reduce((node, name) => kid(node, name), el);
const attr = (el, name) => (el && el.getAttribute(name)) || '';
const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : '');

// "Dr Marie Curie": prefix, given names, family names of an HL7 PN.
function personName(name) {
  if (!name) return '';
  const parts = [...kids(name, 'prefix'), ...kids(name, 'given'), ...kids(name, 'family')].map(text);
  return parts.filter(Boolean).join(' ') || text(name);
}

// The patient's birth name and given names, and the used name when it
// differs (qualifier BR: birth; SP / CL: used, in the French profiles).
function patientNames(patient) {
  const name = kid(patient, 'name');
  if (!name) return {birth: '', used: ''};
  const family = kids(name, 'family'), given = kids(name, 'given');
  const pick = (list, qualifiers) => list.find((e) => qualifiers.includes(attr(e, 'qualifier')));
  const birthFamily = pick(family, ['BR']) || family.find((e) => !attr(e, 'qualifier')) || family[0];
  const givenAll = given.find((e) => !attr(e, 'qualifier')) || pick(given, ['BR']) || given[0];
  const birth = [text(birthFamily), text(givenAll)].filter(Boolean).join(' ');
  const usedFamily = pick(family, ['SP', 'CL']);
  const usedGiven = pick(given, ['CL']);
  const used = [text(usedFamily || birthFamily), text(usedGiven || givenAll)].filter(Boolean).join(' ');
  return {birth, used: used !== birth && usedFamily ? used : ''};
}

function idText(id) {
  const root = attr(id, 'root'), extension = attr(id, 'extension');
  return extension ? `${extension} (${INS_OIDS[root] || root})` : root;
}

// --- drawing ---------------------------------------------------------------

// section#cda for the documents found; null when there are none.
export function renderDocuments(documents) {
  if (!documents.length) return null;
  const section = h('section', {id: 'cda', class: 'panel'}, h('h2', null, t('cda.heading')));
  for (const doc of documents) section.append(renderOne(doc));
  return section;
}

function renderOne(doc) {
  const where = h('span', {class: 'where'}, doc.where);
  if (doc.kind === 'pdf') {
    return h('article', {class: 'cda-document'}, h('p', null, where, ' ', t('cda.pdf', {size: formatBytes(doc.size)})));
  }
  if (doc.kind === 'unreadable') {
    return h('article', {class: 'cda-document'}, h('p', {class: 'hint'}, where, ' ', t(`cda.unreadable.${doc.reason}`)));
  }
  const xml = new DOMParser().parseFromString(doc.text, 'application/xml');
  const root = xml.documentElement;
  if (xml.getElementsByTagName('parsererror').length || !root || root.localName !== 'ClinicalDocument') {
    return h('article', {class: 'cda-document'}, h('p', {class: 'hint'}, where, ' ', t('cda.unreadable.xml')));
  }
  return h('article', {class: 'cda-document'},
    h('h3', {class: 'cda-title'}, text(kid(root, 'title')) || attr(kid(root, 'code'), 'displayName') || t('cda.untitled')),
    h('p', {class: 'where'}, doc.where),
    renderHeader(root),
    renderBody(kid(root, 'component')));
}

function renderHeader(root) {
  const role = path(root, 'recordTarget', 'patientRole');
  const patient = kid(role, 'patient');
  const names = patientNames(patient);
  const ids = kids(role, 'id');
  const ins = ids.filter((id) => INS_OIDS[attr(id, 'root')]).map(idText);
  const others = ids.filter((id) => !INS_OIDS[attr(id, 'root')]).map(idText);
  const sex = attr(kid(patient, 'administrativeGenderCode'), 'code');
  const author = path(kid(root, 'author'), 'assignedAuthor');
  const authorName = personName(path(author, 'assignedPerson', 'name'));
  const organization = text(path(author, 'representedOrganization', 'name'));
  const docId = kid(root, 'id'), setId = kid(root, 'setId');
  return h('div', {class: 'cda-header'},
    definitions([
      [t('cda.patient'), names.birth],
      [t('cda.used-name'), names.used],
      [t('cda.birth-date'), formatDay(attr(kid(patient, 'birthTime'), 'value'))],
      [t('cda.sex'), sex ? t(`sex.${sex}`) : ''],
      [t('cda.ins'), ins.join(', ')],
      [t('cda.other-ids'), others.join(', ')],
    ], 'cda-patient'),
    definitions([
      [t('cda.author'), [authorName, organization].filter(Boolean).join(' — ')],
      [t('cda.date'), formatHl7Time(attr(kid(root, 'effectiveTime'), 'value'))],
      [t('cda.type'), attr(kid(root, 'code'), 'displayName') || attr(kid(root, 'code'), 'code')],
      [t('cda.document-id'), docId ? [attr(docId, 'root'), attr(docId, 'extension')].filter(Boolean).join('^') : ''],
      [t('cda.set-id'), setId ? [attr(setId, 'root'), attr(setId, 'extension')].filter(Boolean).join('^') : ''],
      [t('cda.version'), attr(kid(root, 'versionNumber'), 'value')],
      [t('cda.confidentiality'), attr(kid(root, 'confidentialityCode'), 'displayName') || attr(kid(root, 'confidentialityCode'), 'code')],
    ], 'cda-meta'));
}

function renderBody(component) {
  const structured = kid(component, 'structuredBody');
  if (structured) {
    const body = h('div', {class: 'cda-body'});
    for (const c of kids(structured, 'component')) {
      const section = kid(c, 'section');
      if (section) body.append(renderSection(section, 4));
    }
    return body;
  }
  const nonXml = path(component, 'nonXMLBody', 'text');
  if (nonXml) {
    const size = Math.floor(nonXml.textContent.replace(/\s/g, '').length * 3 / 4);
    return h('p', {class: 'hint'}, t('cda.non-xml-body', {type: attr(nonXml, 'mediaType') || '?', size: formatBytes(size)}));
  }
  return h('p', {class: 'hint'}, t('cda.no-body'));
}

// A section: its title, its narrative, its subsections (one heading level
// down, to h6).
function renderSection(section, level) {
  const out = h('section', {class: 'cda-section'});
  const title = text(kid(section, 'title'));
  if (title) out.append(h(`h${Math.min(level, 6)}`, null, title));
  const narrative = kid(section, 'text');
  if (narrative) out.append(narrativeOf(narrative, h('div', {class: 'cda-text'})));
  for (const c of kids(section, 'component')) {
    const sub = kid(c, 'section');
    if (sub) out.append(renderSection(sub, level + 1));
  }
  return out;
}

// The CDA narrative block's elements and the HTML ones standing for them.
const NARRATIVE = {
  paragraph: 'p', content: 'span', br: 'br', sub: 'sub', sup: 'sup', caption: 'strong',
  table: 'table', thead: 'thead', tbody: 'tbody', tfoot: 'tfoot', tr: 'tr', th: 'th', td: 'td',
  colgroup: null, col: null, item: 'li', linkHtml: 'span', footnote: 'small', footnoteRef: 'small',
  renderMultiMedia: null,
};
const STYLE_CLASSES = {Bold: 'cda-bold', Italics: 'cda-italic', Underline: 'cda-underline', Emphasis: 'cda-italic'};
// Containers where whitespace between children is layout, not text.
const STRUCTURAL = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'ul', 'ol']);

function narrativeOf(source, target) {
  for (const node of source.childNodes) {
    if (node.nodeType === 3 || node.nodeType === 4) {  // text, CDATA
      if (STRUCTURAL.has(target.localName) && !node.nodeValue.trim()) continue;
      target.append(node.nodeValue);
    } else if (node.nodeType === 1) {
      const el = narrativeElement(node);
      if (el) target.append(el);
    }
  }
  return target;
}

function narrativeElement(node) {
  const name = node.localName;
  if (name === 'list') {
    return narrativeOf(node, h(attr(node, 'listType') === 'ordered' ? 'ol' : 'ul'));
  }
  if (name === 'table') {
    // A caption first, as HTML wants it; the rest in order.
    return narrativeOf(node, h('table', {class: 'cda-table'}));
  }
  if (name === 'caption' && node.parentNode && node.parentNode.localName === 'table') {
    return narrativeOf(node, h('caption'));
  }
  if (name in NARRATIVE && NARRATIVE[name] === null) return null;
  const el = h(NARRATIVE[name] || 'span');
  for (const span of ['colspan', 'rowspan']) {
    const n = parseInt(attr(node, span), 10);
    if (n > 1 && n < 100 && (name === 'td' || name === 'th')) el.setAttribute(span, String(n));
  }
  for (const style of attr(node, 'styleCode').split(/\s+/)) {
    if (STYLE_CLASSES[style]) el.classList.add(STYLE_CLASSES[style]);
  }
  if (name === 'br') return el;
  return narrativeOf(node, el);
}
