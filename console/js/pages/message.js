// pages/message.js — one message (#/messages/<id>): its header, what each
// destination got, its history as a timeline, its HL7 text by segment, the
// CDA it carries rendered readable, and the actions an operator may take
// (message_actions.js).
//
// The HL7 text is fetched once per visit: every payload view is written to
// the audit trail, so the reload after an action asks for the header only
// (?payload=false) and keeps the text already shown (a message's text never
// changes; a correction is a new message).
import {h, fill, definitions} from '../dom.js';
import {api} from '../api.js';
import {t, word, formatTime, formatBytes, formatDecimal} from '../i18n.js';
import {canAct, maySeePayload, whoami} from '../session.js';
import {showError, stateBadge, stateCell, timeEl, messageLink, loading, pageHeading, takeFlash} from '../ui.js';
import {parseMessage, renderMessage as drawHl7} from '../hl7.js';
import {findDocuments, renderDocuments} from '../cda.js';
import {messageActions} from './message_actions.js';

// A message still on its way is followed: its header and history are asked
// again every 2 s and redrawn when they change, so that the analyst sees a
// replay become delivered, or a parked document leave once its identity is
// qualified, without reloading.
const FOLLOW_MS = 2000;
const MOVING = new Set(['received', 'queued', 'retrying', 'parked']);

function moving(detail) {
  const s = detail.summary || {};
  return MOVING.has(s.state) || (s.destinations || []).some((d) => MOVING.has(d.state));
}

// What a redraw would change: the header and the history.
function fingerprint(detail) {
  return JSON.stringify([detail.summary, detail.history]);
}

// The analyst is in the middle of something a redraw would wipe: an edit,
// a question asked, what a destination received.
function busy() {
  return !!document.getElementById('edit') || !!document.querySelector('dialog#confirm[open]') ||
    document.getElementById('delivered-view')?.hidden === false;
}

export async function renderMessagePage(container, [id], ctx) {
  container.append(pageHeading('message', {id}), loading());
  let detail;
  try {
    // A role that may not see the text does not ask for it.
    detail = await api(`messages/${id}`, {params: maySeePayload() ? {} : {payload: 'false'}});
  } catch (error) {
    if (!ctx.alive()) return;
    container.querySelector('.loading')?.remove();
    if (!error.unauthorized) showError(error);
    return;
  }
  if (!ctx.alive()) return;

  let flash = takeFlash();  // kept across the redraws that follow an action
  let timer = null;
  // Bumped by each reload after an action, so that a poll sent before it
  // does not draw the message as it was.
  let generation = 0;
  ctx.onLeave(() => clearTimeout(timer));

  // The header and history again, without the text: every payload view is
  // audited, and a message's text never changes (a correction is a new
  // message), so the text shown first stays.
  const fetchHeader = async () => {
    const fresh = await api(`messages/${id}`, {params: {payload: 'false'}});
    fresh.raw = detail.raw;
    fresh.payload_withheld = detail.payload_withheld;
    return fresh;
  };

  const follow = () => {
    clearTimeout(timer);
    timer = null;
    if (!ctx.alive() || !moving(detail)) return;
    timer = setTimeout(async () => {
      timer = null;
      if (!ctx.alive()) return;
      if (document.visibilityState === 'visible' && !busy()) {
        const asked = generation;
        try {
          const fresh = await fetchHeader();
          if (!ctx.alive() || asked !== generation) return;  // the reload follows on
          if (fingerprint(fresh) !== fingerprint(detail)) {
            detail = fresh;
            draw(container, id, detail, reload, flash, ctx);
          }
        } catch (error) {
          if (error.unauthorized || !ctx.alive()) return;  // the sign-in form says it
        }
      }
      follow();
    }, FOLLOW_MS);
  };

  const reload = async (text) => {
    flash = text;
    generation += 1;
    try {
      const fresh = await fetchHeader();
      if (!ctx.alive()) return;
      detail = fresh;
    } catch (error) {
      if (!ctx.alive()) return;
      if (!error.unauthorized) showError(error);
    }
    draw(container, id, detail, reload, flash, ctx);
    follow();
  };
  draw(container, id, detail, reload, flash, ctx);
  follow();
}

