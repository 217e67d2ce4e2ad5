// A movie's files as the movie page shows them: the versions of the film, and the parts of a version.
// Pure (no DOM), so it is tested without a browser (tests/unit/js/versions.test.mjs).

import { resolution_label } from './format.js';

/**
 * Groups files into versions. Only files with a part marker (`cd1`, `part 2`: `file.part`) are parts: those
 * of one quality and edition make one version in several parts. A file without a part marker is a version
 * of its own, whatever it shares with the others: an id in its name joined it to the movie, which says it is
 * the same film, not that it continues another file (`Alien (1979).mp4` and `Xenomorph Story (1979)
 * [tmdbid-648606].mkv` are two versions, not one in two parts).
 */
export function group_versions(files) {
  const groups = new Map();
  for (const file of files) {
    // Parts continue each other only within one folder: cd1/cd2 in two folders are two versions.
    const folder = String(file.path).replace(/[/\\][^/\\]*$/, '');
    const key = file.part
      ? ['parts', folder, file.resolution, file.source, file.edition, file.three_d].join('|')
      : `file|${file.path}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(file);
  }
  return [...groups.values()].map((group) => {
    group.sort((a, b) => (a.part ?? 0) - (b.part ?? 0) || String(a.path).localeCompare(String(b.path)));
    const f = group[0];
    return {
      files: group,
      label: [resolution_label(f.resolution), f.source, f.edition, f.three_d ? '3D' : null].filter(Boolean).join(' · '),
    };
  });
}
