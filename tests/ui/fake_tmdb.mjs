// A stand-in for TMDB on 127.0.0.1 for the UI tests: the API answers (configuration, search, find, movie
// details) with plausible made-up data, and a second server draws poster and backdrop PNGs, so the
// screenshots show a library with art and "Fix match" can search. Everything is a function of the title
// and id, so runs are repeatable. Two servers because the scraper rate-limits per host:port.

import http from 'node:http';
import zlib from 'node:zlib';

const GENRES = ['Drama', 'Comedy', 'Action', 'Thriller', 'Science Fiction', 'Romance', 'Crime', 'Adventure',
  'Animation', 'Horror', 'Mystery', 'Fantasy', 'Family', 'War', 'History', 'Documentary'];
const FIRST = ['Ava', 'Ben', 'Chloé', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kira', 'Luca',
  'Maya', 'Noah', 'Olga', 'Pablo', 'Quinn', 'Rosa', 'Sven', 'Tara'];
const LAST = ['Moreau', 'Okafor', 'Lindqvist', 'Tanaka', 'Rossi', 'Novak', 'Haddad', 'Kowalski', 'Silva', 'Byrne',
  'Nakamura', 'Fischer', 'Duarte', 'Petrov', 'Walsh', 'Ibrahim'];
const TAGLINES = ['Some doors should stay closed.', 'Every ending is a beginning.', 'The truth has a price.',
  'One night. One chance.', 'Nobody gets out alone.', 'Home is where the trouble is.'];

