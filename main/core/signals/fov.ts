/**
 * Field of view: which pixels of the recording show the scene.
 *
 * Endoscope optics draw a circular (often top/bottom-clipped) black frame around the picture;
 * recorders add letterbox or pillarbox bars and burn status text into the corners. Statistics
 * taken over the whole frame are diluted by that black and polluted by the text, so the features
 * are measured inside this mask.
 *
 * The border is the part of the frame that is dark in (almost) every frame whatever the camera
 * looks at, so the mask comes from a sample of frames spread over the recording rather than from
 * one frame: a pixel is in view when it is lit in a good share of the usable frames. That vote
 * is robust to frames taken outside the patient (a few frames lighting up more than the view do
 * not outvote the rest), to black frames (skipped) and to dark corners of the cavity in a single
 * frame (lit in other frames as the camera moves). Burned-in text is static while the view keeps
 * changing, so pixels that never change are dropped when the rest of the view does change; the
 * largest connected region is kept (stray text blocks in the border go) and its holes filled
 * (a dark instrument shaft or a hole left by removed text is still the view).
 */

import { luma } from './pixel.js';
import { histogramQuantile } from './stats.js';
import type { RgbFrame } from './types.js';

/** Frames whose brightest 5 % is this dark are black or covered: they cannot show the border. */
const DARK_FRAME_P95 = 30;
/** Black borders after ffmpeg's RGB conversion sit near 0, or near 16 when the range is misread. */
const BLACK_LEVEL_CAP = 24;
/** How far above the frame's black level a pixel must be to count as lit. */
const LIT_MARGIN = 10;
/** Share of usable frames in which a pixel must be lit to belong to the view. */
const LIT_SHARE = 0.3;
/** Below this share of the frame the estimate is not trusted and the whole frame is used. */
const MIN_VIEW_SHARE = 0.08;
/** Above this share of the frame there is no real border. */
const MAX_VIEW_SHARE = 0.97;
/** Static-overlay test: needs this many usable frames to judge "never changes". */
const STATIC_MIN_FRAMES = 6;
/** Luma standard deviation under which a lit pixel is static... */
const STATIC_STD = 3;
/** ...provided the view's typical pixel varies at least this much. */
const VIEW_MIN_STD = 10;

/** A mask that covers every pixel. */
export function wholeFrameMask(width: number, height: number): Uint8Array {
  return new Uint8Array(width * height).fill(1);
}

/**
 * Estimates the view mask (1 = inside the view) from a sample of frames of one recording, all
 * of the first frame's size (others are ignored). Returns an empty array when there are no
 * frames, which `frameFeatures` reads as "whole frame"; returns a whole-frame mask when no
 * border is found or the frames are unusable (all dark).
 */
export function estimateFieldOfView(frames: readonly RgbFrame[]): Uint8Array {
  const first = frames[0];
  if (!first) return new Uint8Array(0);
  const w = first.width;
  const h = first.height;
  const n = w * h;
  if (n === 0) return new Uint8Array(0);

  const litCount = new Uint16Array(n);
  const sum = new Float64Array(n);
  const sumSq = new Float64Array(n);
  const lum = new Uint8Array(n);
  const hist = new Int32Array(256);
  let used = 0;

  for (const frame of frames) {
    if (frame.width !== w || frame.height !== h || frame.data.length < n * 3) continue;
    const d = frame.data;
    hist.fill(0);
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const y = luma(d[j]!, d[j + 1]!, d[j + 2]!);
      lum[i] = y;
      hist[y]!++;
    }
    if (histogramQuantile(hist, n, 0.95) < DARK_FRAME_P95) continue;
    // The frame's black level: the border if there is one, else the darkest tissue, which is
    // then capped so a borderless frame keeps nearly all its pixels.
    const black = Math.min(histogramQuantile(hist, n, 0.01), BLACK_LEVEL_CAP);
    const thr = black + LIT_MARGIN;
    for (let i = 0; i < n; i++) {
      const y = lum[i]!;
      if (y > thr) litCount[i]!++;
      sum[i]! += y;
      sumSq[i]! += y * y;
    }
    used++;
    if (used === 65535) break;
  }
  if (used === 0) return wholeFrameMask(w, h);

  const need = Math.max(1, Math.ceil(LIT_SHARE * used));
  const lit = new Uint8Array(n);
  let litTotal = 0;
  for (let i = 0; i < n; i++) {
    if (litCount[i]! >= need) {
      lit[i] = 1;
      litTotal++;
    }
  }
  if (litTotal === 0) return wholeFrameMask(w, h);

  if (used >= STATIC_MIN_FRAMES) removeStaticPixels(lit, sum, sumSq, used);

  const mask = largestComponent(lit, w, h);
  fillHoles(mask, w, h);
  erode(mask, w, h);

  let count = 0;
  for (let i = 0; i < n; i++) count += mask[i]!;
  // Too small to trust, or so close to the whole frame that what is left out is dark corners
  // of a borderless picture rather than a border.
  if (count < MIN_VIEW_SHARE * n || count > MAX_VIEW_SHARE * n) return wholeFrameMask(w, h);
  return mask;
}


