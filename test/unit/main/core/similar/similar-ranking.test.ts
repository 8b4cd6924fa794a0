import { describe, expect, it } from 'vitest';
import { mergeWindows, scanScores, topIndices, withoutMoment, type Hit } from '../../../../../main/core/similar/similar-ranking.js';

describe('ranking picture-index hits', () => {
  it('picks the k best indices, best first, ties by position', () => {
    expect(topIndices([0.1, 0.9, 0.5, 0.9, 0.3], 3)).toEqual([1, 3, 2]);
    expect(topIndices([0.2, 0.1], 5)).toEqual([0, 1]);
    expect(topIndices([], 3)).toEqual([]);
  });

  it('agrees with a full sort on many scores', () => {
    const scores = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const sorted = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 50).map((x) => x[1]);
    expect(topIndices(scores, 50)).toEqual(sorted);
  });

  it('scores packed vectors against a query', () => {
    const out = scanScores(new Int8Array([2, 1]), 0.5, new Int8Array([1, 1, 0, 4]), new Float32Array([1, 0.25]), 2);
    expect(Array.from(out)).toEqual([1.5, 0.5]);
  });

  it('merges consecutive keyframes of a case into one window with its best moment', () => {
    const times = [0, 2, 4, 6, 8, 10, 12];
    const hits: Hit[] = [
      { caseId: 'a', index: 1, time: 2, score: 0.7 },
      { caseId: 'a', index: 2, time: 4, score: 0.9 },
      { caseId: 'a', index: 3, time: 6, score: 0.8 },
      { caseId: 'a', index: 5, time: 10, score: 0.6 },
      { caseId: 'b', index: 0, time: 0, score: 0.95 },
    ];
    const w = mergeWindows(hits, () => times, { maxGap: 5, tail: 2 });
    expect(w).toEqual([
      { caseId: 'b', start: 0, end: 2, score: 0.95, time: 0 },
      { caseId: 'a', start: 2, end: 8, score: 0.9, time: 4 },
      { caseId: 'a', start: 10, end: 12, score: 0.6, time: 10 },
    ]);
  });

  it('does not merge adjacent keyframes far apart (a gap in a recording)', () => {
    const times = [0, 2, 100];
    const w = mergeWindows(
      [
        { caseId: 'a', index: 1, time: 2, score: 0.5 },
        { caseId: 'a', index: 2, time: 100, score: 0.6 },
      ],
      () => times,
      { maxGap: 5, tail: 2 },
    );
    expect(w.map((x) => [x.start, x.end])).toEqual([[100, 102], [2, 4]]);
  });

  it('drops the window the query was asked from', () => {
    const w = [
      { caseId: 'a', start: 10, end: 20, score: 1, time: 12 },
      { caseId: 'a', start: 40, end: 44, score: 0.8, time: 40 },
      { caseId: 'b', start: 10, end: 20, score: 0.7, time: 12 },
    ];
    expect(withoutMoment(w, 'a', 12).map((x) => x.start + x.caseId)).toEqual(['40a', '10b']);
  });
});
