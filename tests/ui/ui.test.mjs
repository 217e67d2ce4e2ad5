// Real-browser tests of the web UI: Debian's Chromium (never a downloaded browser) driven by playwright-core,
// against the real mediabase binary serving a generated library.
//
//   MEDIABASE_BIN             the binary (default build/mediabase, relative to the repository root)
//   MEDIABASE_STATIC_DIR      serve the UI from this folder instead of the embedded copy (UI development)
//   MEDIABASE_SCREENSHOT_DIR  where screenshots of each view go (default build/ui-screenshots)
//   MEDIABASE_UI_COUNT        video files in the generated library (default 400)
//   MEDIABASE_UI_OFFLINE=1    run without the fake TMDB (the server in offline mode)
//
// TMDB is faked on 127.0.0.1 (fake_tmdb.mjs) so movies get metadata and art, and "Fix match" can search.
// Tests run in order and share one server and one browser: the import test fills the library the later
// tests browse. Nothing waits on a clock: every wait is on a selector, a response or an event.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { start_fake_tmdb } from './fake_tmdb.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = resolve(REPO, process.env.MEDIABASE_BIN ?? 'build/mediabase');
const STATIC_DIR = process.env.MEDIABASE_STATIC_DIR ? resolve(REPO, process.env.MEDIABASE_STATIC_DIR) : null;
const SHOTS = resolve(REPO, process.env.MEDIABASE_SCREENSHOT_DIR ?? 'build/ui-screenshots');
const COUNT = Number(process.env.MEDIABASE_UI_COUNT ?? 400);
const OFFLINE = process.env.MEDIABASE_UI_OFFLINE === '1';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const DESKTOP = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };
const SERVER_START_TIMEOUT_MS = 30_000;
const IMPORT_TIMEOUT_MS = 180_000;

let work_dir;
let server; // { process, base, port, stderr: string[] }
let tmdb = null; // the fake TMDB, unless OFFLINE
let context;
let page;
let problems = []; // console errors and page errors of the current test
let allowed_problems = []; // patterns a test expects (a server restart logs failed WebSocket attempts)

// ---------------------------------------------------------------------------------------------------------
// fixtures

