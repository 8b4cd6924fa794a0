/*
 * Per-track summaries of the per-second index tracks: the few numbers a backend reasons over
 * (how much, where is the peak, which windows stand out) instead of hundreds of samples. Shared by
 * the media worker (which answers crop_video with them) and the scout backend.
 */

import type { TrackName } from '../../contract/schemas.js';

export interface TrackWindow {
  /** Case seconds; a window covers whole seconds, cut to the summarised range. */
  start: number;
  end: number;
  peak: number;
}

export interface TrackSummary {
  /** Mean of the seconds with data; null when none has data. */
  mean: number | null;
  max: number | null;
  /** Start of the second holding the maximum (the first one, on ties). */
  maxAt: number | null;
  threshold: number;
  /** Runs of seconds at or above the threshold, in time order. */
  windows: TrackWindow[];
  /** Fraction of the range's seconds that have data (an index may still be running). */
  coverage: number;
}

export type TrackSummaries = Partial<Record<TrackName, TrackSummary>>;

export interface SummaryOptions {
  /** Case seconds; default the whole track. */
  from?: number;
  to?: number;
  /** Default 0.5: display values put a recording's typical level well below that. */
  threshold?: number;
  /** Windows shorter than this many seconds are left out (a one-second blip is usually noise). */
  minSeconds?: number;
}

export const DEFAULT_THRESHOLD = 0.5;

/** A value is data when it is finite and not negative (-1 marks a second not indexed yet). */
function hasData(v: number): boolean {
  return Number.isFinite(v) && v >= 0;
}

/** Summarises one track of one value per second (index i covers [i, i+1)). */
export function summarizeTrack(values: ArrayLike<number>, opts: SummaryOptions = {}): TrackSummary {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const minSeconds = Math.max(1, opts.minSeconds ?? 1);
  const from = Math.max(0, opts.from ?? 0);
  const to = Math.min(values.length, opts.to ?? values.length);
  const first = Math.floor(from);
  const last = Math.ceil(to); // exclusive
  let sum = 0;
  let count = 0;
  let max: number | null = null;
  let maxAt: number | null = null;
  const windows: TrackWindow[] = [];
  let open: { first: number; peak: number } | null = null;
  const close = (endSecond: number) => {
    if (open && endSecond - open.first >= minSeconds) {
      windows.push({ start: Math.max(from, open.first), end: Math.min(to, endSecond), peak: open.peak });
    }
    open = null;
  };
  for (let i = first; i < last; i++) {
    const v = values[i]!;
    if (!hasData(v)) {
      // Unknown seconds end a window: the summary claims only what was measured.
      close(i);
      continue;
    }
    sum += v;
    count++;
    if (max === null || v > max) {
      max = v;
      maxAt = i;
    }
    if (v >= threshold) {
      if (open) open.peak = Math.max(open.peak, v);
      else open = { first: i, peak: v };
    } else close(i);
  }
  close(last);
  const span = last - first;
  return {
    mean: count > 0 ? sum / count : null,
    max,
    maxAt,
    threshold,
    windows,
    coverage: span > 0 ? count / span : 0,
  };
}

/** Summarises every track given, over the same range; thresholds may differ per track. */
export function summarizeTracks(
  tracks: Partial<Record<TrackName, ArrayLike<number>>>,
  opts: SummaryOptions & { thresholds?: Partial<Record<TrackName, number>> } = {},
): TrackSummaries {
  const out: TrackSummaries = {};
  for (const [name, values] of Object.entries(tracks) as [TrackName, ArrayLike<number> | undefined][]) {
    if (!values) continue;
    out[name] = summarizeTrack(values, { ...opts, threshold: opts.thresholds?.[name] ?? opts.threshold });
  }
  return out;
}
