/**
 * Haze: surgical smoke, plume and lens fogging.
 *
 * Smoke and fog lay a bright, nearly colourless veil over the scene: I = J * t + A * (1 - t),
 * with A the grey-white airlight. That does three measurable things everywhere in the view:
 * - it lifts the darkest channel (the dark channel prior used for dehazing): min(r, g, b)
 *   relative to brightness, over a patch, rises towards 1;
 * - it desaturates colours;
 * - it flattens contrast (differences shrink by t while the mean rises).
 * All three are ratios, so a pure exposure change (all channels scaled) leaves them alone; an
 * additive veil does not.
 *
 * Noise: the dark channel is the patch *mean* of min(r, g, b) over the patch mean luma, not the
 * patch minimum as in dehazing, because a minimum picks noise outliers and would then fall with
 * exposure (sensor noise does not scale with the picture); contrast is measured between
 * neighbouring cells of the ~32-wide grid (means of ~16 pixels) rather than between pixels, for
 * the same reason. Coarse structure (folds, shading, instruments against tissue) is what smoke
 * hides first anyway.
 *
 * Grey instruments are locally just as colourless as smoke, and they are in view nearly all the
 * time. Smoke covers the whole view, instruments a part of it, so each cue is taken at a robust
 * level that instruments covering less than a third or so of the view do not reach: the median
 * cell for the dark channel and contrast, the 65th percentile pixel for saturation ("how
 * colourful is the more colourful part of the view"). Highlights and dark pixels are excluded
 * (scan.valid).
 */

import { RATIO_BINS, type FrameScan } from './scan.js';
import { clamp01, ensureLength, histogramQuantile, quantileOf } from './stats.js';

/** Dark-channel ratio of clear tissue is about 0.4-0.7 (its blue channel), dense smoke ~0.95. */
const DC_CLEAR = 0.35;
const DC_SPAN = 0.6;
/** Saturation of the colourful part of clear tissue is ~0.45-0.7. */
const SAT_CLEAR = 0.6;
/** Median relative difference between neighbouring cells in clear, textured tissue. */
const CONTRAST_CLEAR = 0.12;
const W_DC = 0.4;
const W_SAT = 0.4;
const W_CONTRAST = 0.2;
/** A cell is used when at least half its pixels are valid. */
const CELL_MIN_VALID = 0.5;

let means = new Float64Array(0);
let values = new Float64Array(0);
let scratch = new Float64Array(0);

export interface HazeCues {
  /** Median over cells of mean min(r,g,b) / mean luma. */
  darkChannel: number;
  /** 65th-percentile saturation. */
  saturation: number;
  /** Median over cells of the mean relative luma difference to the right and lower cells. */
  contrast: number;
}

export function hazeCues(scan: FrameScan): HazeCues | null {
  const { gridWidth: gw, gridHeight: gh } = scan;
  const cells = gw * gh;
  if (scan.colour.valid === 0) return null;
  means = ensureLength(means, cells, (k) => new Float64Array(k));
  values = ensureLength(values, cells, (k) => new Float64Array(k));
  scratch = ensureLength(scratch, cells, (k) => new Float64Array(k));

  let nDc = 0;
  for (let c = 0; c < cells; c++) {
    const nv = scan.cellValid[c]!;
    if (nv === 0 || nv < CELL_MIN_VALID * scan.cellTotal[c]!) {
      means[c] = -1;
      continue;
    }
    // Contrast uses the full-resolution thumbnail means; the dark channel the sampled sums.
    means[c] = scan.cellViewLuma[c]! / scan.cellView[c]!;
    const lum = scan.cellValidLuma[c]!;
    if (lum > 0) values[nDc++] = Math.min(1.5, scan.cellValidMin[c]! / lum);
  }
  if (nDc === 0) return null;
  const darkChannel = quantileOf(values, nDc, 0.5, scratch);

  let nCt = 0;
  for (let cy = 0; cy < gh; cy++) {
    for (let cx = 0; cx < gw; cx++) {
      const c = cy * gw + cx;
      const m = means[c]!;
      if (m <= 0) continue;
      let sum = 0;
      let k = 0;
      if (cx < gw - 1) {
        const r = means[c + 1]!;
        if (r > 0) {
          sum += Math.abs(m - r) / (m + r);
          k++;
        }
      }
      if (cy < gh - 1) {
        const d = means[c + gw]!;
        if (d > 0) {
          sum += Math.abs(m - d) / (m + d);
          k++;
        }
      }
      if (k > 0) values[nCt++] = (2 * sum) / k;
    }
  }
  const contrast = nCt > 0 ? quantileOf(values, nCt, 0.5, scratch) : 0;

  const satBin = histogramQuantile(scan.satHist, scan.colour.valid, 0.65);
  const saturation = (satBin + 0.5) / RATIO_BINS;
  return { darkChannel, saturation, contrast };
}

/** Combines the cues into 0..1 (clear tissue low, a dense veil near 1). */
export function hazeScore(cues: HazeCues | null): number {
  if (!cues) return 0;
  const dc = clamp01((cues.darkChannel - DC_CLEAR) / DC_SPAN);
  const desat = clamp01(1 - cues.saturation / SAT_CLEAR);
  const flat = clamp01(1 - cues.contrast / CONTRAST_CLEAR);
  return W_DC * dc + W_SAT * desat + W_CONTRAST * flat;
}
