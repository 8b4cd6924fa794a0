/**
 * Which real frames the agent's tools show: requested case times spread over a window, snapped
 * to the frames actually on screen there (by the parts' stored timestamps, so variable frame
 * rate and part boundaries are handled by the data, not by an assumed fps), preferring keyframes
 * where the spacing allows so that the media worker decodes little.
 */

import { frameIndexAt, keyframeInterval, type CaseTimeline } from '../case-time.js';

/** `count` case times spread evenly over [start, end): the centres of equal slices. */
export function spreadTimes(start: number, end: number, count: number): number[] {
  const n = Math.max(0, Math.floor(count));
  const span = end - start;
  return Array.from({ length: n }, (_, i) => start + ((i + 0.5) * span) / n);
}

export interface PlannedFrame {
  partIndex: number;
  partId: string;
  /** Frame index inside the part, in presentation order. */
  index: number;
  /** The frame's timestamp, part seconds. */
  time: number;
  /** The frame's case time. */
  caseTime: number;
}

/**
 * Frames spread this far apart may each be moved to a keyframe up to a quarter of the spacing
 * away: still spread over the window, each labelled with its own time, and a keyframe decodes
 * alone while any other frame needs its whole run from the keyframe before it.
 */
export interface KeyframePreference {
  /** Per part, its keyframes' frame indices (ascending); null where they are not known. */
  keyframes: readonly (ArrayLike<number> | null)[];
  /** Seconds between the requested times. */
  spacing: number;
}

/** The keyframe nearest `offset` within `tolerance` seconds, or null. */
function nearKeyframe(times: ArrayLike<number>, keyframes: ArrayLike<number>, offset: number, tolerance: number): number | null {
  let lo = 0;
  let hi = keyframes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[keyframes[mid]!]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  let best: number | null = null;
  for (const k of [lo, lo + 1]) {
    if (k < 0 || k >= keyframes.length) continue;
    const d = Math.abs(times[keyframes[k]!]! - offset);
    if (d <= tolerance && (best === null || d < Math.abs(times[best]! - offset))) best = keyframes[k]!;
  }
  return best;
}

/**
 * The frame on screen at each case time (clamped into the case), in time order, without
 * duplicates: a window shorter than the frames asked for yields fewer, distinct frames.
 * `frameTimes[i]` are part i's frame timestamps, ascending; parts without frames are skipped.
 * With `prefer`, times spaced at least a part's keyframe interval apart take a keyframe of that
 * part within a quarter of the spacing instead, when there is one.
 */
export function snapToFrames(
  timeline: CaseTimeline,
  frameTimes: readonly ArrayLike<number>[],
  caseTimes: readonly number[],
  prefer?: KeyframePreference,
): PlannedFrame[] {
  const out: PlannedFrame[] = [];
  const seen = new Set<string>();
  const intervals = new Map<number, number | null>();
  for (const t of caseTimes) {
    const pos = timeline.locate(t);
    const times = frameTimes[pos.index];
    if (!times || times.length === 0) continue;
    let index = frameIndexAt(times, pos.offset);
    const keys = prefer?.keyframes[pos.index];
    if (prefer && keys && keys.length > 0) {
      if (!intervals.has(pos.index)) intervals.set(pos.index, keyframeInterval(times, keys));
      const interval = intervals.get(pos.index);
      if (interval !== null && interval !== undefined && prefer.spacing >= interval) {
        index = nearKeyframe(times, keys, pos.offset, prefer.spacing / 4) ?? index;
      }
    }
    const key = `${pos.index}/${index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const time = times[index]!;
    out.push({
      partIndex: pos.index,
      partId: pos.partId,
      index,
      time,
      caseTime: timeline.starts[pos.index]! + time,
    });
  }
  return out.sort((a, b) => a.caseTime - b.caseTime);
}

/** Output size with the longest side at most `size` (0: unchanged), even, aspect kept. */
export function fitLongestSide(width: number, height: number, size: number): { width: number; height: number } {
  const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);
  const longest = Math.max(width, height);
  if (size <= 0 || longest <= size) return { width: even(width), height: even(height) };
  const k = size / longest;
  return { width: even(width * k), height: even(height * k) };
}
