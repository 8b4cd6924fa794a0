import { describe, expect, it } from 'vitest';
import { dotInt8 } from '../../../../../main/core/similar/embedding-codec.js';
import { Int8Matrix } from '../../../../../main/core/similar/int8-matrix.js';

/** Deterministic int8 values over the whole range, extremes included. */
function fill(a: Int8Array, seed: number): void {
  let x = seed;
  for (let i = 0; i < a.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    a[i] = (x >>> 16) % 256 - 128;
  }
  a[0] = -128;
  a[1] = 127;
}

describe('Int8Matrix', () => {
  it('scores every row with the SIMD kernel exactly as the byte-by-byte dot product does', () => {
    const m = new Int8Matrix(1000, 160);
    expect(m.simd).toBe(true);
    fill(m.data, 7);
    const q = new Int8Array(160);
    fill(q, 99);
    const dots = m.dotAll(q);
    expect(dots).toHaveLength(1000);
    for (let i = 0; i < 1000; i++) expect(dots[i]).toBe(dotInt8(q, m.data, i * 160));
    // The largest magnitudes: 160 products of -128 x -128 do not overflow.
    m.data.fill(-128, 0, 160);
    expect(m.dotAll(new Int8Array(160).fill(-128))[0]).toBe(160 * 128 * 128);
  });

  it('computes the same in JavaScript where the rows are not made of 16-byte blocks', () => {
    const m = new Int8Matrix(50, 20);
    expect(m.simd).toBe(false);
    fill(m.data, 3);
    const q = new Int8Array(20);
    fill(q, 4);
    const dots = Array.from(m.dotAll(q));
    expect(dots).toEqual(Array.from({ length: 50 }, (_, i) => dotInt8(q, m.data, i * 20)));
  });

  it('refuses a query of another length, and holds no rows without failing', () => {
    expect(() => new Int8Matrix(4, 16).dotAll(new Int8Array(8))).toThrow(/A query of 8 values for rows of 16/);
    expect(new Int8Matrix(0, 160).dotAll(new Int8Array(160))).toHaveLength(0);
  });
});