function make_library(dir) {
  const generator = join(REPO, 'tools', 'gen_library.py');
  if (existsSync(generator)) {
    const run = spawnSync('/usr/bin/python3', [generator, dir, '--count', String(COUNT), '--seed', '7'], { encoding: 'utf8' });
    assert.equal(run.status, 0, `gen_library.py failed: ${run.stderr}`);
    return;
  }
  // Without the generator: a small library in the usual layouts.
  const movies = [['The Matrix', 1999], ['Blade Runner 2049', 2017], ['Alien', 1979], ['Heat', 1995],
    ['Amélie', 2001], ['1917', 2019], ['Spirited Away', 2001], ['Parasite', 2019], ['Max', 2015], ['Mad Max', 1979]];
  for (const [title, year] of movies) {
    const folder = join(dir, `${title} (${year})`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${title} (${year}) 1080p.mkv`), `${title} ${year}`);
  }
  writeFileSync(join(dir, 'Heat.1995.2160p.BluRay.x265-GRP.mkv'), 'heat 4k');
}

function clean_env(offline = false) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(MEDIABASE_|TMDB_|OMDB_)/.test(key)) continue;
    env[key] = value;
  }
  if (tmdb && !offline) env.TMDB_API_KEY = 'ui-test-key';
  return env;
}

/** Starts the binary and resolves once it printed its "listening on" line. `offline`: no provider. */
function start_server(media, data, listen = '127.0.0.1:0', { offline = false, auth = 'trusted-networks' } = {}) {
  // The library's tests run as the owner on the same machine (loopback trusted); the login tests use 'required'.
  const args = ['serve', '--media', media, '--data', data, '--listen', listen, '--auth', auth];
  if (STATIC_DIR) args.push('--static-dir', STATIC_DIR);
  if (tmdb && !offline) args.push('--tmdb-base-url', tmdb.api_base, '--image-base-url', tmdb.image_base);
  const child = spawn(BIN, args, { env: clean_env(offline), stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
  });
  return new Promise((resolve_start, reject) => {
    const timer = setTimeout(() => { // not synchronisation: a deadline for the start, cleared on success
      child.kill('SIGKILL');
      reject(new Error(`server did not print "listening on" in time; stderr:\n${stderr.join('\n')}`));
    }, SERVER_START_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${BIN}: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening; stderr:\n${stderr.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const found = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(line);
      if (found) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        const started = { process: child, base: found[1], port: Number(found[2]), stderr, died: null, stopping: false };
        child.once('exit', (code, signal) => {
          if (!started.stopping) started.died = `server exited unexpectedly (${signal ?? code}); last stderr:\n${stderr.slice(-15).join('\n')}`;
        });
        resolve_start(started);
      }
    });
  });
}

function stop_server() {
  if (!server || server.process.exitCode !== null) return Promise.resolve();
  server.stopping = true;
  return new Promise((resolve_stop) => {
    server.process.once('exit', resolve_stop);
    server.process.kill('SIGTERM');
  });
}

async function api(path, init) {
  assert.equal(server.died, null, server.died ?? '');
  const response = await fetch(server.base + '/api/v1' + path, init);
  const body = await response.json();
  assert.ok(response.ok, `${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

// Runs `probe` in the page every 250 ms until `done(result)` holds and returns that result; fails with the
// last result after `timeout_ms`. The check runs here on the answer itself, so a wait never returns early.
async function poll_page(probe, done, timeout_ms) {
  const deadline = Date.now() + timeout_ms;
  for (;;) {
    const result = await page.evaluate(probe);
    if (done(result)) return result;
    if (Date.now() > deadline) assert.fail(`still not done after ${timeout_ms} ms: ${JSON.stringify(result)}`);
    await new Promise((next) => setTimeout(next, 250)); // not synchronisation: the poll interval; done() decides
  }
}

async function shot(name, { full_page = false } = {}) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: full_page, animations: 'disabled' });
}

/** Titles of the first n rendered cards in grid order. */
function card_titles(n) {
  return page.$$eval('.poster-grid .card[href] .card-title', (els, count) =>
    els.map((el) => ({ el, index: Number(el.closest('.card').dataset.index) }))
      .sort((a, b) => a.index - b.index).slice(0, count).map(({ el }) => el.textContent), n);
}

function card_ids(n) {
  return page.$$eval('.poster-grid .card[href]', (els, count) =>
    els.map((el) => ({ id: Number(el.dataset.id), index: Number(el.dataset.index) }))
      .sort((a, b) => a.index - b.index).slice(0, count).map(({ id }) => id), n);
}

async function total_shown() {
  const text = await page.textContent('.library-total');
  return Number(text.replace(/[^\d]/g, ''));
}

async function open_library(url = '/') {
  await page.goto(server.base + url);
  await page.waitForSelector('.poster-grid .card[href]');
}

// ---------------------------------------------------------------------------------------------------------
// setup

before(async () => {
  assert.ok(existsSync(BIN), `no binary at ${BIN} (build it, or set MEDIABASE_BIN)`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install chromium)`);
  mkdirSync(SHOTS, { recursive: true });
  work_dir = mkdtempSync(join(tmpdir(), 'mediabase-ui-'));
  const media = join(work_dir, 'media');
  make_library(media);
  if (!OFFLINE) tmdb = await start_fake_tmdb();
  server = await start_server(media, join(work_dir, 'data'));
  server.media = media;
  server.data = join(work_dir, 'data');

  context = await chromium.launchPersistentContext(join(work_dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
    colorScheme: 'dark',
    reducedMotion: 'reduce',
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
});

after(async () => {
  await context?.close();
  await stop_server();
  await tmdb?.close();
  if (work_dir) rmSync(work_dir, { recursive: true, force: true });
});

afterEach(() => {
  assert.equal(server.died, null, server.died ?? '');
  const unexpected = problems.filter((p) => !allowed_problems.some((pattern) => pattern.test(p)));
  problems = [];
  allowed_problems = [];
  assert.deepEqual(unexpected, [], 'the console must stay clean');
});

// ---------------------------------------------------------------------------------------------------------
// tests

test('numbers are written by Intl.NumberFormat in the locale (static/js/format.js)', async () => {
  // The module the pages use, loaded here directly: pure functions, no browser needed.
  const format = await import(new URL('../../static/js/format.js', import.meta.url).href);
  try {
    format.set_locale('en-US');
    assert.equal(format.count(15448), '15,448');
    assert.equal(format.count(2.6), '3');
    assert.equal(format.compact(15448), '15.4K');
    assert.equal(format.compact(950), '950');
    assert.equal(format.percent(0.42), '42%');
    assert.equal(format.percent(0.995), '100%');
    assert.equal(format.decimal(7, 1), '7.0');
    assert.equal(format.bytes(1.2e9), '1.2 GB');
    assert.equal(format.bytes(1536), '1.54 kB');
    assert.equal(format.bytes(15.44e12), '15.4 TB');
    assert.equal(format.bytes(512), '512 bytes');
    assert.equal(format.bytes(null), '—');
    assert.equal(format.runtime(136), '2h 16m');
    assert.equal(format.runtime(45), '45m');
    assert.equal(format.duration(83_000), '1m 23s');
    assert.equal(format.duration(7_500_000), '2h 5m');
    assert.equal(format.plural(1, 'movie'), '1 movie');
    assert.equal(format.plural(15448, 'movie'), '15,448 movies');
    // Another locale: its own grouping, decimal mark and spacing (what toFixed could not do).
    format.set_locale('de-DE');
    assert.equal(format.count(15448), '15.448');
    assert.match(format.bytes(1.2e9), /^1,2\sGB$/); // a no-break space
    assert.equal(format.decimal(7.25, 1), '7,3');
    assert.match(format.percent(0.42), /^42\s%$/);
  } finally {
    format.set_locale(undefined);
  }
});

test('an import started from the page shows live progress to the end', { timeout: IMPORT_TIMEOUT_MS + 30_000 }, async () => {
  const frames = [];
  const record = (socket) => {
    socket.on('framereceived', ({ payload }) => {
      try {
        frames.push(JSON.parse(String(payload)));
      } catch {
        // not JSON: not ours to judge here
      }
    });
  };
  page.on('websocket', record);
  await page.goto(server.base + '/import');
  const start = page.getByRole('button', { name: 'Start import' });
  await start.waitFor();
  // The page is live before anything happens: the server greets every socket with the current status.
  await page.waitForFunction(() => document.querySelector('.view-import')?.dataset.state !== 'none');

  // Record what the page shows as it changes: the job state and the progress bar.
  await page.evaluate(() => {
    window.__seen = [];
    const view = document.querySelector('.view-import');
    const bar = view.querySelector('.progress');
    new MutationObserver(() => window.__seen.push({ state: view.dataset.state, value: Number(bar.getAttribute('aria-valuenow') ?? -1) }))
      .observe(view, { attributes: true, subtree: true, attributeFilter: ['data-state', 'aria-valuenow'] });
  });
  const posted = page.waitForResponse((r) => r.url().endsWith('/api/v1/import') && r.request().method() === 'POST');
  await start.click();
  assert.equal((await posted).status(), 202);

  // Live: movies show up in the feed while the job is still running, and the header shows the activity.
  await page.waitForSelector('.feed-item.added');
  await shot('import-running');

  await page.waitForSelector('.import-result:not([hidden])', { timeout: IMPORT_TIMEOUT_MS });
  await shot('import-finished');
  assert.match(await page.textContent('.import-result'), /Import finished/);
  assert.equal(await page.getAttribute('.progress', 'aria-valuenow'), '100');
  assert.ok(await page.isEnabled('button:has-text("Start import")'), 'the button is usable again');

  const seen = await page.evaluate(() => window.__seen);
  assert.ok(seen.some((s) => s.state === 'scanning' || s.state === 'identifying'), 'the running import was shown');
  assert.equal(seen.at(-1).state, 'idle');
  const values = seen.filter((s) => s.value >= 0 && s.state !== 'scanning').map((s) => s.value);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), `progress only moves forward while identifying (${values.join(',')})`);

  const types = new Set(frames.map((f) => f.type));
  assert.ok(types.has('import.status'), 'the server sends the status first');
  assert.ok(types.has('movies.changed'), 'movies.changed events arrive');
  assert.ok(types.has('import.finished'), 'import.finished arrives');
  const last = frames.filter((f) => f.type === 'import.finished').at(-1).job;
  assert.ok(last.counts.found > 0, 'the import found movies');
  for (const key of ['found', 'skipped', 'identified', 'stored', 'art_cached', 'unidentified', 'failed']) {
    const shown = await page.textContent(`[data-count="${key}"]`);
    assert.equal(Number(shown.replace(/[^\d]/g, '')), last.counts[key], `count "${key}" matches the final job`);
  }
  page.off('websocket', record);

  // The feed has an entry per event (a batch: one per movie it carries, one counting the others), the newest
  // 200, newest first, each added movie linking to its page.
  const feed_kinds = ['import.started', 'import.finished', 'prune.finished', 'error'];
  const batch_rows = (f) => {
    const added = new Set(f.added);
    const shown = f.movies.filter((m) => added.has(m.id)).length;
    return shown + (added.size > shown ? 1 : 0) + f.removed.length;
  };
  const entries = frames.filter((f) => feed_kinds.includes(f.type)).length
    + frames.filter((f) => f.type === 'movies.changed').reduce((n, f) => n + batch_rows(f), 0);
  assert.equal(await page.locator('.feed-item').count(), Math.min(entries, 200), 'one feed entry per event, capped at 200');
  const last_batch = frames.filter((f) => f.type === 'movies.changed' && f.movies.some((m) => f.added.includes(m.id))).at(-1);
  const newest = last_batch.movies.filter((m) => last_batch.added.includes(m.id)).at(-1);
  const top = page.locator('.feed-item.added a').first();
  assert.equal(await top.getAttribute('href'), `/movies/${newest.id}`);
  const stored = await api(`/movies/${newest.id}`);
  assert.equal(await top.textContent(), stored.title, 'the feed names the movie that was stored');
});

test('the library grid shows the movies, windowed', async () => {
  const { total } = await api('/movies?limit=1');
  assert.ok(total > 0, 'the import stored movies');
  const started = Date.now();
  await open_library();
  const first_screen_ms = Date.now() - started;
  console.log(`# first screen of the library in ${first_screen_ms} ms`);
  await page.waitForFunction((n) => document.querySelector('.library-total')?.textContent.includes(n.toLocaleString()), total);
  assert.equal(await total_shown(), total);
  const cells = await page.locator('.poster-grid .cell').count();
  assert.ok(cells > 0 && cells < total, `only the rows near the viewport are in the DOM (${cells} of ${total})`);
  await shot('library');

  // The grid is as tall as the whole library, and its end renders when scrolled to.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForSelector(`.cell[aria-posinset="${total}"] .card[href]`);
  assert.ok(await page.locator('.poster-grid .cell').count() < total);
  await page.evaluate(() => window.scrollTo(0, 0));

  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForSelector('.cell[aria-posinset="1"] .card[href]');
  await shot('library-light');
  await page.emulateMedia({ colorScheme: 'dark' });
});

test('search as you type filters the grid and lives in the URL', async () => {
  await open_library();
  const full_total = await total_shown();
  // A word from a real title, so the server's full-text search has something to find.
  const { movies } = await api('/movies?sort=title&order=asc&limit=50');
  const word = movies.map((m) => m.title.split(/\s+/).find((w) => /^[A-Za-z]{5,}$/.test(w))).find(Boolean);
  assert.ok(word, 'some title has a plain word');
  const expected = await api(`/movies?q=${encodeURIComponent(word)}&sort=title&order=asc&limit=200`);
  assert.ok(expected.total > 0 && expected.total < full_total, `"${word}" narrows the library`);

  const searches = [];
  page.on('request', (request) => {
    if (/\/api\/v1\/movies\?.*q=/.test(request.url())) searches.push(request.url());
  });
  await page.getByRole('searchbox', { name: 'Search movies' }).pressSequentially(word, { delay: 40 });
  await page.waitForURL((url) => url.searchParams.get('q') === word);
  await page.waitForFunction((n) => /match/.test(document.querySelector('.library-total').textContent) &&
    Number(document.querySelector('.library-total').textContent.replace(/[^\d]/g, '')) === n, expected.total);
  await page.waitForFunction((id) => document.querySelector('.cell[aria-posinset="1"] .card')?.dataset.id === String(id), expected.movies[0].id);
  assert.deepEqual(await card_ids(Math.min(12, expected.total)), expected.movies.slice(0, 12).map((m) => m.id));
  assert.ok(searches.length < word.length, `typing is debounced (${searches.length} searches for ${word.length} keys)`);
  await shot('library-search');

  // A direct link to the search works, and Back returns to the whole library.
  await page.reload();
  await page.waitForSelector('.poster-grid .card[href]');
  assert.equal(await page.inputValue('input[type="search"]'), word);
  assert.equal(await total_shown(), expected.total);
  await page.goBack();
  await page.waitForFunction((n) => Number(document.querySelector('.library-total').textContent.replace(/[^\d]/g, '')) === n, full_total);
  assert.equal(await page.inputValue('input[type="search"]'), '');
});

test('sorting changes the order', async () => {
  await open_library();
  const by_title = await card_ids(8);
  const expected_title = await api('/movies?sort=title&order=asc&limit=8');
  assert.deepEqual(by_title, expected_title.movies.map((m) => m.id));

  await page.selectOption('select[name="sort"]', 'year');
  await page.waitForURL((url) => url.searchParams.get('sort') === 'year');
  const newest = await api('/movies?sort=year&order=desc&limit=8');
  await page.waitForFunction((id) => document.querySelector('.cell[aria-posinset="1"] .card')?.dataset.id === String(id), newest.movies[0].id);
  assert.deepEqual(await card_ids(8), newest.movies.map((m) => m.id));
  assert.notDeepEqual(await card_ids(8), by_title);

  await page.getByRole('button', { name: /Descending order/ }).click();
  await page.waitForURL((url) => url.searchParams.get('order') === 'asc');
  const oldest = await api('/movies?sort=year&order=asc&limit=8');
  await page.waitForFunction((id) => document.querySelector('.cell[aria-posinset="1"] .card')?.dataset.id === String(id), oldest.movies[0].id);
  assert.deepEqual(await card_ids(8), oldest.movies.map((m) => m.id));
  const years = await page.$$eval('.poster-grid .card[href] .card-sub', (els) => els.slice(0, 8).map((e) => parseInt(e.textContent, 10)));
  const known = years.filter(Number.isFinite);
  assert.deepEqual(known, [...known].sort((a, b) => a - b), 'years ascend');
});

test('the match filter shows what a provider identified, and lives in the URL', async () => {
  await open_library();
  const all = await total_shown();
  const counts = {};
  for (const match of ['identified', 'review', 'failed', 'unidentified'])
    counts[match] = (await api(`/movies?match=${match}&limit=1`)).total;
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), all, `every movie has one match state (${JSON.stringify(counts)})`);
  // A state that narrows the library if there is one; else one no movie is in (the grid empties).
  const wanted = Object.keys(counts).find((m) => counts[m] > 0 && counts[m] < all) ??
    Object.keys(counts).find((m) => counts[m] === 0);
  // The app starts once it knows who is asking (GET /session): right after a reload there is no total yet.
  const total_is = (n) => page.waitForFunction((n) => /match/.test(document.querySelector('.library-total')?.textContent ?? '') &&
    Number(document.querySelector('.library-total').textContent.replace(/[^\d]/g, '')) === n, n);
  await page.selectOption('select[name="match"]', wanted);
  await page.waitForURL((url) => url.searchParams.get('match') === wanted);
  await total_is(counts[wanted]);
  const expected = await api(`/movies?match=${wanted}&sort=title&order=asc&limit=8`);
  if (expected.total) {
    await page.waitForFunction((id) => document.querySelector('.cell[aria-posinset="1"] .card')?.dataset.id === String(id),
      expected.movies[0].id);
  }
  assert.deepEqual(await card_ids(Math.min(8, expected.total)), expected.movies.map((m) => m.id));
  if (counts[wanted] === 0) assert.ok(await page.isVisible('.empty-state'), 'an empty result says so');

  await page.reload();
  await total_is(counts[wanted]);
  assert.equal(await page.inputValue('select[name="match"]'), wanted);
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await page.waitForURL((url) => !url.searchParams.has('match'));
  await page.waitForFunction((n) => Number(document.querySelector('.library-total').textContent.replace(/[^\d]/g, '')) === n, all);
});

