// status.js — GET /v1/status every 5 s while the tab is visible.
//
// The list's counters and the destinations page follow the engine live, but
// a console left open in a background tab all night should not poll: when
// the page is hidden the timer stops, and the first look back refreshes at
// once.
import {api} from './api.js';

const INTERVAL_MS = 5000;

// Calls onStatus(status) now and every 5 s while visible, onError(error) when
// a poll fails (the next one still runs). Returns stop().
export function followStatus(onStatus, onError = () => {}) {
  let timer = null;
  let stopped = false;
  let inFlight = false;  // a request out: a visibility change must not start another

  const poll = async () => {
    timer = null;
    if (stopped || document.visibilityState !== 'visible') return;
    inFlight = true;
    try {
      const status = await api('status');
      if (!stopped) onStatus(status);
    } catch (error) {
      if (!stopped) onError(error);
      if (error.unauthorized) return stop();
    } finally {
      inFlight = false;
    }
    if (!stopped && document.visibilityState === 'visible') timer = setTimeout(poll, INTERVAL_MS);
  };

  const onVisibility = () => {
    if (document.visibilityState === 'visible' && timer === null && !inFlight) poll();
    else if (document.visibilityState !== 'visible' && timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  };

  function stop() {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  }

  document.addEventListener('visibilitychange', onVisibility);
  poll();
  return stop;
}

// The list's counters: queued = Σ queue_depth, dead = Σ dead_letters,
// parked = parked.messages. uint64 arrive as strings; summed as BigInt so
// that a huge count stays exact.
export function countersOf(status) {
  let queued = 0n, dead = 0n;
  for (const d of status.destinations || []) {
    queued += BigInt(d.queue_depth || 0);
    dead += BigInt(d.dead_letters || 0);
  }
  const parked = BigInt((status.parked && status.parked.messages) || 0);
  return {queued: String(queued), dead: String(dead), parked: String(parked)};
}

// Whether the intake refuses messages (disk watermark): a bool in the
// proto, a list of reasons in the contract's example; both read here.
export function intakePaused(status) {
  const value = status.intake_paused;
  return Array.isArray(value) ? value.length > 0 : value === true;
}
