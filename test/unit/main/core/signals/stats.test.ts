import { describe, expect, it } from 'vitest';
import { quantileOf, sortedQuantile } from '../../../../../main/core/signals/stats.js';
import { rng } from '../../../../support/signal-frames.js';

describe('quantileOf', () => {
  it('agrees with sorting, ties and all', () => {
    const r = rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 60);
      const values = new Float64Array(n).map(() => Math.round(r() * 10) / (trial % 2 ? 10 : 1));
      const sorted = values.slice().sort();
      for (const q of [0, 0.1, 0.25, 0.5, 0.65, 0.9, 1]) {
        expect(quantileOf(values, n, q, new Float64Array(n))).toBeCloseTo(sortedQuantile(sorted, q), 12);
      }
    }
    expect(quantileOf([], 0, 0.5, new Float64Array(0))).toBeNaN();
  });
});
