// pages/signin.js — the sign-in form: the analyst pastes the access token
// their administrator gave them (engine.admin.tokens). It is kept in
// sessionStorage for this tab only and checked at once with /v1/whoami.
import {h, field} from '../dom.js';
import {t} from '../i18n.js';
import {setToken} from '../session.js';

// Fills `outlet` with form#signin; onToken(token) runs on submit.
export function renderSignIn(outlet, onToken) {
  document.title = `navette — ${t('title.signin')}`;
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off',
    spellcheck: 'false', required: true});
  const form = h('form', {id: 'signin', class: 'signin panel', autocomplete: 'off'},
    h('h1', null, t('signin.heading')),
    h('p', {class: 'hint'}, t('signin.hint')),
    field(t('signin.token'), input, 'block'),
    h('div', {class: 'form-buttons'}, h('button', {type: 'submit', id: 'sign-in', class: 'primary'}, t('signin.button'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    setToken(token);
    input.value = '';
    onToken(token);
  });
  outlet.replaceChildren(form);
  input.focus();
}
