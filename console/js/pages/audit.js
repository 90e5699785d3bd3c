// pages/audit.js — the audit trail (#/audit, GET /v1/audit, admins only):
// who read which message's text, who replayed, discarded, edited what.
// Newest first, paged by the API's cursor ("older entries" appends).
//
// The filters (a user, a message id, a start time) stay in memory like the
// list's; the trail itself carries no patient data, only ids.
import {h, field} from '../dom.js';
import {api} from '../api.js';
import {t} from '../i18n.js';
import {isAdmin} from '../session.js';
import {showError, timeEl, messageLink, localToRfc3339, pageHeading, cursorPager} from '../ui.js';

let filters = {user: '', message: '', since: '', limit: '100'};

export function renderAudit(container, _params, ctx) {
  container.append(pageHeading('audit'));
  if (!isAdmin()) {
    showError(t('audit.admin-only'));
    return;
  }
  const input = (name, extra = {}) => h('input', {name, type: 'text', autocomplete: 'off', spellcheck: 'false', value: filters[name], ...extra});
  const form = h('form', {id: 'audit-search', class: 'search', role: 'search', autocomplete: 'off'},
    h('div', {class: 'filters'},
      field(t('audit.user'), input('user')),
      field(t('audit.message'), input('message', {placeholder: '0123456789abcdef', maxlength: 16})),
      field(t('filter.since'), h('input', {name: 'since', type: 'datetime-local', step: 1, value: filters.since})),
      field(t('filter.limit'), h('select', {name: 'limit'}, ['50', '100', '500', '1000'].map((n) =>
        h('option', {value: n, selected: n === filters.limit}, n))))),
    h('div', {class: 'form-buttons'}, h('button', {type: 'submit', id: 'audit-go', class: 'primary'}, t('audit.search'))));
  const summary = h('p', {class: 'result-summary', role: 'status'});
  const tbody = h('tbody');
  const next = h('button', {type: 'button', id: 'audit-next', hidden: true}, t('audit.next-page'));
  container.append(form, summary, h('div', {class: 'table-wrap'}, h('table', {id: 'audit', class: 'data'},
    h('thead', null, h('tr', null, ['at', 'user', 'action', 'messages', 'detail', 'peer']
      .map((c) => h('th', {scope: 'col', class: c}, t(`audit.col.${c}`))))),
    tbody)), next);

  const load = cursorPager({tbody, summary, next, ctx, row,
    fetchPage: async (cursor) => {
      const params = {user: filters.user.trim(), message: filters.message.trim(), since: localToRfc3339(filters.since),
        limit: filters.limit === '100' ? '' : filters.limit, cursor};
      const page = await api('audit', {params});
      return {items: page.entries || [], cursor: page.next_cursor};
    },
    describe: (n) => (n ? t('audit.shown', {n}) : t('audit.none')),
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    for (const name of Object.keys(filters)) filters[name] = String(data.get(name) ?? '');
    load(false);
  });
  load(false);
}

function row(e) {
  return h('tr', {dataset: {action: e.action}},
    h('td', {class: 'at'}, timeEl(e.at)),
    h('td', {class: 'user'}, e.user || '', e.role ? h('span', {class: 'hint'}, ` (${e.role})`) : null),
    h('td', {class: 'action mono'}, e.action || ''),
    h('td', {class: 'messages mono'}, (e.message_ids || []).flatMap((id, i) => [i ? ' ' : null, messageLink(id)])),
    h('td', {class: 'detail'}, e.detail || ''),
    h('td', {class: 'peer mono'}, e.peer || ''));
}
