/**
 * Display scaling of raw tracks to 0..1 for drawing under the timeline.
 *
 * Percentile-based so one outlier does not squash the rest, and with a minimum span per track
 * in the track's own units: a range narrower than that is noise or a steady state, and is shown
 * as a flat, low line instead of being stretched into fake events.
 *
 * - Event tracks (blood, haze, outOfBody, sceneChange) are about departures upwards from the
 *   recording's usual state: the baseline is the median (for sceneChange, the median of the
 *   non-zero keyframe-to-keyframe changes, i.e. ordinary camera movement), the first
 *   two robust standard deviations (1.4826 * MAD) above it count as noise, and the 99.5th
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
    const baseline = population.length > 0 ? sortedQuantile(population, 0.5) : 0;
    const noise = MAD_TO_SIGMA * mad(population, baseline);
    lo = baseline + NOISE_SIGMAS * noise;
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
