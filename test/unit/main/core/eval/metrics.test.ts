import { describe, expect, it } from 'vitest';
import {
  chanceIoU, meanIoU, percentile, recallAt, scoreRow, summarize, summarizeBy, temporalIoU,
} from '../../../../../main/core/eval/metrics.js';

/* Every expected value below is worked out by hand in the comment beside it. */

describe('temporal IoU', () => {
  it('is 1 for identical windows', () => {
    expect(temporalIoU([2, 8], [2, 8])).toBe(1);
  });

  it('is 0 for windows that only touch', () => {
    // [0,5] and [5,10] share the instant 5 and nothing else.
    expect(temporalIoU([0, 5], [5, 10])).toBe(0);
    expect(temporalIoU([5, 10], [0, 5])).toBe(0);
  });

  it('is 0 without overlap', () => {
    expect(temporalIoU([0, 1], [3, 4])).toBe(0);
  });

  it('is the inner length over the outer for nested windows', () => {
    // 2 s inside 10 s.
    expect(temporalIoU([2, 4], [0, 10])).toBeCloseTo(0.2, 12);
    expect(temporalIoU([0, 10], [2, 4])).toBeCloseTo(0.2, 12);
  });

  it('divides the shared part by the joint span for partial overlap', () => {
    // [0,10] and [5,15]: 5 shared, 15 joint.
    expect(temporalIoU([0, 10], [5, 15])).toBeCloseTo(1 / 3, 12);
  });

  it('rejects zero-length, reversed and non-numeric windows, saying which and why', () => {
    expect(() => temporalIoU([5, 5], [0, 10])).toThrow(/first window \[5, 5\] has zero length/);
    expect(() => temporalIoU([0, 10], [6, 5])).toThrow(/second window \[6, 5\] ends before it starts/);
    expect(() => temporalIoU([Number.NaN, 3], [0, 10])).toThrow(/finite numbers/);
    expect(() => temporalIoU([0, Number.POSITIVE_INFINITY], [0, 10])).toThrow(/finite numbers/);
  });
});

describe('a row: its first prediction against the truth it overlaps most', () => {
  it('scores 0 without a prediction', () => {
    expect(scoreRow([], [[0, 10]])).toEqual({ iou: 0, matched: null });
  });

  it('scores only the best-ranked prediction', () => {
    // The second window would be a perfect match; the first misses.
    expect(scoreRow([[50, 60], [0, 10]], [[0, 10]])).toEqual({ iou: 0, matched: null });
  });

  it('picks the ground-truth window that matches the prediction best', () => {
    // pred [10,20] against: [0,12] -> 2/20 = 0.1; [15,30] -> 5/20 = 0.25; [18,19] -> 1/10 = 0.1.
    const s = scoreRow([[10, 20]], [[0, 12], [15, 30], [18, 19]]);
    expect(s.matched).toBe(1);
    expect(s.iou).toBeCloseTo(0.25, 12);
  });

  it('measures "most" by IoU, not by the overlapping length alone', () => {
    // [0,100] overlaps [0,10] longer (10 s) but IoU 0.1; [8,12] overlaps 2 s with IoU 2/12.
    const s = scoreRow([[0, 10]], [[0, 100], [8, 12]]);
    expect(s.matched).toBe(1);
    expect(s.iou).toBeCloseTo(2 / 12, 12);
  });

  it('scores 0 when the prediction overlaps no true window', () => {
    expect(scoreRow([[40, 50]], [[0, 10], [20, 30]])).toEqual({ iou: 0, matched: null });
  });

  it('rejects a row without truth, or with a degenerate window anywhere', () => {
    expect(() => scoreRow([[0, 1]], [])).toThrow(/at least one ground-truth window/);
    expect(() => scoreRow([[0, 1]], [[0, 10], [3, 3]])).toThrow(/ground-truth window 2 \[3, 3\] has zero length/);
    expect(() => scoreRow([[0, 1], [4, 2]], [[0, 10]])).toThrow(/predicted window 2 \[4, 2\] ends before it starts/);
  });
});

describe('summaries', () => {
  it('gives mIoU and recall at 0.3 / 0.5 / 0.7, counting a threshold that is met exactly', () => {
    const ious = [1, 0.5, 0.2, 0];
    // (1 + 0.5 + 0.2 + 0) / 4
    expect(meanIoU(ious)).toBeCloseTo(0.425, 12);
    expect(recallAt(ious, 0.3)).toBe(0.5);
    expect(recallAt(ious, 0.5)).toBe(0.5);
    expect(recallAt(ious, 0.7)).toBe(0.25);
  });

  it('counts 0.5 reached through decimal seconds as 0.5', () => {
    // 0.2 / 0.4 in floating point is 0.49999999999999994.
    const iou = temporalIoU([0.1, 0.3], [0.1, 0.5]);
    expect(iou).toBeLessThan(0.5);
    expect(recallAt([iou], 0.5)).toBe(1);
  });

  it('takes nearest-rank percentiles of latency, leaving failed rows out', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([], 50)).toBeNull();
    const s = summarize([
      { iou: 1, latency: 2 },
      { iou: 0.4, latency: 4 },
      { iou: 0, latency: 0.01, error: 'server down' },
      { iou: 0, latency: null, error: 'video not found' },
    ]);
    expect(s).toEqual({ n: 4, mIoU: 0.35, 'R@0.3': 0.5, 'R@0.5': 0.25, 'R@0.7': 0.25, latency: { p50: 2, p95: 4 } });
  });

  it('summarizes per group in first-seen order, leaving rows without a group out', () => {
    const rows = [
      { iou: 1, latency: 1, kind: 'smoke' },
      { iou: 0, latency: 1, kind: 'bleeding' },
      { iou: 0.5, latency: 3, kind: 'smoke' },
      { iou: 0.9, latency: 1, kind: null },
    ];
    const by = summarizeBy(rows, (r) => r.kind);
    expect([...by.keys()]).toEqual(['smoke', 'bleeding']);
    expect(by.get('smoke')).toMatchObject({ n: 2, mIoU: 0.75, 'R@0.7': 0.5 });
  });

  it('gives the chance level of a window of the true length at evenly spaced places', () => {
    // The only place a 10 s window fits in 10 s is on the truth.
    expect(chanceIoU([[0, 10]], 10)).toBe(1);
    // Two places for 5 s in 10 s: on the truth (1) and beside it (0).
    expect(chanceIoU([[0, 5]], 10, 2)).toBe(0.5);
  });
});
