// Small shared state: the last import job seen and the server config, with change notifications.

const listeners = new Map();

export const app_state = {
  job: null,
  config: null,
};

/** Sets a key and tells subscribers. */
export function set_state(key, value) {
  app_state[key] = value;
  for (const fn of listeners.get(key) ?? []) fn(value);
}

/** Calls fn on every change of key; returns an unsubscribe. */
export function watch_state(key, fn) {
  if (!listeners.has(key)) listeners.set(key, new Set());
  listeners.get(key).add(fn);
  return () => listeners.get(key).delete(fn);
}

/** True while a job is scanning or identifying. */
export function is_running(job) {
  return Boolean(job && job.state && job.state !== 'idle');
}

/** Fraction 0..1 of found movies handled so far. */
export function job_progress(job) {
  const c = job?.counts;
  if (!c || !c.found) return 0;
  const done = (c.skipped ?? 0) + (c.stored ?? 0) + (c.failed ?? 0);
  return Math.max(0, Math.min(1, done / c.found));
}