function hash(text) {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

function pick(list, seed, n = 1) {
  const out = [];
  for (let i = 0; out.length < n && i < n * 4; i += 1) {
    const item = list[(seed >>> (i * 3)) % list.length];
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

function person(seed) {
  return `${FIRST[seed % FIRST.length]} ${LAST[(seed >>> 7) % LAST.length]}`;
}

// ---- PNG drawing ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(width, height, paint) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const rgb = [0, 0, 0];
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x += 1) {
      paint(x / width, y / height, rgb);
      raw[row + 1 + x * 3] = rgb[0];
      raw[row + 2 + x * 3] = rgb[1];
      raw[row + 3 + x * 3] = rgb[2];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function hsl(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** An abstract poster: a sky gradient, a sun and layered hills, coloured by the id. */
function poster_art(id, width, height) {
  const seed = hash(`poster-${id}`);
  const hue = seed % 360;
  const sky_top = hsl(hue, 0.55, 0.22);
  const sky_bottom = hsl((hue + 40) % 360, 0.7, 0.62);
  const sun = hsl((hue + 25) % 360, 0.95, 0.82);
  const hill1 = hsl((hue + 200) % 360, 0.35, 0.2);
  const hill2 = hsl((hue + 220) % 360, 0.4, 0.1);
  const sun_x = 0.3 + ((seed >>> 9) % 40) / 100;
  const sun_y = 0.35 + ((seed >>> 13) % 20) / 100;
  const aspect = width / height;
  return png(width, height, (x, y, out) => {
    const h1 = 0.62 + 0.06 * Math.sin(x * 6 + (seed % 7));
    const h2 = 0.74 + 0.05 * Math.sin(x * 9 + (seed % 11));
    let c;
    if (y > h2) c = hill2;
    else if (y > h1) c = hill1;
    else {
      const dx = (x - sun_x) * aspect;
      const dy = y - sun_y;
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d < 0.16 * Math.min(1, aspect * 1.5)) c = sun;
      else {
        const t = y / h1;
        c = [0, 1, 2].map((i) => Math.round(sky_top[i] + (sky_bottom[i] - sky_top[i]) * t));
        const glow = Math.max(0, 1 - d * 2.2) * 0.5;
        c = c.map((v, i) => Math.round(v + (sun[i] - v) * glow));
      }
    }
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
  });
}

// ---- the API ----

function candidate(title, year) {
  const id = 1000 + (hash(`${title}|${year ?? ''}`) % 900000);
  return { id, title, year };
}

function details(known) {
  const seed = hash(`${known.title}|${known.year}`);
  const year = known.year ?? 1990 + (seed % 30);
  const genres = pick(GENRES, seed, 2 + (seed % 2)).map((name, i) => ({ id: i + 1, name }));
  const cast = Array.from({ length: 8 }, (_, i) => ({
    name: person(hash(`${known.id}-cast-${i}`)), character: person(hash(`${known.id}-role-${i}`)).split(' ')[0], order: i,
  }));
  return {
    id: known.id,
    title: known.title,
    original_title: known.title,
    release_date: `${year}-0${1 + (seed % 9)}-1${seed % 9}`,
    overview: `${known.title} follows ${cast[0].name.split(' ')[0]}, who is pulled into a story bigger than ` +
      `anyone expected. Made up for the Mediabase UI tests: every detail is derived from the title.`,
    tagline: TAGLINES[seed % TAGLINES.length],
    runtime: 82 + (seed % 70),
    genres,
    production_countries: [{ iso_3166_1: 'US', name: 'United States of America' }],
    credits: {
      cast,
      crew: [
        { name: person(hash(`${known.id}-dir`)), job: 'Director', department: 'Directing' },
        { name: person(hash(`${known.id}-wri`)), job: 'Screenplay', department: 'Writing' },
      ],
    },
    release_dates: { results: [{ iso_3166_1: 'US', release_dates: [{ type: 3, certification: ['PG', 'PG-13', 'R'][seed % 3] }] }] },
    vote_average: 5 + (seed % 45) / 10,
    vote_count: 100 + (seed % 20000),
    imdb_id: `tt${String(known.id).padStart(7, '0')}`,
    external_ids: { imdb_id: `tt${String(known.id).padStart(7, '0')}` },
    belongs_to_collection: null,
    popularity: 10 + (seed % 90),
    poster_path: `/poster-${known.id}.png`,
    backdrop_path: `/backdrop-${known.id}.png`,
  };
}

function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Starts both servers; `close()` stops them. `requests` counts API calls. */
export async function start_fake_tmdb() {
  const known = new Map(); // id → {id, title, year}
  const images = new Map();
  const state = { requests: 0 };

  const image_server = await listen((req, res) => {
    const found = /\/(poster|backdrop)-(\d+)\.png$/.exec(req.url);
    if (!found) {
      res.writeHead(404).end();
      return;
    }
    const key = `${found[1]}-${found[2]}`;
    if (!images.has(key)) {
      images.set(key, found[1] === 'poster' ? poster_art(Number(found[2]), 200, 300) : poster_art(Number(found[2]), 640, 360));
    }
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'max-age=86400' }).end(images.get(key));
  });
  const image_base = `http://127.0.0.1:${image_server.address().port}/t/p/`;

  const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const remember = (c) => {
    known.set(c.id, c);
    return c;
  };
  const result_of = (c) => {
    const d = details(c);
    return {
      id: c.id, title: c.title, original_title: c.title, release_date: d.release_date, overview: d.overview,
      popularity: d.popularity, vote_count: d.vote_count, poster_path: d.poster_path,
    };
  };

  const api_server = await listen((req, res) => {
    state.requests += 1;
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname.replace(/^\/3/, '');
    if (!url.searchParams.get('api_key') && !req.headers.authorization) {
      json(res, 401, { status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.' });
      return;
    }
    if (path === '/configuration') {
      json(res, 200, { images: { base_url: image_base, secure_base_url: image_base,
        poster_sizes: ['w92', 'w185', 'w342', 'w500', 'w780', 'original'],
        backdrop_sizes: ['w300', 'w780', 'w1280', 'original'] } });
      return;
    }
    if (path === '/search/movie') {
      const query = (url.searchParams.get('query') ?? '').trim();
      const year_text = url.searchParams.get('primary_release_year') ?? url.searchParams.get('year');
      const year = year_text ? Number(year_text) : null;
      if (!query) {
        json(res, 200, { page: 1, results: [], total_results: 0 });
        return;
      }
      // The exact title first, then a sequel and a remake, as real searches look.
      const results = [
        remember(candidate(query, year ?? 1990 + (hash(query) % 30))),
        remember(candidate(`${query} Returns`, (year ?? 2000) + 4)),
        remember(candidate(query, (year ?? 2000) + 21)),
      ].map(result_of);
      json(res, 200, { page: 1, results, total_results: results.length });
      return;
    }
    let found = /^\/find\/(tt\d+)$/.exec(path);
    if (found) {
      const id = Number(found[1].slice(2));
      json(res, 200, { movie_results: known.has(id) ? [result_of(known.get(id))] : [] });
      return;
    }
    found = /^\/movie\/(\d+)$/.exec(path);
    if (found) {
      const id = Number(found[1]);
      const movie = known.get(id) ?? remember({ id, title: `Film Number ${id}`, year: 1980 + (id % 40) });
      json(res, 200, details(movie));
      return;
    }
    json(res, 404, { status_code: 34, status_message: 'The resource you requested could not be found.' });
  });

  return {
    api_base: `http://127.0.0.1:${api_server.address().port}/3`,
    image_base,
    get requests() {
      return state.requests;
    },
    close: () => Promise.all([api_server, image_server].map((s) => new Promise((resolve) => {
      s.closeAllConnections?.();
      s.close(resolve);
    }))),
  };
}
