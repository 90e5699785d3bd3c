// api.js — every call to the admin API goes through here.
//
// It adds the bearer token, leaves out empty parameters (the API refuses
// parameters it does not take, and an empty filter means "any"), turns an
// error answer into a thrown Error carrying the API's own `error` text (that
// is what analysts see, in [data-test=error]), and on 401 sends the page
// back to the sign-in form. The API lives at /v1 on the same origin; the
// path is relative to the console's (/console/ → ../v1), so that a proxy
// mounting both under a prefix still works.
import {token, signOut} from './session.js';
import {t} from './i18n.js';

let onUnauthorized = () => {};

// app.js says what to do on a 401 (show the sign-in form with the message).
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

export class ApiError extends Error {
  constructor(message, status, details) {
    super(message);
    this.status = status;
    this.details = details || [];
    this.unauthorized = status === 401;
  }
}

function urlOf(path, params) {
  const url = new URL(`../v1/${path}`, document.baseURI);
  for (const [name, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    url.searchParams.set(name, String(value));
  }
  return url;
}

// api('messages', {params: {state: 'dead'}}) → the parsed JSON body.
// api('messages/0123/replay', {method: 'POST', body: {}}).
export async function api(path, {method = 'GET', params, body} = {}) {
  const headers = {'Accept': 'application/json', 'Authorization': `Bearer ${token()}`};
  const init = {method, headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(urlOf(path, params), init);
  } catch (_) {
    throw new ApiError(t('error.network'), 0);
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch (_) { data = null; }
  }
  if (response.ok) return data ?? {};
  const message = (data && typeof data.error === 'string' && data.error) ||
      t('error.http', {status: response.status});
  const error = new ApiError(message, response.status, data && data.details);
  if (response.status === 401) {
    signOut();
    onUnauthorized(error);
  }
  throw error;
}
