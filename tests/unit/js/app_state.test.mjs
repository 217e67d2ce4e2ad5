// The import job the UI holds (static/js/app_state.js), without a browser: answers and events that arrive out
// of order must not bring back an older state.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { app_state, set_job, watch_state } from '../../../static/js/app_state.js';

const job = (id, state, finished_at = null) => ({ id, state, finished_at });

test('the 202 of POST /import arriving after its own finished event leaves the job finished', () => {
  app_state.job = null;
  const seen = [];
  const off = watch_state('job', (j) => seen.push(j.state));
  set_job(job(7, 'scanning'));                          // import.started
  set_job(job(7, 'idle', '2026-12-07T13:00:00Z'));      // import.finished
  set_job(job(7, 'scanning'));                          // the late 202
  off();
  assert.equal(app_state.job.state, 'idle');
  assert.deepEqual(seen, ['scanning', 'idle']);
});

test('a newer import replaces a finished one, and an older one never does', () => {
  app_state.job = job(7, 'idle', '2026-12-07T13:00:00Z');
  set_job(job(8, 'scanning'));
  assert.equal(app_state.job.id, 8);
  set_job(job(7, 'idle', '2026-12-07T13:00:00Z'));
  assert.equal(app_state.job.id, 8);
  set_job(job(8, 'identifying'));
  assert.equal(app_state.job.state, 'identifying');
});
