/**
 * Where an export cuts a part, to the frame, from the part's real frame timestamps (see
 * case-time.ts). Times here are part-relative seconds; a cut [from, to) holds the frames shown
 * from `from` until `to`. Pure: the export service feeds it a part's frame table and keyframes.
 */

import { frameIndexAt, medianFrameDuration } from './case-time.js';

/** The slack for float noise in timestamps. */
const EPS = 1e-6;

/** Where the part's picture ends: its duration, or half a frame past its last frame when that is later. */
export function partEnd(times: ArrayLike<number>, duration: number, fps: number): number {
  const frameDur = medianFrameDuration(times) ?? (fps > 0 ? 1 / fps : 1 / 30);
  return Math.max(duration, times[times.length - 1]! + frameDur * 0.5);
}

export interface AccurateCut {
  /** The first frame's time and the time the clip's last frame stops being shown. */
  from: number;
  to: number;
  /** The last frame's own time. */
  last: number;
  /** What ffmpeg is given: midway between frames, so neither neighbour is taken by rounding. */
  seek: number;
  stop: number;
}

/**
 * A re-encoded cut: from the frame on screen at `from` to the last frame on screen before `to`
 * (a frame starting exactly at `to` is not in the clip).
 */
export function accurateCut(times: ArrayLike<number>, from: number, to: number, end: number): AccurateCut {
  const i0 = frameIndexAt(times, from);
  let j = i0 + 1;
  while (j < times.length && times[j]! < to - EPS) j++;
  const i1 = j - 1;
  const hasNext = i1 + 1 < times.length;
  return {
    from: times[i0]!,
    to: hasNext ? times[i1 + 1]! : end,
    last: times[i1]!,
    seek: i0 === 0 ? 0 : (times[i0 - 1]! + times[i0]!) / 2,
    stop: hasNext ? (times[i1]! + times[i1 + 1]!) / 2 : end,
  };
}

/** The keyframe times of a part's packet scan, in order; its first frame when the scan has none. */
export function keyframeTimes(scan: { packetTimes: ArrayLike<number>; packetKeys: ArrayLike<number> } | null, times: ArrayLike<number>): number[] {
  const keys: number[] = [];
  if (scan) for (let i = 0; i < scan.packetKeys.length; i++) if (scan.packetKeys[i]) keys.push(scan.packetTimes[i]!);
  keys.sort((a, b) => a - b);
  if (keys.length === 0) keys.push(times[0]!);
  return keys;
}

export interface CopyCut {
  from: number;
  to: number;
  /** Frames the copied packets hold. */
  frames: number;
}

/**
 * A stream copy cannot cut between keyframes: it starts on the keyframe at or before `from` and
 * ends on the next keyframe at or after `to` (or the part's end).
 */
export function streamCopyCut(times: ArrayLike<number>, keys: readonly number[], from: number, to: number, end: number): CopyCut {
  let k0 = keys[0]!;
  for (const k of keys) if (k <= from + EPS) k0 = k;
  let k1 = end;
  for (const k of keys) {
    if (k > k0 + EPS && k >= to - EPS) {
      k1 = k;
      break;
    }
  }
  let frames = 0;
  for (let i = 0; i < times.length; i++) if (times[i]! >= k0 - EPS && times[i]! < k1 - EPS) frames++;
  return { from: k0, to: k1, frames };
}
