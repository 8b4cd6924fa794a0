import { describe, expect, it } from 'vitest';
import { SKETCH_DIM, dequantise, dotInt8, encodeEmbedding, normalise, quantise, similarity, sketch } from '../../../../../main/core/similar/embedding-codec.js';

function randomVector(n: number, seed: number): Float32Array {
  let x = seed >>> 0 || 1;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    v[i] = ((x >>> 0) / 2 ** 32) * (i % 3 === 0 ? 2 : 1);
  }
  return v;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i]! * b[i]!; aa += a[i]! ** 2; bb += b[i]! ** 2; }
  return ab / Math.sqrt(aa * bb);
}

describe('picture embedding codec', () => {
  it('quantises to int8 with the largest magnitude at 127 and reads back within half a step', () => {
    const v = [0.5, -1, 0.25, 0, 0.003];
    const q = quantise(v);
    expect(Array.from(q.q)).toEqual([64, -127, 32, 0, 0]);
    const back = dequantise(q);
    v.forEach((x, i) => expect(Math.abs(back[i]! - x)).toBeLessThanOrEqual(q.scale / 2 + 1e-9));
  });

  it('keeps a zero vector zero instead of dividing by zero', () => {
    const q = quantise([0, 0, 0]);
    expect(q.scale).toBe(0);
    expect(Array.from(normalise([0, 0]))).toEqual([0, 0]);
  });

  it('gives cosine similarities close to the float ones from 1 byte a dimension', () => {
    const a = randomVector(1280, 1);
    const b = randomVector(1280, 2);
    const ea = encodeEmbedding(a);
    const eb = encodeEmbedding(b);
    expect(similarity(ea.vector, eb.vector)).toBeCloseTo(cosine(a, b), 2);
    expect(similarity(ea.vector, ea.vector)).toBeCloseTo(1, 2);
    expect(ea.vector.q.byteLength).toBe(1280);
  });

  it('sketches preserve which vector is nearer', () => {
    const a = randomVector(1280, 3);
    const near = a.map((x, i) => x + (i % 7 === 0 ? 0.3 : 0));
    const far = randomVector(1280, 4).map((x, i) => (i % 2 ? x * 3 : 0));
    const sa = sketch(normalise(a));
    expect(sa.length).toBe(SKETCH_DIM);
    expect(cosine(sa, sketch(normalise(near)))).toBeGreaterThan(cosine(sa, sketch(normalise(far))));
  });

  it('takes dot products at an offset into packed vectors', () => {
    const packed = new Int8Array([1, 2, 3, 4, 5, 10, 20, 30, 40, 50]);
    expect(dotInt8(new Int8Array([1, 1, 1, 1, 1]), packed, 5)).toBe(150);
    expect(dotInt8(new Int8Array([1, 0, 0, 0, 2]), packed, 0)).toBe(11);
  });
});
