// router.js — hash routes: #/messages, #/messages/<id>, #/parked, ...
//
// The hash carries ids only, never a search filter or a patient's
// identifier: URLs end up in browser history, proxies' logs and screenshots
// pasted into tickets. Filters stay in the pages' memory instead.
//
// Each visit renders into a fresh container, so that a slow answer for a
// page the analyst already left writes into a detached element, not over
// the page now shown; ctx.alive() tells it so, ctx.onLeave() registers what
// to stop (timers, polling) when the analyst moves on.

const routes = [];  // [{pattern: RegExp, render: (container, params, ctx) => ...}]
let outlet = null;
let beforeEach = () => {};
let fallback = '#/messages';
let leaving = [];
let visit = 0;

export function addRoute(pattern, render) {
  routes.push({pattern, render});
}

// Renders the current hash into `element` now and on every change.
// `before(hash)` runs first on each visit (clear errors, mark the nav).
export function startRouter(element, {before, defaultHash} = {}) {
  outlet = element;
  if (before) beforeEach = before;
  if (defaultHash) fallback = defaultHash;
  window.addEventListener('hashchange', render);
  render();
}

export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

// Renders the current page again (after a language switch, say).
export function refresh() { render(); }

// Stops the current page without rendering another (on sign-out).
export function stopRouter() {
  window.removeEventListener('hashchange', render);
  leave();
  visit += 1;
}

function leave() {
  for (const stop of leaving) {
    try { stop(); } catch (_) { /* a page's cleanup must not block the next page */ }
  }
  leaving = [];
}

function render() {
  if (!outlet) return;
  const hash = location.hash || '';
  const found = routes.map((r) => ({r, m: r.pattern.exec(hash)})).find((x) => x.m);
  if (!found) {
    // An unknown or empty hash: the list, without adding a history entry.
    history.replaceState(null, '', fallback);
    if (hash !== fallback) render();
    return;
  }
  leave();
  visit += 1;
  const mine = visit;
  const container = document.createElement('div');
  container.className = 'page';
  outlet.replaceChildren(container);
  beforeEach(hash);
  const ctx = {
    alive: () => mine === visit,
    onLeave: (stop) => { if (mine === visit) leaving.push(stop); else stop(); },
  };
  Promise.resolve()
    .then(() => found.r.render(container, found.m.slice(1), ctx))
    .catch((error) => window.dispatchEvent(new CustomEvent('navette-error', {detail: {error, ctx}})));
}
