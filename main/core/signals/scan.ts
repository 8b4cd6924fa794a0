/**
 * One pass over a frame that classifies every pixel once and gathers what the individual
 * features need (counts, small histograms, per-cell sums on the thumbnail grid). The per-pixel
 * and per-cell buffers are module-level and reused, so scanning a frame allocates nothing per
 * pixel, only a few small histograms per frame. The returned object is only valid until the
 * next scan.
 *
 * Two resolutions, for speed:
 * - every pixel: the valid-pixel plane (blood needs it at full resolution to see small pools),
 *   the in-view brightness and the thumbnail cell sums (motion needs their low noise);
 * - a checkerboard half of the pixels ("sampled"): colour statistics (hue classes, saturation,
 *   tissue references, the colour histogram, the dark channel). These are shares and
 *   quantiles over thousands of pixels, which half of them give to well within their noise;
 *   the hue and histogram work is most of the cost of a pixel.
 *
 * Pixel x of a row belongs to grid column floor(x * gridWidth / width), rows likewise.
 */

import { chromaBin, DARK_BIN, HISTOGRAM_BINS, lumaBin } from './histogram.js';
import { DARK_LUMA, HUE_COOL, HUE_WARM, hueClass, isDeepRed, isHighlight, luma, RECIPROCAL } from './pixel.js';
import { ensureLength } from './stats.js';
import type { RgbFrame } from './types.js';

/** Thumbnail / cell grid width: about 32 cells across whatever the decode size. */
export const GRID_WIDTH = 32;
/** Bins of the saturation and green/red histograms. */
export const RATIO_BINS = 64;

/** Saturation from which a warm pixel counts as tissue-coloured (pale tissue is ~0.25). */
export const TISSUE_MIN_SAT = 0.18;
/** Saturation from which a hue is trusted for the in-body / out-of-body colour counts. */
export const WARM_MIN_SAT = 0.08;
export const COOL_MIN_SAT = 0.12;

export interface FrameScan {
  width: number;
  height: number;
  /** Grid size (cells) for the thumbnail and local statistics. */
  gridWidth: number;
  gridHeight: number;
  /** 1 where the pixel is in the view, not a highlight and not dark. */
  valid: Uint8Array;
  /** Indices of the valid deep-red pixels (pixel.ts isDeepRed), the only blood candidates. */
  deepRed: Int32Array;
  deepRedCount: number;
  /** Per cell: pixels of the cell. */
  cellTotal: Int32Array;
  /** Per cell: in-view non-highlight pixels and their luma sum (thumbnail). */
  cellView: Int32Array;
  cellViewLuma: Float64Array;
  /** Per cell: valid pixels. */
  cellValid: Int32Array;
  /** Per cell, sampled valid pixels: luma sum and sum of min(r, g, b) (the dark channel). */
  cellValidLuma: Float64Array;
  cellValidMin: Float64Array;
  /** In-view non-highlight pixels (dark included) and their luma sum. */
  viewCount: number;
  viewLumaSum: number;
  /** In-view valid pixels (full resolution). */
  validIn: number;
  /** Colour counts over the sampled pixels. */
  colour: ColourCounts;
  /** Sampled valid in-view pixels: saturation histogram. */
  satHist: Int32Array;
  /** Sampled tissue-coloured pixels: green/red ratio, luma and red histograms (the frame's tissue). */
  tissueGrHist: Int32Array;
  tissueLumaHist: Int32Array;
  tissueRedHist: Int32Array;
  /** Colour histogram counts over the sampled pixels (see histogram.ts). */
  histogram: Int32Array;
}

export interface ColourCounts {
  /** Valid in-view pixels and how many of them are tissue-, warm- and cool-coloured. */
  valid: number;
  tissue: number;
  warm: number;
  cool: number;
  /** Outside the view (0 when the mask is the whole frame): pixels, lit ones, warm and cool ones. */
  out: number;
  litOut: number;
  warmOut: number;
  coolOut: number;
}

let validBuf = new Uint8Array(0);
let deepRedBuf = new Int32Array(0);
let cellI32 = new Int32Array(0);
let cellF64 = new Float64Array(0);

export function gridSize(width: number, height: number): { gridWidth: number; gridHeight: number } {
  const gridWidth = Math.max(1, Math.min(GRID_WIDTH, width));
  const gridHeight = Math.max(1, Math.min(height, Math.round((height * gridWidth) / width)));
  return { gridWidth, gridHeight };
}

/** First pixel of each of `cells` equal spans over `size` pixels, plus the end. */
function spans(size: number, cells: number): Int32Array {
  const out = new Int32Array(cells + 1);
  for (let k = 0; k <= cells; k++) out[k] = Math.ceil((k * size) / cells);
  return out;
}

