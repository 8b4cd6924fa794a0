import { describe, expect, it } from 'vitest';
import {
  boxIoU, spanIoU, stgScore, summarizeMedVid, talFigures, talScore, type ScoredRecord,
} from '../../../../../main/core/eval/medvidbench-metrics.js';
import type { TruthBox } from '../../../../../main/core/eval/medvidbench.js';

/* Every expected value below is worked out by hand in the comment beside it. */

const truthBoxes = (entries: [string, number[]][]): TruthBox[] => entries.map(([key, box]) => ({ key, time: Number(key), box }));

describe('temporal action grounding (tal), per record', () => {
  it('matches several true spans, each to its own prediction', () => {
    // [0,10] vs [0,10]: 1. [20,30] vs [22,30]: 8 shared / 10 joint = 0.8.
    const s = talScore([[22, 30], [0, 10]], [[0, 10], [20, 30]], 0.5);
    expect(s.recall).toBe(1);
    expect(s.meanIoU).toBeCloseTo(0.9, 12);
    expect(s.matches).toEqual([
      { truth: 0, pred: 1, iou: 1 },
      { truth: 1, pred: 0, iou: expect.closeTo(0.8, 12) as number },
    ]);
  });

  it('is greedy in the order the true spans are listed, and a prediction is used up only by a pair that counts', () => {
    // One prediction [4,14] against [0,10] (6 shared / 14 joint = 3/7 ≈ 0.4286) and [5,15] (9 / 11 ≈ 0.818).
    const truth: [number, number][] = [[0, 10], [5, 15]];
    // At 0.3 the first true span takes it, although the second would overlap it more.
    const at03 = talScore([[4, 14]], truth, 0.3);
    expect(at03.matches).toEqual([{ truth: 0, pred: 0, iou: expect.closeTo(3 / 7, 12) as number }]);
    expect(at03.recall).toBe(0.5);
    expect(at03.meanIoU).toBeCloseTo(3 / 7, 12);
    // At 0.5 the first pair does not count, so the prediction is still free for the second.
    const at05 = talScore([[4, 14]], truth, 0.5);
    expect(at05.matches).toEqual([{ truth: 1, pred: 0, iou: expect.closeTo(9 / 11, 12) as number }]);
    expect(at05.recall).toBe(0.5);
    expect(at05.meanIoU).toBeCloseTo(9 / 11, 12);
  });

  it('takes the unused prediction with the highest IoU, not the first listed', () => {
    // [0,5] vs [0,10]: 0.5; [0,9] vs [0,10]: 0.9.
    expect(talScore([[0, 5], [0, 9]], [[0, 10]], 0.3).matches).toEqual([{ truth: 0, pred: 1, iou: 0.9 }]);
  });

  it('counts a threshold met exactly despite decimal seconds', () => {
    // [0.2, 0.5] vs [0.2, 0.8]: 0.3 / 0.6 = 0.5, which floating point computes as 0.4999999999999999.
    expect(spanIoU([0.2, 0.5], [0.2, 0.8])).toBeLessThan(0.5);
    expect(talScore([[0.2, 0.5]], [[0.2, 0.8]], 0.5).recall).toBe(1);
  });

  it('scores a record without a prediction 0 at every threshold', () => {
    expect(talFigures([], [[1, 2], [3, 4]])).toEqual({ 'R@0.3': 0, 'mIoU@0.3': 0, 'R@0.5': 0, 'mIoU@0.5': 0 });
  });

  it('gives a record its four figures', () => {
    // truth [0,10], [20,30]; pred [0,6] (IoU 0.6) and [25,40] (5 shared / 20 joint = 0.25).
    // @0.3: one pair (0.6): recall 1/2, mIoU 0.6. @0.5: the same pair.
    expect(talFigures([[0, 6], [25, 40]], [[0, 10], [20, 30]])).toEqual({ 'R@0.3': 0.5, 'mIoU@0.3': 0.6, 'R@0.5': 0.5, 'mIoU@0.5': 0.6 });
  });

  it('reads a prediction without a length as no overlap', () => {
    expect(spanIoU([3, 3], [0, 10])).toBe(0);
  });
});

