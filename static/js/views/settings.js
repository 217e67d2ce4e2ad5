// Settings: media folders, watching and rescans, provider keys (write-only: the server shows them masked), art sizes.

import { api } from '../api.js';
import { h, icon, replace } from '../dom.js';
import { set_state } from '../app_state.js';
import { show_error, toast } from '../toast.js';
import { bytes, datetime, plural } from '../format.js';

const KEYS = [
  { name: 'tmdb_api_key', label: 'TMDB API key', help: 'v3 key from themoviedb.org → Settings → API.' },
  { name: 'tmdb_read_token', label: 'TMDB read access token', help: 'Alternatively, the v4 "API Read Access Token".' },
  { name: 'omdb_api_key', label: 'OMDb API key', help: 'Adds IMDb ratings, Metascore and awards (1,000 requests a day free).' },
];

/** Art sizes offered (TMDB's names; the server takes the nearest TMDB has). */
const ART_SIZES = [
  { name: 'poster_size', label: 'Poster size', sizes: ['w342', 'w500', 'w780', 'original'] },
  { name: 'backdrop_size', label: 'Backdrop size', sizes: ['w780', 'w1280', 'original'] },
];

export function mount(root) {
  document.title = 'Settings · Mediabase';
  const controller = new AbortController();
  const form = h('form', { class: 'settings-form', novalidate: true });
  const backups = h('section', { class: 'panel backups', 'aria-labelledby': 'backups-title' });
  root.append(
    h('div', { class: 'page-header' },
      h('div', null, h('h1', null, 'Settings'), h('p', { class: 'muted' }, 'Where your movies are and how Mediabase identifies them.'))),
    form,
    backups);
  replace(form, h('p', { class: 'muted' }, h('span', { class: 'spinner' }), ' Loading…'));

  let config = null;

  function render() {
    const folder_list = h('ul', { class: 'folder-list' });
    const add_folder = (value = '') => {
      const input = h('input', { type: 'text', name: 'media_folder', value, placeholder: '/path/to/movies', autocomplete: 'off', spellcheck: false, 'aria-label': 'Media folder' });
      const row = h('li', { class: 'folder-row' }, icon('folder'), input,
        h('button', { type: 'button', class: 'icon-button', 'aria-label': `Remove folder`, title: 'Remove folder', onclick: () => { row.remove(); input.value = ''; } }, icon('x')));
      folder_list.append(row);
      return input;
    };
    for (const folder of config.media_folders ?? []) add_folder(folder);
    if (!(config.media_folders ?? []).length) add_folder();

    const watch = h('input', { type: 'checkbox', name: 'watch', id: 'setting-watch', checked: Boolean(config.watch) });
    const interval = h('input', { type: 'number', name: 'rescan_interval_seconds', id: 'setting-interval', min: '0', step: '60', value: String(config.rescan_interval_seconds ?? 0), inputmode: 'numeric' });
    const key_inputs = new Map();
    const size_selects = new Map();
    // Online only once TMDB accepted the key: a saved key is "not checked" until the check answers.
    const provider_badge = config.offline
      ? h('span', { class: 'state-badge state-offline' }, 'Offline mode')
      : h('span', { class: 'state-badge state-checking', 'data-provider-state': 'checking' }, 'Checking the key…');
    const check_result = h('span', { class: 'muted check-result', role: 'status' });
    const check_button = h('button', { type: 'button', class: 'button', disabled: Boolean(config.offline && !config.omdb_api_key), onclick: check_keys }, 'Test keys');

    async function check_keys() {
      check_button.disabled = true;
      check_result.textContent = 'Asking the providers…';
      try {
        const answer = await api.checkProviders();
        show_check(answer);
      } catch (err) {
        check_result.textContent = '';
        show_error(err, 'Could not test the keys');
      } finally {
        check_button.disabled = false;
      }
    }

    function show_check(answer) {
      const tmdb = answer.tmdb ?? {};
      if (!config.offline) {
        const labels = { ok: ['Online', 'state-finished'], invalid: ['Key rejected', 'state-failed'], unreachable: ['TMDB unreachable', 'state-offline'] };
        const [text, kind] = labels[tmdb.status] ?? ['Not checked', 'state-offline'];
        provider_badge.className = `state-badge ${kind}`;
        provider_badge.dataset.providerState = tmdb.status ?? 'unknown';
        provider_badge.textContent = text;
      }
      // Each message names its provider ("TMDB rejected the key").
      const says = (r) => (r && r.status !== 'missing' ? r.message : null);
      check_result.textContent = [says(answer.tmdb), says(answer.omdb)].filter(Boolean).join(' · ') || 'No keys to test.';
    }

    async function remove_key(name, label) {
      try {
        config = await api.saveConfig({ [name]: null });
        set_state('config', config);
        toast(`${label} removed`, 'success');
        render();
      } catch (err) {
        show_error(err, `Could not remove the ${label}`);
      }
    }

    replace(form,
      h('section', { class: 'panel' },
        h('div', { class: 'panel-header' }, h('h2', null, 'Media folders')),
        h('p', { class: 'muted' }, 'Folders Mediabase scans for movies. Each folder may hold movie files directly or one folder per movie.'),
        folder_list,
        h('button', { type: 'button', class: 'button subtle', onclick: () => add_folder().focus() }, icon('plus'), 'Add folder'),
        h('div', { class: 'field-row' },
          h('label', { class: 'switch', for: 'setting-watch' }, watch, h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
            h('span', null, h('span', { class: 'field-label' }, 'Watch folders for changes'),
              h('span', { class: 'help' }, 'New and removed files are picked up within seconds (not on network shares).')))),
        h('div', { class: 'field' },
          h('label', { class: 'field-label', for: 'setting-interval' }, 'Periodic rescan (seconds, 0 = off)'),
          interval,
          h('span', { class: 'help' }, 'Useful where watching cannot work, such as network shares.'))),
      h('section', { class: 'panel' },
        h('div', { class: 'panel-header' }, h('h2', null, 'Metadata providers'), provider_badge),
        h('p', { class: 'muted' }, 'Keys are stored on the server and never shown again in full. Leave a field empty to keep the current key.'),
        KEYS.map(({ name, label, help }) => {
          const current = config[name];
          const input = h('input', {
            type: 'password', name, id: `setting-${name}`, autocomplete: 'off', spellcheck: false,
            placeholder: current ? `Saved: ${current}` : 'Not set',
          });
          key_inputs.set(name, input);
          const remove = current ? h('button', {
            type: 'button', class: 'button subtle small', 'data-remove-key': name,
            onclick: () => remove_key(name, label),
          }, icon('x'), 'Remove') : null;
          return h('div', { class: 'field' },
            h('label', { class: 'field-label', for: `setting-${name}` }, label,
              current ? h('span', { class: 'tag ok' }, 'saved') : null),
            h('div', { class: 'key-row' }, input, remove), h('span', { class: 'help' }, help));
        }),
        h('div', { class: 'button-row' }, check_button, check_result),
        h('div', { class: 'field-row art-sizes' },
          ART_SIZES.map(({ name, label, sizes }) => {
            const select = h('select', { name, id: `setting-${name}` },
              sizes.map((size) => h('option', { value: size }, size === 'original' ? 'Original' : `${size.slice(1)} px wide`)));
            // A size set in config.json or by a flag may not be in the list: it is shown as it is.
            if (config[name] && !sizes.includes(config[name])) select.append(h('option', { value: config[name] }, config[name]));
            select.value = config[name] ?? sizes[0];
            size_selects.set(name, select);
            return h('div', { class: 'field' }, h('label', { class: 'field-label', for: `setting-${name}` }, label), select);
          }),
          h('span', { class: 'help' }, 'Applies to art downloaded from now on; larger images look sharper and take more space.'))),
      h('section', { class: 'panel about' },
        h('div', { class: 'panel-header' }, h('h2', null, 'About')),
        h('dl', { class: 'credits' },
          h('dt', null, 'Version'), h('dd', null, config.version ?? '—'),
          h('dt', null, 'Data folder'), h('dd', null, h('code', null, config.data_dir ?? '—')),
          h('dt', null, 'File types'), h('dd', null, (config.extensions ?? []).join(' ') || '—'))),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button primary' }, 'Save settings')));

    if (!config.offline) check_keys();

    form.onsubmit = async (event) => {
      event.preventDefault();
      const changes = {};
      const folders = [...folder_list.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean);
      if (JSON.stringify(folders) !== JSON.stringify(config.media_folders ?? [])) changes.media_folders = folders;
      if (watch.checked !== Boolean(config.watch)) changes.watch = watch.checked;
      const seconds = Number(interval.value);
      if (!Number.isInteger(seconds) || seconds < 0) {
        interval.setCustomValidity('Enter a whole number of seconds, 0 or more.');
        interval.reportValidity();
        return;
      }
      interval.setCustomValidity('');
      if (seconds !== config.rescan_interval_seconds) changes.rescan_interval_seconds = seconds;
      for (const [name, input] of key_inputs) if (input.value.trim()) changes[name] = input.value.trim();
      for (const [name, select] of size_selects) if (select.value !== config[name]) changes[name] = select.value;
      if (!Object.keys(changes).length) {
        toast('Nothing changed', 'info');
        return;
      }
      const submit = form.querySelector('[type=submit]');
      submit.disabled = true;
      try {
        config = await api.saveConfig(changes);
        set_state('config', config);
        toast('Settings saved', 'success');
        // Saved, but something will not work as meant (a media folder that does not exist): say so.
        for (const warning of config.warnings ?? []) toast(warning, 'error', { timeout: 12000 });
        render();
      } catch (err) {
        show_error(err, 'Could not save settings');
        submit.disabled = false;
      }
    };
  }

  // ---- backups of the catalogue (DATA/backups): the list, the policy, and "Back up now" ----
  async function load_backups() {
    try {
      render_backups(await api.backups(controller.signal));
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(backups, h('p', { class: 'muted' }, 'Could not load the backups.'));
    }
  }

  function render_backups(answer) {
    const list = answer.backups ?? [];
    const now_button = h('button', { type: 'button', class: 'button subtle', onclick: backup_now }, icon('plus'), 'Back up now');
    async function backup_now() {
      now_button.disabled = true;
      try {
        const made = await api.makeBackup();
        toast(`Backup ${made.name} made`, 'success');
        await load_backups();
      } catch (err) {
        show_error(err, 'Could not make a backup');
        now_button.disabled = false;
      }
    }
    replace(backups,
      h('div', { class: 'panel-header' }, h('h2', { id: 'backups-title' }, 'Backups'), h('span', { class: 'muted' }, plural(list.length, 'backup'))),
      h('p', { class: 'muted' },
        answer.interval_hours > 0 ? `The catalogue is copied every ${plural(answer.interval_hours, 'hour')} and before every database upgrade; the newest ${answer.keep} are kept in ` : `Scheduled backups are off; a copy is still made before every database upgrade, and the newest ${answer.keep} are kept in `,
        h('code', null, answer.folder ?? '—'), '. To go back to one, stop the server and run ', h('code', null, 'mediabase restore FILE'), '.'),
      list.length ? h('ul', { class: 'backup-list' }, list.map((b) => h('li', { class: 'backup-item' },
        h('code', null, b.name), h('span', { class: 'muted' }, ` · ${datetime(b.created_at)} · ${bytes(b.size)} · ${b.reason}`)))) : h('p', { class: 'muted' }, 'No backups yet.'),
      h('div', { class: 'button-row' }, now_button));
  }
  load_backups();

  (async () => {
    try {
      // Always what the server has now, not what was fetched when the app started.
      config = await api.config(controller.signal);
      set_state('config', config);
      render();
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(form, h('p', { class: 'muted' }, 'Could not load the settings.'));
      show_error(err, 'Could not load settings');
    }
  })();

  return { unmount: () => controller.abort() };
}
