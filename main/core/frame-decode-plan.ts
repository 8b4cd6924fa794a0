/**
 * How the frames wanted from one recording part are decoded: in passes, each one decoder that
 * jumps to a keyframe (a container seek, no decoding) and decodes forward, handing on only the
 * wanted frames (chosen by their timestamps). A pass decodes every frame on its way ('all'), or
 * only keyframes ('key') when every frame it must deliver is one; frames far apart get passes of
 * their own, and the passes share the machine's cores.
 *
 * The keyframe table comes from the part's packet scan; without one, every pass is an 'all' pass
 * from wherever the container seek lands.
 */

import { frameIndexAt, frameWindow, keyframeAtOrBefore } from './case-time.js';

export type PassMode = 'key' | 'all';

export interface DecodePass<T> {
  mode: PassMode;
  /** Index of the keyframe the pass decodes from; null when the part's keyframes are unknown. */
  from: number | null;
  /** Ascending, distinct frame indices. */
  frames: T[];
}

/** What decoding costs, in units of one ordinary frame decoded. */
export interface DecodeCosts {
  /** Starting a decoder: the process, opening and probing the file, the seek. */
  start: number;
  keyframe: number;
  frame: number;
  /** Frames decoded before a wanted one when its keyframe is not known. */
  unknownLead: number;
}

/**
 * Measured with ffmpeg on the 1080p30 H.264 bench recording (2 s GOP), one decoder thread, two
 * cores: starting ffmpeg and opening the recording about 40 ms, a keyframe about 3 ms alone, any
 * other frame about 0.85 ms. Ratios, not times: they hold across machines better than milliseconds.
 */
export const DECODE_COSTS: Readonly<DecodeCosts> = { start: 45, keyframe: 3, frame: 1, unknownLead: 30 };

function isKeyframe(keyframes: ArrayLike<number>, index: number): boolean {
  return keyframeAtOrBefore(keyframes, index) === index;
}

