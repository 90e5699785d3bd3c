// diff.js — a line-based, side-by-side diff for the edit view: the message
// as received on the left, the analyst's correction on the right, changed
// lines marked (.changed), before anything is sent.
//
// HL7 messages are short in lines (tens to a few hundred segments), so a
// plain longest-common-subsequence table is fast enough once the common
// head and tail are set aside; past a few million cells (a pasted file gone
// wrong) it falls back to comparing line by line rather than freeze the tab.
import {h} from './dom.js';

const MAX_CELLS = 4_000_000;

// Lines of an HL7 text (CR, LF or CRLF), without the empty tail.
export function linesOf(text) {
  const lines = (text || '').split(/\r\n|\r|\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// [{op: 'same'|'del'|'add', line}] turning `a` into `b`.
export function diffLines(a, b) {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head &&
         a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const ops = a.slice(0, head).map((line) => ({op: 'same', line}));
  ops.push(...(midA.length * midB.length > MAX_CELLS ? positional(midA, midB) : lcs(midA, midB)));
  ops.push(...a.slice(a.length - tail).map((line) => ({op: 'same', line})));
  return ops;
}

function lcs(a, b) {
  const n = a.length, m = b.length, width = m + 1;
  // table[i][j]: length of the LCS of a[i..] and b[j..].
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      table[i * width + j] = a[i] === b[j]
        ? table[(i + 1) * width + j + 1] + 1
        : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const ops = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { ops.push({op: 'same', line: a[i]}); i += 1; j += 1; }
    else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) { ops.push({op: 'del', line: a[i]}); i += 1; }
    else { ops.push({op: 'add', line: b[j]}); j += 1; }
  }
  while (i < n) ops.push({op: 'del', line: a[i++]});
  while (j < m) ops.push({op: 'add', line: b[j++]});
  return ops;
}

function positional(a, b) {
  const ops = [];
  for (let k = 0; k < Math.max(a.length, b.length); k += 1) {
    if (k < a.length && k < b.length && a[k] === b[k]) ops.push({op: 'same', line: a[k]});
    else {
      if (k < a.length) ops.push({op: 'del', line: a[k]});
      if (k < b.length) ops.push({op: 'add', line: b[k]});
    }
  }
  return ops;
}

// Rows for two columns: {left, right, changed}, left/right = {n, text} or
// null. A run of removed lines followed by added ones is paired row by row,
// so that a corrected segment sits beside its original.
export function sideBySide(a, b) {
  const rows = [];
  const ops = diffLines(a, b);
  let na = 0, nb = 0;
  for (let k = 0; k < ops.length;) {
    if (ops[k].op === 'same') {
      na += 1; nb += 1;
      rows.push({left: {n: na, text: ops[k].line}, right: {n: nb, text: ops[k].line}, changed: false});
      k += 1;
      continue;
    }
    const dels = [], adds = [];
    while (k < ops.length && ops[k].op === 'del') dels.push(ops[k++].line);
    while (k < ops.length && ops[k].op === 'add') adds.push(ops[k++].line);
    for (let r = 0; r < Math.max(dels.length, adds.length); r += 1) {
      rows.push({
        left: r < dels.length ? {n: ++na, text: dels[r]} : null,
        right: r < adds.length ? {n: ++nb, text: adds[r]} : null,
        changed: true,
      });
    }
  }
  return rows;
}

const LONG_LINE = 300;

// A long line (a base64 document) shown around its first difference with
// `other`, so that the change is on screen and the page stays light.
function shorten(text, other) {
  if (text.length <= LONG_LINE) return text;
  let at = 0;
  if (other !== undefined) {
    while (at < text.length && at < other.length && text[at] === other[at]) at += 1;
  }
  const start = Math.max(0, at - 80);
  const end = Math.min(text.length, start + LONG_LINE);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? `… (+${text.length - end})` : ''}`;
}

// table.diff: line numbers and text, original | edited.
export function renderDiff(rows, {left, right}) {
  const body = h('tbody');
  for (const row of rows) {
    const cells = [];
    for (const [side, other] of [[row.left, row.right], [row.right, row.left]]) {
      cells.push(h('td', {class: 'line-number'}, side ? String(side.n) : ''));
      cells.push(h('td', {class: ['line', side ? '' : 'absent']},
        side ? shorten(side.text, other ? other.text : undefined) : ''));
    }
    body.append(h('tr', {class: row.changed ? 'changed' : ''}, cells));
  }
  // Fixed layout takes its widths from the columns, not the header's spans.
  const cols = h('colgroup', null, h('col', {class: 'number'}), h('col', {class: 'text'}),
    h('col', {class: 'number'}), h('col', {class: 'text'}));
  return h('table', {class: 'diff'}, cols,
    h('thead', null, h('tr', null, h('th', {colspan: 2}, left), h('th', {colspan: 2}, right))),
    body);
}

// How many rows differ: the preview says "2 lines changed".
export function changedCount(rows) {
  return rows.filter((r) => r.changed).length;
}
