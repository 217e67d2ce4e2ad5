// Clean-up: movies that look like the same movie twice, and pruning entries whose files are gone.

import { api } from '../api.js';
import { events } from '../events.js';
import { h, icon, replace } from '../dom.js';
import { bytes, plural, best_resolution, resolution_label } from '../format.js';
import { show_error } from '../toast.js';
import { poster } from './library.js';
import { held_prune_panel } from './prune_hold.js';

const REASONS = {
  tmdb_id: 'Same TMDB id',
  title_year: 'Same title and year',
};

export function mount(root) {
  document.title = 'Clean-up · Mediabase';
  const controller = new AbortController();

  const prune_button = h('button', { type: 'button', class: 'button', onclick: prune }, icon('trash'), 'Remove missing movies');
  const prune_result = h('div', { class: 'prune-result', role: 'status' });
  const groups_host = h('div', { class: 'duplicate-groups', 'aria-busy': 'true' },
    h('p', { class: 'muted' }, h('span', { class: 'spinner' }), ' Looking for duplicates…'));
  const summary = h('span', { class: 'muted' });
  const held = held_prune_panel(controller.signal);

  root.append(
    h('div', { class: 'page-header' },
      h('div', null, h('h1', null, 'Clean-up'),
        h('p', { class: 'muted' }, 'Find movies that are in the library twice, and remove entries whose files are gone.'))),
    h('section', { class: 'panel', 'aria-labelledby': 'prune-title' },
      h('div', { class: 'panel-header' }, h('h2', { id: 'prune-title' }, 'Missing files')),
      h('p', { class: 'muted' }, 'Checks every file in the library and removes movies whose files no longer exist. ',
        'If a media folder, or a folder that held several movies, has no video files any more (an unmounted drive, ',
        'say), nothing in it is removed until you confirm.'),
      h('div', { class: 'button-row' }, prune_button),
      prune_result,
      held.element),
    h('section', { class: 'panel', 'aria-labelledby': 'dupes-title' },
      h('div', { class: 'panel-header' }, h('h2', { id: 'dupes-title' }, 'Possible duplicates'), summary),
      groups_host),
  );

  async function load() {
    try {
      const answer = await api.duplicates(controller.signal);
      render_groups(answer.groups ?? []);
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(groups_host, h('p', { class: 'muted' }, 'Could not load duplicates.'));
      show_error(err, 'Could not load duplicates');
    } finally {
      groups_host.setAttribute('aria-busy', 'false');
    }
  }

  function render_groups(groups) {
    summary.textContent = groups.length ? plural(groups.length, 'group') : '';
    if (!groups.length) {
      replace(groups_host, h('div', { class: 'all-clear' }, icon('check'),
        h('p', null, 'No duplicates. Different versions of one movie (say 1080p and 4K) are kept together as one movie, not listed here.')));
      return;
    }
    replace(groups_host, groups.map((group) => h('article', { class: 'duplicate-group' },
      h('h3', null, group.movies[0]?.title ?? 'Movie', group.movies[0]?.year ? h('span', { class: 'muted' }, ` (${group.movies[0].year})`) : null,
        h('span', { class: 'tag' }, REASONS[group.reason] ?? group.reason)),
      h('ul', { class: 'duplicate-movies' }, group.movies.map((movie) => h('li', null,
        h('a', { class: 'duplicate-movie', href: `/movies/${movie.id}` },
          poster(movie, 'thumb'),
          h('span', { class: 'duplicate-text' },
            h('span', { class: 'duplicate-title' }, movie.title, movie.year ? ` (${movie.year})` : ''),
            h('span', { class: 'muted' }, [
              resolution_label(best_resolution(movie.files)),
              plural(movie.files?.length ?? 0, 'file'),
              bytes((movie.files ?? []).reduce((sum, f) => sum + (f.size ?? 0), 0)),
              movie.tmdb_id ? `TMDB ${movie.tmdb_id}` : 'not matched',
            ].filter(Boolean).join(' · ')),
            (movie.files ?? []).slice(0, 3).map((f) => h('code', { class: 'file-path' }, f.path))))))))));
  }

  async function prune() {
    prune_button.disabled = true;
    replace(prune_result, h('p', { class: 'muted' }, h('span', { class: 'spinner' }), ' Checking files…'));
    try {
      render_prune(await api.prune());
      load();
    } catch (err) {
      replace(prune_result);
      show_error(err, 'Prune failed');
    } finally {
      prune_button.disabled = false;
    }
  }

  function render_prune(result) {
    const removed = result?.removed ?? [];
    const skipped = result?.skipped_roots ?? [];
    replace(prune_result,
      skipped.map((root_info) => h('div', { class: 'notice notice-warning', role: 'alert' }, icon('alert'),
        h('div', null,
          h('strong', null, 'Nothing was removed from ', h('code', null, root_info.root)),
          h('p', null, sentence(root_info.reason || 'the folder is missing or empty'),
            ' Check that the drive is mounted, then prune again.')))),
      h('p', { class: 'prune-summary' },
        `Checked ${plural(result?.checked ?? 0, 'file')}. `,
        removed.length ? `Removed ${plural(removed.length, 'movie')} whose files are gone:` : 'Nothing to remove.'),
      removed.length ? h('ul', { class: 'removed-list' }, removed.map((m) =>
        h('li', null, m.title ?? `#${m.id}`, m.year ? h('span', { class: 'muted' }, ` (${m.year})`) : null))) : null);
  }

  const off = events.on('prune.finished', (frame) => frame.result && render_prune(frame.result));
  load();
  return {
    unmount() {
      controller.abort();
      held.dispose();
      off();
    },
  };
}

/** "media folder is empty" → "Media folder is empty." */
function sentence(text) {
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : capital + '.';
}
