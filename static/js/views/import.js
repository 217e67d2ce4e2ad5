// Import: start a scan of the media folders and watch it live — progress, counts, and each movie as it
// lands — driven by the WebSocket events (the server sends the current status first on every connect).

import { api } from '../api.js';
import { h, icon, replace } from '../dom.js';
import { count, duration, datetime, percent as percent_text, plural, placeholder_style } from '../format.js';
import { app_state, set_job, watch_state, is_running, job_progress } from '../app_state.js';
import { activity } from '../activity.js';
import { events } from '../events.js';
import { show_error } from '../toast.js';
import { held_prune_panel } from './prune_hold.js';

const COUNTS = [
  { key: 'files', label: 'Files' },
  { key: 'found', label: 'Found' },
  { key: 'skipped', label: 'Unchanged' },
  { key: 'identified', label: 'Identified' },
  { key: 'stored', label: 'Stored' },
  { key: 'added', label: 'New movies' },
  { key: 'updated', label: 'Joined or updated' },
  { key: 'art_cached', label: 'Art cached' },
  { key: 'unidentified', label: 'Not identified' },
  { key: 'failed', label: 'Failed' },
];

/** What the counts say, in words: "15,448 files, 15,448 movies found: 15,159 new, 289 joined existing movies". */
export function job_summary(job) {
  const c = job?.counts ?? {};
  const parts = [];
  const found = `${plural(c.found ?? 0, 'movie')} found`;
  parts.push(c.files ? `${plural(c.files, 'file')}, ${found}` : found);
  const detail = [];
  if (c.skipped) detail.push(`${count(c.skipped)} unchanged`);
  if (c.added) detail.push(`${count(c.added)} new`);
  if (c.updated) detail.push(`${count(c.updated)} joined or updated existing movies`);
  if (c.failed) detail.push(`${count(c.failed)} could not be stored`);
  if (c.unidentified) detail.push(`${count(c.unidentified)} not identified`);
  return detail.length ? `${parts.join('')}: ${detail.join(', ')}` : parts.join('');
}

