// The library: a poster grid over the whole collection with sort, filters and search-as-you-type.
//
// The grid is windowed: only the rows near the viewport exist in the DOM, positioned inside one tall box
// whose height stands for the whole result. Movies come in pages of PAGE_SIZE, cached (bounded), fetched
// for the rows in view once scrolling settles. All state lives in the URL query string.

import { api } from '../api.js';
import { events } from '../events.js';
import { h, icon, debounce, replace } from '../dom.js';
import { count, decimal, placeholder_style, runtime, best_resolution, resolution_label } from '../format.js';
import { navigate } from '../router.js';
import { show_error } from '../toast.js';
import { app_state, is_running, set_job, watch_state } from '../app_state.js';

const PAGE_SIZE = 200;
const MAX_CACHED_PAGES = 40; // 8,000 movies; pages far from the view are dropped first.
const MAX_PARALLEL_FETCHES = 3;
const OVERSCAN_ROWS = 2;
const CAPTION_HEIGHT = 52;
const SEARCH_DEBOUNCE_MS = 200;
const LIVE_REFRESH_MS = 1200;

const SORTS = [
  { value: 'title', label: 'Title', order: 'asc' },
  { value: 'year', label: 'Year', order: 'desc' },
  { value: 'added', label: 'Date added', order: 'desc' },
  { value: 'rating', label: 'Rating', order: 'desc' },
  { value: 'runtime', label: 'Runtime', order: 'desc' },
];
const RESOLUTIONS = [
  { value: '2160p', label: '4K (2160p)' },
  { value: '1080p', label: '1080p' },
  { value: '720p', label: '720p' },
  { value: '576p', label: '576p' },
  { value: '480p', label: '480p' },
];
const FILTER_KEYS = ['genre', 'decade', 'resolution', 'watched', 'match'];

/** What the Match filter offers (the API's `match` values). */
const MATCHES = [
  { value: 'review', label: 'Needs review' },
  { value: 'failed', label: 'Lookup failed' },
  { value: 'unidentified', label: 'Not looked up' },
  { value: 'identified', label: 'Identified' },
];

/** The view state read from the URL; only non-default values are written back. */
function read_state(query) {
  const sort = SORTS.find((s) => s.value === query.get('sort')) ?? SORTS[0];
  const order = query.get('order') === 'asc' || query.get('order') === 'desc' ? query.get('order') : sort.order;
  const decade = /^\d{4}$/.test(query.get('decade') ?? '') ? query.get('decade') : '';
  // 'list': the requester's list ("on my list", an account's own; the API's on_list=true).
  const watched = ['true', 'false', 'list'].includes(query.get('watched')) ? query.get('watched') : '';
  const match = MATCHES.some((m) => m.value === query.get('match')) ? query.get('match') : '';
  return {
    q: query.get('q') ?? '',
    sort: sort.value,
    order,
    genre: query.get('genre') ?? '',
    decade,
    resolution: query.get('resolution') ?? '',
    watched,
    match,
  };
}

function state_to_url(state) {
  const params = new URLSearchParams();
  const sort = SORTS.find((s) => s.value === state.sort) ?? SORTS[0];
  if (state.q) params.set('q', state.q);
  if (sort !== SORTS[0]) params.set('sort', sort.value);
  if (state.order !== sort.order) params.set('order', state.order);
  for (const key of FILTER_KEYS) if (state[key]) params.set(key, state[key]);
  const text = params.toString();
  return '/' + (text ? '?' + text : '');
}

function state_to_query(state) {
  const query = { sort: state.sort, order: state.order };
  if (state.q.trim()) query.q = state.q.trim();
  if (state.genre) query.genre = state.genre;
  if (state.resolution) query.resolution = state.resolution;
  if (state.watched === 'list') query.on_list = true;
  else if (state.watched) query.watched = state.watched;
  if (state.match) query.match = state.match;
  if (state.decade) {
    query.year_from = Number(state.decade);
    query.year_to = Number(state.decade) + 9;
  }
  return query;
}

function same_query(a, b) {
  return JSON.stringify(state_to_query(a)) === JSON.stringify(state_to_query(b));
}

