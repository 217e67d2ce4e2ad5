// The REST client: every call to /api/v1 goes through here, so errors come back one way.

/** An error answered by the server as {"error": {"code", "message"}}, or a network failure. */
export class ApiError extends Error {
  constructor(message, { status = 0, code = 'network' } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

const BASE = '/api/v1';

async function request(method, path, { query, body, signal } = {}) {
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const text = params.toString();
    if (text) url += '?' + text;
  }
  const init = { method, signal, headers: { Accept: 'application/json' } };
  // Proves to the server that this page sent the change (README, Security: a cookie session needs it).
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-Mediabase-CSRF'] = '1';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError('Cannot reach the Mediabase server.');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && data.error;
    const message = (error && error.message) || `${method} ${path} failed (${response.status} ${response.statusText})`;
    throw new ApiError(message, { status: response.status, code: (error && error.code) || 'http_' + response.status });
  }
  return data;
}

export const api = {
  movies: (query, signal) => request('GET', '/movies', { query, signal }),
  movie: (id, signal) => request('GET', `/movies/${encodeURIComponent(id)}`, { signal }),
  updateMovie: (id, changes) => request('PATCH', `/movies/${encodeURIComponent(id)}`, { body: changes }),
  matchMovie: (id, tmdbId) => request('POST', `/movies/${encodeURIComponent(id)}/match`, { body: { tmdb_id: tmdbId } }),
  refreshMovie: (id) => request('POST', `/movies/${encodeURIComponent(id)}/refresh`),
  duplicates: (signal) => request('GET', '/movies/duplicates', { signal }),
  genres: (signal) => request('GET', '/genres', { signal }),
  tmdbSearch: (q, year, signal) => request('GET', '/tmdb/search', { query: { q, year }, signal }),
  importStatus: (signal) => request('GET', '/import', { signal }),
  imports: (limit, signal) => request('GET', '/imports', { query: { limit }, signal }),
  startImport: () => request('POST', '/import'),
  prune: () => request('POST', '/prune'),
  pruneHold: (signal) => request('GET', '/prune', { signal }),
  confirmPrune: () => request('POST', '/prune', { body: { confirm: true } }),
  backups: (signal) => request('GET', '/backups', { signal }),
  makeBackup: () => request('POST', '/backups'),
  config: (signal) => request('GET', '/config', { signal }),
  saveConfig: (changes) => request('PUT', '/config', { body: changes }),
  checkProviders: () => request('POST', '/providers/check'),
  stats: (signal) => request('GET', '/stats', { signal }),
  health: (signal) => request('GET', '/healthz', { signal }),
  session: (signal) => request('GET', '/session', { signal }),
  login: (name, password) => request('POST', '/session', { body: { name, password } }),
  setup: (name, password) => request('POST', '/setup', { body: { name, password } }),
  logout: () => request('DELETE', '/session'),
  logoutEverywhere: () => request('DELETE', '/sessions'),
  changePassword: (current, password) => request('PUT', '/session/password', { body: { current, password } }),
  keys: (signal) => request('GET', '/keys', { signal }),
  createKey: (name, scope) => request('POST', '/keys', { body: { name, scope } }),
  revokeKey: (id) => request('DELETE', `/keys/${encodeURIComponent(id)}`),
  users: (signal) => request('GET', '/users', { signal }),
  addUser: (name, password, role) => request('POST', '/users', { body: { name, password, role } }),
  removeUser: (name) => request('DELETE', `/users/${encodeURIComponent(name)}`),
};
