// Stats: the library in numbers, with charts drawn as inline SVG.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { bytes, count, percent } from '../format.js';
import { responsive_chart, column_chart, bar_chart, donut_chart } from '../charts.js';
import { show_error } from '../toast.js';
import { poster } from './library.js';

export function mount(root) {
  document.title = 'Stats · Mediabase';
  const controller = new AbortController();
  const body = h('div', { class: 'stats-body', 'aria-busy': 'true' }, h('p', { class: 'muted' }, h('span', { class: 'spinner' }), ' Counting…'));
  root.append(
    h('div', { class: 'page-header' },
      h('div', null, h('h1', null, 'Stats'), h('p', { class: 'muted' }, 'Your collection at a glance.'))),
    body);

  function render(stats) {
    const movies = stats.movies ?? 0;
    const watched = stats.watched ?? 0;
    const watched_share = movies ? watched / movies : 0;
    const decades = fill_decades(stats.by_decade ?? []);
    const genres = [...(stats.by_genre ?? [])].sort((a, b) => b.count - a.count).slice(0, 12)
      .map((g) => ({ label: g.genre, value: g.count }));
    const resolutions = [...(stats.by_resolution ?? [])].sort((a, b) => b.count - a.count)
      .map((r) => ({ label: r.resolution || 'Unknown', value: r.count }));

    replace(body,
      h('div', { class: 'stat-tiles' },
        tile('Movies', count(movies)),
        tile('Files', count(stats.files ?? 0)),
        tile('Total size', bytes(stats.total_size ?? 0)),
        h('div', { class: 'stat-tile' },
          h('span', { class: 'stat-label' }, 'Watched'),
          h('span', { class: 'stat-value' }, share_text(watched, movies)),
          h('div', { class: 'meter', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': String(movies), 'aria-valuenow': String(watched), 'aria-label': 'Watched movies' },
            h('span', { style: { width: `${watched_share * 100}%` } })),
          h('span', { class: 'stat-detail muted' }, `${count(watched)} of ${count(movies)} movies`))),
      h('div', { class: 'stats-grid' },
        h('section', { class: 'panel chart-panel wide' },
          h('h2', null, 'By decade'),
          decades.length ? responsive_chart((w) => column_chart(decades, w, { title: 'Movies per decade' })) : empty_chart()),
        h('section', { class: 'panel chart-panel' },
          h('h2', null, 'By genre'),
          genres.length ? responsive_chart((w) => bar_chart(genres, w, { title: 'Movies per genre' })) : empty_chart()),
        h('section', { class: 'panel chart-panel' },
          h('h2', null, 'By quality'),
          resolutions.length ? donut_chart(resolutions, { title: 'Files per resolution', center_label: 'files' }) : empty_chart())),
      (stats.recently_added ?? []).length ? h('section', { class: 'panel' },
        h('h2', null, 'Recently added'),
        h('ul', { class: 'poster-row' }, stats.recently_added.slice(0, 12).map((movie) => h('li', null,
          h('a', { class: 'card', href: `/movies/${movie.id}` }, poster(movie, 'card'),
            h('div', { class: 'card-meta' },
              h('span', { class: 'card-title' }, movie.title),
              h('span', { class: 'card-sub' }, movie.year ? String(movie.year) : '\u00a0'))))))) : null);
  }

  (async () => {
    try {
      render(await api.stats(controller.signal));
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(body, h('p', { class: 'muted' }, 'Could not load the stats.'));
      show_error(err, 'Could not load stats');
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  })();

  return { unmount: () => controller.abort() };
}

function tile(label, value) {
  return h('div', { class: 'stat-tile' }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
}

function empty_chart() {
  return h('p', { class: 'muted chart-empty' }, 'No data yet.');
}

/** Decades from the first to the last with movies, gaps filled with zero so the axis reads evenly. */
function fill_decades(list) {
  const known = list.filter((d) => Number.isFinite(d.decade));
  if (!known.length) return [];
  const by = new Map(known.map((d) => [d.decade, d.count]));
  const first = Math.min(...by.keys());
  const last = Math.max(...by.keys());
  const out = [];
  for (let d = first; d <= last; d += 10) out.push({ label: `${d}s`, value: by.get(d) ?? 0 });
  return out;
}

/** A share that is never rounded to a lie: 1 of 225 is "<1%", not "0%"; 224 of 225 is ">99%", not "100%". */
export function share_text(part, whole) {
  if (!whole) return percent(0);
  const share = part / whole;
  if (part > 0 && share < 0.005) return `<${percent(0.01)}`;
  if (part < whole && share >= 0.995) return `>${percent(0.99)}`;
  return percent(share);
}
