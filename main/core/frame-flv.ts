/*
 * H.264 frames wrapped as an FLV stream, the lightest container ffmpeg reads from a pipe that
 * carries per-frame timestamps: a warm decoder is fed the MP4 samples as they are (FLV holds
 * H.264 in the same length-prefixed form), with timestamps chosen by the feeder.
 */

const VIDEO_TAG = 9;
const AVC = 7;

/** The stream header: FLV version 1, video only, and the first (empty) previous-tag size. */
export function flvHeader(): Uint8Array {
  return Uint8Array.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);
}

function tag(timestampMs: number, body: Uint8Array[]): Uint8Array {
  const dataSize = body.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(11 + dataSize + 4);
  const view = new DataView(out.buffer);
  out[0] = VIDEO_TAG;
  out[1] = (dataSize >>> 16) & 255;
  out[2] = (dataSize >>> 8) & 255;
  out[3] = dataSize & 255;
  const ts = timestampMs >>> 0;
  out[4] = (ts >>> 16) & 255;
  out[5] = (ts >>> 8) & 255;
  out[6] = ts & 255;
  out[7] = (ts >>> 24) & 255;
  let p = 11;
  for (const b of body) {
    out.set(b, p);
    p += b.length;
  }
  view.setUint32(p, 11 + dataSize);
  return out;
}

/** The AVC sequence header: the track's `avcC` record. */
export function flvAvcConfig(avcC: Uint8Array): Uint8Array {
  return tag(0, [Uint8Array.from([(1 << 4) | AVC, 0, 0, 0, 0]), avcC]);
}

/** The largest timestamp an FLV tag holds (ms). */
export const FLV_MAX_MS = 0x7fffffff;

/** One coded frame: decode time and presentation time in ms (composition offset within ±2^23 ms). */
export function flvAvcFrame(dtsMs: number, ptsMs: number, keyframe: boolean, data: Uint8Array): Uint8Array {
  const cts = ptsMs - dtsMs;
  if (!Number.isInteger(dtsMs) || !Number.isInteger(cts) || dtsMs < 0 || dtsMs > FLV_MAX_MS || Math.abs(cts) >= 1 << 23) {
    throw new RangeError(`FLV cannot carry dts ${dtsMs} ms with a composition offset of ${cts} ms`);
  }
  const c = cts & 0xffffff;
  return tag(dtsMs, [Uint8Array.from([((keyframe ? 1 : 2) << 4) | AVC, 1, (c >>> 16) & 255, (c >>> 8) & 255, c & 255]), data]);
}