export function scanFrame(frame: RgbFrame, mask: Uint8Array): FrameScan {
  const { width: w, height: h, data } = frame;
  const n = w * h;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) throw new RangeError(`bad frame size ${w}x${h}`);
  if (data.length < n * 3) throw new RangeError(`frame data holds ${data.length} bytes, ${w}x${h} RGB24 needs ${n * 3}`);
  const whole = mask.length === 0;
  if (!whole && mask.length !== n) throw new RangeError(`mask has ${mask.length} pixels, the frame ${n}`);

  const { gridWidth: gw, gridHeight: gh } = gridSize(w, h);
  const cells = gw * gh;
  validBuf = ensureLength(validBuf, n, (k) => new Uint8Array(k));
  cellI32 = ensureLength(cellI32, cells * 3, (k) => new Int32Array(k));
  cellF64 = ensureLength(cellF64, cells * 3, (k) => new Float64Array(k));
  const valid = validBuf.subarray(0, n);
  deepRedBuf = ensureLength(deepRedBuf, n, (k) => new Int32Array(k));
  const deepRed = deepRedBuf;
  let deepRedCount = 0;
  const colStart = spans(w, gw);
  const rowStart = spans(h, gh);
  const cellTotal = cellI32.subarray(0, cells);
  const cellView = cellI32.subarray(cells, 2 * cells).fill(0);
  const cellValid = cellI32.subarray(2 * cells, 3 * cells).fill(0);
  const cellViewLuma = cellF64.subarray(0, cells).fill(0);
  const cellValidLuma = cellF64.subarray(cells, 2 * cells).fill(0);
  const cellValidMin = cellF64.subarray(2 * cells, 3 * cells).fill(0);
  for (let cy = 0; cy < gh; cy++) {
    for (let cx = 0; cx < gw; cx++) {
      cellTotal[cy * gw + cx] = (colStart[cx + 1]! - colStart[cx]!) * (rowStart[cy + 1]! - rowStart[cy]!);
    }
  }

  const satHist = new Int32Array(RATIO_BINS);
  const grHist = new Int32Array(RATIO_BINS);
  const tLumaHist = new Int32Array(256);
  const tRedHist = new Int32Array(256);
  const hist = new Int32Array(HISTOGRAM_BINS);

  let viewCount = 0;
  let viewLumaSum = 0;
  let validIn = 0;
  let sValid = 0;
  let tissue = 0;
  let warm = 0;
  let cool = 0;
  let out = 0;
  let litOut = 0;
  let warmOut = 0;
  let coolOut = 0;
  const satScale = RATIO_BINS - 0.001;

  // Row by row, and within a row cell by cell, so the per-cell sums live in locals and reach
  // memory once per cell row instead of once per pixel.
  for (let cy = 0; cy < gh; cy++) {
    const y1 = rowStart[cy + 1]!;
    for (let y = rowStart[cy]!; y < y1; y++) {
      for (let cx = 0; cx < gw; cx++) {
        const x0 = colStart[cx]!;
        const x1 = colStart[cx + 1]!;
        let vN = 0;
        let vLuma = 0;
        let okN = 0;
        let okLuma = 0;
        let okMin = 0;
        for (let x = x0, i = y * w + x0; x < x1; x++, i++) {
          const j = i * 3;
          const r = data[j]!;
          const g = data[j + 1]!;
          const b = data[j + 2]!;
          const mx = Math.max(r, g, b);
          const mn = Math.min(r, g, b);
          const yv = luma(r, g, b);
          const hl = isHighlight(mx, mn);
          const sampled = ((x + y) & 1) === 0;
          valid[i] = 0;
          if (!whole && mask[i] === 0) {
            if (!sampled) continue;
            out++;
            if (hl) continue;
            hist[lumaBin(yv)]!++;
            if (yv < DARK_LUMA) continue;
            litOut++;
            hist[chromaBin(r, g, b)]!++;
            const sat = (mx - mn) * RECIPROCAL[mx]!;
            if (sat >= WARM_MIN_SAT) {
              const hue = hueClass(r, g, b, mx, mn);
              if (hue === HUE_WARM) warmOut++;
              else if (hue === HUE_COOL && sat >= COOL_MIN_SAT) coolOut++;
            }
            continue;
          }
          if (hl) continue;
          vN++;
          vLuma += yv;
          if (yv < DARK_LUMA) {
            if (sampled) {
              hist[lumaBin(yv)]!++;
              hist[DARK_BIN]!++;
            }
            continue;
          }
          valid[i] = 1;
          okN++;
          if (isDeepRed(r, g, b)) deepRed[deepRedCount++] = i;
          if (!sampled) continue;
          sValid++;
          okLuma += yv;
          okMin += mn;
          hist[lumaBin(yv)]!++;
          hist[chromaBin(r, g, b)]!++;
          const sat = (mx - mn) * RECIPROCAL[mx]!;
          satHist[(sat * satScale) | 0]!++;
          if (sat < WARM_MIN_SAT) continue;
          const hue = hueClass(r, g, b, mx, mn);
          if (hue === HUE_WARM) {
            warm++;
            if (sat >= TISSUE_MIN_SAT) {
              tissue++;
              if (mx === r) grHist[(g * RECIPROCAL[r]! * satScale) | 0]!++;
              tLumaHist[yv]!++;
              tRedHist[r]!++;
            }
          } else if (hue === HUE_COOL && sat >= COOL_MIN_SAT) {
            cool++;
          }
        }
        const c = cy * gw + cx;
        cellView[c]! += vN;
        cellViewLuma[c]! += vLuma;
        cellValid[c]! += okN;
        cellValidLuma[c]! += okLuma;
        cellValidMin[c]! += okMin;
        viewCount += vN;
        viewLumaSum += vLuma;
        validIn += okN;
      }
    }
  }

  return {
    width: w,
    height: h,
    gridWidth: gw,
    gridHeight: gh,
    valid,
    deepRed,
    deepRedCount,
    cellTotal,
    cellView,
    cellViewLuma,
    cellValid,
    cellValidLuma,
    cellValidMin,
    viewCount,
    viewLumaSum,
    validIn,
    colour: { valid: sValid, tissue, warm, cool, out, litOut, warmOut, coolOut },
    satHist,
    tissueGrHist: grHist,
    tissueLumaHist: tLumaHist,
    tissueRedHist: tRedHist,
    histogram: hist,
  };
}