function draw(container, id, detail, reload, flash, ctx) {
  const summary = detail.summary || {};
  const actions = canAct() ? messageActions({id, detail, reload, ctx}) : null;
  const heading = pageHeading('message', {id},
    h('span', {class: 'message-id mono', dataset: {test: 'message-id'}}, summary.id || id),
    stateBadge(summary.state, {dataset: {test: 'message-state', state: summary.state}}));
  fill(container,
    heading,
    flash ? h('p', {class: 'action-result', role: 'status', dataset: {test: 'action-result'}}, flash) : null,
    links(summary),
    facts(detail),
    holds(summary),
    actions ? actions.bar : null,
    destinations(id, summary, actions),
    h('section', {id: 'delivered-view', class: 'panel', hidden: true}),
    history(detail.history || []),
    payload(detail),
    actions ? actions.editPanel : null);
}

// A correction is linked both ways; the analyst must see at once that this
// message was replaced, or that it replaces another.
function links(summary) {
  const items = [];
  if (summary.superseded_by) items.push(h('p', {class: 'notice superseded'}, t('message.superseded-by'), ' ', messageLink(summary.superseded_by)));
  if (summary.edited_from) items.push(h('p', {class: 'notice edited'}, t('message.edited-from'), ' ', messageLink(summary.edited_from)));
  return items.length ? h('div', {class: 'links'}, items) : null;
}

function facts(detail) {
  const s = detail.summary || {};
  const app = (a, f) => [a, f].filter(Boolean).join(' / ');
  return h('section', {class: 'panel facts-panel', 'aria-label': t('message.header')},
    definitions([
      [t('message.type'), s.message_type],
      [t('message.control-id'), s.control_id],
      [t('message.source'), s.source],
      [t('message.peer'), detail.peer],
      [t('message.received'), timeEl(s.received_at)],
      [t('message.updated'), timeEl(s.updated_at)],
      [t('message.sending'), app(detail.sending_application, detail.sending_facility)],
      [t('message.receiving'), app(detail.receiving_application, detail.receiving_facility)],
      [t('message.version'), detail.version],
      [t('message.charset'), detail.charset],
      [t('message.routes'), (s.routes || []).join(', ')],
      [t('message.config-version'), s.config_version],
    ], 'message-facts'));
}

// Routes waiting for the patient's identity (parked) or failed at a step.
function holds(summary) {
  const list = summary.holds || [];
  if (!list.length) return null;
  return h('section', {class: 'panel holds'}, h('h2', null, t('message.holds')),
    h('ul', {class: 'holds'}, list.map((hold) => h('li', {dataset: {state: hold.state}},
      h('span', {class: 'mini-badge', dataset: {state: hold.state === 'parked' ? 'parked' : 'dead'}}, word('hold', hold.state)),
      ' ', h('strong', null, hold.route), ' — ', hold.reason || '',
      hold.since ? [' — ', t('message.since'), ' ', timeEl(hold.since)] : null))));
}

function destinations(id, summary, actions) {
  const list = summary.destinations || [];
  const body = h('tbody');
  for (const d of list) {
    const error = [d.last_error || ''];
    if (d.dead_at_step) error.push(h('span', {class: 'hint'}, ` (${t('message.dead-at-step')})`));
    if (d.next_attempt_at && formatTime(d.next_attempt_at)) {
      error.push(h('div', {class: 'hint'}, t('message.next-attempt'), ' ', timeEl(d.next_attempt_at)));
    }
    const buttons = [];
    if (maySeePayload()) {
      buttons.push(h('button', {type: 'button', class: 'show-delivered', on: {click: () => showDelivered(id, d)}},
        t('message.show-delivered')));
    }
    if (actions) buttons.push(actions.replayOneButton(d));
    body.append(h('tr', {dataset: {destination: d.destination, route: d.route}},
      h('th', {scope: 'row', class: 'destination'}, d.destination),
      h('td', {class: 'route'}, d.route),
      stateCell(d.state),
      h('td', {class: 'attempts num'}, String(d.attempts ?? 0)),
      h('td', {class: 'error'}, error),
      h('td', {class: 'rewritten'}, d.rewritten ? t('message.rewritten') : ''),
      h('td', {class: 'row-actions'}, buttons)));
  }
  return h('section', {class: 'panel'}, h('h2', null, t('message.destinations')),
    list.length === 0 ? h('p', {class: 'hint'}, t('message.no-destinations')) : h('div', {class: 'table-wrap'},
      h('table', {id: 'destinations', class: 'data'},
        h('thead', null, h('tr', null, ['destination', 'route', 'state', 'attempts', 'error', 'rewritten', 'actions']
          .map((c) => h('th', {scope: 'col', class: c}, t(`message.col.${c}`))))),
        body)));
}

