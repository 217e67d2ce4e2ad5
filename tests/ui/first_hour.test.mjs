// The first hour of a new user, in a real browser (Debian's Chromium via playwright-core) against the real
// binary in offline mode, serving a small demo library (tools/gen_library.py --demo: NFOs, posters, fanart):
// every screen tells the truth. An empty library with folders offers a one-click import; Fix match and Refresh
// are disabled offline and say why; toasts show above a dialog's backdrop; "Periodic rescan" takes 0; a saved
// key can be removed and a rejected key is never shown as "Online"; sub-second imports say "<1s"; tiny
// watched shares are not "0%"; rating-sorted cards show the rating; Back restores the scroll and focuses the
// card; "/" focuses the search; the theme toggle is remembered; a movie page shows what its file holds (a real
// tiny video made with ffmpeg) and why a placeholder file could not be read.
//
//   MEDIABASE_BIN             the binary (default build/mediabase)
//   MEDIABASE_SCREENSHOT_DIR  where screenshots go (default build/ui-screenshots)
//   MEDIABASE_STATIC_DIR      serve the UI from this folder instead of the embedded copy (UI development)
//
// Nothing waits on a clock: every wait is on a selector, a response or a condition in the page.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = resolve(REPO, process.env.MEDIABASE_BIN ?? 'build/mediabase');
const SHOTS = resolve(REPO, process.env.MEDIABASE_SCREENSHOT_DIR ?? 'build/ui-screenshots');
const STATIC_DIR = process.env.MEDIABASE_STATIC_DIR ? resolve(REPO, process.env.MEDIABASE_STATIC_DIR) : null;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let work_dir;
let server; // { process, base, stderr }
let rejecting_tmdb; // a "TMDB" on loopback that rejects every key (401)
let context;
let page;
let problems = [];
let allowed_problems = [];

function start_server(media, data, extra = []) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(MEDIABASE_|TMDB_|OMDB_)/.test(key)) env[key] = value;
  // The owner on the same machine, as the demo runs (loopback trusted); access control has its own tests.
  const args = ['serve', '--media', media, '--data', data, '--listen', '127.0.0.1:0', '--watch', 'false', '--auth', 'trusted-networks', ...extra];
  if (STATIC_DIR) args.push('--static-dir', STATIC_DIR);
  const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  return new Promise((resolve_start, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr.join('\n')}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (found) {
        child.removeAllListeners('exit');
        resolve_start({ process: child, base: found[1], stderr });
      }
    });
  });
}

async function api(path, init) {
  const response = await fetch(server.base + '/api/v1' + path, {
    ...init, headers: init?.body ? { 'Content-Type': 'application/json' } : undefined,
  });
  const body = await response.json();
  assert.ok(response.ok, `${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: 'disabled' });
}

before(async () => {
  assert.ok(existsSync(BIN), `no binary at ${BIN}`);
  mkdirSync(SHOTS, { recursive: true });
  work_dir = mkdtempSync(join(tmpdir(), 'mediabase-first-hour-'));
  const media = join(work_dir, 'demo');
  const made = spawnSync('/usr/bin/python3', [join(REPO, 'tools', 'gen_library.py'), media, '--demo', '--count', '60',
    '--real-videos', '0'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  // Two copies of one film (no part numbers) and a film in two numbered parts.
  for (const [folder, name] of [['Copies A/Twin Copies (1995)', 'Twin Copies (1995).mp4'],
    ['Copies B/Twin Copies (1995)', 'Twin Copies (1995).mkv'], ['Long Film (1990)', 'Long Film (1990) cd1.avi'],
    ['Long Film (1990)', 'Long Film (1990) cd2.avi']]) {
    mkdirSync(join(media, folder), { recursive: true });
    writeFileSync(join(media, folder, name), `${folder}/${name}\n`);
  }
  // A real tiny video (ffmpeg, a test requirement like chromium): its page shows what the file holds.
  mkdirSync(join(media, 'Tiny Harbour (2021)'), { recursive: true });
  const video = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
    'testsrc2=size=320x180:rate=24:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    join(media, 'Tiny Harbour (2021)', 'Tiny Harbour (2021).mkv')], { encoding: 'utf8' });
  assert.equal(video.status, 0, `ffmpeg: ${video.error ?? video.stderr}`);
  rejecting_tmdb = http.createServer((req, res) => {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.' }));
  });
  await new Promise((ok) => rejecting_tmdb.listen(0, '127.0.0.1', ok));
  const tmdb_base = `http://127.0.0.1:${rejecting_tmdb.address().port}/3`;
  server = await start_server(media, join(work_dir, 'data'), ['--tmdb-base-url', tmdb_base, '--omdb-base-url',
    `http://127.0.0.1:${rejecting_tmdb.address().port}/omdb/`]);
  context = await chromium.launchPersistentContext(join(work_dir, 'profile'), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 },
    colorScheme: 'dark', reducedMotion: 'reduce',
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
});

