// pages/identity.js — what the identity feed (the DPI's ADT) recorded about
// a patient (#/identity, GET /v1/identities?ipp= or ?ins=): status, strict
// traits, INS, the history of changes and the documents parked waiting for
// it. The question it answers: "why is this document still waiting?".
//
// The IPP or INS typed stays in this module's memory with the last answer
// (coming back from a document shows the same patient without asking the
// engine again: each lookup is audited as view_identity); never in the URL.
import {h, fill, field, definitions} from '../dom.js';
import {api} from '../api.js';
import {t, word, formatDay, formatTime} from '../i18n.js';
import {navigate} from '../router.js';
import {showError, timeEl, messageLink, loading, pageHeading, clearError} from '../ui.js';
import {INS_OIDS} from '../cda.js';

let query = {ipp: '', ins: ''};
let answer = null;     // the last IdentitiesResponse, for the query above
let askNow = false;    // set by lookUpIdentity: search as soon as the page shows

// Opens the identity page on a patient (from the parked documents).
export function lookUpIdentity(q) {
  query = {ipp: q.ipp || '', ins: q.ins || ''};
  answer = null;
  askNow = true;
  navigate('#/identity');
}

export function renderIdentity(container, _params, ctx) {
  const ipp = h('input', {name: 'ipp', type: 'text', autocomplete: 'off', spellcheck: 'false', value: query.ipp});
  const ins = h('input', {name: 'ins', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 20, value: query.ins});
  const form = h('form', {id: 'identity-search', class: 'search', role: 'search', autocomplete: 'off'},
    h('div', {class: 'filters'}, field(t('filter.ipp'), ipp), field(t('filter.ins'), ins)),
    h('p', {class: 'hint'}, t('identity.hint')),
    h('div', {class: 'form-buttons'}, h('button', {type: 'submit', id: 'identity-go', class: 'primary'}, t('identity.search'))));
  const results = h('div', {class: 'identity-results'});
  container.append(pageHeading('identity'), form, results);

  const search = async () => {
    clearError();
    query = {ipp: ipp.value.trim(), ins: ins.value.replace(/\s+/g, '')};
    if (!query.ipp && !query.ins) return showError(t('identity.need-one'));
    fill(results, loading());
    try {
      const found = await api('identities', {params: query});
      if (!ctx.alive()) return;
      answer = found;
      show(results, answer);
    } catch (error) {
      if (!ctx.alive()) return;
      results.replaceChildren();
      if (!error.unauthorized) showError(error);
    }
  };
  form.addEventListener('submit', (event) => { event.preventDefault(); search(); });
  if (askNow) {
    askNow = false;
    search();
  } else if (answer) {
    show(results, answer);
  }
}

function show(results, found) {
  const identities = found.identities || [];
  const orphans = found.parked_without_identity || [];
  fill(results,
    identities.length === 0 ? h('p', {class: 'result-summary', role: 'status'}, t('identity.none')) : null,
    identities.map(identitySection),
    orphans.length ? h('section', {class: 'panel identity-orphans'},
      h('h2', null, t('identity.parked-without')), parkedList(orphans)) : null);
}

function identitySection(d) {
  const traits = d.traits || {};
  const dmp = d.dmp || {};
  const flags = [d.doubtful ? t('identity.doubtful') : '', d.fictitious ? t('identity.fictitious') : ''].filter(Boolean);
  const dated = (value, date) => [value, date ? `(${formatDay(date)})` : ''].filter(Boolean).join(' ');
  return h('section', {class: 'identity panel', dataset: {matchedBy: d.matched_by || ''}},
    h('div', {class: 'patient-heading'},
      h('h2', null, h('span', {class: 'label'}, t('parked.ipp')), ' ', h('span', {class: 'mono'}, d.ipp || ''),
        d.authority ? [' ', h('span', {class: 'authority mono'}, d.authority)] : null),
      h('span', {class: 'identity-badge', dataset: {status: d.status || 'none', test: 'identity-status'}},
        d.status ? word('identity', d.status) : t('identity.no-record'))),
    d.matched_by ? h('p', {class: 'hint'}, word('matched', d.matched_by)) : null,
    flags.length ? h('p', {class: 'notice'}, flags.join(' — ')) : null,
    d.merged_into_ipp ? h('p', {class: 'notice'}, t('identity.merged-into', {ipp: d.merged_into_ipp, authority: d.merged_into_authority || ''})) : null,
    h('div', {class: 'identity-facts'},
      h('div', null, h('h3', null, t('identity.traits')), definitions([
        [t('trait.birth_name'), traits.birth_name],
        [t('trait.first_birth_given_name'), traits.first_birth_given_name],
        [t('trait.birth_given_names'), traits.birth_given_names],
        [t('trait.birth_date'), formatDay(traits.birth_date)],
        [t('trait.sex'), traits.sex ? t(`sex.${traits.sex}`) : ''],
        [t('trait.birthplace_code'), traits.birthplace_code],
        [t('identity.used-names'), (d.used_names || []).map((n) => [n.family, n.given].filter(Boolean).join(' ')).filter(Boolean).join(', ')],
      ], 'traits')),
      h('div', null, h('h3', null, t('identity.ins-heading')), definitions([
        [t('identity.ins'), d.ins_matricule ? h('span', {class: 'mono ins'}, d.ins_matricule) : t('identity.no-ins')],
        [t('identity.ins-oid'), d.ins_oid ? `${INS_OIDS[d.ins_oid] || ''} ${d.ins_oid}`.trim() : ''],
        [t('identity.reliability'), d.reliability_code],
        [t('identity.dmp-status'), dmp.dmp_status],
        [t('identity.dmp-feeding'), dated(dmp.feeding, dmp.feeding_date)],
        [t('identity.dmp-consultation'), dated(dmp.consultation, dmp.consultation_date)],
        [t('identity.updated'), formatTime(d.updated_at) ? timeEl(d.updated_at) : ''],
        [t('identity.updated-by'), d.updated_by ? messageLink(d.updated_by) : ''],
      ], 'ins-facts'))),
    h('h3', null, t('identity.history')),
    (d.history || []).length === 0 ? h('p', {class: 'hint'}, t('identity.no-history')) :
      h('ol', {class: 'identity-history timeline'}, d.history.map((e) => h('li', {dataset: {trigger: e.trigger || ''}},
        h('div', {class: 'when'}, timeEl(e.at)),
        h('div', {class: 'what'}, h('span', {class: 'event-type'}, e.trigger || ''), ' ', e.summary || ''),
        e.message_id ? h('div', {class: 'detail'}, messageLink(e.message_id)) : null))),
    h('h3', null, t('identity.parked')),
    (d.parked || []).length === 0 ? h('p', {class: 'hint'}, t('identity.no-parked')) : parkedList(d.parked));
}

function parkedList(messages) {
  return h('ul', {class: 'parked-messages'}, messages.map((m) => h('li', {dataset: {messageId: m.id}},
    messageLink(m.id, [m.message_type, m.control_id].filter(Boolean).join(' ') || m.id),
    ' ', timeEl(m.received_at),
    (m.holds || []).length ? h('span', {class: 'hint'}, ' — ', m.holds.map((x) => `${x.route}: ${x.reason}`).join('; ')) : null)));
}
