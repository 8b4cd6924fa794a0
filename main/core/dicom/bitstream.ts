/*
 * What an encapsulated video bit stream is, from its first bytes, so ffmpeg is told how to read
 * it: DICOM allows an MPEG-2 program or transport stream, or a bare elementary stream.
 */
import type { VideoCodec } from './transfer-syntax.js';

/** An ffmpeg demuxer name. */
export type BitstreamFormat = 'mpegts' | 'mpeg' | 'mpeg2video' | 'h264' | 'hevc' | 'mp4';

function startCode(b: Uint8Array, i: number): number {
  if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) return 3;
  if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 0 && b[i + 3] === 1) return 4;
  return 0;
}

/** Null when the bytes are none of the forms the transfer syntax allows. */
export function detectBitstream(head: Uint8Array, codec: VideoCodec): BitstreamFormat | null {
  if (head.length < 8) return null;
  // A transport stream: a sync byte every 188 bytes.
  if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) return 'mpegts';
  if (head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70) return 'mp4';
  const sc = startCode(head, 0);
  if (sc === 0) return null;
  const code = head[sc]!;
  if (code === 0xba) return 'mpeg'; // program stream pack header
  if (codec === 'mpeg2') return code === 0xb3 || code === 0xb5 || code === 0x00 || code === 0xb8 ? 'mpeg2video' : null;
  return codec;
}

/** Frames per second from the instance's timing attributes; null when it states none. */
export function frameRateOf(attrs: { cineRate?: number | null; recommendedFrameRate?: number | null; frameTimeMs?: number | null }): number | null {
  const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1000;
  if (ok(attrs.frameTimeMs)) return 1000 / attrs.frameTimeMs;
  if (ok(attrs.cineRate)) return attrs.cineRate;
  if (ok(attrs.recommendedFrameRate)) return attrs.recommendedFrameRate;
  return null;
}
