// pages/messages.js — the message list (#/messages): every filter of
// GET /v1/messages, cursor paging, the live counters, and the bulk replay of
// dead letters for operators.
//
// The filters are kept in this module's memory only: never in the URL (an
// IPP or INS in a URL ends up in history and proxy logs), never in
// localStorage. Coming back from a message page finds the list as it was
// searched; reloading the tab starts afresh, which is the safe side.
import {h, field, fill} from '../dom.js';
import {api} from '../api.js';
import {t, word, count} from '../i18n.js';
import {canAct} from '../session.js';
import {navigate} from '../router.js';
import {stateCell, timeEl, messageLink, localToRfc3339, pageHeading, cursorPager} from '../ui.js';
import {followStatus, countersOf} from '../status.js';
import {bulkReplayPanel} from './bulk.js';

export const STATES = ['received', 'queued', 'retrying', 'delivered', 'dead', 'unrouted', 'parked',
  'consumed', 'discarded'];
const TEXT_FILTERS = ['ipp', 'ins', 'control_id', 'document_id', 'set_id', 'source', 'route', 'destination'];
const EMPTY = {ipp: '', ins: '', control_id: '', document_id: '', set_id: '', source: '', route: '',
  destination: '', state: '', since: '', until: '', field: '', limit: '100'};

let filters = {...EMPTY};  // as typed (since/until as datetime-local values)

// Opens the list filtered (from the destinations page: "its dead letters").
export function showMessagesWith(partial) {
  filters = {...EMPTY, ...partial};
  navigate('#/messages');
}

// The query for GET /v1/messages; empty values are left out by api().
function queryOf(f) {
  const query = {};
  for (const name of TEXT_FILTERS) query[name] = f[name].trim();
  query.state = f.state;
  query.since = localToRfc3339(f.since);
  query.until = localToRfc3339(f.until);
  query.field = f.field.trim();
  query.limit = f.limit === '100' ? '' : f.limit;  // 100 is the API's default
  return query;
}

export function renderMessages(container, _params, ctx) {
  container.append(pageHeading('messages'));
  const counters = countersPanel();
  const datalist = h('datalist', {id: 'destination-names'});
  const form = searchForm(datalist);
  const bulkSlot = h('div', {class: 'bulk-slot'});
  const summary = h('p', {class: 'result-summary', role: 'status'});
  const tbody = h('tbody');
  const table = h('table', {id: 'messages', class: 'data messages'},
    h('thead', null, h('tr', null,
      ['state', 'received', 'source', 'type', 'control-id', 'destinations', 'id']
        .map((c) => h('th', {scope: 'col', class: c}, t(`messages.col.${c}`))))),
    tbody);
  const next = h('button', {type: 'button', id: 'next-page', hidden: true}, t('messages.next-page'));
  container.append(counters.el, form, bulkSlot, summary, h('div', {class: 'table-wrap'}, table), next);

  let applied = {...filters};
  const load = cursorPager({tbody, summary, next, ctx, row,
    fetchPage: async (before) => {
      const query = queryOf(applied);
      if (before) query.before = before;
      const page = await api('messages', {params: query});
      return {items: page.messages || [], cursor: page.next_cursor};
    },
    describe: (n, more) => (n === 0 ? t('messages.none') : t(more ? 'messages.shown-more' : 'messages.shown', {n})),
  });

  const search = () => {
    applied = {...filters};
    fill(bulkSlot, canAct() && applied.state === 'dead'
      ? bulkReplayPanel({destination: applied.destination.trim(), since: localToRfc3339(applied.since),
        until: localToRfc3339(applied.until), onDone: () => load(false), ctx})
      : null);
    load(false);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    for (const name of Object.keys(EMPTY)) filters[name] = String(data.get(name) ?? '');
    search();
  });
  form.addEventListener('reset', (event) => {
    event.preventDefault();
    filters = {...EMPTY};
    fillForm(form);
    search();
  });
  // Choosing a state searches at once: it is the filter analysts change
  // most, and "dead" brings the bulk replay.
  form.elements.namedItem('state').addEventListener('change', () => form.requestSubmit());
  counters.onPick((state) => {
    filters = {...EMPTY, state};
    fillForm(form);
    search();
  });

  ctx.onLeave(followStatus((status) => {
    counters.update(countersOf(status));
    fill(datalist, (status.destinations || []).map((d) => h('option', {value: d.name})));
  }, () => counters.update(null)));
  search();
}

