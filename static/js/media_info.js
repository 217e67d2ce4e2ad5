// What a file itself says (its `media`, read by the server's Prober), in the words the movie page shows.
// Pure (no DOM), so it is tested without a browser (tests/unit/js/media_info.test.mjs). The codecs of the
// file name stay the fallback: a file not read yet, or one that could not be read, shows what its name says.

import { duration } from './format.js';

const VIDEO = { h264: 'H.264', hevc: 'HEVC', av1: 'AV1', mpeg4: 'MPEG-4', mpeg2video: 'MPEG-2', vc1: 'VC-1',
  vp9: 'VP9', vp8: 'VP8', msmpeg4v3: 'DivX 3', wmv3: 'WMV' };
const AUDIO = { aac: 'AAC', ac3: 'AC3', eac3: 'EAC3', dts: 'DTS', truehd: 'TrueHD', flac: 'FLAC', opus: 'Opus',
  mp3: 'MP3', mp2: 'MP2', vorbis: 'Vorbis' };
const CONTAINER = { matroska: 'Matroska', mov: 'MP4', avi: 'AVI', mpegts: 'MPEG-TS', mpeg: 'MPEG-PS',
  asf: 'ASF', flv: 'FLV', ogg: 'Ogg', webm: 'WebM' };
const LAYOUT = { 1: 'mono', 2: '2.0', 3: '2.1', 6: '5.1', 7: '6.1', 8: '7.1' };

const named = (table, codec) => table[codec] ?? (codec?.startsWith('pcm_') ? 'PCM' : codec?.toUpperCase());

/** "AAC 5.1 (eng)" for one audio stream. */
export function audio_label(stream) {
  const layout = stream.channels ? (LAYOUT[stream.channels] ?? `${stream.channels} ch`) : null;
  return [named(AUDIO, stream.codec), layout].filter(Boolean).join(' ') + (stream.language ? ` (${stream.language})` : '');
}

/**
 * The tags of a file's card and a line of details. `tags`: video codec and first audio stream from the file
 * itself when it was read, else from the name. `details`: container, running time, picture size, every
 * audio stream, subtitle languages; or why the file could not be read; null while it was not read yet.
 */
export function describe_media(file) {
  const media = file.media;
  const ok = media?.state === 'ok';
  const video = ok && media.video ? named(VIDEO, media.video.codec) : file.video_codec;
  const audio = ok && media.audio.length ? audio_label(media.audio[0]) : file.audio_codec;
  if (!media) return { tags: [video, audio].filter(Boolean), details: null, unreadable: false };
  if (!ok) return { tags: [video, audio].filter(Boolean), details: `Could not read the file: ${media.error ?? 'unknown error'}`, unreadable: true };
  const picture = media.video?.width ? `${media.video.width}×${media.video.height}` : null;
  const subtitles = media.subtitles.map((s) => s.language ?? '?');
  const details = [
    named(CONTAINER, media.container),
    media.duration_ms ? duration(media.duration_ms) : null,
    picture,
    media.audio.length ? `Audio: ${media.audio.map(audio_label).join(', ')}` : 'No audio',
    subtitles.length ? `Subtitles: ${subtitles.join(', ')}` : null,
  ].filter(Boolean).join(' · ');
  return { tags: [video, media.video?.hdr, audio].filter(Boolean), details, unreadable: false };
}