export function mount(root) {
  document.title = 'Import · Mediabase';
  const controller = new AbortController();

  const start_button = h('button', { type: 'button', class: 'button primary large', onclick: start }, icon('arrow_down'), 'Start import');
  const folders = h('p', { class: 'muted import-folders' });
  const state_badge = h('span', { class: 'state-badge' });
  const when = h('span', { class: 'muted import-when' });
  const bar_fill = h('div', { class: 'progress-fill' });
  const bar = h('div', {
    class: 'progress', role: 'progressbar', 'aria-label': 'Import progress', 'aria-valuemin': '0', 'aria-valuemax': '100',
  }, bar_fill);
  const percent = h('span', { class: 'progress-percent' });
  const current = h('p', { class: 'import-current', title: '' });
  const tiles = new Map();
  const counts = h('dl', { class: 'count-tiles' }, COUNTS.map(({ key, label }) => {
    const value = h('dd', { dataset: { count: key } }, '0');
    tiles.set(key, value);
    return h('div', { class: `count-tile count-${key}` }, h('dt', null, label), value);
  }));
  const result = h('div', { class: 'import-result', role: 'status', hidden: true });
  const feed = h('ol', { class: 'feed', 'aria-label': 'Recent activity' });
  const history = h('div', { class: 'import-history' });
  let shown_progress = { id: null, fraction: 0 };
  const feed_empty = h('p', { class: 'muted feed-empty' }, 'Nothing yet. New movies appear here as the import stores them.');
  const held = held_prune_panel(controller.signal);

  root.append(
    h('div', { class: 'page-header' },
      h('div', null, h('h1', null, 'Import'), h('p', { class: 'muted' }, 'Scan your media folders, identify new movies and fetch their art.'), folders),
      start_button),
    h('section', { class: 'panel import-status', 'aria-labelledby': 'import-status-title' },
      h('div', { class: 'panel-header' }, h('h2', { id: 'import-status-title' }, 'Status'), state_badge, when),
      h('div', { class: 'progress-row' }, bar, percent),
      current,
      counts,
      result,
      held.element),
    h('section', { class: 'panel', 'aria-labelledby': 'history-title' },
      h('div', { class: 'panel-header' }, h('h2', { id: 'history-title' }, 'Recent imports')), history),
    h('section', { class: 'panel', 'aria-labelledby': 'feed-title' },
      h('div', { class: 'panel-header' }, h('h2', { id: 'feed-title' }, 'Activity'),
        h('span', { class: 'muted' }, `last ${activity.limit}`)),
      feed_empty, feed),
  );

  function render_job(job) {
    const running = is_running(job);
    start_button.disabled = running;
    replace(start_button, running ? h('span', { class: 'spinner' }) : icon('arrow_down'), running ? 'Import running…' : 'Start import');
    root.dataset.state = job?.state ?? 'none';

    const finished = !running && job && job.finished_at;
    state_badge.className = `state-badge state-${running ? job.state : finished ? 'finished' : 'idle'}`;
    state_badge.textContent = running ? (job.state === 'scanning' ? 'Scanning' : 'Identifying')
      : finished ? 'Finished' : job && job.started_at ? 'Idle' : 'Not run yet';

    const c = job?.counts ?? {};
    for (const { key } of COUNTS) tiles.get(key).textContent = count(c[key] ?? 0);
    tiles.get('failed').parentElement.classList.toggle('has-failures', (c.failed ?? 0) > 0);
    tiles.get('unidentified').parentElement.classList.toggle('has-warnings', (c.unidentified ?? 0) > 0);

    // The server's measure never goes back; the page keeps it so within a job too (frames may be coalesced).
    let fraction = job_progress(job);
    if (job && fraction !== null) {
      if (shown_progress.id === job.id) fraction = Math.max(fraction, shown_progress.fraction);
      shown_progress = { id: job.id, fraction };
    }
    const indeterminate = running && fraction === null;
    bar.classList.toggle('indeterminate', indeterminate);
    bar.classList.toggle('running', running);
    // A CSS length, not text for people: always a dot as decimal mark.
    bar_fill.style.width = indeterminate ? '' : `${((fraction ?? 0) * 100).toFixed(1)}%`;
    if (indeterminate) bar.removeAttribute('aria-valuenow');
    else bar.setAttribute('aria-valuenow', String(Math.round((fraction ?? 0) * 100)));
    const p = job?.progress;
    const eta = running && typeof p?.eta_seconds === 'number' ? ` · about ${duration(p.eta_seconds * 1000)} left` : '';
    percent.textContent = !job || !job.started_at ? ''
      : indeterminate ? `${count(job.folders ?? 0)} folders` : `${percent_text(fraction)}${eta}`;
    percent.title = running && p ? (p.measure === 'folders'
      ? `${count(p.done)} of ${p.total ? count(p.total) : '?'} folders walked (as many as the last import walked)`
      : `${count(p.done)} of ${count(p.total)} movies handled since the walk ended`) : '';

    // The marks keep a path's leading slash in place inside the right-to-left box (which clips the start).
    current.textContent = running ? (job.current ? `\u200e${job.current}\u200e` : job.state === 'scanning' ? 'Walking the folders…' : 'Working…') : '';
    current.title = running && job.current ? job.current : '';
    current.hidden = !running;

    render_when(job);
    render_result(job);
  }

  function render_when(job) {
    if (!job || !job.started_at) {
      when.textContent = '';
      return;
    }
    const started = new Date(job.started_at).getTime();
    if (is_running(job)) when.textContent = `started ${datetime(job.started_at)} · ${duration(Date.now() - started)}`;
    else if (job.finished_at) when.textContent = `${datetime(job.finished_at)}`;
  }

  function render_result(job) {
    const finished = job && !is_running(job) && job.finished_at;
    result.hidden = !finished && !job?.error;
    if (result.hidden) return;
    const c = job.counts ?? {};
    const took = job.duration_ms ?? (job.started_at && job.finished_at
      ? new Date(job.finished_at).getTime() - new Date(job.started_at).getTime() : null);
    const warnings = job.warnings ?? [];
    const attention = warnings.length || c.failed || c.unidentified;
    const outcome = job.error ? 'error' : attention ? 'warning' : 'success';
    result.className = `import-result ${outcome}`;
    result.dataset.outcome = outcome;
    replace(result,
      icon(outcome === 'success' ? 'check' : 'alert'),
      h('div', null,
        h('strong', null, job.error ? 'Import stopped' : attention ? 'Import finished with warnings' : 'Import finished'),
        job.error ? h('p', { class: 'import-error' }, job.error) : null,
        h('p', { class: 'import-summary' }, `${job_summary(job)}${took !== null ? ` — took ${duration(took)}` : ''}.`),
        warnings.length ? h('ul', { class: 'import-warnings' }, warnings.map((w) => h('li', null, w))) : null,
        h('p', { class: 'import-links' },
          h('a', { href: '/' }, 'Browse the library'),
          c.unidentified ? h('a', { href: '/?match=failed' }, 'Show the movies not identified') : null,
          warnings.length || job.error ? h('a', { href: '/settings' }, 'Check the media folders') : null)));
  }

  // ---- history: the last imports, from the server (survives a reload) ----
  async function load_history() {
    try {
      const answer = await api.imports(10, controller.signal);
      render_history(answer?.imports ?? []);
    } catch (err) {
      if (err.name !== 'AbortError') replace(history, h('p', { class: 'muted' }, `Could not load the history: ${err.message}`));
    }
  }

  function render_history(imports) {
    if (!imports.length) {
      replace(history, h('p', { class: 'muted history-empty' }, 'No import has run yet.'));
      return;
    }
    replace(history, h('table', { class: 'history-table' },
      h('thead', null, h('tr', null, ['Started', 'Trigger', 'Took', 'Outcome', 'Summary'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, imports.map((job) => {
        const outcome = job.error ? 'error' : (job.warnings?.length || job.counts?.failed || job.counts?.unidentified) ? 'warning' : 'success';
        return h('tr', { class: `history-row ${outcome}`, dataset: { id: String(job.id) } },
          h('td', null, datetime(job.started_at)),
          h('td', null, job.trigger ?? 'manual'),
          h('td', null, job.duration_ms !== null && job.duration_ms !== undefined ? duration(job.duration_ms) : '—'),
          h('td', null, h('span', { class: `tag ${outcome === 'success' ? '' : outcome === 'error' ? 'warn' : 'review'}` },
            outcome === 'error' ? 'stopped' : outcome === 'warning' ? `${plural(job.warnings?.length || 1, 'warning')}` : 'ok')),
          h('td', { title: [job.error, ...(job.warnings ?? [])].filter(Boolean).join('\n') }, job_summary(job)));
      }))));
  }

  // ---- feed: new entries are prepended as they come, the list never exceeds the activity bound ----
  let rendered_key = 0;
  let feed_frame = 0;
  function render_feed() {
    feed_frame = 0;
    const fresh = activity.entries.filter((e) => e.key > rendered_key);
    if (fresh.length) {
      rendered_key = fresh[0].key;
      const fragment = document.createDocumentFragment();
      for (const entry of fresh) fragment.append(feed_item(entry));
      feed.prepend(fragment);
      while (feed.children.length > activity.limit) feed.lastElementChild.remove();
    }
    feed_empty.hidden = feed.children.length > 0;
  }

  function feed_item(entry) {
    const time = h('time', { datetime: entry.at.toISOString(), class: 'muted' }, entry.at.toLocaleTimeString());
    switch (entry.kind) {
      case 'added': {
        const m = entry.movie;
        return h('li', { class: 'feed-item added' },
          h('span', { class: 'feed-thumb', style: placeholder_style(m.title), 'aria-hidden': 'true' },
            m.poster ? h('img', { src: m.poster, alt: '', loading: 'lazy', onerror: (e) => e.target.remove() }) : null),
          h('span', { class: 'feed-text' }, h('a', { href: `/movies/${m.id}` }, m.title), m.year ? h('span', { class: 'muted' }, ` (${m.year})`) : null,
            // Offline every movie is unidentified by design: no tag then, it would be noise.
            (m.match === 'unidentified' && !app_state.config?.offline) || m.match === 'failed'
              ? h('span', { class: 'tag warn' }, m.match === 'failed' ? 'not identified' : 'unidentified') : null,
            m.needs_review ? h('span', { class: 'tag review' }, 'needs review') : null),
          time);
      }
      case 'more':
        return h('li', { class: 'feed-item milestone' }, h('span', { class: 'feed-icon' }, icon('plus')),
          h('span', { class: 'feed-text' }, `${plural(entry.count, 'more movie')} added`), time);
      case 'removed':
        return h('li', { class: 'feed-item removed' }, h('span', { class: 'feed-icon' }, icon('trash')),
          h('span', { class: 'feed-text' }, `Removed movie #${entry.id}`), time);
      case 'started':
        return h('li', { class: 'feed-item milestone' }, h('span', { class: 'feed-icon' }, icon('play')),
          h('span', { class: 'feed-text' }, 'Import started'), time);
      case 'finished': {
        const job = entry.job ?? {};
        const trouble = job.error || job.warnings?.length || job.counts?.failed;
        return h('li', { class: `feed-item milestone finished${trouble ? ' error' : ''}` },
          h('span', { class: 'feed-icon' }, icon(trouble ? 'alert' : 'check')),
          h('span', { class: 'feed-text' }, `${job.error ? 'Import stopped' : 'Import finished'}: ${job_summary(job)}`), time);
      }
      case 'pruned':
        return h('li', { class: 'feed-item milestone' }, h('span', { class: 'feed-icon' }, icon('trash')),
          h('span', { class: 'feed-text' }, `Prune: ${plural(entry.result?.removed?.length ?? 0, 'movie')} removed`), time);
      default:
        return h('li', { class: 'feed-item error' }, h('span', { class: 'feed-icon' }, icon('alert')),
          h('span', { class: 'feed-text' }, entry.message ?? 'Error'), time);
    }
  }

  function render_folders(config) {
    const list = config?.media_folders ?? [];
    if (!config) folders.textContent = '';
    else if (!list.length) replace(folders, 'No media folders configured. ', h('a', { href: '/settings' }, 'Add one in Settings'), '.');
    else replace(folders, icon('folder'), ' ', list.join(', '));
  }

  async function start() {
    start_button.disabled = true;
    try {
      const job = await api.startImport();
      if (job) set_job(job.job ?? job);
    } catch (err) {
      show_error(err, 'Could not start the import');
      render_job(app_state.job);
    }
  }

  const tick = setInterval(() => is_running(app_state.job) && render_when(app_state.job), 1000);
  const unsubscribe = [
    watch_state('job', render_job),
    watch_state('config', render_folders),
    activity.subscribe(() => {
      if (!feed_frame) feed_frame = requestAnimationFrame(render_feed);
    }),
    events.on('import.finished', load_history),
    events.on('resync', load_history),
  ];
  load_history();
  activity.load();

  render_job(app_state.job);
  render_folders(app_state.config);
  render_feed();
  if (!app_state.job) {
    api.importStatus(controller.signal).then((job) => {
      if (job && !app_state.job) set_job(job.job ?? job);
    }).catch((err) => show_error(err, 'Could not load the import status'));
  }

  return {
    unmount() {
      clearInterval(tick);
      cancelAnimationFrame(feed_frame);
      controller.abort();
      held.dispose();
      for (const off of unsubscribe) off();
    },
  };
}
