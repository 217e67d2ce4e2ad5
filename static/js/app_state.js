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

/**
 * Sets the import job unless the one held is newer. Answers and events race: the 202 of POST /import (the
 * job "scanning") can arrive after the event that says that same job finished (a small library imports in
 * a tenth of a second), and must not bring the running state back for good.
 */
export function set_job(job) {
  if (!job) return;
  const held = app_state.job;
  if (held && typeof held.id === 'number' && typeof job.id === 'number') {
    if (job.id < held.id) return;
    if (job.id === held.id && held.finished_at && !job.finished_at) return;
  }
  set_state('job', job);
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

/**
 * Fraction 0..1 of the job done, as the server measures it (job.progress.percent: folders walked of those the
 * last import walked, then movies handled), or null while nothing says how far (a first walk).
 */
export function job_progress(job) {
  if (job && !is_running(job) && job.finished_at) return 1;
  const percent = job?.progress?.percent;
  return typeof percent === 'number' ? Math.max(0, Math.min(1, percent / 100)) : null;
}
