/**
 * Case time: one continuous timeline over a case's recording parts, in seconds. This module is
 * the only place that maps case time to (part, offset) and back, and offsets to frames.
 *
 * A part's offset 0 is the start of the file as ffmpeg seeks it (the container's start time);
 * frame times are presentation timestamps relative to that point, so variable frame rate and
 * odd start times are handled by the real timestamps, not by an assumed fps.
 */

export interface TimelinePart {
  id: string;
  duration: number;
}

export interface PartPosition {
  index: number;
  partId: string;
  /** Seconds from the part's start. */
  offset: number;
  /** The requested time lay outside the case and was moved to its nearest end. */
  clamped: boolean;
}

export class CaseTimeline {
  readonly starts: readonly number[];
  readonly duration: number;

  constructor(readonly parts: readonly TimelinePart[]) {
    const starts: number[] = [];
    let t = 0;
    for (const p of parts) {
      starts.push(t);
      t += Math.max(0, p.duration);
    }
    this.starts = starts;
    this.duration = t;
  }

  partStart(partId: string): number {
    const i = this.parts.findIndex((p) => p.id === partId);
    if (i < 0) throw new RangeError(`part ${partId} is not in this case`);
    return this.starts[i]!;
  }

  /** Case time of an offset inside a part. */
  toCaseTime(partId: string, offset: number): number {
    return this.partStart(partId) + offset;
  }

  /**
   * The part playing at case time `t`. A time exactly on a boundary belongs to the later part
   * (its first frame is what is shown there); the case's end belongs to the last part.
   */
  locate(t: number): PartPosition {
    if (this.parts.length === 0) throw new RangeError('the case has no parts');
    let clamped = false;
    if (!Number.isFinite(t) || t < 0) {
      t = 0;
      clamped = true;
    } else if (t > this.duration) {
      t = this.duration;
      clamped = true;
    }
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    // Skip empty parts sitting on the same start.
    while (lo < this.parts.length - 1 && this.parts[lo]!.duration <= 0) lo++;
    const part = this.parts[lo]!;
    return { index: lo, partId: part.id, offset: Math.min(t - this.starts[lo]!, part.duration), clamped };
  }

  /** Case-time ranges cut at part boundaries, e.g. for cutting a clip across parts. */
  split(start: number, end: number): { partId: string; index: number; from: number; to: number }[] {
    const out: { partId: string; index: number; from: number; to: number }[] = [];
    const s = Math.max(0, start);
    const e = Math.min(this.duration, end);
    this.parts.forEach((p, i) => {
      const ps = this.starts[i]!;
      const pe = ps + p.duration;
      const from = Math.max(s, ps);
      const to = Math.min(e, pe);
      if (to > from) out.push({ partId: p.id, index: i, from: from - ps, to: to - ps });
    });
    return out;
  }
}

/**
 * Index of the frame on screen at `offset`: the last frame whose timestamp is <= offset
 * (before the first frame, the first frame is shown). `times` must be ascending.
 */
export function frameIndexAt(times: ArrayLike<number>, offset: number): number {
  const n = times.length;
  if (n === 0) throw new RangeError('no frame timestamps');
  // A tolerance of a microsecond absorbs float noise from timestamp arithmetic.
  const t = offset + 1e-6;
  if (t < times[0]!) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A time that a media element can be set to so that it shows frame `i`: the midpoint between
 * its timestamp and the next one. Players disagree on boundaries; the midpoint is safe for all.
 */
export function seekTimeForFrame(times: ArrayLike<number>, i: number, partDuration: number): number {
  const n = times.length;
  if (n === 0) return 0;
  const k = Math.max(0, Math.min(n - 1, i));
  const here = times[k]!;
  const next = k + 1 < n ? times[k + 1]! : Math.max(here, partDuration);
  return next > here ? (here + next) / 2 : here;
}

/** Median spacing between frames (the nominal frame duration), or null with fewer than two frames. */
export function medianFrameDuration(times: ArrayLike<number>): number | null {
  const n = times.length;
  if (n < 2) return null;
  const d: number[] = [];
  const step = Math.max(1, Math.floor(n / 2000));
  for (let i = step; i < n; i += step) d.push(times[i]! - times[i - step]!);
  d.sort((a, b) => a - b);
  return d[d.length >> 1]! / step;
}

/**
 * Frame indices (presentation order, ascending) of a part's keyframes, from its packet scan:
 * packets in file order with their timestamps and keyframe flags, matched to `frameTimes`.
 */
export function keyframeIndices(frameTimes: ArrayLike<number>, packetTimes: ArrayLike<number>, packetKeys: ArrayLike<number>): Uint32Array {
  const out: number[] = [];
  if (frameTimes.length === 0) return new Uint32Array(0);
  for (let i = 0; i < packetKeys.length && i < packetTimes.length; i++) {
    if (!packetKeys[i]) continue;
    const k = frameIndexAt(frameTimes, packetTimes[i]!);
    // A keyframe's own timestamp is one of the frame times; anything else is not a frame of ours.
    if (Math.abs(frameTimes[k]! - packetTimes[i]!) <= 1e-6) out.push(k);
  }
  out.sort((a, b) => a - b);
  return Uint32Array.from(out.filter((v, i) => i === 0 || v !== out[i - 1]));
}

/** The last keyframe index <= `index`, or null when none is known there. */
export function keyframeAtOrBefore(keyframes: ArrayLike<number>, index: number): number | null {
  let lo = 0;
  let hi = keyframes.length - 1;
  if (hi < 0 || keyframes[0]! > index) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (keyframes[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return keyframes[lo]!;
}

/**
 * Offsets between which frame `i`'s timestamp is the only one: halfway to its neighbours (a
 * second beyond the first and last frame). A decoder picks exactly this frame by selecting the
 * timestamp inside the window, whatever the frame rate does around it.
 */
export function frameWindow(times: ArrayLike<number>, i: number): { from: number; to: number } {
  const here = times[i]!;
  const from = i > 0 ? (times[i - 1]! + here) / 2 : here - 1;
  const to = i + 1 < times.length ? (here + times[i + 1]!) / 2 : here + 1;
  return { from, to };
}

/** Median spacing of keyframes in seconds, or null with fewer than two keyframes. */
export function keyframeInterval(times: ArrayLike<number>, keyframes: ArrayLike<number>): number | null {
  if (keyframes.length < 2) return null;
  const gaps: number[] = [];
  for (let k = 1; k < keyframes.length; k++) gaps.push(times[keyframes[k]!]! - times[keyframes[k - 1]!]!);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}
