// Formatting of numbers, sizes, durations and dates for people, plus the generated poster placeholder.

const number_format = new Intl.NumberFormat();

export function count(n) {
  return number_format.format(n ?? 0);
}

export function plural(n, one, many = one + 's') {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** 1536 → "1.5 KB" (decimal units, as file managers show them). */
export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** 136 → "2h 16m". */
export function runtime(minutes) {
  if (!minutes) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h}h ${m}m` : `${m}m`;
}

/** Milliseconds → "1m 23s". */
export function duration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${seconds % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

const date_format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const datetime_format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function date(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? date_format.format(d) : '';
}

export function datetime(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? datetime_format.format(d) : '';
}

/** A stable 32-bit hash (FNV-1a) of a string. */
export function hash(text) {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** CSS custom properties for a poster placeholder: two hues derived from the title. */
export function placeholder_style(title) {
  const value = hash(title || '?');
  const hue = value % 360;
  const shift = 30 + ((value >>> 9) % 60);
  const angle = 120 + ((value >>> 17) % 100);
  return { '--ph-h1': String(hue), '--ph-h2': String((hue + shift) % 360), '--ph-angle': `${angle}deg` };
}

/** "1080p" etc., or the best of a movie's files. */
export function best_resolution(files) {
  const order = ['2160p', '1440p', '1080p', '720p', '576p', '480p'];
  let best = null;
  for (const file of files ?? []) {
    const rank = order.indexOf(file.resolution);
    if (rank >= 0 && (best === null || rank < order.indexOf(best))) best = file.resolution;
  }
  return best;
}

export function resolution_label(resolution) {
  if (!resolution) return '';
  if (resolution === '2160p') return '4K';
  return resolution.toUpperCase() === 'SD' ? 'SD' : resolution;
}