after(async () => {
  await context?.close();
  if (server && server.process.exitCode === null) {
    await new Promise((done) => {
      server.process.once('exit', done);
      server.process.kill('SIGTERM');
    });
  }
  await new Promise((done) => (rejecting_tmdb ? rejecting_tmdb.close(done) : done()));
  if (work_dir) rmSync(work_dir, { recursive: true, force: true });
});

afterEach(() => {
  const unexpected = problems.filter((p) => !allowed_problems.some((pattern) => pattern.test(p)));
  problems = [];
  allowed_problems = [];
  assert.deepEqual(unexpected, [], 'the console must stay clean');
});

test('durations under a second say "<1s" (static/js/format.js)', async () => {
  const format = await import(new URL('../../static/js/format.js', import.meta.url).href);
  format.set_locale('en-US');
  try {
    assert.equal(format.duration(0), '0s');
    assert.equal(format.duration(120), '<1s');
    assert.equal(format.duration(1200), '1s');
  } finally {
    format.set_locale(undefined);
  }
});

test('an empty library with a media folder offers a one-click import and fills live', async () => {
  await page.goto(server.base + '/');
  const start = page.getByRole('button', { name: 'Import now' });
  await start.waitFor();
  const text = await page.textContent('.empty-state');
  assert.doesNotMatch(text, /Add your movie folders/, 'the folder is set: no advice to add one');
  assert.match(text, /demo/, 'the empty state names the media folder');
  await shot('first-hour-empty-library');
  const posted = page.waitForResponse((r) => r.url().endsWith('/api/v1/import') && r.request().method() === 'POST');
  await start.click();
  assert.equal((await posted).status(), 202);
  // The grid fills by itself while the import runs: no reload, no second click.
  await page.waitForSelector('.poster-grid .card[href]');
  await page.waitForFunction(() => !document.querySelector('.activity') || document.querySelector('.activity').hidden);
  await page.waitForSelector('.poster-grid .card[href] img');
  await shot('first-hour-library-filled');
});

