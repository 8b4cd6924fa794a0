import { describe, expect, it } from 'vitest';
import { readLabel } from '../../../../support/frame-label.js';
import { drawLabel, GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk, hasGlyph, labelBox, labelScale } from '../../../../../main/core/agent/frame-label.js';
import { fitLongestSide, groupDense, snapToFrames, spreadTimes } from '../../../../../main/core/agent/frame-plan.js';
import { CaseTimeline } from '../../../../../main/core/case-time.js';

const CHARS = '0123456789:.';

function frame(width: number, height: number, fill = 90) {
  return { width, height, data: new Uint8Array(width * height * 3).fill(fill) };
}

describe('frame label', () => {
  it('has a distinct glyph for every character a case time uses', () => {
    const shapes = [...CHARS].map((ch) => {
      expect(hasGlyph(ch)).toBe(true);
      let bits = '';
      for (let r = 0; r < GLYPH_HEIGHT; r++) for (let c = 0; c < GLYPH_WIDTH; c++) bits += glyphInk(ch, c, r) ? '#' : '.';
      expect(bits).toContain('#');
      return bits;
    });
    expect(new Set(shapes).size).toBe(CHARS.length);
    expect(hasGlyph('A')).toBe(false);
  });

  it.each([
    [320, 240],
    [768, 432],
    [1920, 1080],
  ])('draws a time that reads back at %ix%i, in the bottom-right corner, nothing outside its box', (w, h) => {
    const f = frame(w, h);
    const text = '00:12:31.250';
    const box = drawLabel(f, text);
    expect(readLabel(f, box, text.length)).toBe(text);
    expect(box.x + box.width).toBeLessThanOrEqual(w);
    expect(box.y + box.height).toBeLessThanOrEqual(h);
    expect(box.x).toBeGreaterThan(w / 2);
    expect(box.y).toBeGreaterThan(h / 2);
    let changed = 0;
    let outside = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = f.data[(y * w + x) * 3]!;
        const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (!inBox && v !== 90) outside++;
        else if (inBox && v !== 90) changed++;
      }
    }
    expect(outside).toBe(0);
    expect(changed).toBe(box.width * box.height);
  });

  it('stays small: about 2.5 % of the height, never below one pixel per font pixel', () => {
    expect(labelScale(100)).toBe(1);
    expect(labelScale(432)).toBe(2);
    expect(labelScale(1080)).toBe(4);
    expect(labelBox('00:00:00.000', 1920, 1080).width / 1920).toBeLessThan(0.2);
  });

  it('clips to a frame too small for it and refuses mismatched data', () => {
    const f = frame(40, 20);
    expect(() => drawLabel(f, '01:02:03.456')).not.toThrow();
    expect(() => drawLabel({ width: 10, height: 10, data: new Uint8Array(10) }, '1')).toThrow(RangeError);
  });
});

describe('frame plan', () => {
  it('spreads times over a window at slice centres', () => {
    expect(spreadTimes(10, 18, 4)).toEqual([11, 13, 15, 17]);
    expect(spreadTimes(0, 1, 0)).toEqual([]);
  });

  it('snaps to real frames across parts, without duplicates, with seeks between neighbours', () => {
    const tl = new CaseTimeline([
      { id: 'a', duration: 1 },
      { id: 'b', duration: 1 },
    ]);
    const a = [0, 0.25, 0.5, 0.75];
    const b = [0.1, 0.6];
    const planned = snapToFrames(tl, [a, b], [0.3, 0.3, 0.99, 1.05, 1.7, 5]);
    expect(planned.map((f) => [f.partId, f.index, f.caseTime])).toEqual([
      ['a', 1, 0.25],
      ['a', 3, 0.75],
      ['b', 0, 1.1], // before the first frame of b, its first frame is on screen
      ['b', 1, 1.6], // 5 is clamped to the case's end
    ]);
    expect(planned[1]!.seek).toBeCloseTo(0.625, 9);
    expect(planned[2]!.seek).toBe(0);
  });

  it('groups frames close enough to share a decoder pass', () => {
    const g = groupDense([{ time: 0 }, { time: 0.5 }, { time: 3 }, { time: 3.9 }, { time: 10 }], 1);
    expect(g.map((x) => x.length)).toEqual([2, 2, 1]);
  });

  it('fits the longest side and never enlarges', () => {
    expect(fitLongestSide(1920, 1080, 768)).toEqual({ width: 768, height: 432 });
    expect(fitLongestSide(1080, 1920, 768)).toEqual({ width: 432, height: 768 });
    expect(fitLongestSide(320, 240, 768)).toEqual({ width: 320, height: 240 });
    expect(fitLongestSide(1920, 1080, 0)).toEqual({ width: 1920, height: 1080 });
  });
});
