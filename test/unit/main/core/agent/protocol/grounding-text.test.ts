import { describe, expect, it } from 'vitest';
import {
  benchmarkSeconds, findGrounding, formatBoxes, formatSpans, readGroundingReply,
} from '../../../../../../main/core/agent/protocol/grounding-text.js';

describe('the grounding benchmarks\' answer style', () => {
  it('reads several spans that share one unit', () => {
    expect(findGrounding('22.0-78.0, 89.0-94.0 seconds.')).toEqual([{ kind: 'spans', at: 0, length: 28, spans: [[22, 78], [89, 94]] }]);
    expect(findGrounding('12.0-30.5 seconds')[0]).toMatchObject({ spans: [[12, 30.5]] });
    expect(findGrounding('1-2, 3 to 4 and 5–6 s')[0]).toMatchObject({ spans: [[1, 2], [3, 4], [5, 6]] });
  });

  it('reads boxes over time, a box closed with ")" included', () => {
    const text = '1.0 seconds: [235.08, 261.2, 561.58, 1005.62] 5.0 seconds: [1, 2, 3, 4)';
    expect(findGrounding(text)).toEqual([
      { kind: 'boxes', at: 0, length: text.length, boxes: [
        { time: 1, box: [235.08, 261.2, 561.58, 1005.62] },
        { time: 5, box: [1, 2, 3, 4] },
      ] },
    ]);
  });

  it('finds spans and boxes inside prose, in the order written', () => {
    const found = findGrounding('Cutting at 10.0-20.0 seconds; the hook is at 3.0 s: [1, 1, 5, 5].');
    expect(found.map((g) => g.kind)).toEqual(['spans', 'boxes']);
  });

  it('takes a whole reply only when it is nothing but spans or boxes', () => {
    expect(readGroundingReply('  22.0-78.0, 89.0-94.0 seconds. ')).toMatchObject({ kind: 'spans', spans: [[22, 78], [89, 94]] });
    expect(readGroundingReply('0.0 seconds: [10, 20, 30, 40] 4.0 seconds: [12, 22, 32, 42]')).toMatchObject({ kind: 'boxes' });
    expect(readGroundingReply('The cutting happens at 22.0-78.0 seconds.')).toBeNull();
    expect(readGroundingReply('I think the cutting is around 22 seconds.')).toBeNull();
    expect(readGroundingReply('')).toBeNull();
  });

  it('writes spans and boxes back in the same style, which reads back the same', () => {
    const spans: [number, number][] = [[22, 78], [89.25, 94]];
    expect(formatSpans(spans)).toBe('22.0-78.0, 89.25-94.0 seconds.');
    expect(readGroundingReply(formatSpans(spans))).toMatchObject({ spans });
    const boxes = [{ time: 4, box: [12, 22, 32, 42] as [number, number, number, number] }, { time: 0, box: [10, 20.5, 30, 40] as [number, number, number, number] }];
    expect(formatBoxes(boxes)).toBe('0.0 seconds: [10, 20.5, 30, 40] 4.0 seconds: [12, 22, 32, 42]');
    expect(readGroundingReply(formatBoxes(boxes))).toMatchObject({ boxes: [boxes[1], boxes[0]] });
    expect(benchmarkSeconds(7)).toBe('7.0');
    expect(formatSpans([])).toBe('');
  });
});
