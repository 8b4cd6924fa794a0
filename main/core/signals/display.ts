/**
 * Display scaling of raw tracks to 0..1 for drawing under the timeline.
 *
 * Percentile-based so one outlier does not squash the rest, and with a minimum span per track
 * in the track's own units: a range narrower than that is noise or a steady state, and is shown
 * as a flat, low line instead of being stretched into fake events.
 *
 * - Event tracks (blood, haze, outOfBody, sceneChange) are about departures upwards from the
 *   recording's usual state: the usual level and its noise come from the lower part of the values
 *   (for sceneChange, of the non-zero keyframe-to-keyframe changes, i.e. ordinary camera
 *   movement), so events filling much of a recording do not raise them; about two standard
 *   deviations above the usual level count as noise (see noiseCeiling), and the 99.5th
 *   percentile, or baseline + minimum span if higher, maps to 1.
 * - Level tracks (motion, brightness) show their whole range: 2nd..98th percentile, widened
 *   to the minimum span. A flat level track sits at 0.
 */

import { clamp01, sortedQuantile } from './stats.js';
import type { TrackKey } from './types.js';

const MIN_SPAN: Record<TrackKey, number> = {
  motion: 0.35,
  brightness: 0.2,
  blood: 0.03,
  haze: 0.15,
  outOfBody: 0.35,
  sceneChange: 0.3,
};

const EVENT_TRACKS: ReadonlySet<TrackKey> = new Set<TrackKey>(['blood', 'haze', 'outOfBody', 'sceneChange']);
const NOISE_SIGMAS = 2;
const MAD_TO_SIGMA = 1.4826;

/** The raw values that map to 0 and 1 on a track's display scale. */
export interface DisplayRange {
  lo: number;
  hi: number;
}

/**
 * The display range of one track, from its raw values (non-finite ones are ignored); null when
 * none is finite. Values measured elsewhere (e.g. on single frames) go through `toDisplay` with
 * the range of the case's track, so they land on the scale the track is drawn on.
 */
export function displayRange(name: TrackKey, values: ArrayLike<number>): DisplayRange | null {
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite[n++] = v;
  }
  if (n === 0) return null;
  const sorted = finite.subarray(0, n).sort();
  const minSpan = MIN_SPAN[name];

  let lo: number;
  let hi: number;
  if (EVENT_TRACKS.has(name)) {
    const population = name === 'sceneChange' ? positives(sorted) : sorted;
    lo = population.length > 0 ? noiseCeiling(population) : 0;
    hi = Math.max(sortedQuantile(sorted, 0.995), lo + minSpan);
  } else {
    lo = sortedQuantile(sorted, 0.02);
    hi = Math.max(sortedQuantile(sorted, 0.98), lo + minSpan);
  }
  return { lo, hi };
}

/** One raw value on a display scale: 0..1, and 0 for a value that is not finite. */
export function toDisplay(value: number, range: DisplayRange): number {
  return Number.isFinite(value) ? clamp01((value - range.lo) / (range.hi - range.lo)) : 0;
}

export function displayScale(name: TrackKey, values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  const range = displayRange(name, values);
  if (!range) return out;
  for (let i = 0; i < values.length; i++) out[i] = toDisplay(values[i]!, range);
  return out;
}

/*
 * Where the usual look's noise ends, read from the lower part of the values only. Events only
 * raise an event track, and in a short recording (or one full of events) they can fill close to
 * half of it: the median and its MAD then sit inside the events and the scale hides them. The
 * 30th percentile stays on the usual look while events fill up to ~40 % of the recording, and its
 * distance to the 5th percentile is 1.12 standard deviations of normal noise; so the ceiling is
 * about the usual level plus two standard deviations, as the median and MAD give on a clean one.
 */
const LOW_Q = 0.3;
const FLOOR_Q = 0.05;
const LOW_SPAN_SIGMAS = 1.12;
const CEILING_SIGMAS = 2.5;

function noiseCeiling(sorted: Float64Array): number {
  const low = sortedQuantile(sorted, LOW_Q);
  const sigma = (low - sortedQuantile(sorted, FLOOR_Q)) / LOW_SPAN_SIGMAS;
  // Never below where the median and its MAD put it on a clean recording with many ties (e.g. no blood at all).
  const median = sortedQuantile(sorted, 0.5);
  const classic = median + NOISE_SIGMAS * MAD_TO_SIGMA * mad(sorted, median);
  return Math.min(classic, low + CEILING_SIGMAS * sigma);
}

function positives(sorted: Float64Array): Float64Array {
  let i = 0;
  while (i < sorted.length && !(sorted[i]! > 0)) i++;
  return sorted.subarray(i);
}

/** Median absolute deviation from `center`. */
function mad(values: Float64Array, center: number): number {
  if (values.length === 0) return 0;
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i]! - center);
  dev.sort();
  return sortedQuantile(dev, 0.5);
}