/** Waits until the library's summary says `n` movies match (a filtered result). */
function filtered_total_is(n) {
  return page.waitForFunction((n) => /match/.test(document.querySelector('.library-total')?.textContent ?? '') &&
    Number(document.querySelector('.library-total').textContent.replace(/[^\d]/g, '')) === n, n);
}

/**
 * Picks `value` in the filter select `name` and checks the grid against GET /api/v1/movies with `query` (the
 * parameters the UI must send): the same total, the same first movies in the same order, every rendered card
 * one of the API's; the filter survives a reload, and "Clear" brings the whole library back.
 */
async function check_filter(name, value, query) {
  await open_library();
  const all = await total_shown();
  const expected = await api(`/movies?${new URLSearchParams({ ...query, sort: 'title', order: 'asc', limit: '200' })}`);
  assert.ok(expected.total > 0 && expected.total < all, `${name}=${value} narrows the library (${expected.total} of ${all})`);

  const sent = page.waitForRequest((r) => {
    const url = new URL(r.url());
    return url.pathname === '/api/v1/movies' && Object.entries(query).every(([k, v]) => url.searchParams.get(k) === String(v));
  });
  await page.selectOption(`select[name="${name}"]`, value);
  await sent;
  await page.waitForURL((url) => url.searchParams.get(name) === value);
  await filtered_total_is(expected.total);
  await page.waitForFunction((id) => document.querySelector('.cell[aria-posinset="1"] .card')?.dataset.id === String(id),
    expected.movies[0].id);
  const first = Math.min(12, expected.total);
  assert.deepEqual(await card_ids(first), expected.movies.slice(0, first).map((m) => m.id));
  const listed = new Set(expected.movies.map((m) => m.id));
  const rendered = await card_ids(200);
  assert.ok(rendered.length > 0 && rendered.every((id) => listed.has(id)), 'every card shown is one the API lists for the filter');
  await shot(`library-filter-${name}`);

  await page.reload();
  await filtered_total_is(expected.total);
  assert.equal(await page.inputValue(`select[name="${name}"]`), value);
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await page.waitForURL((url) => !url.searchParams.has(name));
  await page.waitForFunction((n) => Number(document.querySelector('.library-total').textContent.replace(/[^\d]/g, '')) === n, all);
  return expected;
}

