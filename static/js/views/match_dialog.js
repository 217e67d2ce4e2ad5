// The "Fix match" dialog: search TMDB (through the server) or type a TMDB id, then rematch the movie.

import { api } from '../api.js';
import { h, icon, replace } from '../dom.js';
import { placeholder_style } from '../format.js';
import { show_error, toast } from '../toast.js';
import { app_state } from '../app_state.js';

/** Opens the dialog for `movie`; `on_matched(updated_movie)` is called after a successful rematch. */
export function open_match_dialog(movie, on_matched) {
  let search_controller = null;

  const query = h('input', { type: 'search', name: 'q', value: movie.title ?? '', required: true, autocomplete: 'off' });
  const year = h('input', { type: 'number', name: 'year', value: movie.year ? String(movie.year) : '', min: '1870', max: '2100', inputmode: 'numeric' });
  const results = h('ul', { class: 'match-results', 'aria-live': 'polite', 'aria-label': 'Search results' });
  const status = h('p', { class: 'muted match-status', role: 'status' });
  const id_input = h('input', { type: 'number', name: 'tmdb_id', min: '1', inputmode: 'numeric', placeholder: 'e.g. 603' });

  const search_form = h('form', { class: 'match-search', onsubmit: (event) => { event.preventDefault(); search(); } },
    h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, 'Title'), query),
    h('label', { class: 'field year' }, h('span', { class: 'field-label' }, 'Year'), year),
    h('button', { type: 'submit', class: 'button primary' }, icon('search'), 'Search'));
  const id_form = h('form', { class: 'match-id', onsubmit: (event) => {
    event.preventDefault();
    const value = Number(id_input.value);
    if (Number.isInteger(value) && value > 0) choose(value, `TMDB ${value}`);
  } },
  h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, 'Or enter a TMDB id'), id_input),
  h('button', { type: 'submit', class: 'button' }, 'Use this id'));

  const dialog = h('dialog', { class: 'dialog match-dialog', 'aria-labelledby': 'match-title' }, h('div', { class: 'dialog-inner' },
    h('div', { class: 'dialog-header' },
      h('h2', { id: 'match-title' }, 'Fix match'),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: () => dialog.close() }, icon('x'))),
    h('p', { class: 'muted' }, 'Currently: ', h('strong', null, movie.title), movie.year ? ` (${movie.year})` : '',
      movie.tmdb_id ? ` · TMDB ${movie.tmdb_id}` : ' · not matched'),
    search_form, status, results, h('hr'), id_form));

  async function search() {
    const q = query.value.trim();
    if (!q) return;
    search_controller?.abort();
    search_controller = new AbortController();
    status.textContent = 'Searching…';
    replace(results);
    try {
      const answer = await api.tmdbSearch(q, year.value || undefined, search_controller.signal);
      const list = answer.results ?? [];
      status.textContent = list.length ? `${list.length} ${list.length === 1 ? 'result' : 'results'}` : 'No results. Try without the year, or another title.';
      replace(results, list.map(result_item));
    } catch (err) {
      if (err.name === 'AbortError') return;
      status.textContent = 'Search failed. You can still enter a TMDB id below.';
      show_error(err, 'Search failed');
    }
  }

  function result_item(result) {
    // Only art served by Mediabase itself is shown: the UI loads nothing from other hosts.
    const art = typeof result.poster === 'string' && result.poster.startsWith('/') ? result.poster : null;
    return h('li', null,
      h('button', { type: 'button', class: 'match-result', onclick: () => choose(result.tmdb_id, result.title) },
        h('span', { class: 'match-thumb', style: placeholder_style(result.title) },
          art ? h('img', { src: art, alt: '', loading: 'lazy', onerror: (e) => e.target.remove() }) : null),
        h('span', { class: 'match-text' },
          h('span', { class: 'match-title' }, result.title, result.year ? h('span', { class: 'muted' }, ` (${result.year})`) : null),
          h('span', { class: 'match-overview' }, result.overview || 'No overview.'),
          h('span', { class: 'match-id-label muted' }, `TMDB ${result.tmdb_id}`))));
  }

  async function choose(tmdb_id, label) {
    for (const button of dialog.querySelectorAll('button')) button.disabled = true;
    status.textContent = `Matching to ${label}…`;
    try {
      const updated = await api.matchMovie(movie.id, tmdb_id);
      dialog.close();
      toast(`Matched to ${updated?.title ?? label}`, 'success');
      if (updated && updated.id === movie.id) on_matched(updated);
      else on_matched(await api.movie(movie.id));
    } catch (err) {
      status.textContent = '';
      show_error(err, 'Could not fix the match');
      for (const button of dialog.querySelectorAll('button')) button.disabled = false;
    }
  }

  dialog.addEventListener('close', () => {
    search_controller?.abort();
    dialog.remove();
  });
  dialog.addEventListener('click', (event) => {
    // A click on the backdrop (outside the dialog box) closes it.
    if (event.target === dialog) dialog.close();
  });
  document.body.append(dialog);
  dialog.showModal();
  // Offline, the server cannot search TMDB; a known id can still be entered.
  if (app_state.config?.offline) {
    // Matching by id asks TMDB too: nothing here can work until a key is added.
    status.textContent = 'Offline mode: fixing a match needs a TMDB key. Add one in Settings first.';
    for (const control of [...search_form.elements, ...id_form.elements]) control.disabled = true;
  } else {
    query.select();
    if (query.value) search();
  }
}
