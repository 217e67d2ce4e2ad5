// Client-side routing over the History API: real paths (/movies/42, /import…) so every view has a direct
// link, and the query string carries a view's state (sort, filters, search) for back button and bookmarks.
//
// A view module exports `mount(container, route)` returning `{update(route)?, unmount()?, restore_scroll(y)?}`.
// The library view is kept alive while another view is open, so coming back is instant and keeps its place.

import { show_error } from './toast.js';

const ROUTES = [
  { name: 'library', pattern: /^\/$/, load: () => import('./views/library.js'), keep_alive: true },
  { name: 'movie', pattern: /^\/movies\/(\d+)\/?$/, load: () => import('./views/movie.js') },
  { name: 'import', pattern: /^\/import\/?$/, load: () => import('./views/import.js') },
  { name: 'duplicates', pattern: /^\/duplicates\/?$/, load: () => import('./views/duplicates.js') },
  { name: 'stats', pattern: /^\/stats\/?$/, load: () => import('./views/stats.js') },
  { name: 'settings', pattern: /^\/settings\/?$/, load: () => import('./views/settings.js') },
  { name: 'account', pattern: /^\/account\/?$/, load: () => import('./views/account.js') },
];

const NOT_FOUND = { name: 'not_found', load: () => import('./views/not_found.js') };

let container = null;
let current = null; // {name, instance, root}
const alive = new Map(); // name → {instance, root}
let generation = 0;

function match(url) {
  const path = url.pathname.replace(/\/index\.html$/, '/');
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (found) return { ...route, params: found.slice(1), query: url.searchParams, url };
  }
  return { ...NOT_FOUND, params: [], query: url.searchParams, url };
}

function mark_nav(name) {
  const section = name === 'movie' ? 'library' : name;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function render({ scroll, focus, pop = false } = {}) {
  const my_generation = ++generation;
  const route = match(new URL(location.href));
  route.pop = pop; // Back/Forward: the view shows the entry's state even in a focused input
  mark_nav(route.name);

  // The same view with a new query (library filters) is updated in place.
  if (current && current.name === route.name && current.instance.update) {
    current.instance.update(route);
    return;
  }

  let module;
  try {
    module = await route.load();
  } catch (err) {
    show_error(err, 'Could not load this page');
    return;
  }
  if (my_generation !== generation) return;

  if (current) {
    if (alive.has(current.name)) current.instance.hide?.();
    else current.instance.unmount?.();
  }

  const kept = alive.get(route.name);
  let root;
  if (kept) {
    root = kept.root;
    container.replaceChildren(root);
    current = { name: route.name, ...kept };
    kept.instance.show?.(route);
  } else {
    root = document.createElement('div');
    root.className = `view view-${route.name}`;
    container.replaceChildren(root);
    const instance = module.mount(root, route) ?? {};
    current = { name: route.name, instance, root };
    if (route.keep_alive) alive.set(route.name, { instance, root });
  }

  const y = scroll ?? 0;
  if (current.instance.restore_scroll) current.instance.restore_scroll(y);
  else window.scrollTo(0, y);
  if (focus) container.focus({ preventScroll: true });
}

function remember_scroll() {
  const state = { ...(history.state ?? {}), scroll: window.scrollY };
  history.replaceState(state, '');
}

/** Goes to `href` (a path with optional query); `replace` keeps the history entry (typing in a search box). */
export function navigate(href, { replace = false } = {}) {
  const url = new URL(href, location.href);
  if (url.href === location.href && !replace) return;
  if (replace) {
    history.replaceState({ ...(history.state ?? {}) }, '', url);
  } else {
    remember_scroll();
    history.pushState({ depth: (history.state?.depth ?? 0) + 1 }, '', url);
  }
  render({ focus: !replace });
}

/** True when the previous history entry is a page of this app (so Back can return to it as it was). */
export function can_go_back() {
  return (history.state?.depth ?? 0) > 0;
}

function on_click(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/img/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

export function start(main) {
  container = main;
  history.scrollRestoration = 'manual';
  document.addEventListener('click', on_click);
  window.addEventListener('popstate', (event) => render({ scroll: event.state?.scroll ?? 0, pop: true }));
  // Keep the scroll position in the entry, so reload and back land at the same place.
  let pending = 0;
  window.addEventListener('scroll', () => {
    clearTimeout(pending);
    pending = setTimeout(remember_scroll, 150);
  }, { passive: true });
  render({ scroll: history.state?.scroll });
}
