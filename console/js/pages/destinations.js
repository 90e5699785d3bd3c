// pages/destinations.js — each destination now (#/destinations,
// GET /v1/status, every 5 s while visible): queue depth, age of the oldest
// waiting message, dead letters, circuit breaker, last error. The first
// screen to look at when the DMP or a mailbox stops answering.
//
// Counts only, no patient data: every role sees it. A destination's dead
// letters open the message list filtered on them.
import {h, fill, definitions} from '../dom.js';
import {t, count, formatAge} from '../i18n.js';
import {showError, timeEl, pageHeading} from '../ui.js';
import {followStatus, intakePaused} from '../status.js';
import {showMessagesWith} from './messages.js';

export function renderDestinations(container, _params, ctx) {
  const overview = h('div', {class: 'status-overview'});
  const tbody = h('tbody');
  const updated = h('p', {class: 'hint', role: 'status'});
  container.append(pageHeading('destinations'), overview,
    h('div', {class: 'table-wrap'}, h('table', {id: 'destination-status', class: 'data'},
      h('thead', null, h('tr', null, ['name', 'kind', 'queue', 'oldest', 'dead', 'circuit', 'error']
        .map((c) => h('th', {scope: 'col', class: c}, t(`destinations.col.${c}`))))),
      tbody)),
    updated);

  let failing = false;
  ctx.onLeave(followStatus((status) => {
    failing = false;
    fill(overview, overviewOf(status));
    fill(tbody, (status.destinations || []).map(row));
    fill(updated, t('destinations.updated', {time: new Date().toLocaleTimeString(document.documentElement.lang)}));
  }, (error) => {
    // Said once, not every 5 s.
    if (!failing && !error.unauthorized) showError(error);
    failing = true;
  }));
}

function overviewOf(status) {
  const parked = status.parked || {};
  return [
    intakePaused(status) ? h('p', {class: 'notice alert', role: 'alert'},
      t('destinations.intake-paused'), Array.isArray(status.intake_paused) ? ` (${status.intake_paused.join(', ')})` : '') : null,
    definitions([
      [t('destinations.parked'), Number(parked.messages) > 0
        ? t('destinations.parked-value', {n: count(parked.messages), age: formatAge(parked.oldest_age_seconds)})
        : '0'],
      [t('destinations.config-version'), status.config_version],
    ], 'overview'),
  ];
}

function row(d) {
  const dead = count(d.dead_letters);
  const circuit = d.circuit_open ? 'open' : 'closed';
  return h('tr', {dataset: {destination: d.name}, class: [d.circuit_open ? 'circuit-open' : '', dead !== '0' ? 'has-dead' : '']},
    h('th', {scope: 'row', class: 'name'}, d.name),
    h('td', {class: 'kind'}, d.kind || ''),
    h('td', {class: 'queue num'}, count(d.queue_depth)),
    h('td', {class: 'oldest num'}, Number(d.oldest_age_seconds) > 0 ? formatAge(d.oldest_age_seconds) : '—'),
    h('td', {class: 'dead num'}, dead === '0' ? dead
      : h('button', {type: 'button', class: 'link', title: t('destinations.show-dead'),
        on: {click: () => showMessagesWith({state: 'dead', destination: d.name})}}, dead)),
    h('td', {class: 'circuit', dataset: {circuit}}, h('span', {class: 'circuit-badge', dataset: {circuit}}, t(`circuit.${circuit}`))),
    h('td', {class: 'error'}, d.last_error || '',
      d.last_error && d.last_error_at ? h('div', {class: 'hint'}, timeEl(d.last_error_at)) : null));
}
