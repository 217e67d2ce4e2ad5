// Times the two npm name parsers on the same names file as bench/parser_bench.
//
//   node bench/npm_parsers_bench.mjs names.txt [seconds]
//
// Each parser gets the whole relative path and, separately, only the file name (what these parsers are
// written for); the faster of the two is the figure reported, so the comparison never flatters Mediabase.
// Prints one line per parser: "<name> <N> names/s ...".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';

import { filenameParse } from '@ctrl/video-filename-parser';

const require = createRequire(import.meta.url);
const ptt = require('parse-torrent-title');

const file = process.argv[2];
const seconds = Number(process.argv[3] ?? 3);
if (!file) {
  console.error('usage: node bench/npm_parsers_bench.mjs NAMES_FILE [SECONDS]');
  process.exit(2);
}
const paths = readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
const files = paths.map((p) => basename(p));

function time(parse, names) {
  let checksum = 0;
  // warm-up: let the JIT settle
  for (let i = 0; i < names.length && i < 5000; i++) checksum += (parse(names[i]).title ?? '').length;
  // Parse the names round and round; the clock is read every 1,000 names, so a run lasts `seconds`
  // whatever the file's size.
  let parsed = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (let i = 0; i < 1000; i++) {
      checksum += (parse(names[next]).title ?? '').length;
      if (++next === names.length) next = 0;
    }
    parsed += 1000;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < seconds);
  return { rate: parsed / elapsed, parsed, elapsed, checksum };
}

const parsers = [
  ['parse-torrent-title', (n) => ptt.parse(n)],
  ['@ctrl/video-filename-parser', (n) => filenameParse(n, false)],
];
for (const [name, parse] of parsers) {
  const whole = time(parse, paths);
  const leaf = time(parse, files);
  const best = whole.rate >= leaf.rate ? whole : leaf;
  console.log(
    `${name} ${best.rate.toFixed(0)} names/s (paths ${whole.rate.toFixed(0)}/s, file names ` +
      `${leaf.rate.toFixed(0)}/s, ${paths.length} names, ${(1e9 / best.rate).toFixed(0)} ns/name)`,
  );
}
