import { describe, expect, it } from 'vitest';
import { checkEvidence } from '../../../../../../main/core/agent/engine/index.js';

const id = (rank: number) => `e${rank}`;

describe('evidence boxes', () => {
  it('keeps boxes inside the window in time order, and drops the rest with a note', () => {
    const { evidence, notes } = checkEvidence(
      [{
        start: 0, end: 10, frames: [], claim: 'the hook',
        boxes: [
          { time: 8, box: [5, 5, 9, 9] },
          { time: '00:00:02', box: [1, 2, 3, 4] },
          { time: 12, box: [1, 2, 3, 4] },
          { time: 3, box: [3, 3, 3, 9] },
          { time: 4, box: [1, 2, 3] },
          { time: 'soon', box: [1, 2, 3, 4] },
        ],
      }],
      60,
      id,
    );
    expect(evidence).toEqual([{ id: 'e1', rank: 1, start: 0, end: 10, frames: [], claim: 'the hook', boxes: [
      { time: 2, box: [1, 2, 3, 4] },
      { time: 8, box: [5, 5, 9, 9] },
    ] }]);
    expect(notes).toEqual([
      'evidence 1: box 3 at 12 s is outside the window; box dropped',
      'evidence 1: box 4 at 3 s is not [x1, y1, x2, y2] with x1 < x2 and y1 < y2; box dropped',
      'evidence 1: box 5 at 4 s is not [x1, y1, x2, y2] with x1 < x2 and y1 < y2; box dropped',
      expect.stringMatching(/^evidence 1: box 6 "soon" is not a time/),
    ]);
  });

  it('gives an object placed at one moment the second from there as its window', () => {
    const { evidence } = checkEvidence([{ start: 3, end: 3, frames: [3], claim: '', boxes: [{ time: 3, box: [1, 2, 3, 4] }] }], 60, id);
    expect(evidence).toMatchObject([{ start: 3, end: 4, frames: [3], boxes: [{ time: 3 }] }]);
    // At the very end the second before it.
    const atEnd = checkEvidence([{ start: 60, end: 60, frames: [], claim: '', boxes: [{ time: 60, box: [1, 2, 3, 4] }] }], 60, id);
    expect(atEnd.evidence).toMatchObject([{ start: 59, end: 60 }]);
    // A moment without boxes is still no window.
    expect(checkEvidence([{ start: 3, end: 3, frames: [], claim: '' }], 60, id).evidence).toEqual([]);
  });

  it('leaves evidence without boxes as it was', () => {
    expect(checkEvidence([{ start: 1, end: 2, frames: [], claim: 'x' }], 60, id).evidence).toEqual([
      { id: 'e1', rank: 1, start: 1, end: 2, frames: [], claim: 'x' },
    ]);
  });
});
