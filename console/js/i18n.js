// i18n.js — the console's two languages, and how it writes times and ages.
//
// French is the default for a browser set to fr-*, English otherwise;
// button#lang switches and the choice is kept in localStorage navette.lang
// (a preference, never patient data). Strings live in strings_fr.js and
// strings_en.js under the same keys; t() falls back to English, then to the
// key itself, so that a missing translation shows up rather than breaks.
//
// Times: the API speaks RFC 3339 UTC; analysts read local time, written the
// way their colleagues do (06/12/2026 08:14:03 in French, 2026-12-06
// 08:14:03 in English, unambiguous for a reader of either convention).
import {FR} from './strings_fr.js';
import {EN} from './strings_en.js';

const DICTIONARIES = {fr: FR, en: EN};
const STORAGE_KEY = 'navette.lang';

let current = initialLang();

function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'fr' || saved === 'en') return saved;
  } catch (_) { /* storage disabled: fall through to the browser's language */ }
  const browser = (typeof navigator === 'undefined' ? '' : navigator.language || '').toLowerCase();
  return browser === 'fr' || browser.startsWith('fr-') ? 'fr' : 'en';
}

export function lang() { return current; }

// Marks the page with the language in use (screen readers, hyphenation).
export function applyLang() { document.documentElement.lang = current; }

export function setLang(value) {
  current = value === 'fr' ? 'fr' : 'en';
  try { localStorage.setItem(STORAGE_KEY, current); } catch (_) { /* keep it for this page only */ }
  applyLang();
}

// t('message.title', {id}) → the string with {id} replaced.
export function t(key, vars) {
  let text = DICTIONARIES[current][key] ?? EN[key] ?? key;
  if (vars) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) =>
      vars[name] === undefined || vars[name] === null ? whole : String(vars[name]));
  }
  return text;
}

// The label of an API word (a state, an event type, a role...): the
// dictionaries hold them as "<kind>.<word>"; an unknown word shows as is, as
// the engine may learn new ones before the console does.
export function word(kind, value) {
  if (!value) return '';
  const key = `${kind}.${value}`;
  return DICTIONARIES[current][key] ?? EN[key] ?? value;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

// A Date → the local date and time, to the second.
export function formatDate(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '';
  const day = pad(date.getDate()), month = pad(date.getMonth() + 1), year = date.getFullYear();
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return current === 'fr' ? `${day}/${month}/${year} ${time}` : `${year}-${month}-${day} ${time}`;
}

// An RFC 3339 timestamp from the API → local time; '' when unset (an unset
// proto Timestamp is absent, or the epoch if the engine wrote zero).
export function formatTime(rfc3339) {
  if (!rfc3339) return '';
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime()) || date.getTime() <= 0) return '';
  return formatDate(date);
}

// A date given as digits only (YYYYMMDD, from HL7 or CDA): no time zone to
// convert, written in the reader's order.
export function formatDay(digits) {
  const m = /^(\d{4})(\d{2})?(\d{2})?/.exec(digits || '');
  if (!m) return digits || '';
  const [, year, month, day] = m;
  if (!month) return year;
  if (!day) return current === 'fr' ? `${month}/${year}` : `${year}-${month}`;
  return current === 'fr' ? `${day}/${month}/${year}` : `${year}-${month}-${day}`;
}

// An HL7 / CDA TS (YYYYMMDDHHMMSS[.S][+ZZZZ]): with an offset it is a real
// instant, shown in local time; without one, shown as written.
export function formatHl7Time(ts) {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/.exec(ts || '');
  if (!m) return formatDay(ts);
  const [, y, mo, d, hh, mi = '00', ss = '00', offset] = m;
  if (offset) {
    const iso = `${y}-${mo}-${d}T${hh}:${mi}:${ss}${offset.slice(0, 3)}:${offset.slice(3)}`;
    const date = new Date(iso);
    if (!Number.isNaN(date.getTime())) return formatDate(date);
  }
  const day = current === 'fr' ? `${d}/${mo}/${y}` : `${y}-${mo}-${d}`;
  return `${day} ${hh}:${mi}${m[6] ? ':' + ss : ''}`;
}

// Seconds → "45 s", "3 min 20 s", "2 h 05 min", "3 d 4 h" (j in French).
export function formatAge(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${pad(Math.floor(s % 3600 / 60))} min`;
  return `${Math.floor(s / 86400)} ${current === 'fr' ? 'j' : 'd'} ${Math.floor(s % 86400 / 3600)} h`;
}

// A byte count → "812 o" / "12,4 Ko" in French, "812 B" / "12.4 KB" in English.
export function formatBytes(bytes) {
  const n = Number(bytes) || 0;
  const units = current === 'fr' ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
  let value = n, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  const text = unit === 0 ? String(value) : value.toFixed(1);
  return `${current === 'fr' ? text.replace('.', ',') : text} ${units[unit]}`;
}

// A decimal with the reader's separator: "1,200" in French, "1.200" in English.
export function formatDecimal(value, digits) {
  const text = (Number(value) || 0).toFixed(digits);
  return current === 'fr' ? text.replace('.', ',') : text;
}

// Numbers arrive as strings (uint64): shown as they are, or 0.
export function count(value) {
  return value === undefined || value === null || value === '' ? '0' : String(value);
}
