/**
 * Which real frames the agent's tools show: requested case times spread over a window, snapped
 * to the frames actually on screen there (by the parts' stored timestamps, so variable frame
 * rate and part boundaries are handled by the data, not by an assumed fps), and grouped so the
 * media worker decodes little.
 */

import { frameIndexAt, type CaseTimeline } from '../case-time.js';

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
  /**
   * Where to seek so that an accurate seek lands on exactly this frame: between it and its
   * predecessor, away from both timestamps' rounding.
   */
  seek: number;
  /** The frame's case time. */
  caseTime: number;
}

/**
 * The frame on screen at each case time (clamped into the case), in time order, without
 * duplicates: a window shorter than the frames asked for yields fewer, distinct frames.
 * `frameTimes[i]` are part i's frame timestamps, ascending; parts without frames are skipped.
 */
export function snapToFrames(timeline: CaseTimeline, frameTimes: readonly ArrayLike<number>[], caseTimes: readonly number[]): PlannedFrame[] {
  const out: PlannedFrame[] = [];
  const seen = new Set<string>();
  for (const t of caseTimes) {
    const pos = timeline.locate(t);
    const times = frameTimes[pos.index];
    if (!times || times.length === 0) continue;
    const index = frameIndexAt(times, pos.offset);
    const key = `${pos.index}/${index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const time = times[index]!;
    out.push({
      partIndex: pos.index,
      partId: pos.partId,
      index,
      time,
      seek: index === 0 ? 0 : (times[index - 1]! + time) / 2,
      caseTime: timeline.starts[pos.index]! + time,
    });
  }
  return out.sort((a, b) => a.caseTime - b.caseTime);
}

/**
 * Splits frames of one part (ascending) into runs that one decoder pass serves best: frames
 * closer than `denseGap` seconds share a pass (decoding the frames between costs less than a new
 * seek and process), the rest get an accurate seek each.
 */
export function groupDense<T extends { time: number }>(frames: readonly T[], denseGap: number): T[][] {
  const groups: T[][] = [];
  for (const f of frames) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    if (last && prev && f.time - prev.time <= denseGap) last.push(f);
    else groups.push([f]);
  }
  return groups;
}

/** Output size with the longest side at most `size` (0: unchanged), even, aspect kept. */
export function fitLongestSide(width: number, height: number, size: number): { width: number; height: number } {
  const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);
  const longest = Math.max(width, height);
  if (size <= 0 || longest <= size) return { width: even(width), height: even(height) };
  const k = size / longest;
  return { width: even(width * k), height: even(height * k) };
}
