// A held prune: files gone from disk that the failsafe kept in the library (a folder that held movies now has
// no video files — an unmounted drive looks like this — or an automatic prune would take too large a share).
// Shows what would go and lets the user confirm (POST /api/v1/prune {"confirm": true}).

import { api } from '../api.js';
import { events } from '../events.js';
import { h, icon, replace } from '../dom.js';
import { plural } from '../format.js';
import { show_error } from '../toast.js';

/** The panel, kept current by `prune.finished` events; `dispose()` when the view goes. */
export function held_prune_panel(signal) {
  const host = h('div', { class: 'prune-held', hidden: true });

  async function refresh() {
    try {
      render(await api.pruneHold(signal));
    } catch (err) {
      if (err.name !== 'AbortError') show_error(err, 'Could not load the files held back from pruning');
    }
  }

  function render(hold) {
    const groups = hold?.groups ?? [];
    host.hidden = !groups.length;
    if (!groups.length) {
      replace(host);
      return;
    }
    const confirm_button = h('button', { type: 'button', class: 'button', onclick: confirm }, icon('trash'),
      `Remove them (${plural(hold.movies, 'movie')})`);
    async function confirm() {
      confirm_button.disabled = true;
      try {
        await api.confirmPrune();
        await refresh();
      } catch (err) {
        show_error(err, 'Could not remove the held files');
        confirm_button.disabled = false;
      }
    }
    replace(host, h('div', { class: 'notice notice-warning', role: 'alert' }, icon('alert'),
      h('div', null,
        h('strong', null, `Not removed: ${plural(hold.files, 'missing file')} of ${plural(hold.movies, 'movie')}`),
        groups.map((group) => h('div', { class: 'held-group' },
          h('p', null, h('code', null, group.folder), ' — ', group.reason),
          h('ul', { class: 'removed-list' },
            (group.movies ?? []).map((m) => h('li', null, h('a', { href: `/movies/${m.id}` }, m.title || `#${m.id}`),
              m.year ? h('span', { class: 'muted' }, ` (${m.year})`) : null)),
            group.movie_count > (group.movies ?? []).length
              ? h('li', { class: 'muted' }, `and ${group.movie_count - group.movies.length} more`) : null))),
        h('p', null, 'If a drive is only unmounted, mount it again and nothing is removed. ',
          'If these files are really gone, remove them from the library:'),
        h('div', { class: 'button-row' }, confirm_button))));
  }

  const off = events.on('prune.finished', refresh);
  refresh();
  return { element: host, refresh, dispose: off };
}