/** Keyframes with an index in (a, b]. */
function keyframesBetween(keyframes: ArrayLike<number>, a: number, b: number): number {
  const upTo = (v: number) => {
    let lo = 0;
    let hi = keyframes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keyframes[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return upTo(b) - upTo(a);
}

/**
 * Splits the wanted frames of one part (`frames` ascending by index, distinct) into decoder
 * passes: nearby frames share a pass when decoding the frames between costs less than starting
 * another decoder; then the costliest pass is cut in two while that shortens the wait with
 * `lanes` passes running side by side.
 */
export function planDecodePasses<T extends { index: number }>(
  frames: readonly T[],
  keyframes: ArrayLike<number> | null,
  lanes = 2,
  costs: Readonly<DecodeCosts> = DECODE_COSTS,
): DecodePass<T>[] {
  const keys = keyframes && keyframes.length > 0 ? keyframes : null;
  const lead = (i: number) => {
    const k = keys ? keyframeAtOrBefore(keys, i) : null;
    return k === null ? costs.unknownLead : i - k;
  };
  const modeOf = (i: number): PassMode => (keys && isKeyframe(keys, i) ? 'key' : 'all');
  const cost = (mode: PassMode, fs: readonly T[]): number => {
    const first = fs[0]!.index;
    const last = fs[fs.length - 1]!.index;
    if (mode === 'key') return costs.start + costs.keyframe * (1 + keyframesBetween(keys!, first, last));
    return costs.start + costs.keyframe + costs.frame * (lead(first) + (last - first));
  };

  const passes: { mode: PassMode; frames: T[] }[] = [];
  for (const f of frames) {
    const cur = passes[passes.length - 1];
    const alone = cost(modeOf(f.index), [f]);
    if (cur) {
      const before = cost(cur.mode, cur.frames);
      // A keyframe-only pass takes only keyframes; one holding a single keyframe can become an
      // 'all' pass, which decodes from that same keyframe.
      const mode: PassMode | null =
        cur.mode === 'all' ? 'all' : modeOf(f.index) === 'key' ? 'key' : cur.frames.length === 1 ? 'all' : null;
      if (mode && cost(mode, [...cur.frames, f]) - before <= alone) {
        cur.mode = mode;
        cur.frames.push(f);
        continue;
      }
    }
    passes.push({ mode: modeOf(f.index), frames: [f] });
  }

  // Side by side, the wait is the costliest pass: cut it where its halves are most even.
  const bestMode = (fs: readonly T[]): PassMode => (fs.every((f) => modeOf(f.index) === 'key') ? 'key' : 'all');
  while (passes.length < lanes) {
    let worst = -1;
    let worstCost = -1;
    passes.forEach((p, i) => {
      const c = cost(p.mode, p.frames);
      if (p.frames.length > 1 && c > worstCost) [worst, worstCost] = [i, c];
    });
    if (worst < 0) break;
    const p = passes[worst]!;
    let best: { at: number; wait: number } | null = null;
    for (let j = 1; j < p.frames.length; j++) {
      const left = p.frames.slice(0, j);
      const right = p.frames.slice(j);
      const wait = Math.max(cost(bestMode(left), left), cost(bestMode(right), right));
      if (!best || wait < best.wait) best = { at: j, wait };
    }
    // Worth a second decoder only if the wait shortens by clearly more than half a start.
    if (!best || best.wait > worstCost - costs.start / 2) break;
    const left = p.frames.slice(0, best.at);
    const right = p.frames.slice(best.at);
    passes.splice(worst, 1, { mode: bestMode(left), frames: left }, { mode: bestMode(right), frames: right });
  }

  return passes.map((p) => ({ mode: p.mode, from: keys ? keyframeAtOrBefore(keys, p.frames[0]!.index) : null, frames: p.frames }));
}

/**
 * ffmpeg seeks this much before the time asked when a stream has B-frames (its "dts heuristic",
 * 3/23 s): the seek aims further into the keyframe's run so that it still lands on that keyframe.
 */
const SEEK_SLACK = 0.25;
/** Without a keyframe table, how far before the seek the landing keyframe may lie. */
const UNKNOWN_GOP = 10;

/**
 * Where a pass's decoder seeks (part seconds) and how far it reads from there. With the pass's
 * keyframe known, the seek aims halfway into that keyframe's run (at most a second in): the
 * container seek lands on the keyframe at or before the time asked, and ffmpeg asks a little
 * earlier on B-frame streams. Without one, halfway before the first frame, so it lands on the
 * keyframe before that frame. Frames are picked by timestamp, so where it lands costs time, never
 * accuracy; the read stops by itself a second past the last frame even if one were not found.
 */
export function passSeek(times: ArrayLike<number>, keyframes: ArrayLike<number> | null, pass: DecodePass<{ index: number }>): { seek: number; duration: number } {
  const first = pass.frames[0]!.index;
  const last = pass.frames[pass.frames.length - 1]!.index;
  let seek: number;
  let landing: number;
  if (pass.from !== null && keyframes && keyframes.length > 0) {
    const k = pass.from;
    const next = nextKeyframe(keyframes, k);
    const runEnd = next !== null ? times[next]! : times[times.length - 1]!;
    seek = times[k]! + Math.min(1, Math.max(0, runEnd - times[k]!) / 2);
    const early = keyframeAtOrBefore(keyframes, frameIndexAt(times, seek - SEEK_SLACK));
    landing = early === null ? 0 : times[early]!;
  } else {
    seek = frameWindow(times, first).from;
    landing = seek - UNKNOWN_GOP;
  }
  seek = Math.max(0, seek);
  return { seek, duration: frameWindow(times, last).to - Math.min(seek, Math.max(0, landing)) + 1 };
}

function nextKeyframe(keyframes: ArrayLike<number>, k: number): number | null {
  let lo = 0;
  let hi = keyframes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keyframes[mid]! <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo < keyframes.length ? keyframes[lo]! : null;
}
