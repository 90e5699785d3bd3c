// session.js — who is signed in: the token and what /v1/whoami said of it.
//
// The token lives in sessionStorage (navette.token): it survives a reload
// of the tab but not the closing of the browser, and is never in a cookie,
// so no other site can make the browser use it. What the role may do
// decides which buttons exist at all; the API still checks every request.

const TOKEN_KEY = 'navette.token';

let who = null;  // {user, role, payload_role, may_see_payload}

export function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return ''; }
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function signOut() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (_) { /* nothing kept */ }
  who = null;
}

export function setWhoami(value) { who = value; }
export function whoami() { return who; }

const RANK = {viewer: 1, operator: 2, admin: 3};

// Operators and admins act on messages (replay, discard, edit...).
export function canAct() { return !!who && (RANK[who.role] || 0) >= RANK.operator; }
export function isAdmin() { return !!who && who.role === 'admin'; }
// The payload role sees HL7 text, what destinations received, CDA, parked
// patients and identities.
export function maySeePayload() { return !!who && who.may_see_payload === true; }
