/**
 * PaddleOCR (PP-OCRv4) pre- and post-processing around the two ONNX models: DB text detection
 * (a per-pixel text probability map) and CTC text recognition. Pure: frames in, numbers out; the
 * sessions live in the worker (main/worker/ocr).
 */

import type { RgbFrame } from '../signals/types.js';

/** A rectangle in pixels: left, top, width, height. */
export type Box = [x: number, y: number, w: number, h: number];

export interface DetectInput {
  /** NCHW float tensor data, 1 x 3 x height x width. */
  data: Float32Array;
  width: number;
  height: number;
  /** Source pixels per detector pixel. */
  scaleX: number;
  scaleY: number;
}

/*
 * PaddleOCR trains on OpenCV's BGR images normalised with ImageNet's mean and deviation taken in
 * that channel order: fed RGB, the models see slightly wrong colours and lose small text.
 */
const DET_MEAN = [0.485, 0.456, 0.406] as const;
const DET_STD = [0.229, 0.224, 0.225] as const;

/**
 * Long side the detector sees. Tower overlays are small (7-30 px capitals): shrinking a 1080p frame
 * further loses them, and a small frame is enlarged up to this so its text gets enough pixels.
 * 736 reads 360p to 1080p overlays as well as 960 does (checked on generated video) at about
 * 60% of the detector's time.
 */
export const DET_LONG_SIDE = 736;
/** No more than this enlargement: past it, blocky low-resolution text only gets blurrier. */
const DET_MAX_UPSCALE = 2;

/**
 * Per output column (or row): the source span it averages when shrinking, or the two neighbours
 * and weight it interpolates when enlarging or nearly 1:1.
 */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  /** Weight of i1 (interpolation), or 0 with i0..i1 an exclusive span to average. */
  wt: Float32Array;
  area: boolean;
}

function taps(start: number, span: number, n: number, limit: number): Taps {
  const k = span / n;
  const area = k > 1.5;
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const wt = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    if (area) {
      const a = Math.min(limit - 1, Math.floor(start + o * k));
      i0[o] = a;
      i1[o] = Math.max(a + 1, Math.min(limit, Math.floor(start + (o + 1) * k)));
    } else {
      const x = Math.max(0, Math.min(limit - 1, start + (o + 0.5) * k - 0.5));
      const a = Math.floor(x);
      i0[o] = a;
      i1[o] = Math.min(limit - 1, a + 1);
      wt[o] = x - a;
    }
  }
  return { i0, i1, wt, area };
}

/**
 * Resamples `src` of `frame` to `w` x `h` as a normalised planar BGR tensor `dstW` wide (the
 * rest zero). Shrinking averages the covered source pixels, so thin strokes are not skipped
 * between samples.
 */
function planar(
  frame: RgbFrame,
  src: Box,
  w: number,
  h: number,
  dstW: number,
  scale: readonly [number, number, number],
  offset: readonly [number, number, number],
): Float32Array {
  const [sx, sy, sw, sh] = src;
  const out = new Float32Array(3 * h * dstW);
  const plane = h * dstW;
  const tx = taps(sx, sw, w, frame.width);
  const ty = taps(sy, sh, h, frame.height);
  const d = frame.data;
  const stride = frame.width * 3;
  const acc = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      acc[0] = acc[1] = acc[2] = 0;
      if (tx.area || ty.area) {
        // Area average over [x0, x1) x [y0, y1) (a 1:1 axis averages one pixel).
        const x0 = tx.i0[x]!;
        const x1 = tx.area ? tx.i1[x]! : x0 + 1;
        const y0 = ty.i0[y]!;
        const y1 = ty.area ? ty.i1[y]! : y0 + 1;
        for (let yy = y0; yy < y1; yy++) {
          let i = yy * stride + x0 * 3;
          for (let xx = x0; xx < x1; xx++, i += 3) {
            acc[0] += d[i]!;
            acc[1] += d[i + 1]!;
            acc[2] += d[i + 2]!;
          }
        }
        const n = (x1 - x0) * (y1 - y0);
        acc[0] /= n;
        acc[1] /= n;
        acc[2] /= n;
      } else {
        const fx = tx.wt[x]!;
        const fy = ty.wt[y]!;
        const r0 = ty.i0[y]! * stride;
        const r1 = ty.i1[y]! * stride;
        const c0 = tx.i0[x]! * 3;
        const c1 = tx.i1[x]! * 3;
        for (let c = 0; c < 3; c++) {
          const top = d[r0 + c0 + c]! * (1 - fx) + d[r0 + c1 + c]! * fx;
          const bottom = d[r1 + c0 + c]! * (1 - fx) + d[r1 + c1 + c]! * fx;
          acc[c] = top * (1 - fy) + bottom * fy;
        }
      }
      const o = y * dstW + x;
      // BGR planes: R goes to plane 2, B to plane 0.
      out[2 * plane + o] = acc[0]! * scale[2] + offset[2];
      out[plane + o] = acc[1]! * scale[1] + offset[1];
      out[o] = acc[2]! * scale[0] + offset[0];
    }
  }
  return out;
}

/** (v / 255 - mean) / std as v * scale + offset, per BGR plane. */
function affine(mean: readonly number[], std: readonly number[]): { scale: [number, number, number]; offset: [number, number, number] } {
  const scale = [0, 1, 2].map((c) => 1 / (255 * std[c]!)) as [number, number, number];
  const offset = [0, 1, 2].map((c) => -mean[c]! / std[c]!) as [number, number, number];
  return { scale, offset };
}

