// app.js — the console's entry point: the page frame (header, navigation,
// language switch, who is signed in), the sign-in flow and the routes.
//
// Flow: a token in sessionStorage → GET /v1/whoami → the role decides the
// navigation (the audit trail for admins only) and, in the pages, which
// actions and payloads exist. A 401 from any call comes back here and shows
// the sign-in form with the API's message.
import {h, fill} from './dom.js';
import {api, setUnauthorizedHandler} from './api.js';
import {t, lang, setLang, applyLang} from './i18n.js';
import {token, setWhoami, whoami, signOut, isAdmin, maySeePayload} from './session.js';
import {addRoute, startRouter, stopRouter, refresh} from './router.js';
import {showError, clearError} from './ui.js';
import {renderSignIn} from './pages/signin.js';
import {renderMessages} from './pages/messages.js';
import {renderMessagePage} from './pages/message.js';
import {renderParked} from './pages/parked.js';
import {renderIdentity} from './pages/identity.js';
import {renderDestinations} from './pages/destinations.js';
import {renderAudit} from './pages/audit.js';

// Each page and who may open it: the parked documents and identities name
// patients (the API answers them to the payload role only), the audit trail
// is the admins'. A link that would only lead to a refusal is not shown.
const NAV = [
  ['messages', '#/messages', () => true],
  ['parked', '#/parked', maySeePayload],
  ['identity', '#/identity', maySeePayload],
  ['destinations', '#/destinations', () => true],
  ['audit', '#/audit', isAdmin],
];

let header, outlet, signedIn = false;
// Who was signed in before a 401: if someone else signs in on this
// workstation, the page starts afresh so that no filter or answer of the
// previous analyst stays in memory.
let lastUser = '';
let pending = false;  // a whoami under way

addRoute(/^#\/messages$/, renderMessages);
addRoute(/^#\/messages\/([0-9a-f]{16})$/, renderMessagePage);
addRoute(/^#\/parked$/, renderParked);
addRoute(/^#\/identity$/, renderIdentity);
addRoute(/^#\/destinations$/, renderDestinations);
addRoute(/^#\/audit$/, renderAudit);

function buildFrame() {
  header = h('header', {class: 'topbar'});
  outlet = h('div', {id: 'outlet'});
  const main = h('main', {id: 'main'}, h('div', {id: 'notice', class: 'notice-area', 'aria-live': 'assertive'}), outlet);
  document.body.replaceChildren(h('a', {href: '#main', class: 'skip'}, t('common.skip')), header, main);
  // The skip link must not change the hash route: focus the main area.
  document.body.firstChild.addEventListener('click', (event) => {
    event.preventDefault();
    main.setAttribute('tabindex', '-1');
    main.focus();
  });
}

function drawHeader() {
  const who = whoami();
  const nav = signedIn ? h('nav', {class: 'nav', 'aria-label': t('nav.label')},
    NAV.filter(([, , allowed]) => allowed())
      .map(([name, hash]) => h('a', {id: `nav-${name}`, href: hash}, t(`nav.${name}`)))) : null;
  const other = lang() === 'fr' ? 'en' : 'fr';
  fill(header,
    h('a', {class: 'brand', href: '#/messages', 'aria-label': 'navette'},
      h('img', {src: 'favicon.svg', alt: '', width: 24, height: 24}), h('span', null, 'navette')),
    nav,
    h('div', {class: 'who'},
      signedIn && who ? h('span', {class: 'whoami', dataset: {test: 'whoami'}}, `${who.user} (${who.role})`) : null,
      h('button', {type: 'button', id: 'lang', lang: other, title: t('lang.switch'), 'aria-label': t('lang.switch'),
        on: {click: switchLang}}, t('lang.other')),
      signedIn ? h('button', {type: 'button', id: 'sign-out', on: {click: signOutNow}}, t('signin.out')) : null));
  markNav(location.hash);
}

function markNav(hash) {
  for (const [name, prefix] of NAV) {
    const link = document.getElementById(`nav-${name}`);
    if (!link) continue;
    if (hash === prefix || hash.startsWith(`${prefix}/`)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function switchLang() {
  setLang(lang() === 'fr' ? 'en' : 'fr');
  drawHeader();
  if (signedIn) refresh();
  else showSignIn();
  document.getElementById('lang')?.focus();
}

// Signing out forgets everything: the token, and (by loading the page
// again) every filter and answer the modules keep in memory.
function signOutNow() {
  signOut();
  stopRouter();
  location.replace('#/messages');
  location.reload();
}

// While the form shows, a move to another page with a token now in
// sessionStorage (set by another tab's sign-in script, or a test) signs in.
window.addEventListener('hashchange', () => {
  if (!signedIn && token() && !pending) signInWith();
});

function showSignIn(message) {
  stopRouter();
  signedIn = false;
  setWhoami(null);
  drawHeader();
  clearError();
  renderSignIn(outlet, signInWith);
  if (message) showError(message);
}

async function signInWith() {
  clearError();
  let who;
  pending = true;
  try {
    who = await api('whoami');
  } catch (error) {
    pending = false;
    // A 401 has already brought the form back with its message; any other
    // failure (engine unreachable) is said on the form.
    if (error.unauthorized) return;
    if (!outlet.querySelector('#signin')) renderSignIn(outlet, signInWith);
    showError(error);
    return;
  }
  pending = false;
  if (lastUser && who.user !== lastUser) {
    location.reload();
    return;
  }
  lastUser = who.user;
  setWhoami(who);
  signedIn = true;
  drawHeader();
  startRouter(outlet, {
    defaultHash: '#/messages',
    before: (hash) => { clearError(); markNav(hash); },
  });
}

setUnauthorizedHandler((error) => showSignIn(error.message));

// A page that failed to render says why, unless it was a 401 (the sign-in
// form says it) or the analyst has moved on.
window.addEventListener('navette-error', (event) => {
  const {error, ctx} = event.detail;
  if (error && !error.unauthorized && ctx.alive()) showError(error);
});

applyLang();
buildFrame();
if (token()) {
  drawHeader();
  outlet.append(h('p', {class: 'loading', role: 'status'}, t('common.loading')));
  signInWith();
} else {
  showSignIn();
}