/** The first of `values` whose GET /movies total (with `to_query(value)`) is neither 0 nor the whole library. */
async function narrowing(values, to_query) {
  const { total: all } = await api('/movies?limit=1');
  for (const value of values) {
    const { total } = await api(`/movies?${new URLSearchParams({ ...to_query(value), limit: '1' })}`);
    if (total > 0 && total < all) return value;
  }
  assert.fail(`none of ${values.join(', ')} narrows the library of ${all}`);
}

test('the genre filter lists the movies of that genre', async () => {
  const { genres } = await api('/genres');
  assert.ok(genres.length > 0, 'the import stored genres');
  const genre = await narrowing(genres, (g) => ({ genre: g }));
  const expected = await check_filter('genre', genre, { genre });
  for (const movie of expected.movies) {
    assert.ok((movie.genres ?? []).includes(genre), `"${movie.title}" is listed under ${genre} (${movie.genres})`);
  }
  // The select offers exactly the API's genres.
  const offered = await page.$$eval('select[name="genre"] option', (els) => els.map((e) => e.value).filter(Boolean));
  assert.deepEqual(offered, genres);
});

test('the quality filter lists the movies with a file of that resolution', async () => {
  const resolution = await narrowing(['1080p', '2160p', '720p', '576p', '480p'], (r) => ({ resolution: r }));
  const expected = await check_filter('resolution', resolution, { resolution });
  for (const movie of expected.movies) {
    const full = movie.files ? movie : await api(`/movies/${movie.id}`);
    assert.ok(full.files.some((f) => f.resolution === resolution),
      `"${movie.title}" has a ${resolution} file (${full.files.map((f) => f.resolution)})`);
  }
});