const DET_NORM = affine(DET_MEAN, DET_STD);
const REC_NORM = affine([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);

/** The detector's input: the frame at about DET_LONG_SIDE, both sides multiples of 32. */
export function detectInput(frame: RgbFrame, longSide = DET_LONG_SIDE): DetectInput {
  const ratio = Math.min(DET_MAX_UPSCALE, longSide / Math.max(frame.width, frame.height));
  const width = Math.max(32, Math.round((frame.width * ratio) / 32) * 32);
  const height = Math.max(32, Math.round((frame.height * ratio) / 32) * 32);
  const data = planar(frame, [0, 0, frame.width, frame.height], width, height, width, DET_NORM.scale, DET_NORM.offset);
  return { data, width, height, scaleX: frame.width / width, scaleY: frame.height / height };
}

export interface DbOptions {
  /** Probability above which a pixel is text. */
  threshold: number;
  /** Mean probability a region needs to be kept. */
  boxThreshold: number;
  /** How far a region is grown back: DB trains on shrunk text kernels. */
  unclipRatio: number;
  /** Regions shorter than this (detector pixels) are dropped. */
  minSize: number;
}

export const DB_DEFAULTS: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3 };

export interface DetectedBox {
  /** Source pixels. */
  box: Box;
  score: number;
}

/**
 * DB post-processing: threshold the probability map, label 8-connected components, and grow each
 * component's bounding rectangle by area x ratio / perimeter (PaddleOCR's unclip). Rectangles are
 * axis-aligned: tower overlays are horizontal, and a mask is a rectangle anyway.
 */
export function dbBoxes(prob: Float32Array, input: Pick<DetectInput, 'width' | 'height' | 'scaleX' | 'scaleY'>, source: { width: number; height: number }, o: DbOptions = DB_DEFAULTS): DetectedBox[] {
  const { width: w, height: h } = input;
  const labels = new Int32Array(w * h).fill(-1);
  const stack = new Int32Array(w * h);
  const out: DetectedBox[] = [];
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (labels[start] !== -1 || prob[start]! <= o.threshold) continue;
    const label = next++;
    let sp = 0;
    stack[sp++] = start;
    labels[start] = label;
    let minX = w;
    let minY = h;
    let maxX = -1;
    let maxY = -1;
    let sum = 0;
    let count = 0;
    while (sp > 0) {
      const i = stack[--sp]!;
      const x = i % w;
      const y = (i - x) / w;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      sum += prob[i]!;
      count++;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (labels[j] === -1 && prob[j]! > o.threshold) {
            labels[j] = label;
            stack[sp++] = j;
          }
        }
      }
    }
    const bw = maxX - minX + 1;
    const bh = maxY - minY + 1;
    if (Math.min(bw, bh) < o.minSize) continue;
    const score = sum / count;
    if (score < o.boxThreshold) continue;
    const grow = (bw * bh * o.unclipRatio) / (2 * (bw + bh));
    const x0 = Math.max(0, (minX - grow) * input.scaleX);
    const y0 = Math.max(0, (minY - grow) * input.scaleY);
    const x1 = Math.min(source.width, (maxX + 1 + grow) * input.scaleX);
    const y1 = Math.min(source.height, (maxY + 1 + grow) * input.scaleY);
    const box: Box = [Math.floor(x0), Math.floor(y0), Math.ceil(x1) - Math.floor(x0), Math.ceil(y1) - Math.floor(y0)];
    if (box[2] < 2 || box[3] < 2) continue;
    out.push({ box, score });
  }
  // Reading order: top to bottom, then left to right within a line.
  return out.sort((a, b) => (Math.abs(a.box[1] - b.box[1]) < Math.min(a.box[3], b.box[3]) / 2 ? a.box[0] - b.box[0] : a.box[1] - b.box[1]));
}

/** Height of the recogniser's input; the width follows the crop's aspect. */
export const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;
/** Very long lines are squeezed to this width (the model's context stays bounded). */
const REC_MAX_WIDTH = 3200;

export interface RecognizeInput {
  data: Float32Array;
  width: number;
}

/** A detected box cut from the frame, scaled to REC_HEIGHT, normalised to -1..1, padded right. */
export function recognizeInput(frame: RgbFrame, box: Box): RecognizeInput {
  const [x, y, w, h] = box;
  const cw = Math.max(1, Math.min(w, frame.width - x));
  const ch = Math.max(1, Math.min(h, frame.height - y));
  const scaled = Math.max(1, Math.min(REC_MAX_WIDTH, Math.ceil((REC_HEIGHT * cw) / ch)));
  const width = Math.max(REC_MIN_WIDTH, scaled);
  const data = planar(frame, [x, y, cw, ch], scaled, REC_HEIGHT, width, REC_NORM.scale, REC_NORM.offset);
  return { data, width };
}

/**
 * The recogniser's classes: 0 is CTC's blank, then the dictionary file's lines, then a space
 * (PaddleOCR's use_space_char).
 */
export function ctcClasses(dictionary: string): string[] {
  const lines = dictionary.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return ['', ...lines, ' '];
}

export interface Recognized {
  text: string;
  /** Mean probability of the characters read; 0 when none. */
  score: number;
}

/** Greedy CTC decoding: the best class per step, repeats merged, blanks dropped. */
export function ctcDecode(probs: Float32Array, steps: number, classes: readonly string[]): Recognized {
  const n = classes.length;
  if (probs.length < steps * n) throw new RangeError(`the recogniser returned ${probs.length} values for ${steps} steps of ${n} classes`);
  let text = '';
  let sum = 0;
  let count = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let p = -1;
    const row = t * n;
    for (let c = 0; c < n; c++) {
      const v = probs[row + c]!;
      if (v > p) {
        p = v;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += classes[best] ?? '';
      sum += p;
      count++;
    }
    previous = best;
  }
  return { text: text.replace(/\s+/g, ' ').trim(), score: count ? sum / count : 0 };
}