export function mount(root, route) {
  let state = read_state(route.query);
  let visible = true;

  // ---- toolbar ----
  const search = h('input', {
    type: 'search', name: 'q', placeholder: 'Search titles, people, genres… (press /)', autocomplete: 'off', 'aria-keyshortcuts': '/',
    spellcheck: false, 'aria-label': 'Search movies', 'aria-controls': 'library-grid', enterkeyhint: 'search',
  });
  const sort_select = h('select', { name: 'sort', id: 'library-sort' },
    SORTS.map((s) => h('option', { value: s.value }, s.label)));
  const order_button = h('button', { type: 'button', class: 'icon-button', name: 'order' });
  const genre_select = h('select', { name: 'genre', id: 'filter-genre' }, h('option', { value: '' }, 'All genres'));
  const decade_select = h('select', { name: 'decade', id: 'filter-decade' }, h('option', { value: '' }, 'Any decade'),
    decades().map((d) => h('option', { value: String(d) }, `${d}s`)));
  const resolution_select = h('select', { name: 'resolution', id: 'filter-resolution' },
    h('option', { value: '' }, 'Any quality'), RESOLUTIONS.map((r) => h('option', { value: r.value }, r.label)));
  const watched_select = h('select', { name: 'watched', id: 'filter-watched' },
    h('option', { value: '' }, 'Watched or not'), h('option', { value: 'false' }, 'Unwatched'),
    h('option', { value: 'true' }, 'Watched'),
    app_state.user?.id ? h('option', { value: 'list' }, 'On my list') : null);
  const match_select = h('select', { name: 'match', id: 'filter-match' },
    h('option', { value: '' }, 'Any match'), MATCHES.map((m) => h('option', { value: m.value }, m.label)));
  const clear_button = h('button', { type: 'button', class: 'button subtle', onclick: () => clear_filters() },
    icon('x'), 'Clear');
  const filter_badge = h('span', { class: 'badge', hidden: true });
  const filters_toggle = h('button', {
    type: 'button', class: 'button filters-toggle', 'aria-expanded': 'false', 'aria-controls': 'library-filters',
  }, icon('filter'), h('span', null, 'Filters'), filter_badge);
  const filters = h('div', { class: 'filters', id: 'library-filters', role: 'group', 'aria-label': 'Filters' },
    labelled('Genre', genre_select), labelled('Decade', decade_select),
    labelled('Quality', resolution_select), labelled('Status', watched_select), labelled('Match', match_select),
    clear_button);
  const total_label = h('p', { class: 'library-total', 'aria-live': 'polite' });

  const toolbar = h('div', { class: 'library-toolbar' },
    h('div', { class: 'toolbar-row' },
      h('label', { class: 'search-box' }, icon('search'), search),
      h('div', { class: 'sort-box' },
        h('label', { for: 'library-sort', class: 'inline-label' }, 'Sort'), sort_select, order_button),
      filters_toggle),
    filters);

  const grid = h('div', { class: 'poster-grid', id: 'library-grid', role: 'list', 'aria-label': 'Movies' });
  const empty = h('div', { class: 'empty-state', hidden: true });
  root.append(
    h('h1', { class: 'visually-hidden' }, 'Library'),
    toolbar,
    h('div', { class: 'library-summary' }, total_label),
    grid,
    empty,
  );

  // ---- grid state ----
  let total = null; // null until the first page of the current query arrives
  let pages = new Map(); // page index → array of movies
  let stale_pages = new Set(); // pages shown but due for a refetch (live updates)
  const inflight = new Map(); // page index → AbortController
  let query_generation = 0;
  let layout = { cols: 1, card_w: 0, row_h: 1, gap: 0, grid_top: 0, rows: 0 };
  const cells = new Map(); // item index → cell element
  let pending_scroll = null;
  let opened_id = history.state?.opened ?? null;
  let focus_pending = opened_id !== null;
  let frame = 0;

  function movie_at(index) {
    const page = pages.get(Math.floor(index / PAGE_SIZE));
    return page ? page[index % PAGE_SIZE] ?? null : null;
  }

  function measure() {
    const width = grid.clientWidth || root.clientWidth;
    const min = width < 480 ? 104 : width < 900 ? 138 : 160;
    const gap = width < 480 ? 10 : width < 900 ? 14 : 20;
    const cols = Math.max(2, Math.floor((width + gap) / (min + gap)));
    const card_w = (width - gap * (cols - 1)) / cols;
    const card_h = card_w * 1.5 + CAPTION_HEIGHT;
    const rows = total ? Math.ceil(total / cols) : 0;
    layout = { cols, card_w, card_h, row_h: card_h + gap, gap, rows, grid_top: grid.getBoundingClientRect().top + window.scrollY };
    grid.style.height = rows ? `${rows * layout.row_h - gap}px` : '0px';
  }

  function visible_rows() {
    // The grid moves when something above it appears (the offline banner): measure where it is now.
    layout.grid_top = grid.getBoundingClientRect().top + window.scrollY;
    const top = window.scrollY - layout.grid_top;
    const first = Math.max(0, Math.floor(top / layout.row_h) - OVERSCAN_ROWS);
    const last = Math.min(layout.rows - 1, Math.floor((top + window.innerHeight) / layout.row_h) + OVERSCAN_ROWS);
    return { first, last };
  }

  function schedule_render() {
    if (frame || !visible) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  }

  function render() {
    if (total === null) return;
    const { first, last } = visible_rows();
    const from = first * layout.cols;
    const to = Math.min(total - 1, (last + 1) * layout.cols - 1);

    for (const [index, cell] of cells) {
      if (index < from || index > to) {
        cell.remove();
        cells.delete(index);
      }
    }
    const first_existing = cells.size ? Math.min(...cells.keys()) : Infinity;
    const before = document.createDocumentFragment();
    const after = document.createDocumentFragment();
    for (let index = from; index <= to; index += 1) {
      let cell = cells.get(index);
      if (!cell) {
        cell = create_cell(index);
        cells.set(index, cell);
        (index < first_existing ? before : after).append(cell);
      }
      position(cell, index);
      fill(cell, movie_at(index));
    }
    // Keep DOM order equal to visual order so Tab moves through the cards as they are seen.
    grid.prepend(before);
    grid.append(after);
    request_pages(from, to);
  }

  function position(cell, index) {
    const row = Math.floor(index / layout.cols);
    const col = index % layout.cols;
    const x = col * (layout.card_w + layout.gap);
    const y = row * layout.row_h;
    const key = `${x}|${y}|${layout.card_w}`;
    if (cell.dataset.pos === key) return;
    cell.dataset.pos = key;
    cell.style.transform = `translate(${x}px, ${y}px)`;
    cell.style.width = `${layout.card_w}px`;
    cell.style.height = `${layout.card_h}px`;
  }

  function create_cell(index) {
    const card = h('a', { class: 'card loading', tabindex: '-1', dataset: { index: String(index) } });
    const cell = h('div', { class: 'cell', role: 'listitem' }, card);
    cell.setAttribute('aria-posinset', String(index + 1));
    cell.setAttribute('aria-setsize', String(total));
    return cell;
  }

  function fill(cell, movie) {
    const card = cell.firstElementChild;
    const key = movie ? `${movie.id}|${movie.updated_at ?? ''}|${movie.watched}|${movie.poster ?? ''}|${movie.title}|${state.sort}|${movie.rating ?? ''}` : '';
    if (card.dataset.key === key) return;
    card.dataset.key = key;
    if (!movie) {
      card.className = 'card loading';
      card.removeAttribute('href');
      card.setAttribute('tabindex', '-1');
      card.removeAttribute('aria-label');
      replace(card, h('div', { class: 'poster' }), h('div', { class: 'card-meta' },
        h('span', { class: 'skeleton-line' }), h('span', { class: 'skeleton-line short' })));
      return;
    }
    card.className = 'card';
    card.href = `/movies/${movie.id}`;
    card.removeAttribute('tabindex');
    card.dataset.id = String(movie.id);
    queueMicrotask(() => focus_if_opened(card, movie));
    replace(card, poster(movie, 'card'), h('div', { class: 'card-meta' },
      h('span', { class: 'card-title', title: movie.title }, movie.title),
      h('span', { class: 'card-sub' }, [movie.year, runtime(movie.runtime)].filter(Boolean).join(' · ') || '\u00a0',
        state.sort === 'rating' ? card_rating(movie) : null)));
  }

  /** Sorted by rating, each card shows the rating it is sorted by: yours, else TMDB's (or IMDb's). */
  function card_rating(movie) {
    if (movie.rating) return h('span', { class: 'card-rating mine', title: 'Your rating' }, ` · ★ ${movie.rating}/10`);
    const score = movie.vote_average ?? movie.imdb_rating;
    if (typeof score !== 'number') return h('span', { class: 'card-rating none' }, ' · not rated');
    return h('span', { class: 'card-rating', title: movie.vote_average != null ? 'TMDB rating' : 'IMDb rating' }, ` · ★ ${decimal(score, 1)}`);
  }

  // ---- data ----
  let fetch_timer = 0;
  function request_pages(from, to) {
    clearTimeout(fetch_timer);
    const needed = [];
    for (let p = Math.floor(from / PAGE_SIZE); p <= Math.floor(to / PAGE_SIZE); p += 1) {
      if ((!pages.has(p) || stale_pages.has(p)) && !inflight.has(p)) needed.push(p);
    }
    // Cancel fetches for pages the user scrolled away from.
    for (const [p, controller] of inflight) {
      if (p < Math.floor(from / PAGE_SIZE) - 1 || p > Math.floor(to / PAGE_SIZE) + 1) {
        controller.abort();
        inflight.delete(p);
      }
    }
    if (!needed.length) return;
    // While the scrollbar is dragged the range changes every frame; fetch once it settles.
    fetch_timer = setTimeout(() => {
      for (const p of needed) if (inflight.size < MAX_PARALLEL_FETCHES) load_page(p);
    }, 60);
  }

  async function load_page(p) {
    const generation = query_generation;
    const controller = new AbortController();
    inflight.set(p, controller);
    try {
      const result = await api.movies({ ...state_to_query(state), limit: PAGE_SIZE, offset: p * PAGE_SIZE },
        controller.signal);
      if (generation !== query_generation) return;
      pages.set(p, result.movies ?? []);
      stale_pages.delete(p);
      evict_pages(p);
      set_total(result.total ?? 0);
    } catch (err) {
      if (err.name !== 'AbortError' && generation === query_generation) show_error(err, 'Could not load movies');
    } finally {
      if (inflight.get(p) === controller) inflight.delete(p);
      if (generation === query_generation) schedule_render();
    }
  }

  function evict_pages(center) {
    if (pages.size <= MAX_CACHED_PAGES) return;
    const far = [...pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const p of far.slice(0, pages.size - MAX_CACHED_PAGES)) pages.delete(p);
  }

  function set_total(value) {
    const changed = value !== total;
    total = value;
    if (changed) {
      measure();
      for (const cell of cells.values()) cell.setAttribute('aria-setsize', String(total));
    }
    update_summary();
    if (pending_scroll !== null && total !== null) {
      window.scrollTo(0, pending_scroll);
      pending_scroll = null;
    }
  }

  function update_summary() {
    const filtered = Boolean(state.q.trim() || FILTER_KEYS.some((k) => state[k]));
    if (total === null) {
      total_label.textContent = '\u00a0';
    } else if (filtered) {
      total_label.textContent = `${count(total)} ${total === 1 ? 'movie matches' : 'movies match'}`;
    } else {
      total_label.textContent = `${count(total)} ${total === 1 ? 'movie' : 'movies'}`;
    }
    empty.hidden = total !== 0;
    if (total === 0) {
      replace(empty, filtered
        ? [h('h2', null, 'No movies match'), h('p', null, 'Try another search or fewer filters.'),
          h('button', { type: 'button', class: 'button', onclick: () => clear_filters(true) }, 'Clear search and filters')]
        : empty_library());
    }
  }

  /** What an empty library says: with media folders set, that an import fills it (one click, watched live
   *  here); without, where to add them. */
  function empty_library() {
    const folders = app_state.config?.media_folders ?? [];
    const job = app_state.job;
    if (is_running(job)) {
      return [h('h2', null, 'Importing your movies…'),
        h('p', null, 'They appear here as they are found.'),
        h('div', { class: 'button-row' }, h('a', { class: 'button', href: '/import' }, 'Show progress'))];
    }
    if (folders.length) {
      const start = h('button', { type: 'button', class: 'button primary', 'data-action': 'import-now' }, icon('arrow_down'), 'Import now');
      start.addEventListener('click', async () => {
        start.disabled = true;
        try {
          const answer = await api.startImport();
          set_job(answer?.job ?? answer);
          update_summary();
        } catch (err) {
          show_error(err, 'Could not start the import');
          start.disabled = false;
        }
      });
      return [h('h2', null, 'No movies imported yet'),
        h('p', null, folders.length === 1 ? 'Mediabase will look for movies in ' : 'Mediabase will look for movies in these folders: ',
          folders.map((f, i) => [i ? ', ' : '', h('code', null, f)]), '.'),
        h('div', { class: 'button-row', dataset: { adminOnly: '' } }, start, h('a', { class: 'button', href: '/settings' }, 'Settings'))];
    }
    // A viewer cannot add folders: they are told who can.
    const viewer = document.body.dataset.role === 'viewer';
    return [h('h2', null, 'Your library is empty'),
      h('p', null, viewer ? 'An administrator adds the movie folders and imports them.' : 'Add your movie folders in Settings, then import them.'),
      h('div', { class: 'button-row', dataset: { adminOnly: '' } },
        h('a', { class: 'button primary', href: '/settings' }, 'Add folders in Settings'),
        h('a', { class: 'button', href: '/import' }, icon('arrow_down'), 'Import'))];
  }

  /** Starts over for a new query: drops every page and cell. */
  function reset() {
    query_generation += 1;
    for (const controller of inflight.values()) controller.abort();
    inflight.clear();
    pages = new Map();
    stale_pages = new Set();
    total = null;
    for (const cell of cells.values()) cell.remove();
    cells.clear();
    grid.style.height = '0px';
    update_summary();
    load_page(0);
  }

  /** Refetches the pages in view after live changes, keeping what is shown until new data arrives. */
  function refresh_live() {
    if (!visible) {
      needs_refresh = true;
      return;
    }
    needs_refresh = false;
    stale_pages = new Set(pages.keys());
    if (!pages.size) {
      load_page(0);
      return;
    }
    if (total === 0) load_page(0);
    else render();
  }
  let needs_refresh = false;
  let live_timer = 0;
  function schedule_live_refresh() {
    if (live_timer) return;
    live_timer = setTimeout(() => {
      live_timer = 0;
      refresh_live();
    }, LIVE_REFRESH_MS);
  }

  function patch_movie(movie) {
    for (const page of pages.values()) {
      const at = page.findIndex((m) => m.id === movie.id);
      if (at >= 0) page[at] = { ...page[at], ...movie };
    }
    schedule_render();
  }

  const unsubscribe = [
    // One frame per batch of changes: records of some of them, the ids of all.
    events.on('movies.changed', (frame) => {
      const records = new Map((frame.movies ?? []).map((m) => [m.id, m]));
      for (const id of frame.updated ?? []) if (records.has(id)) patch_movie(records.get(id));
      const unseen_update = (frame.updated ?? []).some((id) => !records.has(id));
      if (frame.added?.length || frame.removed?.length || unseen_update) schedule_live_refresh();
    }),
    // Changes were left out (this tab fell behind): what is shown is fetched again.
    events.on('resync', schedule_live_refresh),
    events.on('import.finished', schedule_live_refresh),
    events.on('prune.finished', schedule_live_refresh),
    events.on('open', (info) => info.reconnected && schedule_live_refresh()),
    // The empty library's text depends on the folders and on whether an import runs.
    watch_state('config', () => total === 0 && update_summary()),
    watch_state('job', () => total === 0 && update_summary()),
  ];

  // ---- controls ----
  function sync_controls(force = false) {
    // While the user types, the input is ahead of the URL: leave it alone unless Back/Forward moved.
    if (force || document.activeElement !== search) search.value = state.q;
    sort_select.value = state.sort;
    const ascending = state.order === 'asc';
    replace(order_button, icon(ascending ? 'arrow_up' : 'arrow_down'));
    order_button.setAttribute('aria-label', ascending ? 'Ascending order' : 'Descending order');
    order_button.title = ascending ? 'Ascending — click for descending' : 'Descending — click for ascending';
    genre_select.value = state.genre;
    if (state.genre && genre_select.value !== state.genre) {
      genre_select.append(h('option', { value: state.genre }, state.genre));
      genre_select.value = state.genre;
    }
    decade_select.value = state.decade;
    resolution_select.value = state.resolution;
    watched_select.value = state.watched;
    match_select.value = state.match;
    const active = FILTER_KEYS.filter((k) => state[k]).length;
    filter_badge.hidden = active === 0;
    filter_badge.textContent = String(active);
    clear_button.hidden = active === 0;
    for (const [select, key] of [[genre_select, 'genre'], [decade_select, 'decade'],
      [resolution_select, 'resolution'], [watched_select, 'watched'], [match_select, 'match']]) {
      select.classList.toggle('active', Boolean(state[key]));
    }
  }

  function apply(changes, { replace_entry = false } = {}) {
    const next = { ...state, ...changes };
    navigate(state_to_url(next), { replace: replace_entry });
  }

  const search_changed = debounce(() => {
    // Typing refines one search: one history entry for it, not one per key.
    const first_key = !state.q && search.value;
    apply({ q: search.value }, { replace_entry: !first_key });
  }, SEARCH_DEBOUNCE_MS);
  search.addEventListener('input', search_changed);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      search_changed.cancel();
      apply({ q: search.value }, { replace_entry: true });
    } else if (event.key === 'ArrowDown' && total) {
      event.preventDefault();
      focus_index(first_visible_index());
    }
  });
  sort_select.addEventListener('change', () => {
    const sort = SORTS.find((s) => s.value === sort_select.value) ?? SORTS[0];
    apply({ sort: sort.value, order: sort.order });
  });
  order_button.addEventListener('click', () => apply({ order: state.order === 'asc' ? 'desc' : 'asc' }));
  genre_select.addEventListener('change', () => apply({ genre: genre_select.value }));
  decade_select.addEventListener('change', () => apply({ decade: decade_select.value }));
  resolution_select.addEventListener('change', () => apply({ resolution: resolution_select.value }));
  watched_select.addEventListener('change', () => apply({ watched: watched_select.value }));
  match_select.addEventListener('change', () => apply({ match: match_select.value }));
  filters_toggle.addEventListener('click', () => {
    const open = filters_toggle.getAttribute('aria-expanded') !== 'true';
    filters_toggle.setAttribute('aria-expanded', String(open));
    filters.classList.toggle('open', open);
  });

  function clear_filters(with_search = false) {
    const changes = { genre: '', decade: '', resolution: '', watched: '', match: '' };
    if (with_search) changes.q = '';
    apply(changes);
  }

  async function load_genres() {
    try {
      const result = await api.genres();
      const current = state.genre;
      replace(genre_select, h('option', { value: '' }, 'All genres'),
        (result.genres ?? []).map((g) => h('option', { value: g }, g)));
      genre_select.value = current;
      sync_controls();
    } catch (err) {
      show_error(err, 'Could not load genres');
    }
  }

  // ---- keyboard navigation in the grid ----
  function first_visible_index() {
    const top = window.scrollY - layout.grid_top + toolbar_height();
    return Math.max(0, Math.min(total - 1, Math.ceil(Math.max(0, top) / layout.row_h) * layout.cols));
  }

  function toolbar_height() {
    return toolbar.getBoundingClientRect().bottom;
  }

  function focus_index(index) {
    if (!total) return;
    const target = Math.max(0, Math.min(total - 1, index));
    const row = Math.floor(target / layout.cols);
    const row_top = layout.grid_top + row * layout.row_h;
    const covered = toolbar_height();
    const view_top = window.scrollY + covered;
    const view_bottom = window.scrollY + window.innerHeight;
    if (row_top < view_top) window.scrollTo(0, row_top - covered - 8);
    else if (row_top + layout.card_h > view_bottom) window.scrollTo(0, row_top + layout.card_h - window.innerHeight + 8);
    render();
    cells.get(target)?.firstElementChild.focus({ preventScroll: true });
  }

  // The movie opened from here: Back focuses its card again (keyboard users keep their place). Kept in the
  // history entry too, so it survives a reload of the movie page.
  grid.addEventListener('click', (event) => {
    const card = event.target.closest('.card[href]');
    if (!card) return;
    opened_id = card.dataset.id;
    history.replaceState({ ...(history.state ?? {}), opened: opened_id }, '');
  });

  function focus_opened_card() {
    if (!opened_id) return;
    render();
    const card = grid.querySelector(`.card[data-id="${CSS.escape(opened_id)}"]`);
    focus_pending = !card;
    card?.focus({ preventScroll: true });
  }

  /** A card just filled: focus it if it is the one Back returns to and it was not there yet. */
  function focus_if_opened(card, movie) {
    if (!focus_pending || String(movie.id) !== opened_id || !grid.isConnected) return;
    focus_pending = false;
    // Only while nothing else has the focus: never taken from a field or a card the user moved to.
    const active = document.activeElement;
    if (active && active !== document.body && active.id !== 'main') return;
    card.focus({ preventScroll: true });
  }

  grid.addEventListener('keydown', (event) => {
    const card = event.target.closest('.card');
    if (!card || event.altKey || event.metaKey) return;
    const index = Number(card.dataset.index);
    const per_page = Math.max(1, Math.floor((window.innerHeight - toolbar_height()) / layout.row_h)) * layout.cols;
    const moves = {
      ArrowRight: 1, ArrowLeft: -1, ArrowDown: layout.cols, ArrowUp: -layout.cols,
      PageDown: per_page, PageUp: -per_page,
    };
    if (event.key in moves) {
      event.preventDefault();
      if (event.key === 'ArrowUp' && index < layout.cols) {
        search.focus();
        return;
      }
      focus_index(index + moves[event.key]);
    } else if (event.key === 'Home' && event.ctrlKey) {
      event.preventDefault();
      focus_index(0);
    } else if (event.key === 'End' && event.ctrlKey) {
      event.preventDefault();
      focus_index(total - 1);
    }
  });

  // ---- lifecycle ----
  const on_scroll = () => schedule_render();
  const on_resize = debounce(() => {
    measure();
    for (const cell of cells.values()) delete cell.dataset.pos;
    render();
  }, 50);
  const resize_observer = new ResizeObserver(() => on_resize());

  function attach() {
    window.addEventListener('scroll', on_scroll, { passive: true });
    resize_observer.observe(grid);
  }
  function detach() {
    window.removeEventListener('scroll', on_scroll);
    resize_observer.disconnect();
  }

  attach();
  sync_controls();
  update_summary();
  load_genres();
  reset();

  return {
    update(next_route) {
      const next = read_state(next_route.query);
      const changed = !same_query(state, next);
      state = next;
      sync_controls(next_route.pop);
      if (changed) {
        window.scrollTo(0, 0);
        reset();
      } else {
        update_summary();
      }
    },
    show(next_route) {
      visible = true;
      document.title = 'Library · Mediabase';
      attach();
      this.update(next_route);
      measure();
      if (needs_refresh) refresh_live();
      render();
    },
    hide() {
      visible = false;
      detach();
    },
    restore_scroll(y) {
      document.title = 'Library · Mediabase';
      if (total === null) pending_scroll = y;
      else {
        window.scrollTo(0, y);
        focus_opened_card();
      }
    },
    unmount() {
      detach();
      for (const off of unsubscribe) off();
    },
  };
}

