// The movie page's grouping of files into versions and parts (static/js/versions.js), without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { group_versions } from '../../../static/js/versions.js';

const file = (path, extra = {}) => ({ path, resolution: null, source: null, edition: null, three_d: false, part: null, ...extra });

test('two files without part markers are two versions, even when an id joined them', () => {
  const versions = group_versions([
    file('/m/Alien (1979).mp4'),
    file('/m/Xenomorph Story (1979) [tmdbid-648606].mkv'),
  ]);
  assert.equal(versions.length, 2);
  assert.deepEqual(versions.map((v) => v.files.length), [1, 1]);
});

test('files with part markers of one quality are one version in parts, in part order', () => {
  const versions = group_versions([
    file('/m/Film cd2.avi', { part: 2, resolution: '480p' }),
    file('/m/Film cd1.avi', { part: 1, resolution: '480p' }),
  ]);
  assert.equal(versions.length, 1);
  assert.deepEqual(versions[0].files.map((f) => f.part), [1, 2]);
  assert.equal(versions[0].label, '480p');
});

test('parts and a whole file of the same quality stay apart', () => {
  const versions = group_versions([
    file('/m/Film cd1.avi', { part: 1, resolution: '1080p' }),
    file('/m/Film cd2.avi', { part: 2, resolution: '1080p' }),
    file('/m/Film.mkv', { resolution: '1080p' }),
  ]);
  assert.deepEqual(versions.map((v) => v.files.length), [2, 1]);
});

test('parted versions of different qualities are separate versions', () => {
  const versions = group_versions([
    file('/m/a/Film cd1.avi', { part: 1, resolution: '720p' }),
    file('/m/b/Film cd1.mkv', { part: 1, resolution: '2160p' }),
    file('/m/a/Film cd2.avi', { part: 2, resolution: '720p' }),
    file('/m/b/Film cd2.mkv', { part: 2, resolution: '2160p' }),
  ]);
  assert.deepEqual(versions.map((v) => v.label), ['720p', '4K']);
  assert.deepEqual(versions.map((v) => v.files.length), [2, 2]);
});

test('parts in two folders are two versions, even of one quality', () => {
  const versions = group_versions([
    file('/m/copy1/Film cd1.avi', { part: 1, resolution: '720p' }),
    file('/m/copy1/Film cd2.avi', { part: 2, resolution: '720p' }),
    file('/m/copy2/Film cd1.avi', { part: 1, resolution: '720p' }),
    file('/m/copy2/Film cd2.avi', { part: 2, resolution: '720p' }),
  ]);
  assert.deepEqual(versions.map((v) => v.files.map((f) => f.path)),
    [['/m/copy1/Film cd1.avi', '/m/copy1/Film cd2.avi'], ['/m/copy2/Film cd1.avi', '/m/copy2/Film cd2.avi']]);
});
