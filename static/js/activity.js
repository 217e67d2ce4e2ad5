// The activity feed: what the server reported recently (movies added, imports, prunes), kept from app start
// so the Import view shows it even when opened mid-import. Bounded: the newest MAX_ENTRIES are kept.

import { api } from './api.js';
import { events } from './events.js';

const MAX_ENTRIES = 200;
const entries = [];
const listeners = new Set();
let next_key = 1;
let loaded = false;

/**
 * Fills an empty feed from the server once (the last imports and the movies added most recently), so a tab
 * opened after an import, or reloaded, shows what happened. Live entries that came first win.
 */
async function load_from_server() {
  if (loaded) return;
  loaded = true;
  try {
    const [history, recent] = await Promise.all([api.imports(5), api.movies({ sort: 'added', order: 'desc', limit: 30 })]);
    if (entries.length) return;
    const seeded = [];
    for (const job of history?.imports ?? []) {
      if (job.finished_at) seeded.push({ kind: 'finished', job, at: new Date(job.finished_at) });
      if (job.started_at) seeded.push({ kind: 'started', at: new Date(job.started_at) });
    }
    for (const movie of recent?.movies ?? []) seeded.push({ kind: 'added', movie, at: new Date(movie.added_at) });
    seeded.sort((a, b) => a.at - b.at);
    for (const entry of seeded) entries.unshift({ key: next_key++, ...entry });
    if (entries.length > MAX_ENTRIES) entries.length = MAX_ENTRIES;
    for (const fn of listeners) fn(entries);
  } catch {
    // The feed stays live-only; the views say when the server cannot be reached.
  }
}

function push(entry) {
  entries.unshift({ key: next_key++, at: new Date(), ...entry });
  loaded = true;
  if (entries.length > MAX_ENTRIES) entries.length = MAX_ENTRIES;
  for (const fn of listeners) fn(entries);
}

// A batch names every change by id and carries the records of the newest few: those become rows, the rest
// one line that counts them.
events.on('movies.changed', (frame) => {
  const added = new Set(frame.added ?? []);
  const shown = (frame.movies ?? []).filter((m) => added.has(m.id));
  const more = added.size - shown.length;
  if (more > 0) push({ kind: 'more', count: more });
  for (const movie of shown) push({ kind: 'added', movie });
  for (const id of frame.removed ?? []) push({ kind: 'removed', id });
});
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
  load: load_from_server,
};
