/**
 * A small grey thumbnail (about 32 cells across, whatever the decode size) and the motion
 * difference between two of them.
 *
 * Each cell is the mean luma of its in-view pixels without specular highlights: highlights jump
 * with the slightest movement of wet tissue and would read as motion; averaging ~16 pixels per
 * cell also brings sensor and compression noise down about fourfold. A fixed grid makes the
 * difference independent of the resolution the frames were decoded at.
 */

import type { FrameScan } from './scan.js';

/** Marks a cell with too few usable pixels (outside the view, or all highlight). */
export const NO_CELL = -1;
/** A cell needs at least this share of usable pixels to be trusted. */
const CELL_MIN_VIEW = 0.25;
/** Fewer common cells than this and two thumbnails cannot be compared. */
const MIN_COMMON_CELLS = 8;
/** Global gain between frames is clamped: beyond this it is a cut, not auto-exposure. */
const GAIN_MIN = 0.5;
const GAIN_MAX = 2;
/** Brightness floor of the normalisation, so near-black frames do not blow the ratio up. */
const MEAN_FLOOR = 0.05;

export function thumbnail(scan: FrameScan): Float32Array {
  const cells = scan.gridWidth * scan.gridHeight;
  const out = new Float32Array(cells);
  for (let c = 0; c < cells; c++) {
    const nv = scan.cellView[c]!;
    out[c] = nv > 0 && nv >= CELL_MIN_VIEW * scan.cellTotal[c]! ? scan.cellViewLuma[c]! / nv / 255 : NO_CELL;
  }
  return out;
}

export interface Thumb {
  small: Float32Array;
  smallWidth: number;
  smallHeight: number;
}

/**
 * Mean absolute difference between two thumbnails relative to their brightness, after
 * compensating a global gain (auto-exposure scales the whole picture), over cells usable in
 * both. About 0.01 for the same still scene with noise, several times that when instruments or
 * the camera move. Null when the thumbnails are not comparable (other grid, too few cells).
 */
export function thumbnailDifference(a: Thumb, b: Thumb): number | null {
  if (a.smallWidth !== b.smallWidth || a.smallHeight !== b.smallHeight) return null;
  const sa = a.small;
  const sb = b.small;
  const cells = Math.min(sa.length, sb.length);
  let n = 0;
  let ma = 0;
  let mb = 0;
  for (let c = 0; c < cells; c++) {
    const va = sa[c]!;
    const vb = sb[c]!;
    if (va < 0 || vb < 0) continue;
    ma += va;
    mb += vb;
    n++;
  }
  if (n < MIN_COMMON_CELLS) return null;
  ma /= n;
  mb /= n;
  const gain = ma > 0 ? Math.min(GAIN_MAX, Math.max(GAIN_MIN, mb / ma)) : 1;
  let diff = 0;
  for (let c = 0; c < cells; c++) {
    const va = sa[c]!;
    const vb = sb[c]!;
    if (va < 0 || vb < 0) continue;
    diff += Math.abs(va * gain - vb);
  }
  return diff / n / Math.max(MEAN_FLOOR, mb);
}
