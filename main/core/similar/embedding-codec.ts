/*
 * Picture embeddings stored compactly: each vector is L2-normalised, then quantised to int8 with
 * one scale per vector (1 byte a dimension instead of 4). A sketch of the vector, a sparse random
 * projection to SKETCH_DIM dimensions (each input dimension goes to one sketch dimension with a
 * fixed sign), is kept beside it: a query scans the sketches of the whole library first and reads
 * the full vectors of the best candidates only, which is what keeps a query over 100 hours fast.
 */

export const SKETCH_DIM = 160;

export interface Quantised {
  /** value i is q[i] * scale. */
  q: Int8Array;
  scale: number;
}

/** The vector scaled to length 1 (a zero vector stays zero). */
export function normalise(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * k;
  return out;
}

/** Symmetric int8 quantisation: the largest magnitude maps to 127. */
export function quantise(v: ArrayLike<number>): Quantised {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  const q = new Int8Array(v.length);
  if (max === 0 || !Number.isFinite(max)) return { q, scale: 0 };
  const k = 127 / max;
  for (let i = 0; i < v.length; i++) q[i] = Math.round(v[i]! * k);
  return { q, scale: max / 127 };
}

export function dequantise(x: Quantised): Float32Array {
  const out = new Float32Array(x.q.length);
  for (let i = 0; i < x.q.length; i++) out[i] = x.q[i]! * x.scale;
  return out;
}

/** Integer dot product of two int8 vectors of the same length (at `offset` in `b`). */
export function dotInt8(a: Int8Array, b: Int8Array, offset = 0): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < n; d += 4) {
    s0 += a[d]! * b[offset + d]!;
    s1 += a[d + 1]! * b[offset + d + 1]!;
    s2 += a[d + 2]! * b[offset + d + 2]!;
    s3 += a[d + 3]! * b[offset + d + 3]!;
  }
  for (; d < n; d++) s0 += a[d]! * b[offset + d]!;
  return s0 + s1 + s2 + s3;
}

/** Cosine similarity of two quantised unit vectors. */
export function similarity(a: Quantised, b: Quantised, offset = 0): number {
  return dotInt8(a.q, b.q, offset) * a.scale * b.scale;
}

/** Deterministic (bucket, sign) of every input dimension: the same on every machine and run. */
function sketchPlan(dim: number): { bucket: Uint16Array; sign: Int8Array } {
  const bucket = new Uint16Array(dim);
  const sign = new Int8Array(dim);
  let x = 0x9e3779b9;
  const next = () => {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let i = 0; i < dim; i++) {
    bucket[i] = next() % SKETCH_DIM;
    sign[i] = next() & 1 ? 1 : -1;
  }
  return { bucket, sign };
}

const plans = new Map<number, { bucket: Uint16Array; sign: Int8Array }>();

/** The sketch of a unit vector, itself normalised (inner products of sketches estimate cosines). */
export function sketch(v: ArrayLike<number>): Float32Array {
  let plan = plans.get(v.length);
  if (!plan) plans.set(v.length, (plan = sketchPlan(v.length)));
  const out = new Float32Array(SKETCH_DIM);
  for (let i = 0; i < v.length; i++) out[plan.bucket[i]!]! += plan.sign[i]! * v[i]!;
  return normalise(out);
}

/** What is stored for one keyframe: the full vector and its sketch, both quantised. */
export interface StoredEmbedding {
  vector: Quantised;
  sketch: Quantised;
}

export function encodeEmbedding(raw: ArrayLike<number>): StoredEmbedding {
  const unit = normalise(raw);
  return { vector: quantise(unit), sketch: quantise(sketch(unit)) };
}
