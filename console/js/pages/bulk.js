// pages/bulk.js — replays the dead letters the list is filtered on, as one
// job on the engine (POST /v1/replays), with a progress bar fed by
// GET /v1/replays/<id> every 500 ms until the job is done or failed.
//
// A bulk replay takes the destination and the time window only (the API's
// BulkReplayRequest): the panel says so, and shows which of the list's
// filters it will use, so that nobody replays more than they meant to.
import {h, fill} from '../dom.js';
import {api} from '../api.js';
import {t, count, formatTime} from '../i18n.js';
import {showError, confirmDialog} from '../ui.js';

const POLL_MS = 500;

// {destination, since, until} (RFC 3339 or ''), onDone() when the job ends,
// ctx from the router (polling stops when the analyst leaves the page).
export function bulkReplayPanel({destination, since, until, onDone, ctx}) {
  const scope = [
    destination ? t('bulk.scope.destination', {destination}) : t('bulk.scope.all'),
    since ? t('bulk.scope.since', {since: formatTime(since)}) : '',
    until ? t('bulk.scope.until', {until: formatTime(until)}) : '',
  ].filter(Boolean).join(', ');
  const reroute = h('input', {type: 'checkbox', name: 'reroute'});
  const button = h('button', {type: 'button', id: 'bulk-replay', class: 'action'}, t('bulk.button'));
  const progressSlot = h('div', {class: 'bulk-progress'});
  const panel = h('section', {class: 'bulk panel', 'aria-label': t('bulk.heading')},
    h('h2', null, t('bulk.heading')),
    h('p', null, t('bulk.scope', {scope})),
    h('p', {class: 'hint'}, t('bulk.other-filters')),
    h('label', {class: 'check'}, reroute, ' ', t('bulk.reroute')),
    h('div', {class: 'form-buttons'}, button),
    progressSlot);

  button.addEventListener('click', async () => {
    const ok = await confirmDialog(t('bulk.confirm', {scope}),
      {yes: t('bulk.confirm-yes'), details: reroute.checked ? t('bulk.confirm-reroute') : ''});
    if (!ok) return;
    button.disabled = true;
    const body = {state: 'dead', destination, reroute: reroute.checked};
    if (since) body.since = since;
    if (until) body.until = until;
    try {
      const job = await api('replays', {method: 'POST', body});
      follow(job);
    } catch (error) {
      button.disabled = false;
      if (!error.unauthorized) showError(error);
    }
  });

  // The bar: value = messages looked at, max = the dead letters counted
  // when the job started.
  const follow = (first) => {
    const bar = h('progress', {id: 'bulk-progress', max: Number(first.total) || 1, value: Number(first.done) || 0});
    const label = h('span', {class: 'progress-label', role: 'status'});
    fill(progressSlot, h('label', {class: 'progress'}, h('span', {class: 'caption'}, t('bulk.progress')), bar), label);
    let stopped = false;
    ctx.onLeave(() => { stopped = true; });
    const show = (job) => {
      bar.max = Number(job.total) || 1;
      bar.value = Number(job.done) || 0;
      label.textContent = t('bulk.progress-text', {done: count(job.done), total: count(job.total)});
    };
    const finish = (job) => {
      show(job);
      if (job.state === 'done' && Number(job.total) === 0) bar.max = bar.value = 1;
      progressSlot.append(h('p', {class: ['bulk-result', job.state === 'failed' ? 'failed' : 'done'], dataset: {test: 'bulk-result'}},
        job.state === 'failed'
          ? t('bulk.failed', {error: job.error || '', replayed: count(job.replayed)})
          : t('bulk.done', {replayed: count(job.replayed), skipped: count(job.skipped), failed: count(job.failed)})));
      button.disabled = false;
      onDone();
    };
    const poll = async (job) => {
      if (stopped) return;
      show(job);
      if (job.state === 'done' || job.state === 'failed') return finish(job);
      setTimeout(async () => {
        if (stopped) return;
        try {
          poll(await api(`replays/${encodeURIComponent(job.id)}`));
        } catch (error) {
          if (stopped || error.unauthorized) return;
          showError(error);
          button.disabled = false;
        }
      }, POLL_MS);
    };
    poll(first);
  };
  return panel;
}