function labelled(text, control) {
  return h('label', { class: 'field compact' }, h('span', { class: 'field-label' }, text), control);
}

function decades() {
  const now = Math.floor(new Date().getFullYear() / 10) * 10;
  const list = [];
  for (let d = now; d >= 1900; d -= 10) list.push(d);
  return list;
}

/** A poster image over its generated placeholder (shown when there is no art or it fails to load). */
export function poster(movie, size = 'card') {
  const badges = [];
  if (movie.watched) badges.push(h('span', { class: 'poster-badge watched', title: 'Watched' }, icon('check'),
    h('span', { class: 'visually-hidden' }, 'Watched')));
  if (movie.needs_review) badges.push(h('span', { class: 'poster-badge review', title: 'Needs review' }, '!',
    h('span', { class: 'visually-hidden' }, 'Needs review')));
  const resolution = resolution_label(best_resolution(movie.files));
  const img = movie.poster
    ? h('img', { src: movie.poster, alt: '', loading: 'lazy', decoding: 'async', onerror: (e) => e.target.remove() })
    : null;
  return h('div', { class: `poster poster-${size}`, style: placeholder_style(movie.title) },
    h('div', { class: 'poster-placeholder', 'aria-hidden': 'true' },
      h('span', { class: 'ph-title' }, movie.title || 'Untitled'),
      movie.year ? h('span', { class: 'ph-year' }, String(movie.year)) : null),
    img,
    badges.length ? h('div', { class: 'poster-badges' }, badges) : null,
    resolution && size === 'card' ? h('span', { class: 'poster-quality' }, resolution) : null);
}
