// Boots the app: router, live events, the header's import indicator and the offline-mode banner.

import { api } from './api.js';
import { events } from './events.js';
import { start, navigate } from './router.js';
import './activity.js';
import './theme.js';
import { app_state, set_state, set_job, watch_state, is_running, job_progress } from './app_state.js';
import { show_error, toast } from './toast.js';
import { count, percent } from './format.js';
import { h } from './dom.js';
import { mount_login } from './views/login.js';

const activity = document.querySelector('[data-activity]');
const activity_label = document.querySelector('[data-activity-label]');
const connection = document.querySelector('[data-connection]');
const offline_banner = document.querySelector('[data-offline-banner]');
const database_banner = document.querySelector('[data-database-banner]');

// The database's state (/healthz): a failing or damaged catalogue is said at the top of every page.
async function check_health() {
  try {
    const health = await api.health();
    const db = health?.database;
    database_banner.hidden = !db || db.state === 'ok';
    if (!database_banner.hidden) {
      database_banner.textContent = db.state === 'damaged'
        ? `The catalogue database is damaged (${db.error}). Stop the server and restore a backup: mediabase restore FILE (see Settings → Backups).`
        : `The catalogue database failed: ${db.error}. Imports and changes may not be saved (a full disk?).`;
    }
  } catch {
    // The server is unreachable: the connection notice says so.
  }
}

watch_state('job', (job) => {
  const running = is_running(job);
  activity.hidden = !running;
  if (running) {
    const fraction = job_progress(job);
    const found = job.counts?.found ?? 0;
    const share = fraction === null ? '' : ` ${percent(fraction)}`;
    activity_label.textContent = job.state === 'scanning'
      ? `Scanning${share}${found ? ` · ${count(found)} found` : '…'}` : `Importing${share}`;
  }
});

watch_state('config', (config) => {
  offline_banner.hidden = !(config && config.offline);
});

for (const type of ['import.status', 'import.started', 'import.progress', 'import.finished']) {
  events.on(type, (frame) => {
    if (frame.job) set_job(frame.job);
  });
}
// This tab fell behind and changes were left out: the status is fetched again (views refetch their own).
events.on('resync', async () => {
  try {
    const job = await api.importStatus();
    if (job) set_job(job);
  } catch (err) {
    show_error(err, 'Could not load the import status');
  }
});
events.on('error', (frame) => {
  if (frame.message) toast(frame.message, 'error');
});
events.on('import.finished', check_health);

// Only say "reconnecting" after a short grace period, so a quick server restart does not flash a notice.
let connection_timer = 0;
events.on('close', () => {
  clearTimeout(connection_timer);
  connection_timer = setTimeout(() => {
    connection.hidden = false;
  }, 1500);
});
events.on('open', () => {
  clearTimeout(connection_timer);
  connection.hidden = true;
  // The server may have restarted with a new config; fetch it again.
  if (app_state.config) load_config();
  check_health();
});

async function load_config() {
  try {
    set_state('config', await api.config());
  } catch (err) {
    show_error(err, 'Could not load settings');
  }
}

// "/" jumps to the library's search from anywhere (not while typing in a field).
const LIBRARY_SEARCH = '.view-library input[name="q"]';
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || target.closest('input, textarea, select, dialog[open]'))) return;
  event.preventDefault();
  const search = document.querySelector(LIBRARY_SEARCH);
  if (search && search.isConnected) {
    search.focus();
    search.select();
    return;
  }
  // Another view: go to the library and focus its search once it is shown.
  const main = document.getElementById('main');
  const observer = new MutationObserver(() => {
    const shown = document.querySelector(LIBRARY_SEARCH);
    if (shown) {
      observer.disconnect();
      shown.focus();
    }
  });
  observer.observe(main, { childList: true, subtree: true });
  navigate('/');
});

/** Who is asking: the app starts for them, or the login (or first-run set-up) page is shown instead. */
async function boot() {
  let session = null;
  try {
    session = await api.session();
  } catch (err) {
    show_error(err, 'Could not reach the server');
  }
  const user = session?.user ?? null;
  if (session && !user) {
    document.body.dataset.role = 'none';
    mount_login(document.getElementById('main'), { setup: session.setup });
    return;
  }
  set_state('user', user);
  // Viewers browse and keep their own watched state; what they may not do is not shown (the server refuses
  // it anyway).
  document.body.dataset.role = user?.role ?? 'admin';
  if (user && user.via === 'session') {
    const logout = h('button', { class: 'button subtle small', type: 'button', dataset: { logout: '' },
      onclick: async () => {
        try {
          await api.logout();
        } finally {
          location.assign('/');
        }
      } }, 'Log out');
    document.querySelector('.app-header').append(
      h('span', { class: 'account', dataset: { account: user.name } },
        h('a', { href: '/account', title: 'Your account: password, API keys' }, user.name), logout));
  }
  start(document.getElementById('main'));
  events.start();
  if (document.body.dataset.role === 'admin') load_config();
}

boot();
