// The movie page's words for what a file itself says (static/js/media_info.js), without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { describe_media, audio_label } from '../../../static/js/media_info.js';

const file = (extra = {}) => ({ video_codec: null, audio_codec: null, media: null, ...extra });

test('a file not read yet shows the codecs of its name', () => {
  const d = describe_media(file({ video_codec: 'x265', audio_codec: 'DTS' }));
  assert.deepEqual(d.tags, ['x265', 'DTS']);
  assert.equal(d.details, null);
});

test('a read file shows its own streams, its size, running time and subtitles', () => {
  const d = describe_media(file({
    video_codec: 'x264',
    media: {
      state: 'ok', error: null, container: 'matroska', duration_ms: 6_720_000,
      video: { codec: 'hevc', width: 3840, height: 2160, hdr: 'HDR10' },
      audio: [{ codec: 'truehd', channels: 8, language: 'eng' }, { codec: 'ac3', channels: 6, language: null }],
      subtitles: [{ codec: 'subrip', language: 'eng' }, { codec: 'subrip', language: 'fra' }],
    },
  }));
  assert.deepEqual(d.tags, ['HEVC', 'HDR10', 'TrueHD 7.1 (eng)']);
  assert.equal(d.details, 'Matroska · 1h 52m · 3840×2160 · Audio: TrueHD 7.1 (eng), AC3 5.1 · Subtitles: eng, fra');
  assert.equal(d.unreadable, false);
});

test('an unreadable file says why and keeps the codecs of its name', () => {
  const d = describe_media(file({ audio_codec: 'AAC', media: { state: 'unreadable', error: 'not a video file', audio: [], subtitles: [], video: null } }));
  assert.deepEqual(d.tags, ['AAC']);
  assert.equal(d.unreadable, true);
  assert.match(d.details, /not a video file/);
});

test('audio labels name the layout, or the channel count', () => {
  assert.equal(audio_label({ codec: 'aac', channels: 2, language: 'deu' }), 'AAC 2.0 (deu)');
  assert.equal(audio_label({ codec: 'pcm_s16le', channels: 4, language: null }), 'PCM 4 ch');
});
