// pages/message_actions.js — what an operator or admin may do to a message:
// replay (all, one destination, or routed again), release a parked
// document, discard, resend to another destination, and correct the text
// and resend it (edit, with a side-by-side diff before sending).
//
// Built only for operator and admin roles (message.js does not call it
// otherwise), so that the buttons are absent from a viewer's page rather
// than disabled. Every action asks first in dialog#confirm; its answer is
// shown as [data-test=action-result] on the message reloaded after it.
import {h, fill, field} from '../dom.js';
import {api} from '../api.js';
import {t, word} from '../i18n.js';
import {maySeePayload} from '../session.js';
import {navigate} from '../router.js';
import {showError, confirmDialog, setFlash, clearError} from '../ui.js';
import {linesOf, sideBySide, renderDiff, changedCount} from '../diff.js';

// {id, detail, reload(flash), ctx} → {bar, replayOneButton(d), editPanel}.
export function messageActions({id, detail, reload, ctx}) {
  const summary = detail.summary || {};
  const holds = summary.holds || [];

  // Asks, posts, then reloads the message with what the engine answered.
  const run = async (button, question, action, body, details) => {
    if (!await confirmDialog(question, {yes: button.textContent, details})) return;
    clearError();
    button.disabled = true;
    try {
      const result = await api(`messages/${id}/${action}`, {method: 'POST', body});
      if (!ctx.alive()) return;
      await reload(describe(action, body, result));
    } catch (error) {
      button.disabled = false;
      if (!error.unauthorized) showError(error);
    }
  };

  const button = (id_, label, onClick, cls = 'action') =>
    h('button', {type: 'button', id: id_, class: cls, on: {click: (e) => onClick(e.currentTarget)}}, label);

  const buttons = [
    button('action-replay', t('action.replay'),
      (b) => run(b, t('confirm.replay'), 'replay', {}, t('confirm.replay-details'))),
    button('action-reroute', t('action.reroute'),
      (b) => run(b, t('confirm.reroute'), 'replay', {reroute: true})),
  ];
  if (summary.state === 'parked' || holds.length > 0) {
    buttons.push(button('action-release', t('action.release'),
      (b) => run(b, t('confirm.release'), 'release', {}, t('confirm.release-details'))));
  }
  buttons.push(button('action-discard', t('action.discard'),
    (b) => run(b, t('confirm.discard'), 'discard', {}, t('confirm.discard-details')), 'action danger'));

  // Edit needs the text: only for a role that sees payloads.
  const editPanel = h('div', {class: 'edit-slot'});
  if (maySeePayload() && detail.raw) {
    buttons.push(button('action-edit', t('action.edit'), () => toggleEdit(editPanel, id, detail.raw, ctx)));
  }

  // Resend, as received, to a configured destination it was never routed to.
  const resendSelect = h('select', {id: 'resend-destination', name: 'resend_destination'},
    h('option', {value: ''}, t('resend.choose')));
  const resendButton = button('action-resend', t('action.resend'), (b) => {
    const destination = resendSelect.value;
    if (!destination) return showError(t('resend.none-chosen'));
    run(b, t('confirm.resend', {destination}), 'resend', {destination});
  });
  const resend = h('div', {class: 'resend', hidden: true},
    field(t('resend.label'), resendSelect), resendButton);
  const already = new Set((summary.destinations || []).map((d) => d.destination));
  api('status').then((status) => {
    const names = (status.destinations || []).map((d) => d.name).filter((n) => !already.has(n));
    if (!ctx.alive() || names.length === 0) return;
    resendSelect.append(...names.map((n) => h('option', {value: n}, n)));
    resend.hidden = false;
  }).catch(() => { /* no resend offered; the rest of the page stands */ });

  const bar = h('section', {class: 'panel actions', 'aria-label': t('message.actions')},
    h('h2', null, t('message.actions')),
    h('div', {class: 'action-buttons'}, buttons),
    resend);

  const replayOneButton = (d) => h('button', {type: 'button', class: 'replay-one',
    on: {click: (e) => run(e.currentTarget, t('confirm.replay-one', {destination: d.destination, route: d.route}),
      'replay', {destination: d.destination})}}, t('action.replay-one'));

  return {bar, replayOneButton, editPanel};
}

// The action's answer in words: "Replayed — state: queued — destinations: dmp".
function describe(action, body, result) {
  const key = action === 'replay' && body.reroute ? 'rerouted' : action === 'replay' && body.destination ? 'replayed-one' : action;
  const parts = [t(`result.${key}`)];
  if (result.state) parts.push(t('result.state', {state: word('state', result.state)}));
  if ((result.destinations || []).length) parts.push(t('result.destinations', {list: result.destinations.join(', ')}));
  if ((result.routes || []).length) parts.push(t('result.routes', {list: result.routes.join(', ')}));
  return parts.join(' — ');
}

// The editor: textarea#edit-raw (segments on lines), button#edit-preview →
// #edit-diff, button#edit-send → confirm → the new message's page.
function toggleEdit(slot, id, raw, ctx) {
  if (slot.firstChild) {
    slot.replaceChildren();
    return;
  }
  const original = linesOf(raw);
  const textarea = h('textarea', {id: 'edit-raw', name: 'raw', rows: Math.min(30, original.length + 3),
    spellcheck: 'false', autocomplete: 'off', wrap: 'off', value: original.join('\n')});
  const diff = h('div', {id: 'edit-diff', class: 'diff-view', 'aria-live': 'polite'});
  const preview = () => {
    const rows = sideBySide(original, linesOf(textarea.value));
    const changed = changedCount(rows);
    fill(diff,
      h('p', {class: 'hint'}, changed ? t('edit.changed-lines', {n: changed}) : t('edit.unchanged')),
      renderDiff(rows, {left: t('edit.original'), right: t('edit.edited')}));
    return changed;
  };
  const send = h('button', {type: 'button', id: 'edit-send', class: 'primary'}, t('edit.send'));
  send.addEventListener('click', async () => {
    const changed = preview();
    if (!changed) return showError(t('edit.unchanged'));
    if (!await confirmDialog(t('confirm.edit', {n: changed}), {yes: t('edit.send'), details: t('confirm.edit-details')})) return;
    clearError();
    send.disabled = true;
    try {
      const result = await api(`messages/${id}/edit`, {method: 'POST', body: {raw: linesOf(textarea.value).join('\r') + '\r'}});
      if (!ctx.alive()) return;
      setFlash([t('result.edit', {id: result.id}), result.changes,
        result.state ? t('result.state', {state: word('state', result.state)}) : ''].filter(Boolean).join(' — '));
      navigate(`#/messages/${result.id}`);
    } catch (error) {
      send.disabled = false;
      if (!error.unauthorized) showError(error);
    }
  });
  fill(slot, h('section', {class: 'panel edit', id: 'edit'},
    h('h2', null, t('edit.heading')),
    h('p', {class: 'hint'}, t('edit.hint')),
    field(t('edit.label'), textarea, 'block'),
    h('div', {class: 'form-buttons'},
      h('button', {type: 'button', id: 'edit-preview', on: {click: preview}}, t('edit.preview')),
      send,
      h('button', {type: 'button', class: 'quiet', on: {click: () => slot.replaceChildren()}}, t('edit.cancel'))),
    diff));
  slot.scrollIntoView({block: 'start'});
  textarea.focus();
}