function searchForm(datalist) {
  const input = (name, extra = {}) => h('input', {name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...extra});
  const stateSelect = h('select', {name: 'state'},
    h('option', {value: ''}, t('messages.any-state')),
    STATES.map((s) => h('option', {value: s}, word('state', s))));
  const limit = h('select', {name: 'limit'}, ['50', '100', '500', '1000'].map((n) => h('option', {value: n}, n)));
  const form = h('form', {id: 'search', class: 'search', role: 'search', autocomplete: 'off'},
    h('fieldset', {class: 'filters patient'}, h('legend', null, t('messages.filters.patient')),
      field(t('filter.ipp'), input('ipp')),
      field(t('filter.ins'), input('ins', {maxlength: 20})),
      field(t('filter.control_id'), input('control_id')),
      field(t('filter.document_id'), input('document_id')),
      field(t('filter.set_id'), input('set_id'))),
    h('fieldset', {class: 'filters flow'}, h('legend', null, t('messages.filters.flow')),
      field(t('filter.state'), stateSelect),
      field(t('filter.source'), input('source')),
      field(t('filter.route'), input('route')),
      field(t('filter.destination'), input('destination', {list: 'destination-names'})),
      datalist),
    h('fieldset', {class: 'filters when'}, h('legend', null, t('messages.filters.when')),
      field(t('filter.since'), h('input', {name: 'since', type: 'datetime-local', step: 1})),
      field(t('filter.until'), h('input', {name: 'until', type: 'datetime-local', step: 1})),
      field(t('filter.field'), input('field', {placeholder: 'PID-3.1=000123'}), 'wide'),
      field(t('filter.limit'), limit)),
    h('p', {class: 'hint'}, t('messages.field-hint')),
    h('div', {class: 'form-buttons'},
      h('button', {type: 'submit', id: 'search-go', class: 'primary'}, t('messages.search')),
      h('button', {type: 'reset', id: 'search-clear'}, t('messages.clear'))));
  fillForm(form);
  return form;
}

function fillForm(form) {
  for (const [name, value] of Object.entries(filters)) {
    const control = form.elements.namedItem(name);
    if (control) control.value = value;
  }
}

function row(m) {
  const tr = h('tr', {dataset: {messageId: m.id}, class: 'clickable'},
    stateCell(m.state),
    h('td', {class: 'received'}, timeEl(m.received_at)),
    h('td', {class: 'source'}, m.source || ''),
    h('td', {class: 'type'}, m.message_type || ''),
    h('td', {class: 'control-id'}, m.control_id || ''),
    h('td', {class: 'destinations'}, destinationBadges(m)),
    h('td', {class: 'id mono'}, messageLink(m.id)));
  // The whole row opens the message; the link stays for the keyboard and
  // for "open in a new tab".
  tr.addEventListener('click', (event) => {
    if (event.target.closest('a, button') || String(window.getSelection() || '')) return;
    navigate(`#/messages/${m.id}`);
  });
  return tr;
}

// Each destination as a small badge in its state's colour, plus the parked
// and failed routes.
export function destinationBadges(m) {
  const badges = (m.destinations || []).map((d) =>
    h('span', {class: 'mini-badge', dataset: {state: d.state}, title: `${d.route} → ${d.destination}: ${word('state', d.state)}`},
      d.destination));
  for (const hold of m.holds || []) {
    badges.push(h('span', {class: 'mini-badge', dataset: {state: hold.state === 'parked' ? 'parked' : 'dead'},
      title: `${hold.route}: ${hold.reason}`}, hold.route));
  }
  return badges;
}

// The three counters: the number alone in [data-test=counter-*]; a click
// filters the list on that state.
function countersPanel() {
  const values = {};
  let pick = () => {};
  const el = h('div', {class: 'counters', role: 'group', 'aria-label': t('counters.label')},
    ['queued', 'dead', 'parked'].map((state) => {
      values[state] = h('span', {class: 'counter-value', dataset: {test: `counter-${state}`}});
      return h('button', {type: 'button', class: 'counter', dataset: {state}, title: t(`counters.${state}.hint`),
        on: {click: () => pick(state)}}, values[state], h('span', {class: 'counter-label'}, t(`counters.${state}`)));
    }));
  return {
    el,
    onPick: (fn) => { pick = fn; },
    update: (c) => {
      for (const state of Object.keys(values)) values[state].textContent = c ? count(c[state]) : '–';
    },
  };
}
