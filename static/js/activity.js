// The activity feed: what the server reported recently (movies added, imports, prunes), kept from app start
// so the Import view shows it even when opened mid-import. Bounded: the newest MAX_ENTRIES are kept.

import { events } from './events.js';

const MAX_ENTRIES = 200;
const entries = [];
const listeners = new Set();
let next_key = 1;

function push(entry) {
  entries.unshift({ key: next_key++, at: new Date(), ...entry });
  if (entries.length > MAX_ENTRIES) entries.length = MAX_ENTRIES;
  for (const fn of listeners) fn(entries);
}

events.on('movie.added', (frame) => frame.movie && push({ kind: 'added', movie: frame.movie }));
events.on('movie.removed', (frame) => push({ kind: 'removed', id: frame.id }));
events.on('import.started', () => push({ kind: 'started' }));
events.on('import.finished', (frame) => push({ kind: 'finished', job: frame.job }));
events.on('prune.finished', (frame) => push({ kind: 'pruned', result: frame.result }));
events.on('error', (frame) => push({ kind: 'error', message: frame.message }));

export const activity = {
  get entries() {
    return entries;
  },
  /** Calls fn(entries) on every new entry; returns an unsubscribe. */
  subscribe(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
  limit: MAX_ENTRIES,
};