function removeStaticPixels(lit: Uint8Array, sum: Float64Array, sumSq: Float64Array, frames: number): void {
  const n = lit.length;
  const std = new Float32Array(n);
  const litStd: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = sum[i]! / frames;
    const v = Math.max(0, sumSq[i]! / frames - m * m);
    std[i] = Math.sqrt(v);
    if (lit[i]) litStd.push(std[i]!);
  }
  litStd.sort((a, b) => a - b);
  const typical = litStd[litStd.length >> 1] ?? 0;
  if (typical < VIEW_MIN_STD) return; // the whole recording barely changes: no basis to judge
  for (let i = 0; i < n; i++) if (lit[i] && std[i]! < STATIC_STD) lit[i] = 0;
}

/** Largest 4-connected region of set pixels. */
function largestComponent(src: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const label = new Int32Array(n);
  const queue = new Int32Array(n);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (!src[s] || label[s]) continue;
    next++;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    label[s] = next;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % w;
      if (x > 0 && src[p - 1] && !label[p - 1]) {
        label[p - 1] = next;
        queue[tail++] = p - 1;
      }
      if (x < w - 1 && src[p + 1] && !label[p + 1]) {
        label[p + 1] = next;
        queue[tail++] = p + 1;
      }
      if (p >= w && src[p - w] && !label[p - w]) {
        label[p - w] = next;
        queue[tail++] = p - w;
      }
      if (p + w < n && src[p + w] && !label[p + w]) {
        label[p + w] = next;
        queue[tail++] = p + w;
      }
    }
    if (tail > bestSize) {
      bestSize = tail;
      best = next;
    }
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (label[i] === best) out[i] = 1;
  return out;
}

/** Sets every unset pixel that is not 4-connected to the frame's edge through unset pixels. */
function fillHoles(mask: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const outside = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  const seed = (p: number): void => {
    if (!mask[p] && !outside[p]) {
      outside[p] = 1;
      queue[tail++] = p;
    }
  };
  for (let x = 0; x < w; x++) {
    seed(x);
    seed((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    seed(y * w);
    seed(y * w + w - 1);
  }
  let head = 0;
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % w;
    if (x > 0) seed(p - 1);
    if (x < w - 1) seed(p + 1);
    if (p >= w) seed(p - w);
    if (p + w < n) seed(p + w);
  }
  for (let i = 0; i < n; i++) if (!outside[i]) mask[i] = 1;
}

/**
 * One-pixel erosion against unset neighbours only (the frame's edge does not erode): the rim of
 * the optical circle is soft, vignetted and carries compression ringing and colour bleed.
 */
function erode(mask: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const src = mask.slice();
  for (let p = 0; p < n; p++) {
    if (!src[p]) continue;
    const x = p % w;
    if ((x > 0 && !src[p - 1]) || (x < w - 1 && !src[p + 1]) || (p >= w && !src[p - w]) || (p + w < n && !src[p + w])) {
      mask[p] = 0;
    }
  }
}