test('the decade filter asks for the years of that decade', async () => {
  const decades = [];
  for (let d = Math.floor(new Date().getFullYear() / 10) * 10; d >= 1900; d -= 10) decades.push(d);
  const decade = await narrowing(decades, (d) => ({ year_from: d, year_to: d + 9 }));
  const expected = await check_filter('decade', String(decade), { year_from: decade, year_to: decade + 9 });
  for (const movie of expected.movies) {
    assert.ok(movie.year >= decade && movie.year <= decade + 9, `"${movie.title}" (${movie.year}) is from the ${decade}s`);
  }
});

test('the watched filter splits the library by what was marked watched', async () => {
  const { total: all } = await api('/movies?limit=1');
  const before = await api('/movies?watched=true&limit=200');
  const { movies } = await api('/movies?watched=false&sort=title&order=asc&limit=3');
  const marked = movies.slice(0, 2);
  const patch = (id, watched) => api(`/movies/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ watched }) });
  try {
    for (const movie of marked) await patch(movie.id, true);
    const watched_ids = new Set([...before.movies.map((m) => m.id), ...marked.map((m) => m.id)]);
    const watched = await check_filter('watched', 'true', { watched: 'true' });
    assert.equal(watched.total, before.total + marked.length, 'the two movies marked watched are added to the watched list');
    assert.deepEqual(new Set(watched.movies.map((m) => m.id)), watched_ids);
    const unwatched = await check_filter('watched', 'false', { watched: 'false' });
    assert.equal(unwatched.total, all - watched.total, 'watched and unwatched make up the library');
    assert.ok(unwatched.movies.every((m) => !watched_ids.has(m.id)), 'no watched movie is listed as unwatched');
    // The watched cards carry the badge.
    await open_library('/?watched=true');
    await filtered_total_is(watched.total);
    assert.equal(await page.locator('.poster-grid .card[href]').count(),
      await page.locator('.poster-grid .card[href] .poster-badge.watched').count());
  } finally {
    for (const movie of marked) await patch(movie.id, false);
  }
});

test('arrow keys move through the grid', async () => {
  await open_library();
  await page.focus('input[type="search"]');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.activeElement?.closest('.cell')?.getAttribute('aria-posinset') === '1');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.activeElement?.closest('.cell')?.getAttribute('aria-posinset') === '2');
  await page.keyboard.press('ArrowDown');
  const cols = await page.evaluate(() => {
    const tops = [...document.querySelectorAll('.poster-grid .cell')].map((c) => c.getBoundingClientRect().top);
    return tops.filter((t) => t === tops[0]).length;
  });
  await page.waitForFunction((n) => document.activeElement?.closest('.cell')?.getAttribute('aria-posinset') === String(n), 2 + cols);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement.querySelector('.poster')).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused card is visibly marked');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/movies\/\d+$/);
  await page.waitForSelector('.movie-title');
});

test('the movie view opens from a direct link', async () => {
  const { movies } = await api('/movies?sort=title&order=asc&limit=50');
  const movie = movies.find((m) => (m.files ?? []).length > 0) ?? movies[0];
  await page.goto(`${server.base}/movies/${movie.id}`);
  await page.waitForSelector('.movie-title');
  assert.match(await page.textContent('.movie-title'), new RegExp(escape_regexp(movie.title)));
  const full = await api(`/movies/${movie.id}`);
  for (const file of full.files) {
    assert.ok(await page.locator('.file-path', { hasText: file.path }).count() > 0, `file ${file.path} is listed`);
  }
  await shot('movie');

  await page.getByRole('button', { name: 'Fix match' }).click();
  await page.waitForSelector('dialog.match-dialog[open]');
  if (tmdb) {
    // Search runs at once with the movie's title; picking another result rematches the movie.
    await page.waitForFunction(() => !/Searching/.test(document.querySelector('.match-status')?.textContent ?? 'Searching'));
    await shot('movie-fix-match');
    assert.ok(await page.locator('.match-result').count() > 0,
      `TMDB search through GET /api/v1/tmdb/search shows results (status: "${await page.textContent('.match-status')}")`);
    const other = page.locator('.match-result', { hasText: 'Returns' }).first();
    const other_title = (await other.locator('.match-title').textContent()).replace(/\s*\(\d{4}\)$/, '');
    const matched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/movies/${movie.id}/match`));
    await other.click();
    assert.equal((await matched).status(), 200);
    await page.waitForSelector('dialog.match-dialog', { state: 'detached' });
    await page.waitForFunction((t) => document.querySelector('.movie-title')?.textContent.startsWith(t), other_title);
    assert.equal((await api(`/movies/${movie.id}`)).title, other_title);
  } else {
    await shot('movie-fix-match');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.match-dialog', { state: 'detached' });
  }

  // An unknown id is a clear message, not a broken page.
  const missing = page.waitForResponse((r) => r.url().includes('/api/v1/movies/999999999'));
  allowed_problems.push(/status of 404/);
  await page.goto(`${server.base}/movies/999999999`);
  assert.equal((await missing).status(), 404);
  await page.waitForSelector('text=Movie not found');
});

