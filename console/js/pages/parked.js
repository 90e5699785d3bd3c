// pages/parked.js — the documents waiting for a patient's identity
// (#/parked, GET /v1/parked), grouped by patient, oldest first, each with
// the reason its routes wait and since when: the analyst's work list for
// the identity desk.
//
// It names patients, so the API shows it to the payload role only (403
// otherwise, shown as the error). A patient's identity opens on the identity
// page through memory (lookUpIdentity), never through the URL.
import {h, fill} from '../dom.js';
import {api} from '../api.js';
import {t, word} from '../i18n.js';
import {showError, timeEl, messageLink, loading, pageHeading} from '../ui.js';
import {lookUpIdentity} from './identity.js';

export async function renderParked(container, _params, ctx) {
  const body = h('div', {class: 'parked'}, loading());
  container.append(pageHeading('parked'), h('p', {class: 'hint'}, t('parked.intro')), body);
  let answer;
  try {
    answer = await api('parked');
  } catch (error) {
    if (!ctx.alive()) return;
    body.replaceChildren();
    if (!error.unauthorized) showError(error);
    return;
  }
  if (!ctx.alive()) return;
  const patients = answer.patients || [];
  const documents = patients.reduce((n, p) => n + (p.messages || []).length, 0);
  fill(body,
    h('p', {class: 'result-summary', role: 'status'},
      patients.length ? t('parked.summary', {patients: patients.length, documents}) : t('parked.none')),
    answer.truncated ? h('p', {class: 'notice'}, t('parked.truncated')) : null,
    patients.map(patientSection));
}

export function identityStatus(status) {
  return h('span', {class: 'identity-badge', dataset: {status: status || 'none'}},
    status ? word('identity', status) : t('identity.no-record'));
}

function patientSection(p) {
  const heading = h('h2', null,
    p.ipp ? [h('span', {class: 'label'}, t('parked.ipp')), ' ', h('span', {class: 'mono'}, p.ipp)] : t('parked.ins-only'),
    p.authority ? [' ', h('span', {class: 'authority mono'}, p.authority)] : null,
    ' ', identityStatus(p.identity_status));
  const look = h('button', {type: 'button', class: 'quiet', on: {click: () => lookUpIdentity({ipp: p.ipp, ins: p.ipp ? '' : p.ins})}},
    t('parked.show-identity'));
  return h('section', {class: 'patient panel', dataset: {identityStatus: p.identity_status || ''}},
    h('div', {class: 'patient-heading'}, heading, look),
    p.ins ? h('p', null, h('span', {class: 'label'}, t('parked.ins')), ' ', h('span', {class: 'mono'}, p.ins)) : null,
    h('ul', {class: 'parked-messages'}, (p.messages || []).map((m) => h('li', {dataset: {messageId: m.id}},
      h('div', {class: 'parked-message'},
        messageLink(m.id, [m.message_type, m.control_id].filter(Boolean).join(' ') || m.id),
        ' ', h('span', {class: 'hint'}, m.source || ''),
        ' ', t('parked.received'), ' ', timeEl(m.received_at)),
      h('ul', {class: 'holds'}, (m.holds || []).map((hold) => h('li', {dataset: {state: hold.state}},
        h('strong', null, hold.route), ' — ', h('span', {class: 'reason'}, hold.reason || word('hold', hold.state)),
        hold.since ? [' — ', t('parked.since'), ' ', timeEl(hold.since)] : null)))))));
}
