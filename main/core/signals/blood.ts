/**
 * Blood: the share of the usable view that looks like fresh or pooled blood.
 *
 * Inside the body everything is red, so "red pixels" measures the patient, not bleeding. What
 * sets blood apart from the tissue around it in the same frame:
 * - chroma: haemoglobin absorbs green (and blue) strongly, so blood's green/red ratio is far
 *   below that of perfused tissue (roughly 0.05-0.25 against 0.35-0.7);
 * - darkness: with little green, blood's luma is well below the surrounding tissue's even under
 *   the same light;
 * - extent: a pool or a spreading bleed is a blob, while vessels and small shadows are thin.
 *
 * Thresholds are relative to the frame's own tissue (upper quartile of the green/red ratio, luma
 * and red of tissue-coloured pixels: the upper quartile stays on tissue even when blood covers
 * half the view), so a redder patient, a different light or auto-exposure move the reference
 * with them instead of reading as bleeding. Ratios are exposure-invariant; only the luma and
 * red references scale with exposure, and they are measured in the same frame. Very dark pixels
 * (deep shadow) are left out: their colour is noise. Specular highlights are not counted either
 * way, so a glossy pool is still a pool. Finally a morphological opening keeps blobs and drops
 * thin vessels, edges and isolated noisy pixels.
 */

import { DEEP_RED_BR_MAX, DEEP_RED_GR_MAX, luma } from './pixel.js';
import { RATIO_BINS, type FrameScan } from './scan.js';
import { ensureLength, histogramQuantile } from './stats.js';
import type { RgbFrame } from './types.js';

/** Blood's green/red must be below this share of the tissue's... */
const GR_RELATIVE = 0.55;
/** ...and below this absolute ratio (blood under white light); the scan pre-selects on it. */
const GR_ABSOLUTE = DEEP_RED_GR_MAX;
/** Blood's blue stays low too; rejects purple (venous shadows, dyes). */
const BLUE_OVER_RED = DEEP_RED_BR_MAX;
/** Darker than the bulk of tissue. */
const LUMA_RELATIVE = 0.9;
/** But not so dark that colour is noise. */
const RED_RELATIVE_MIN = 0.2;
const RED_ABSOLUTE_MIN = 20;
/** The tissue reference needs this many (sampled) tissue-coloured pixels. */
const MIN_TISSUE_PIXELS = 40;
/** Clamp of the tissue green/red reference to plausible tissue. */
const REF_GR_MIN = 0.25;
const REF_GR_MAX = 0.9;
/** Opening window radius (5x5). */
const RADIUS = 2;
/** Share of a core pixel's valid window that must be candidates (tolerates a few noisy pixels). */
const CORE_SHARE = 0.85;
/** A core pixel needs this many valid pixels in its window (not a sliver at the view's edge). */
const MIN_CORE_VALID = 12;

let candBuf = new Uint8Array(0);
let coreBuf = new Uint8Array(0);
let listBuf = new Int32Array(0);

export function bloodFraction(frame: RgbFrame, scan: FrameScan): number {
  const tissue = scan.colour.tissue;
  if (scan.validIn === 0 || tissue < MIN_TISSUE_PIXELS) return 0;
  const grBin = histogramQuantile(scan.tissueGrHist, sumOf(scan.tissueGrHist), 0.75);
  if (grBin < 0) return 0;
  const refGr = Math.min(REF_GR_MAX, Math.max(REF_GR_MIN, (grBin + 0.5) / RATIO_BINS));
  const refLuma = histogramQuantile(scan.tissueLumaHist, tissue, 0.75);
  const refRed = histogramQuantile(scan.tissueRedHist, tissue, 0.75);

  const grMax = Math.min(GR_ABSOLUTE, GR_RELATIVE * refGr);
  const lumaMax = LUMA_RELATIVE * refLuma;
  const redMin = Math.max(RED_ABSOLUTE_MIN, RED_RELATIVE_MIN * refRed);

  const { width: w, height: h } = scan;
  const n = w * h;
  const data = frame.data;
  const valid = scan.valid;
  candBuf = ensureLength(candBuf, n, (k) => new Uint8Array(k));
  coreBuf = ensureLength(coreBuf, n, (k) => new Uint8Array(k));
  listBuf = ensureLength(listBuf, n, (k) => new Int32Array(k));
  const cand = candBuf.subarray(0, n);
  const core = coreBuf.subarray(0, n);
  const list = listBuf;
  cand.fill(0);
  let count = 0;
  // Only the deep-red pixels the scan collected can pass (the thresholds here are stricter).
  for (let k = 0; k < scan.deepRedCount; k++) {
    const i = scan.deepRed[k]!;
    const j = i * 3;
    const r = data[j]!;
    const g = data[j + 1]!;
    const b = data[j + 2]!;
    if (r >= redMin && g <= grMax * r && b <= BLUE_OVER_RED * r && luma(r, g, b) <= lumaMax) {
      cand[i] = 1;
      list[count++] = i;
    }
  }
  if (count === 0) return 0;

  // Morphological opening with a 5x5 square, slightly tolerant: a core pixel has (almost) only
  // candidates among the valid pixels of its 5x5 window; a candidate is kept when a core pixel
  // is within two pixels of it. Structures narrower than about four pixels (vessels, where they
  // cross or run side by side, edges, noise) have no core and vanish; blobs keep their full
  // area. Invalid pixels (highlights on a glossy pool, the view's edge) neither help nor hurt.
  // Only candidates are visited, so a frame without blood costs one pass.
  const maxOther = (1 - CORE_SHARE) * (2 * RADIUS + 1) ** 2;
  core.fill(0);
  let cores = 0;
  for (let k = 0; k < count; k++) {
    const i = list[k]!;
    const x = i % w;
    const y = (i - x) / w;
    const x0 = x > RADIUS ? x - RADIUS : 0;
    const x1 = x < w - RADIUS ? x + RADIUS : w - 1;
    const y0 = y > RADIUS ? y - RADIUS : 0;
    const y1 = y < h - RADIUS ? y + RADIUS : h - 1;
    let nc = 0;
    let other = 0;
    for (let yy = y0; yy <= y1 && other <= maxOther; yy++) {
      for (let p = yy * w + x0, e = yy * w + x1; p <= e; p++) {
        if (cand[p]) nc++;
        else if (valid[p]) other++;
      }
    }
    const nv = nc + other;
    if (nv >= MIN_CORE_VALID && nc >= CORE_SHARE * nv) {
      core[i] = 1;
      cores++;
    }
  }
  if (cores === 0) return 0;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const i = list[k]!;
    if (core[i]) {
      kept++;
      continue;
    }
    const x = i % w;
    const y = (i - x) / w;
    const x0 = x > RADIUS ? x - RADIUS : 0;
    const x1 = x < w - RADIUS ? x + RADIUS : w - 1;
    const y0 = y > RADIUS ? y - RADIUS : 0;
    const y1 = y < h - RADIUS ? y + RADIUS : h - 1;
    let near = false;
    for (let yy = y0; !near && yy <= y1; yy++) {
      for (let p = yy * w + x0, e = yy * w + x1; p <= e; p++) {
        if (core[p]) {
          near = true;
          break;
        }
      }
    }
    if (near) kept++;
  }
  return kept / scan.validIn;
}

function sumOf(h: Int32Array): number {
  let s = 0;
  for (let i = 0; i < h.length; i++) s += h[i]!;
  return s;
}