test('watched and personal rating survive a reload', async () => {
  const { movies } = await api('/movies?sort=title&order=asc&limit=5&watched=false');
  const movie = movies[0];
  await page.goto(`${server.base}/movies/${movie.id}`);
  const watched = page.locator('button[name="watched"]');
  await watched.waitFor();
  assert.equal(await watched.getAttribute('aria-pressed'), 'false');

  let saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/movies/${movie.id}`) && r.request().method() === 'PATCH');
  await watched.click();
  assert.equal((await saved).status(), 200);
  assert.deepEqual((await saved).request().postDataJSON(), { watched: true });

  saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/movies/${movie.id}`) && r.request().method() === 'PATCH');
  await page.click('label[for="rating-8"]');
  assert.deepEqual((await saved).request().postDataJSON(), { rating: 8 });
  assert.equal((await saved).status(), 200);

  await page.reload();
  await page.locator('button[name="watched"][aria-pressed="true"]').waitFor();
  assert.ok(await page.isChecked('#rating-8'));
  assert.match(await page.textContent('.rating-value-label'), /8\/10/);
  const stored = await api(`/movies/${movie.id}`);
  assert.equal(stored.watched, true);
  assert.equal(stored.rating, 8);
  await shot('movie-watched-rated');

  // Clearing the rating sends null.
  saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/movies/${movie.id}`) && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  assert.deepEqual((await saved).request().postDataJSON(), { rating: null });
  await page.waitForSelector('text=Not rated');
});

test('the settings view shows the config, keys write-only', async () => {
  await page.goto(server.base + '/settings');
  await page.waitForSelector('input[name="media_folder"]');
  const config = await api('/config');
  const folders = await page.$$eval('input[name="media_folder"]', (els) => els.map((e) => e.value));
  assert.deepEqual(folders.filter(Boolean), config.media_folders);
  for (const key of ['tmdb_api_key', 'tmdb_read_token', 'omdb_api_key']) {
    assert.equal(await page.getAttribute(`input[name="${key}"]`, 'type'), 'password');
    assert.equal(await page.inputValue(`input[name="${key}"]`), '', 'keys are never filled in');
  }
  assert.equal(await page.isVisible('[data-offline-banner]'), Boolean(config.offline), 'the offline banner follows the config');
  await shot('settings', { full_page: true });

  // Saving sends only what changed.
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/config') && r.request().method() === 'PUT');
  await page.fill('input[name="rescan_interval_seconds"]', String((config.rescan_interval_seconds ?? 0) + 60));
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal((await saved).status(), 200);
  assert.deepEqual((await saved).request().postDataJSON(), { rescan_interval_seconds: (config.rescan_interval_seconds ?? 0) + 60 });
  await page.waitForSelector('.toast-success');

  // The art sizes show what the server uses, and a new one is saved and comes back.
  assert.equal(await page.inputValue('select[name="poster_size"]'), config.poster_size);
  assert.equal(await page.inputValue('select[name="backdrop_size"]'), config.backdrop_size);
  const sized = page.waitForResponse((r) => r.url().endsWith('/api/v1/config') && r.request().method() === 'PUT');
  await page.selectOption('select[name="poster_size"]', 'w780');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.deepEqual((await sized).request().postDataJSON(), { poster_size: 'w780' });
  assert.equal((await api('/config')).poster_size, 'w780');
  await page.reload();
  await page.waitForSelector('select[name="poster_size"]');
  assert.equal(await page.inputValue('select[name="poster_size"]'), 'w780');
});

test('the stats view draws its charts', async () => {
  const stats = await api('/stats');
  for (const key of ['movies', 'files', 'total_size', 'watched', 'by_decade', 'by_genre', 'by_resolution', 'recently_added']) {
    assert.ok(key in stats, `GET /api/v1/stats has "${key}"`);
  }
  await page.goto(server.base + '/stats');
  await page.waitForSelector('.stat-tiles');
  await page.waitForSelector('.chart svg');
  assert.match(await page.textContent('.stat-tiles'), new RegExp(stats.movies.toLocaleString()));
  await shot('stats', { full_page: true });
});

test('the clean-up view lists duplicates and prunes with the failsafe', async () => {
  await page.goto(server.base + '/duplicates');
  await page.waitForSelector('.duplicate-groups[aria-busy="false"]');
  const { groups } = await api('/movies/duplicates');
  assert.equal(await page.locator('.duplicate-group').count(), groups.length);

  // An empty media folder (an unmounted drive) must be skipped, and the page must say so.
  const empty_drive = join(work_dir, 'unmounted-drive');
  mkdirSync(empty_drive, { recursive: true });
  const config = await api('/config');
  await api('/config', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ media_folders: [...config.media_folders, empty_drive] }) });
  try {
    const pruned = page.waitForResponse((r) => r.url().endsWith('/api/v1/prune'));
    await page.getByRole('button', { name: 'Remove missing movies' }).click();
    assert.equal((await pruned).status(), 200);
    const result = await (await pruned).json();
    await page.waitForSelector('.prune-summary');
    assert.match(await page.textContent('.prune-summary'), new RegExp(`Checked ${result.checked.toLocaleString()}`));
    assert.ok(result.skipped_roots.some((r) => r.root === empty_drive), 'the empty folder is skipped');
    assert.equal(await page.locator('.prune-result .notice-warning').count(), result.skipped_roots.length);
    assert.ok(await page.locator('.prune-result .notice-warning', { hasText: empty_drive }).isVisible());
    await shot('duplicates', { full_page: true });
  } finally {
    await api('/config', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ media_folders: config.media_folders }) });
  }
});

test('phone width (390 px) never scrolls sideways', async () => {
  await page.setViewportSize(PHONE);
  try {
    const { movies } = await api('/movies?limit=1');
    const views = [
      ['/', '.poster-grid .card[href]', 'phone-library'],
      [`/movies/${movies[0].id}`, '.movie-title', 'phone-movie'],
      ['/import', '.count-tiles', 'phone-import'],
      ['/duplicates', '.duplicate-groups[aria-busy="false"]', 'phone-duplicates'],
      ['/stats', '.stat-tiles', 'phone-stats'],
      ['/settings', 'input[name="media_folder"]', 'phone-settings'],
    ];
    for (const [path, ready, name] of views) {
      await page.goto(server.base + path);
      await page.waitForSelector(ready);
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]);
      assert.ok(widths[0] <= widths[2] && widths[1] <= widths[2], `${path} fits ${widths[2]} px (scrollWidth ${widths[0]})`);
      await shot(name);
    }
    await page.goto(server.base + '/');
    await page.waitForSelector('.poster-grid .card[href]');
    await page.getByRole('button', { name: /Filters/ }).click();
    await page.waitForSelector('#library-filters.open');
    await shot('phone-library-filters');
  } finally {
    await page.setViewportSize(DESKTOP);
  }
});

test('the live connection comes back after a server restart', async () => {
  await page.goto(server.base + '/import');
  await page.waitForFunction(() => document.querySelector('.view-import')?.dataset.state !== 'none');
  const greeted_again = new Promise((resolve_greeting) => {
    page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => {
      if (String(payload).includes('"import.status"')) resolve_greeting();
    }));
  });
  // Reconnect attempts while the server is down are logged by the browser itself.
  allowed_problems.push(/WebSocket connection to .* failed/, /ERR_CONNECTION_REFUSED/);
  // Requests that reach the server while it stops are answered 503 (it is shutting down), as they should be.
  allowed_problems.push(/status of 503 \(Service Unavailable\)/);
  await stop_server();
  await page.waitForSelector('[data-connection]:not([hidden])');
  server = { ...server, ...(await start_server(server.media, server.data, `127.0.0.1:${server.port}`)) };
  await greeted_again;
  await page.waitForSelector('[data-connection]', { state: 'hidden' });
});

test('a 20,000-file import with the Import page open: progress never goes back, the feed is live, counts match',
  { timeout: IMPORT_TIMEOUT_MS + 120_000 }, async () => {
    const media = join(work_dir, 'media-20k');
    const run = spawnSync('/usr/bin/python3', [join(REPO, 'tools', 'gen_library.py'), media, '--count', '20000', '--seed', '9'],
      { encoding: 'utf8' });
    assert.equal(run.status, 0, `gen_library.py failed: ${run.stderr}`);
    // Offline: this measures the live view, not a provider.
    const big = await start_server(media, join(work_dir, 'data-20k'), '127.0.0.1:0', { offline: true });
    try {
      const get = async (path) => (await fetch(big.base + '/api/v1' + path)).json();
      await page.goto(big.base + '/import');
      await page.getByRole('button', { name: 'Start import' }).waitFor();
      await page.waitForFunction(() => document.querySelector('.view-import')?.dataset.state !== 'none');
      await page.evaluate(() => {
        window.__big = { percents: [], rows_while_running: 0 };
        const view = document.querySelector('.view-import');
        new MutationObserver(() => {
          const text = view.querySelector('.progress-percent')?.textContent ?? '';
          const percent = /^(\d+)\s?%/.exec(text); // "42%", or "42 %" where the locale spaces it
          if (percent) window.__big.percents.push(Number(percent[1]));
          if (view.dataset.state === 'scanning' || view.dataset.state === 'identifying') {
            window.__big.rows_while_running = Math.max(window.__big.rows_while_running,
              view.querySelectorAll('.feed-item.added').length);
          }
        }).observe(view, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await page.getByRole('button', { name: 'Start import' }).click();
      await page.waitForSelector('.import-result:not([hidden])', { timeout: IMPORT_TIMEOUT_MS });
      // The feed ends with the finished line (newest first: at the top).
      await page.waitForSelector('.feed-item.finished');
      assert.match(await page.locator('.feed-item').first().textContent(), /Import finished/);

      const seen = await page.evaluate(() => window.__big);
      assert.ok(seen.percents.length > 0, 'percentages were shown');
      for (let i = 1; i < seen.percents.length; i += 1) {
        assert.ok(seen.percents[i] >= seen.percents[i - 1], `the percentage went back: ${seen.percents.slice(Math.max(0, i - 3), i + 2)}`);
      }
      assert.equal(seen.percents.at(-1), 100);
      assert.ok(seen.rows_while_running > 0, 'the feed showed movies while the import ran');

      const job = await get('/import');
      assert.equal(job.state, 'idle');
      for (const key of ['found', 'skipped', 'stored', 'failed', 'files', 'added', 'updated']) {
        const shown = await page.textContent(`[data-count="${key}"]`);
        assert.equal(Number(shown.replace(/[^\d]/g, '')), job.counts[key], `count "${key}" matches GET /import`);
      }
      // The history lists it, and survives a reload.
      await page.reload();
      await page.waitForSelector(`.history-row[data-id="${job.id}"]`);
      const history = await get('/imports?limit=1');
      assert.equal(history.imports[0].id, job.id);
      assert.deepEqual(history.imports[0].counts, job.counts);
      await shot('import-20k');
    } finally {
      big.stopping = true;
      await new Promise((resolve_stop) => {
        if (big.process.exitCode !== null) resolve_stop();
        big.process.once('exit', resolve_stop);
        big.process.kill('SIGTERM');
      });
      rmSync(media, { recursive: true, force: true });
    }
  });

test('accounts: the first-run page makes the admin, a viewer sees no admin actions, log out and in', async () => {
  // A server of its own in the default mode (--auth required) on a fresh catalogue: no account yet.
  const data = join(work_dir, 'accounts-data');
  const own = await start_server(server.media, data, '127.0.0.1:0', { offline: true, auth: 'required' });
  // A wrong password is answered 401, which the browser reports in the console; until the page navigates, its
  // event stream still retries the server the previous test stopped.
  allowed_problems = [/401/, /ERR_CONNECTION_REFUSED/];
  try {
    await page.goto(own.base + '/');
    await page.waitForSelector('[data-login-form="setup"]');
    assert.equal(await page.isVisible('.app-nav'), false, 'the navigation waits for an account');
    await shot('accounts-setup');
    await page.fill('[data-login-name]', 'ann');
    await page.fill('[data-login-password]', 'correct horse battery');
    await page.click('[data-login-form] button[type="submit"]');
    await page.waitForSelector('[data-account="ann"]');
    assert.equal(await page.isVisible('[data-nav="settings"]'), true, 'an admin sees the settings');
    assert.equal(await page.isVisible('[data-nav="import"]'), true, 'an admin sees the import page');

    // A viewer, added from the command line while the server runs.
    const added = spawnSync(BIN, ['user', 'add', 'bob', '--data', data], { input: 'viewer password\n', encoding: 'utf8' });
    assert.equal(added.status, 0, added.stderr);

    await page.click('[data-logout]');
    await page.waitForSelector('[data-login-form="login"]');
    await page.fill('[data-login-name]', 'bob');
    await page.fill('[data-login-password]', 'not the password');
    await page.click('[data-login-form] button[type="submit"]');
    await page.waitForSelector('[data-login-problem]:not([hidden])');
    assert.match(await page.textContent('[data-login-problem]'), /wrong name or password/);
    await page.fill('[data-login-password]', 'viewer password');
    await page.click('[data-login-form] button[type="submit"]');
    await page.waitForSelector('[data-account="bob"]');
    for (const nav of ['import', 'duplicates', 'settings'])
      assert.equal(await page.isVisible(`[data-nav="${nav}"]`), false, `a viewer does not see ${nav}`);
    assert.equal(await page.isVisible('[data-nav="library"]'), true, 'a viewer sees the library');
    await shot('accounts-viewer');

    // Logged out, the API refuses the old cookie and the login page is back after a reload.
    await page.click('[data-logout]');
    await page.waitForSelector('[data-login-form="login"]');
    const status = await page.evaluate(async () => (await fetch('/api/v1/movies')).status);
    assert.equal(status, 401);
    await page.reload();
    await page.waitForSelector('[data-login-form="login"]');
  } finally {
    // Leave the page first: its event stream would retry the stopped server (console errors).
    await page.goto(server.base + '/');
    own.stopping = true;
    await new Promise((resolve_stop) => {
      if (own.process.exitCode !== null) resolve_stop();
      own.process.once('exit', resolve_stop);
      own.process.kill('SIGTERM');
    });
  }
});

test('the account page: a new API key is shown once, an admin adds a viewer', async () => {
  const data = join(work_dir, 'account-page-data');
  mkdirSync(data, { recursive: true });
  const added = spawnSync(BIN, ['user', 'add', 'ann', '--admin', '--data', data], { input: 'correct horse battery\n', encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  const own = await start_server(server.media, data, '127.0.0.1:0', { offline: true, auth: 'required' });
  allowed_problems = [/401/, /ERR_CONNECTION_REFUSED/];
  try {
    await page.goto(own.base + '/');
    await page.waitForSelector('[data-login-form="login"]');
    await page.fill('[data-login-name]', 'ann');
    await page.fill('[data-login-password]', 'correct horse battery');
    await page.click('[data-login-form] button[type="submit"]');
    // The header's name leads to the account page.
    await page.click('[data-account="ann"] a');
    await page.waitForSelector('[data-key-form]');
    await page.waitForSelector('[data-account-users] [data-user-name="ann"]');

    await page.fill('[data-key-form] input[name="key_name"]', 'kodi script');
    await page.selectOption('[data-key-form] select[name="scope"]', 'read');
    await page.click('[data-key-form] button[type="submit"]');
    await page.waitForSelector('[data-new-key] [data-key-value]');
    const key = (await page.textContent('[data-key-value]')).trim();
    assert.match(key, /^mb_/);
    await page.waitForSelector('[data-key-id] >> text=kodi script');
    await shot('account-new-key', { full_page: true });
    // The key works for a script, and may only read.
    const read = await fetch(own.base + '/api/v1/movies?limit=1', { headers: { 'X-Api-Key': key } });
    assert.equal(read.status, 200);
    // Shown once: after a reload only its first characters are listed.
    await page.reload();
    await page.waitForSelector('[data-key-id] >> text=kodi script');
    assert.equal(await page.isVisible('[data-new-key]'), false, 'the key is not shown again');
    const text = await page.textContent('main');
    assert.ok(!text.includes(key), 'the full key is nowhere on the page');
    assert.ok(text.includes(key.slice(0, 8)), 'the key is listed by its first characters');

    // An admin adds a viewer, who can then log in as a viewer.
    await page.fill('[data-user-form] input[name="user_name"]', 'carol');
    await page.fill('[data-user-form] input[name="user_password"]', 'viewer password');
    await page.selectOption('[data-user-form] select[name="role"]', 'viewer');
    await page.click('[data-user-form] button[type="submit"]');
    await page.waitForSelector('[data-account-users] [data-user-name="carol"]');
    assert.match(await page.textContent('[data-user-name="carol"]'), /viewer/);
    await shot('account-admin', { full_page: true });
    await page.setViewportSize(PHONE);
    try {
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(widths[0] <= widths[1], `the account page fits ${widths[1]} px (scrollWidth ${widths[0]})`);
      await shot('phone-account', { full_page: true });
    } finally {
      await page.setViewportSize(DESKTOP);
    }
    const login = await fetch(own.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'carol', password: 'viewer password' }) });
    const who = await login.json();
    assert.equal(login.status, 200, JSON.stringify(who));
    assert.equal(who.user.role, 'viewer');
  } finally {
    await page.goto(server.base + '/');
    own.stopping = true;
    await new Promise((resolve_stop) => {
      if (own.process.exitCode !== null) resolve_stop();
      own.process.once('exit', resolve_stop);
      own.process.kill('SIGTERM');
    });
  }
});

test('on my list: a person adds a movie from its page and finds it under the Status filter', async () => {
  const data = join(work_dir, 'my-list-data');
  mkdirSync(data, { recursive: true });
  const added = spawnSync(BIN, ['user', 'add', 'ann', '--admin', '--data', data], { input: 'correct horse battery\n', encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  const own = await start_server(server.media, data, '127.0.0.1:0', { offline: true, auth: 'required' });
  allowed_problems = [/401/, /ERR_CONNECTION_REFUSED/];
  try {
    await page.goto(own.base + '/');
    await page.waitForSelector('[data-login-form="login"]');
    await page.fill('[data-login-name]', 'ann');
    await page.fill('[data-login-password]', 'correct horse battery');
    await page.click('[data-login-form] button[type="submit"]');
    await page.waitForSelector('[data-account="ann"]');
    // An import of the library (offline: names only), waited for through the API.
    const started = await page.evaluate(async () => (await fetch('/api/v1/import', { method: 'POST', headers: { 'X-Mediabase-CSRF': '1' } })).status);
    assert.equal(started, 202);
    const listed = await poll_page(async () => {
      const job = await (await fetch('/api/v1/import')).json();
      const page_of = await (await fetch('/api/v1/movies?limit=1&sort=title')).json();
      return [job, page_of];
    }, ([job, page_of]) => job.state === 'idle' && job.finished_at !== null && page_of.total > 0, IMPORT_TIMEOUT_MS);
    const { movies } = listed[1];
    assert.ok(movies?.length, JSON.stringify(listed));
    await page.goto(`${own.base}/movies/${movies[0].id}`);
    await page.click('button[name="on_list"]');
    await page.waitForSelector('button[name="on_list"][aria-pressed="true"]');
    await shot('movie-on-list');
    await page.goto(own.base + '/?watched=list');
    await page.waitForSelector('.poster-grid .card[href]');
    assert.equal(await total_shown(), 1);
    assert.deepEqual(await card_titles(5), [movies[0].title]);
    assert.equal(await page.inputValue('#filter-watched'), 'list');
  } finally {
    await page.goto(server.base + '/');
    own.stopping = true;
    await new Promise((resolve_stop) => {
      if (own.process.exitCode !== null) resolve_stop();
      own.process.once('exit', resolve_stop);
      own.process.kill('SIGTERM');
    });
  }
});

function escape_regexp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
