// Formatting of numbers, sizes, durations and dates for people, plus the generated poster placeholder.
//
// Numbers go through Intl.NumberFormat in the reader's locale: grouping, decimal marks, units and percent
// signs follow the language the browser is set to, not a hand-written toFixed.

let locale; // undefined: the browser's own
const formats = new Map(); // options key → Intl.NumberFormat or Intl.DateTimeFormat, for the current locale

/** Pins the locale numbers are written in (undefined: the browser's). The page never calls it; tests do. */
export function set_locale(tag) {
  locale = tag;
  formats.clear();
}

function cached(Kind, options) {
  const key = Kind.name + JSON.stringify(options);
  let format = formats.get(key);
  if (!format) {
    format = new Kind(locale, options);
    formats.set(key, format);
  }
  return format;
}

function number_format(options = {}) {
  return cached(Intl.NumberFormat, options);
}

/** 15448 → "15,448". */
export function count(n) {
  return number_format({ maximumFractionDigits: 0 }).format(n ?? 0);
}

/** 15448 → "15.4K", 1234 → "1.2K": for chart axes and other tight spots. */
export function compact(n) {
  return number_format({ notation: 'compact', maximumFractionDigits: 1 }).format(n ?? 0);
}

/** 7.25 → "7.3" with `digits` fraction digits always shown (a rating out of ten). */
export function decimal(n, digits = 1) {
  return number_format({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** A share from 0 to 1 → "42%" (whole percent unless `digits` says otherwise). */
export function percent(fraction, digits = 0) {
  return number_format({ style: 'percent', maximumFractionDigits: digits }).format(fraction ?? 0);
}

export function plural(n, one, many = one + 's') {
  return `${count(n)} ${n === 1 ? one : many}`;
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'];

/** 1536 → "1.5 kB", 1.2e9 → "1.2 GB" (decimal units, as file managers show them). */
export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  // Three significant digits at most: "1.54 GB", "15.4 GB", "154 GB".
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return number_format({ style: 'unit', unit: BYTE_UNITS[unit], unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: digits }).format(value);
}

function unit(value, name) {
  return number_format({ style: 'unit', unit: name, unitDisplay: 'narrow' }).format(value);
}

/** 136 → "2h 16m". */
export function runtime(minutes) {
  if (!minutes) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${unit(h, 'hour')} ${unit(m, 'minute')}` : unit(m, 'minute');
}

/** Milliseconds → "1m 23s" ("<1s" under half a second). */
export function duration(ms) {
  // A sub-second job did take time: "<1s", never "0s".
  if (ms > 0 && ms < 500) return `<${unit(1, 'second')}`;
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return unit(seconds, 'second');
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${unit(m, 'minute')} ${unit(seconds % 60, 'second')}`;
  return `${unit(Math.floor(m / 60), 'hour')} ${unit(m % 60, 'minute')}`;
}


export function date(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? cached(Intl.DateTimeFormat, { dateStyle: 'medium' }).format(d) : '';
}

export function datetime(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime())
    ? cached(Intl.DateTimeFormat, { dateStyle: 'medium', timeStyle: 'short' }).format(d) : '';
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