describe('spatio-temporal grounding (stg), per record', () => {
  const truth = truthBoxes([
    ['0.0', [0, 0, 10, 10]],
    ['1.0', [2, 0, 12, 10]],
    ['2.0', [0, 0, 10, 10]],
  ]);

  it('is the box IoU at each true time, a missing time taking the box before it', () => {
    // 0.0: identical, 1. 1.0: none given, so the box at 0.0: [0,0,10,10] vs [2,0,12,10] share 80 of 120 = 2/3.
    // 2.0: [5,0,15,10] vs [0,0,10,10] share 50 of 150 = 1/3. Mean (1 + 2/3 + 1/3) / 3 = 2/3.
    const s = stgScore([{ time: 0, box: [0, 0, 10, 10] }, { time: 2, box: [5, 0, 15, 10] }], truth);
    expect(s.keys.map((k) => k.from)).toEqual(['predicted', 'previous', 'predicted']);
    expect(s.keys.map((k) => k.iou)).toEqual([1, expect.closeTo(2 / 3, 12), expect.closeTo(1 / 3, 12)]);
    expect(s.mIoU).toBeCloseTo(2 / 3, 12);
  });

  it('carries the last predicted box over several missing times', () => {
    // Only 0.0 is given: 1, then 2/3 (as above), then identical again at 2.0: 1. Mean 8/9.
    const s = stgScore([{ time: 0, box: [0, 0, 10, 10] }], truth);
    expect(s.keys.map((k) => k.from)).toEqual(['predicted', 'previous', 'previous']);
    expect(s.mIoU).toBeCloseTo(8 / 9, 12);
  });

  it('scores a time before any predicted box 0', () => {
    // 0.0: nothing yet, 0. 1.0 and 2.0: [2,0,12,10] given at 1.0: 1, then vs [0,0,10,10] at 2.0: 2/3. Mean 5/9.
    const s = stgScore([{ time: 1, box: [2, 0, 12, 10] }], truth);
    expect(s.keys.map((k) => k.from)).toEqual(['none', 'predicted', 'previous']);
    expect(s.mIoU).toBeCloseTo(5 / 9, 12);
  });

  it('scores a record with no box 0', () => {
    expect(stgScore([], truth)).toEqual({ mIoU: 0, keys: [
      { key: '0.0', from: 'none', iou: 0 }, { key: '1.0', from: 'none', iou: 0 }, { key: '2.0', from: 'none', iou: 0 },
    ] });
  });

  it('compares times at a tenth of a second, as the answers write them', () => {
    // 0.96 s reads as "1.0".
    const s = stgScore([{ time: 0.96, box: [2, 0, 12, 10] }], truthBoxes([['1.0', [2, 0, 12, 10]]]));
    expect(s).toEqual({ mIoU: 1, keys: [{ key: '1.0', from: 'predicted', iou: 1 }] });
  });

  it('leaves out true boxes without an extent, in time order whatever the file order', () => {
    // 2.0 is listed first; 1.0's box is flat and not scored. 0.0: 1; 2.0 (from 0.0's box): 1.
    const s = stgScore(
      [{ time: 0, box: [0, 0, 10, 10] }],
      truthBoxes([['2.0', [0, 0, 10, 10]], ['0.0', [0, 0, 10, 10]], ['1.0', [5, 5, 5, 9]]]),
    );
    expect(s.keys.map((k) => k.key)).toEqual(['0.0', '2.0']);
    expect(s.mIoU).toBe(1);
  });

  it('computes box IoU on [x1, y1, x2, y2]', () => {
    // 5x5 shared of 100 + 100 - 25.
    expect(boxIoU([0, 0, 10, 10], [5, 5, 15, 15])).toBeCloseTo(25 / 175, 12);
    expect(boxIoU([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
  });
});

describe('averaging: per record, then per dataset, then over datasets', () => {
  const tal = (dataset: string, r: number): ScoredRecord => ({ dataset, qaType: 'tal', tal: { 'R@0.3': r, 'mIoU@0.3': r, 'R@0.5': r, 'mIoU@0.5': r } });

  it('weighs every dataset the same in the macro average', () => {
    // A: records at 1 and 0 -> 0.5. B: one record at 1 -> 1. Macro (0.5 + 1) / 2 = 0.75, not the record mean 2/3.
    // STG only in B: 0.4.
    const s = summarizeMedVid([tal('A', 1), tal('A', 0), tal('B', 1), { dataset: 'B', qaType: 'stg', mIoU: 0.4 }]);
    expect(s.datasets.map(([n]) => n)).toEqual(['A', 'B']);
    expect(s.datasets[0]![1]).toEqual({ tal: { n: 2, 'R@0.3': 0.5, 'mIoU@0.3': 0.5, 'R@0.5': 0.5, 'mIoU@0.5': 0.5 }, stg: { n: 0, mIoU: null } });
    expect(s.macro.tal).toEqual({ n: 3, 'R@0.3': 0.75, 'mIoU@0.3': 0.75, 'R@0.5': 0.75, 'mIoU@0.5': 0.75 });
    // A has no stg record: it is not a zero in the stg macro.
    expect(s.macro.stg).toEqual({ n: 1, mIoU: 0.4 });
    expect(s.macroDatasets).toEqual({ tal: 2, stg: 1 });
  });
});