test('offline, Fix match and Refresh are disabled and say why (no 503)', async () => {
  const { movies } = await api('/movies?limit=1&sort=title');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.base}/movies/${movies[0].id}`);
  const fix = page.getByRole('button', { name: 'Fix match' });
  await fix.waitFor();
  assert.equal(await fix.isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Refresh' }).isDisabled(), true);
  assert.match(await page.textContent('#offline-actions-note'), /need a TMDB key/);
  await shot('first-hour-movie-offline');
  assert.ok(!requests.some((url) => /\/api\/v1\/(movies\/\d+\/(match|refresh)|tmdb\/search)/.test(url)),
    'nothing was asked that must fail');
});

test('two copies of a film are two versions, not "2 parts"; a film in numbered parts says so', async () => {
  const headings = async (title) => {
    const { movies } = await api(`/movies?q=${encodeURIComponent(title)}`);
    const movie = movies.find((m) => m.title === title);
    assert.ok(movie, `${title} was imported`);
    await page.goto(`${server.base}/movies/${movie.id}`);
    await page.waitForSelector('.file-list');
    return page.$$eval('.version-title', (els) => els.map((e) => e.textContent));
  };
  const copies = await headings('Twin Copies');
  assert.deepEqual(copies, ['Version 1 · unknown quality', 'Version 2 · unknown quality']);
  const parts = await headings('Long Film');
  assert.deepEqual(parts, ['2 parts · unknown quality']);
});

test('a movie page shows what its file holds once read, and why a file could not be read', async () => {
  const movie_of = async (title) => (await api(`/movies?q=${encodeURIComponent(title)}`)).movies.find((m) => m.title === title);
  const tiny = await movie_of('Tiny Harbour');
  const copies = await movie_of('Twin Copies');
  assert.ok(tiny && copies, 'both were imported');
  // The Prober reads files after they are stored: wait (bounded) until it has read this one.
  await page.goto(`${server.base}/movies/${tiny.id}`);
  await page.waitForFunction(async (id) => {
    const answer = await fetch(`/api/v1/movies/${id}`);
    return Boolean((await answer.json()).files[0].media);
  }, tiny.id, { polling: 200, timeout: 60000 });
  await page.reload();
  await page.waitForSelector('.file-media');
  const line = await page.textContent('.file-media');
  assert.match(line, /Matroska · 2s · 320×180 · No audio/);
  const tags = await page.$$eval('.file .tag', (els) => els.map((e) => e.textContent));
  assert.ok(tags.includes('H.264'), `tags ${tags}`);
  await shot('first-hour-media-info');
  await page.waitForFunction(async (id) => {
    const answer = await fetch(`/api/v1/movies/${id}`);
    return (await answer.json()).files.every((f) => Boolean(f.media));
  }, copies.id, { polling: 200, timeout: 60000 });
  assert.equal((await api(`/movies/${copies.id}`)).files[0].media.state, 'unreadable');
  await page.goto(`${server.base}/movies/${copies.id}`);
  await page.waitForSelector('.file-media');
  assert.match(await page.textContent('.file-media.muted'), /^Could not read the file: /);
});

test('an error toast shows above a modal dialog and its backdrop', async () => {
  await page.goto(server.base + '/settings');
  await page.waitForSelector('#setting-interval');
  const on_top = await page.evaluate(async () => {
    const { toast } = await import('/js/toast.js');
    const dialog = document.createElement('dialog');
    dialog.textContent = 'A dialog';
    document.body.append(dialog);
    dialog.showModal();
    toast('Something failed', 'error', { timeout: 60000 });
    const shown = [...document.querySelectorAll('.toast')].at(-1);
    const box = shown.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const result = shown.contains(hit);
    // Removed at once, before its close event: the next toast still finds its place on the page.
    dialog.close();
    dialog.remove();
    toast('Saved', 'success');
    const host = document.querySelector('[data-toasts]');
    const after_close = Boolean(host?.isConnected && host.parentElement === document.body && host.textContent.includes('Saved'));
    return { result, after_close };
  });
  assert.ok(on_top.result, 'the toast is the topmost element where it shows');
  assert.ok(on_top.after_close, 'the toasts survive the dialog');
});

test('settings: periodic rescan takes 0, a rejected key is not "Online" and a saved key can be removed', async () => {
  await page.goto(server.base + '/settings');
  await page.fill('#setting-interval', '0');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/config') && r.request().method() === 'PUT');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal((await saved).status(), 200);
  assert.equal((await api('/config')).rescan_interval_seconds, 0);

  // A key TMDB rejects: the badge says so, never "Online".
  await api('/config', { method: 'PUT', body: JSON.stringify({ tmdb_api_key: 'bogus-key-1234' }) });
  await page.goto(server.base + '/settings');
  await page.waitForSelector('[data-provider-state="invalid"]');
  const badge = await page.textContent('.panel-header .state-badge');
  assert.equal(badge, 'Key rejected');
  assert.match(await page.textContent('.check-result'), /TMDB rejected the key/);
  await shot('first-hour-settings-key-rejected');

  const removed = page.waitForResponse((r) => r.url().endsWith('/api/v1/config') && r.request().method() === 'PUT');
  await page.click('[data-remove-key="tmdb_api_key"]');
  assert.equal((await removed).status(), 200);
  await page.waitForSelector('.panel-header .state-offline');
  const config = await api('/config');
  assert.equal(config.tmdb_api_key, null);
  assert.equal(config.offline, true);
});

test('stats never round a small watched share to 0%', async () => {
  await page.goto(server.base + '/stats');
  await page.waitForSelector('.stat-tiles');
  const texts = await page.evaluate(async () => {
    const { share_text } = await import('/js/views/stats.js');
    return [share_text(1, 225), share_text(0, 225), share_text(224, 225), share_text(225, 225)];
  });
  assert.equal(texts[0], '<1%');
  assert.equal(texts[1], '0%');
  assert.equal(texts[2], '>99%');
  assert.equal(texts[3], '100%');
});

test('cards sorted by rating show the rating', async () => {
  await page.goto(server.base + '/?sort=rating&order=desc');
  await page.waitForSelector('.poster-grid .card[href] .card-rating');
  const { movies } = await api('/movies?sort=rating&order=desc&limit=1');
  const first = await page.textContent('.poster-grid .card[data-index="0"] .card-rating');
  assert.ok(first.includes(String(movies[0].vote_average).replace(/\.0$/, '')), `"${first}" shows ${movies[0].vote_average}`);
  await shot('first-hour-sorted-by-rating');
});

test('back from a movie restores the scroll and focuses its card', async () => {
  await page.goto(server.base + '/');
  await page.waitForSelector('.poster-grid .card[href]');
  await page.evaluate(() => window.scrollTo(0, 500));
  await page.waitForFunction(() => Math.abs(window.scrollY - 500) < 2);
  // A card fully in view below the toolbar.
  const target = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('.poster-grid .card[href]')];
    return cards.find((c) => {
      const r = c.getBoundingClientRect();
      return r.top > 250 && r.bottom < window.innerHeight;
    }).dataset.id;
  });
  const before = await page.evaluate(() => window.scrollY);
  await page.click(`.poster-grid .card[data-id="${target}"]`);
  await page.waitForSelector('.view-movie h1');
  await page.goBack();
  await page.waitForFunction((id) => document.activeElement?.dataset?.id === id, target);
  const y = await page.evaluate(() => window.scrollY);
  assert.ok(Math.abs(y - before) <= 2, `back at ${y}, left at ${before}`);

  // The same after a reload of the movie page (the library is mounted afresh).
  await page.click(`.poster-grid .card[data-id="${target}"]`);
  await page.waitForSelector('.view-movie h1');
  await page.reload();
  await page.waitForSelector('.view-movie h1');
  await page.goBack();
  await page.waitForFunction((id) => document.activeElement?.dataset?.id === id, target);
  const again = await page.evaluate(() => window.scrollY);
  assert.ok(Math.abs(again - before) <= 2, `back after a reload at ${again}, left at ${before}`);
});

test('"/" focuses the library search, from the library and from another page', async () => {
  await page.goto(server.base + '/stats');
  await page.waitForSelector('.stat-tiles');
  await page.keyboard.press('/');
  await page.waitForFunction(() => document.activeElement?.name === 'q' && location.pathname === '/');
  await page.keyboard.type('spirited');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'spirited');
  await page.waitForFunction(() => [...document.querySelectorAll('.poster-grid .card[href] .card-title')].map((e) => e.textContent).join() === 'Spirited Away');
  // Typing "/" in the search box is just text.
  await page.keyboard.press('/');
  assert.equal(await page.inputValue('input[name="q"]'), 'spirited/');
  await page.fill('input[name="q"]', '');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('/');
  await page.waitForFunction(() => document.activeElement?.name === 'q');
});

test('the theme toggle switches light and dark and is remembered', async () => {
  await page.goto(server.base + '/');
  const toggle = page.locator('[data-theme-toggle]');
  await toggle.waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? 'system'), 'system');
  await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(243, 244, 247)', 'light colours although the system is dark');
  await page.reload();
  await page.waitForSelector('.poster-grid .card[href]');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light', 'remembered');
  await shot('first-hour-light-theme');
  await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? 'system'), 'system');
});
