// One movie (/movies/{id}): art, facts, people, ratings, its files, and the user's own marks
// (watched, rating). From here a wrong match is fixed and metadata refreshed.

import { api } from '../api.js';
import { events } from '../events.js';
import { h, icon, replace } from '../dom.js';
import { bytes, count, decimal, percent, runtime, placeholder_style, datetime, resolution_label } from '../format.js';
import { describe_media } from '../media_info.js';
import { can_go_back } from '../router.js';
import { show_error, toast } from '../toast.js';
import { poster } from './library.js';
import { open_match_dialog } from './match_dialog.js';
import { app_state, watch_state } from '../app_state.js';
import { group_versions } from '../versions.js';

export function mount(root, route) {
  const id = Number(route.params[0]);
  let movie = null;
  let saves = Promise.resolve(); // PATCHes go out one after another, in click order
  let saving = 0;
  const controller = new AbortController();

  root.append(h('div', { class: 'movie-loading', role: 'status' }, h('span', { class: 'spinner' }), 'Loading…'));

  async function load() {
    try {
      movie = await api.movie(id, controller.signal);
      render();
    } catch (err) {
      if (err.name === 'AbortError') return;
      document.title = 'Movie not found · Mediabase';
      replace(root, h('section', { class: 'empty-state' },
        h('h1', null, err.status === 404 ? 'Movie not found' : 'Could not load this movie'),
        h('p', null, err.status === 404 ? 'It may have been removed from the library.' : err.message),
        h('a', { class: 'button primary', href: '/' }, 'Back to the library')));
      if (err.status !== 404) show_error(err);
    }
  }

  function render() {
    document.title = `${movie.title}${movie.year ? ` (${movie.year})` : ''} · Mediabase`;
    const focused_name = document.activeElement?.closest?.('.view-movie') ? document.activeElement.dataset.focusKey : null;
    const backdrop_style = placeholder_style(movie.title);
    replace(root,
      h('article', { class: `movie ${movie.backdrop ? '' : 'no-backdrop'}` },
        h('div', { class: 'movie-backdrop', style: backdrop_style, 'aria-hidden': 'true' },
          movie.backdrop ? h('img', { src: movie.backdrop, alt: '', decoding: 'async', onerror: (e) => e.target.remove() }) : null),
        h('div', { class: 'movie-hero' },
          h('div', { class: 'movie-poster' }, poster(movie, 'large')),
          h('div', { class: 'movie-heading' },
            back_link(),
            h('h1', { class: 'movie-title' }, movie.title,
              movie.year ? h('span', { class: 'movie-year' }, ` (${movie.year})`) : null),
            movie.original_title && movie.original_title !== movie.title
              ? h('p', { class: 'movie-original' }, movie.original_title) : null,
            movie.tagline ? h('p', { class: 'movie-tagline' }, movie.tagline) : null,
            facts(),
            status_notice(),
            ratings(),
            actions())),
        h('div', { class: 'movie-body' },
          h('div', { class: 'movie-main' },
            movie.overview ? h('section', { class: 'movie-section' },
              h('h2', null, 'Overview'), h('p', { class: 'movie-overview' }, movie.overview)) : null,
            cast(),
            files()),
          h('aside', { class: 'movie-side' }, credits()))));
    if (focused_name) root.querySelector(`[data-focus-key="${focused_name}"]`)?.focus();
  }

  function back_link() {
    return h('a', {
      class: 'back-link', href: '/',
      onclick: (event) => {
        if (can_go_back()) {
          event.preventDefault();
          history.back();
        }
      },
    }, icon('back'), 'Library');
  }

  function facts() {
    const items = [
      movie.certification ? h('span', { class: 'certification' }, movie.certification) : null,
      movie.runtime ? h('span', null, runtime(movie.runtime)) : null,
      ...(movie.genres ?? []).map((g) => h('a', { class: 'chip', href: `/?genre=${encodeURIComponent(g)}` }, g)),
    ].filter(Boolean);
    return items.length ? h('div', { class: 'movie-facts' }, items) : null;
  }

  function status_notice() {
    if (movie.match === 'unidentified' && !movie.identify_error && app_state.config?.offline) {
      // The note under the buttons says how to go online.
      return h('p', { class: 'muted offline-note' }, 'Offline mode: known from its file name and any NFO beside it.');
    }
    if (movie.match === 'unidentified' || movie.match === 'failed' || movie.identify_error) {
      return h('div', { class: 'notice notice-warning', role: 'note' },
        icon('alert'),
        h('div', null,
          h('strong', null, movie.match === 'failed' ? 'Could not be identified' : 'Not identified'),
          h('p', null, movie.identify_error || 'This movie has no match in TMDB yet. Use "Fix match" to pick the right one.')));
    }
    if (movie.needs_review) {
      const confidence = typeof movie.match_confidence === 'number'
        ? ` (confidence ${percent(movie.match_confidence <= 1 ? movie.match_confidence : movie.match_confidence / 100)})` : '';
      return h('div', { class: 'notice notice-review', role: 'note' },
        h('span', { class: 'badge review-badge' }, 'Needs review'),
        h('p', null, `The match was uncertain${confidence}. Check that this is the right movie, or fix the match.`));
    }
    return null;
  }

  function ratings() {
    const items = [];
    if (movie.imdb_rating) {
      items.push(rating_pill('IMDb', decimal(Number(movie.imdb_rating), 1), movie.imdb_votes ? `${count(movie.imdb_votes)} votes` : null, 'imdb'));
    }
    if (movie.vote_average) {
      items.push(rating_pill('TMDB', percent(Number(movie.vote_average) / 10), movie.vote_count ? `${count(movie.vote_count)} votes` : null, 'tmdb'));
    }
    if (movie.metascore) {
      const score = Number(movie.metascore);
      items.push(rating_pill('Metascore', String(score), null, score >= 61 ? 'meta-good' : score >= 40 ? 'meta-mixed' : 'meta-bad'));
    }
    return items.length ? h('div', { class: 'ratings', 'aria-label': 'Ratings' }, items) : null;
  }

  function rating_pill(source, value, detail, kind) {
    return h('div', { class: `rating-pill rating-${kind}`, title: detail ?? '' },
      h('span', { class: 'rating-source' }, source), h('span', { class: 'rating-value' }, value),
      detail ? h('span', { class: 'visually-hidden' }, `, ${detail}`) : null);
  }

  function actions() {
    const watched = h('button', {
      type: 'button', class: `button toggle ${movie.watched ? 'on' : ''}`, 'aria-pressed': String(Boolean(movie.watched)),
      dataset: { focusKey: 'watched' }, name: 'watched',
      onclick: () => save({ watched: !movie.watched }),
    }, icon(movie.watched ? 'check' : 'eye'), movie.watched ? 'Watched' : 'Mark as watched');
    // "On my list" is a person's own: a trusted address without an account has none.
    const listed = app_state.user?.id ? h('button', {
      type: 'button', class: `button toggle ${movie.on_list ? 'on' : ''}`, 'aria-pressed': String(Boolean(movie.on_list)),
      dataset: { focusKey: 'on_list' }, name: 'on_list',
      onclick: () => save({ on_list: !movie.on_list }),
    }, icon(movie.on_list ? 'check' : 'plus'), movie.on_list ? 'On my list' : 'Add to my list') : null;

    const stars = h('div', { class: 'stars' });
    for (let n = 1; n <= 10; n += 1) {
      const input = h('input', {
        type: 'radio', name: 'rating', value: String(n), id: `rating-${n}`, checked: movie.rating === n,
        class: 'visually-hidden', dataset: { focusKey: `rating-${n}` },
        onchange: () => save({ rating: n }),
      });
      const label = h('label', { for: `rating-${n}`, class: `star ${movie.rating && n <= movie.rating ? 'filled' : ''}`, title: `${n} of 10` },
        icon('star'), h('span', { class: 'visually-hidden' }, `${n} of 10`));
      stars.append(input, label);
    }
    const rating = h('fieldset', { class: 'rating-input' },
      h('legend', null, 'Your rating'),
      stars,
      h('output', { class: 'rating-value-label', 'aria-live': 'polite' }, movie.rating ? `${movie.rating}/10` : 'Not rated'),
      movie.rating ? h('button', {
        type: 'button', class: 'button subtle small', dataset: { focusKey: 'clear-rating' },
        onclick: () => save({ rating: null }),
      }, 'Clear') : null);

    const fix = h('button', {
      type: 'button', class: 'button', dataset: { focusKey: 'fix', adminOnly: '' },
      onclick: () => open_match_dialog(movie, (updated) => {
        movie = updated;
        render();
      }),
    }, icon('wand'), 'Fix match');
    const refresh = h('button', {
      type: 'button', class: 'button', dataset: { focusKey: 'refresh', adminOnly: '' },
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        button.classList.add('busy');
        try {
          const result = await api.refreshMovie(id);
          if (result && result.id === id) movie = result;
          else movie = await api.movie(id);
          toast('Metadata refreshed', 'success');
          render();
        } catch (err) {
          show_error(err, 'Refresh failed');
          button.disabled = false;
          button.classList.remove('busy');
        }
      },
    }, icon('refresh'), 'Refresh');
    // Offline, both would only answer 503: they are disabled and say why.
    const offline = Boolean(app_state.config?.offline);
    if (offline) {
      for (const button of [fix, refresh]) {
        button.disabled = true;
        button.setAttribute('aria-describedby', 'offline-actions-note');
      }
    }
    return h('div', { class: 'movie-actions' },
      h('div', { class: 'button-row' }, watched, listed, fix, refresh), rating,
      offline ? h('p', { class: 'muted offline-actions', id: 'offline-actions-note' },
        'Fix match and Refresh ask TMDB: they need a TMDB key. ', h('a', { href: '/settings' }, 'Add one in Settings'), '.') : null);
  }

  /** Fetches the movie again after a change the event did not describe (someone's marks: the frame names the
   * movie only, and the marks shown are this person's). Redraws only what differs. */
  async function refresh() {
    let fresh;
    try {
      fresh = await api.movie(id, controller.signal);
    } catch (err) {
      if (err.name !== 'AbortError') load();
      return;
    }
    if (saving || JSON.stringify(fresh) === JSON.stringify(movie)) return;
    const marks_only = JSON.stringify({ ...fresh, watched: 0, rating: 0, on_list: 0 }) ===
      JSON.stringify({ ...movie, watched: 0, rating: 0, on_list: 0 });
    movie = fresh;
    if (marks_only) render_marks(); else render();
  }

  /** Shows the change at once, then saves it; on failure shows what the server has. */
  function save(changes) {
    movie = { ...movie, ...changes };
    render_marks();
    saving += 1;
    saves = saves.then(async () => {
      try {
        const result = await api.updateMovie(id, changes);
        if (result && result.id === id && saving === 1) {
          movie = { ...movie, ...result };
          render_marks();
        }
      } catch (err) {
        show_error(err, 'Could not save');
        try {
          movie = await api.movie(id);
          render_marks();
        } catch {
          // the error is already shown
        }
      } finally {
        saving -= 1;
      }
    });
  }

  /** Redraws only what watched/rating change (poster badge, actions), so art does not reload. */
  function render_marks() {
    const focused = document.activeElement?.dataset?.focusKey;
    root.querySelector('.movie-poster')?.replaceChildren(poster(movie, 'large'));
    root.querySelector('.movie-actions')?.replaceWith(actions());
    if (focused) root.querySelector(`[data-focus-key="${focused}"]`)?.focus();
  }

  function cast() {
    const people = movie.cast ?? [];
    if (!people.length) return null;
    return h('section', { class: 'movie-section' },
      h('h2', null, 'Cast'),
      h('ul', { class: 'cast-list' }, people.slice(0, 30).map((person) =>
        h('li', { class: 'cast-member' },
          h('span', { class: 'avatar', style: placeholder_style(person.name), 'aria-hidden': 'true' }, initials(person.name)),
          h('span', { class: 'cast-text' },
            h('span', { class: 'cast-name' }, person.name),
            person.role ? h('span', { class: 'cast-role' }, person.role) : null)))));
  }

  function credits() {
    const rows = [
      ['Director', movie.directors],
      ['Writer', movie.writers],
      ['Country', movie.countries],
      ['Collection', movie.collection ? [movie.collection] : []],
      ['Awards', movie.awards ? [movie.awards] : []],
      ['Added', movie.added_at ? [datetime(movie.added_at)] : []],
    ].filter(([, values]) => values && values.length);
    const ids = [];
    if (movie.tmdb_id) {
      ids.push(h('a', { href: `https://www.themoviedb.org/movie/${movie.tmdb_id}`, target: '_blank', rel: 'noreferrer' }, `TMDB ${movie.tmdb_id}`));
    }
    if (movie.imdb_id) {
      ids.push(h('a', { href: `https://www.imdb.com/title/${movie.imdb_id}/`, target: '_blank', rel: 'noreferrer' }, `IMDb ${movie.imdb_id}`));
    }
    return h('section', { class: 'movie-section' },
      h('h2', { class: 'visually-hidden' }, 'Details'),
      h('dl', { class: 'credits' },
        rows.map(([label, values]) => [
          h('dt', null, values.length > 1 ? label + 's' : label),
          h('dd', null, values.join(', '))]),
        ids.length ? [h('dt', null, 'Links'), h('dd', { class: 'id-links' }, ids)] : null));
  }

  function files() {
    const list = movie.files ?? [];
    const versions = group_versions(list);
    return h('section', { class: 'movie-section' },
      h('h2', null, list.length === 1 ? 'File' : `Files (${list.length})`),
      list.length === 0 ? h('p', { class: 'muted' }, 'No files.') : null,
      versions.map((version, i) => h('div', { class: 'version' },
        // "Version N" only where there are several; "N parts" only for files numbered as parts of one film.
        versions.length > 1 || version.files.length > 1
          ? h('h3', { class: 'version-title' }, versions.length > 1 ? `Version ${i + 1}` : `${version.files.length} parts`,
            h('span', { class: 'muted' }, ` · ${version.label || 'unknown quality'}${versions.length > 1 && version.files.length > 1 ? ` · ${version.files.length} parts` : ''}`))
          : null,
        h('ul', { class: 'file-list' }, version.files.map(file_row)))));
  }

  function file_row(file) {
    const media = describe_media(file);
    const tags = [
      file.part ? `Part ${file.part}` : null,
      resolution_label(file.resolution),
      file.source,
      ...media.tags,
      file.edition,
      file.three_d ? '3D' : null,
      file.container,
    ].filter(Boolean);
    return h('li', { class: 'file' },
      h('div', { class: 'file-tags' }, tags.map((t) => h('span', { class: 'tag' }, String(t))),
        h('span', { class: 'file-size' }, bytes(file.size))),
      media.details ? h('p', { class: media.unreadable ? 'file-media muted' : 'file-media' }, media.details) : null,
      h('code', { class: 'file-path' }, file.path));
  }

  const unsubscribe = [
    watch_state('config', () => movie && render()),
    events.on('movies.changed', (frame) => {
      if (frame.removed?.includes(id)) toast('This movie was removed from the library', 'info');
      if (!frame.updated?.includes(id) || !movie || saving) return;
      const record = frame.movies?.find((m) => m.id === id);
      if (record) {
        const next = { ...movie, ...record };
        // The echo of this page's own save changes nothing: re-rendering would replace the very button
        // under the user's pointer, and a click landing on it then would be lost.
        if (JSON.stringify(next) === JSON.stringify(movie)) return;
        movie = next;
        render();
      } else {
        refresh();
      }
    }),
    events.on('resync', () => movie && !saving && load()),
  ];

  load();
  return {
    unmount() {
      controller.abort();
      for (const off of unsubscribe) off();
    },
  };
}

function initials(name) {
  return (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((part) => part[0]).join('').toUpperCase();
}
