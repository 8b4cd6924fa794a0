/**
 * Colour histogram for scene-change distance.
 *
 * Layout (HISTOGRAM_BINS numbers):
 * - bins 0..63: chromaticity r/(r+g+b) x g/(r+g+b), 8 x 8, of lit, non-highlight pixels (in the
 *   view, plus whatever lights up outside it, so a vanishing border counts as a change);
 * - bin 64: dark pixels in the view (the picture going black is a change too);
 *   bins 0..64 sum to 1 (or are all 0 when nothing was counted);
 * - bins 65..72: luma in 8 steps over the whole frame without highlights, summing to 1.
 *
 * Chromaticity ignores intensity, so auto-exposure, which scales all channels, leaves the chroma
 * part unchanged; only the lightly weighted luma part sees it. Cuts that matter here (into or
 * out of the body, switching source, blackouts) change the colour distribution itself.
 */

import { RECIPROCAL } from './pixel.js';

export const CHROMA_STEPS = 8;
export const DARK_BIN = CHROMA_STEPS * CHROMA_STEPS;
export const LUMA_OFFSET = DARK_BIN + 1;
export const LUMA_STEPS = 8;
export const HISTOGRAM_BINS = LUMA_OFFSET + LUMA_STEPS;

/** Weight of the chroma part in the distance; the luma part gets the rest. */
const CHROMA_WEIGHT = 0.75;

/** Chromaticity bin of a pixel whose r + g + b > 0. */
export function chromaBin(r: number, g: number, b: number): number {
  const k = CHROMA_STEPS * RECIPROCAL[r + g + b]!;
  let rc = (r * k) | 0;
  let gc = (g * k) | 0;
  if (rc >= CHROMA_STEPS) rc = CHROMA_STEPS - 1;
  if (gc >= CHROMA_STEPS) gc = CHROMA_STEPS - 1;
  return rc * CHROMA_STEPS + gc;
}

/** Luma bin index in the histogram for luma 0..255. */
export function lumaBin(y: number): number {
  return LUMA_OFFSET + (y >> 5);
}

/** Normalises both parts of a histogram of counts into a new Float32Array. */
export function normaliseHistogram(counts: Int32Array): Float32Array {
  const h = new Float32Array(HISTOGRAM_BINS);
  for (let i = 0; i < HISTOGRAM_BINS; i++) h[i] = counts[i]!;
  let c = 0;
  for (let i = 0; i < LUMA_OFFSET; i++) c += h[i]!;
  if (c > 0) for (let i = 0; i < LUMA_OFFSET; i++) h[i] = h[i]! / c;
  let l = 0;
  for (let i = LUMA_OFFSET; i < HISTOGRAM_BINS; i++) l += h[i]!;
  if (l > 0) for (let i = LUMA_OFFSET; i < HISTOGRAM_BINS; i++) h[i] = h[i]! / l;
  return h;
}

/**
 * Distance between two normalised histograms, 0 (same) .. 1 (disjoint): weighted total-variation
 * distance of the two parts. Histograms of another length give NaN.
 */
export function histogramDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== HISTOGRAM_BINS || b.length !== HISTOGRAM_BINS) return Number.NaN;
  let dc = 0;
  for (let i = 0; i < LUMA_OFFSET; i++) dc += Math.abs(a[i]! - b[i]!);
  let dl = 0;
  for (let i = LUMA_OFFSET; i < HISTOGRAM_BINS; i++) dl += Math.abs(a[i]! - b[i]!);
  return Math.min(1, CHROMA_WEIGHT * 0.5 * dc + (1 - CHROMA_WEIGHT) * 0.5 * dl);
}
