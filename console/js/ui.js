// ui.js — the pieces every page shares: the error banner, the confirmation
// dialog, state badges, times and links to messages.
//
// Errors: one [data-test=error] at a time, in #notice at the top of the
// page (scrolled into view, so that an action's failure is seen wherever
// the analyst was), holding the API's own `error` text; its `details` lines
// go in a list beside it. The element exists only while there is an error.
import {h, fill} from './dom.js';
import {t, word, formatTime} from './i18n.js';

export function showError(error) {
  const notice = document.getElementById('notice');
  if (!notice) return;
  const message = typeof error === 'string' ? error : (error && error.message) || t('error.unknown');
  const details = (error && Array.isArray(error.details)) ? error.details : [];
  const close = h('button', {type: 'button', class: 'quiet', on: {click: clearError}}, t('action.close'));
  fill(notice, h('div', {class: 'error-banner', role: 'alert'},
    h('span', {dataset: {test: 'error'}}, message),
    details.length ? h('ul', {class: 'error-details'}, details.map((d) => h('li', null, d))) : null,
    close));
  notice.scrollIntoView({block: 'nearest'});
}

export function clearError() {
  const notice = document.getElementById('notice');
  if (notice) notice.replaceChildren();
}

// Text that says what an action did, kept across the reload that follows it
// (the message page renders it once, as [data-test=action-result]).
let flash = '';
export function setFlash(text) { flash = text; }
export function takeFlash() { const text = flash; flash = ''; return text; }

// Asks before an action: dialog#confirm, modal, with #confirm-yes and
// #confirm-no. Resolves true only on "yes"; Escape or "no" resolve false.
// "No" has the focus, so that a stray Enter does not replay or discard.
export function confirmDialog(text, {yes = t('confirm.yes'), no = t('confirm.no'), details} = {}) {
  let dialog = document.getElementById('confirm');
  if (dialog && dialog.open) dialog.close('no');
  if (!dialog) {
    dialog = h('dialog', {id: 'confirm', 'aria-labelledby': 'confirm-text'});
    document.body.append(dialog);
  }
  const yesButton = h('button', {type: 'button', id: 'confirm-yes', class: 'primary'}, yes);
  const noButton = h('button', {type: 'button', id: 'confirm-no', autofocus: true}, no);
  fill(dialog,
    h('p', {id: 'confirm-text'}, text),
    details ? h('p', {class: 'hint'}, details) : null,
    h('div', {class: 'dialog-buttons'}, noButton, yesButton));
  return new Promise((resolve) => {
    const done = (answer) => {
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    yesButton.addEventListener('click', () => done(true), {once: true});
    noButton.addEventListener('click', () => done(false), {once: true});
    dialog.addEventListener('cancel', () => resolve(false), {once: true});
    dialog.showModal();
    noButton.focus();
  });
}

// A state word as a coloured badge: the text is the translated word, the
// API word stays in data-state for styling and for scripts.
export function stateBadge(state, extra = {}) {
  return h('span', {class: 'state-badge', dataset: {state}, ...extra}, word('state', state));
}

// A <td class="state"> holding the badge.
export function stateCell(state) {
  return h('td', {class: 'state', dataset: {state}}, stateBadge(state));
}

// A <time> in local time; the exact UTC instant in its datetime attribute.
export function timeEl(rfc3339) {
  const text = formatTime(rfc3339);
  if (!text) return '';
  return h('time', {datetime: rfc3339, title: rfc3339}, text);
}

const MESSAGE_ID = /^[0-9a-f]{16}$/;

// A link to a message page; ids are checked so that only ids reach the URL.
export function messageLink(id, label) {
  if (!MESSAGE_ID.test(id || '')) return h('span', null, label || id || '');
  return h('a', {href: `#/messages/${id}`, class: 'message-link'}, label || id);
}

export function isMessageId(id) { return MESSAGE_ID.test(id || ''); }

// A table filled page by page with the API's cursor, for the message list
// and the audit trail: load(false) starts afresh, the `next` button appends
// the next page. Only the latest load writes, so that a late answer to an
// earlier search never adds its rows to the new one.
//   fetchPage(cursor) → {items, cursor} ('' asks for the first page)
//   row(item) → a <tr>; describe(shown, more) → the summary's text
export function cursorPager({tbody, summary, next, ctx, fetchPage, row, describe}) {
  let cursor = '', shown = 0, latest = 0;
  const load = async (append) => {
    const mine = ++latest;
    next.disabled = true;
    if (!append) { tbody.replaceChildren(); shown = 0; fill(summary, loading()); }
    try {
      const page = await fetchPage(append ? cursor : '');
      if (!ctx.alive() || mine !== latest) return;
      for (const item of page.items) tbody.append(row(item));
      shown += page.items.length;
      cursor = page.cursor || '';
      next.hidden = !cursor;
      fill(summary, describe(shown, !!cursor));
    } catch (error) {
      if (!ctx.alive() || mine !== latest) return;
      summary.replaceChildren();
      if (!error.unauthorized) showError(error);
    } finally {
      if (mine === latest) next.disabled = false;
    }
  };
  next.addEventListener('click', () => load(true));
  return load;
}

// "Loading…" placeholder, replaced when the answer comes.
export function loading() {
  return h('p', {class: 'loading', role: 'status'}, t('common.loading'));
}

// A datetime-local value ("2026-12-05T09:00", local time) → RFC 3339 UTC
// without fractions, as the API takes it ("2026-12-05T08:00:00Z").
export function localToRfc3339(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A page heading, also setting document.title ("navette — messages"). The
// title never carries patient data: ids and page names only.
export function pageHeading(titleKey, vars, ...extra) {
  document.title = `navette — ${t(`title.${titleKey}`, vars)}`;
  return h('div', {class: 'page-heading'}, h('h1', null, t(`heading.${titleKey}`, vars)), ...extra);
}