// What destination `d` received (after its route's steps), in pre#delivered.
async function showDelivered(id, d) {
  const view = document.getElementById('delivered-view');
  if (!view) return;
  view.hidden = false;
  fill(view, h('h2', null, t('message.delivered-heading', {destination: d.destination, route: d.route})), loading());
  try {
    const got = await api(`messages/${id}/delivered`, {params: {destination: d.destination, route: d.route}});
    fill(view,
      h('h2', null, t('message.delivered-heading', {destination: got.destination || d.destination, route: got.route || d.route})),
      h('p', {class: 'hint'}, [
        got.rewritten ? t('message.delivered-rewritten') : t('message.delivered-as-received'),
        got.charset ? `${t('message.charset')} ${got.charset}` : '',
        got.bytes ? formatBytes(got.bytes) : '',
        got.state ? word('state', got.state) : '',
      ].filter(Boolean).join(' — ')),
      h('pre', {id: 'delivered', class: 'hl7-text'}, (got.text || '').replace(/\r\n?/g, '\n')),
      h('button', {type: 'button', class: 'quiet', on: {click: () => { view.hidden = true; view.replaceChildren(); }}}, t('action.close')));
    view.scrollIntoView({block: 'nearest'});
  } catch (error) {
    view.hidden = true;
    if (!error.unauthorized) showError(error);
  }
}

// The history, oldest first, as a timeline.
function history(events) {
  return h('section', {class: 'panel'}, h('h2', null, t('message.history')),
    h('ol', {id: 'history', class: 'timeline'}, events.map((e) => {
      const where = [e.route, e.destination].filter(Boolean).join(' → ');
      const extra = [];
      if (e.attempt) extra.push(t('history.attempt', {n: e.attempt}));
      if (e.duration_seconds) extra.push(t('history.duration', {s: formatDecimal(e.duration_seconds, 3)}));
      return h('li', {dataset: {type: e.type}},
        h('div', {class: 'when'}, timeEl(e.at)),
        h('div', {class: 'what'},
          h('span', {class: 'event-type'}, word('event', e.type)),
          where ? h('span', {class: 'where'}, where) : null,
          extra.length ? h('span', {class: 'hint'}, extra.join(', ')) : null,
          e.actor ? h('span', {class: 'actor'}, t('history.by', {actor: e.actor})) : null),
        e.detail ? h('div', {class: 'detail'}, e.detail) : null,
        e.next_attempt_at && formatTime(e.next_attempt_at)
          ? h('div', {class: 'hint'}, t('message.next-attempt'), ' ', timeEl(e.next_attempt_at)) : null);
    })));
}

// The HL7 text by segment, and the CDA it carries; or why it is not shown.
function payload(detail) {
  if (detail.payload_withheld || !detail.raw) {
    const why = !maySeePayload() ? t('message.withheld-role', {role: whoami()?.payload_role || ''})
      : detail.payload_withheld || t('message.no-text');
    return h('section', {class: 'panel'}, h('h2', null, t('message.hl7')),
      h('p', {class: 'withheld', dataset: {test: 'payload-withheld'}}, why));
  }
  const parsed = parseMessage(detail.raw);
  const hl7 = h('div', {id: 'hl7', class: 'hl7', lang: ''});
  drawHl7(hl7, parsed);
  let cda = null;
  try {
    cda = renderDocuments(findDocuments(parsed));
  } catch (_) {
    cda = h('section', {id: 'cda', class: 'panel'}, h('p', {class: 'hint'}, t('cda.unreadable.xml')));
  }
  return [
    h('section', {class: 'panel'}, h('h2', null, t('message.hl7')),
      h('p', {class: 'hint'}, t('message.hl7-hint', {n: parsed.segments.length})),
      hl7),
    cda,
  ];
}
