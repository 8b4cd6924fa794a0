import { describe, expect, it } from 'vitest';
import { readLabel } from '../../../../support/frame-label.js';
import { drawLabel, GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk, hasGlyph, labelBox, labelScale, labelStrip } from '../../../../../main/core/agent/frame-label.js';
import { fitLongestSide, snapToFrames, spreadTimes } from '../../../../../main/core/agent/frame-plan.js';
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
  it('makes overlay images that land each label exactly where drawLabel draws it', () => {
    const texts = ['00:00:01.250', '12:34:56.789', '1.5'];
    for (const [w, h] of [[768, 432], [1920, 1080], [64, 36]] as const) {
      const strip = labelStrip(texts, w, h);
      texts.forEach((text, k) => {
        const drawn = frame(w, h);
        drawLabel(drawn, text);
        // The image laid over a plain frame the way a decoder's overlay does (alpha 0 or 255).
        const laid = frame(w, h);
        for (let y = 0; y < strip.height; y++) {
          for (let x = 0; x < strip.width; x++) {
            const o = (k * strip.width * strip.height + y * strip.width + x) * 4;
            if (strip.rgba[o + 3] === 0) continue;
            const i = ((strip.y + y) * w + strip.x + x) * 3;
            laid.data.set(strip.rgba.subarray(o, o + 3), i);
          }
        }
        expect(Buffer.from(laid.data).equals(Buffer.from(drawn.data)), `${text} on ${w}x${h}`).toBe(true);
      });
      expect(strip.rgba.length).toBe(texts.length * strip.width * strip.height * 4);
    }
  });
});

describe('frame plan', () => {
  it('spreads times over a window at slice centres', () => {
    expect(spreadTimes(10, 18, 4)).toEqual([11, 13, 15, 17]);
    expect(spreadTimes(0, 1, 0)).toEqual([]);
  });

  it('snaps to real frames across parts, without duplicates', () => {
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
  });

  it('takes a keyframe within a quarter of the spacing when frames are spread a keyframe interval apart or more', () => {
    // 10 fps, a keyframe every second, and in part b keyframes unknown.
    const times = Array.from({ length: 100 }, (_, i) => i / 10);
    const keys = Uint32Array.from({ length: 10 }, (_, k) => k * 10);
    const tl = new CaseTimeline([
      { id: 'a', duration: 10 },
      { id: 'b', duration: 10 },
    ]);
    const at = (caseTimes: number[], spacing: number, keyframes: (Uint32Array | null)[] = [keys, null]) =>
      snapToFrames(tl, [times, times], caseTimes, { keyframes, spacing }).map((f) => [f.partId, f.index]);
    // Spacing 2 s: tolerance 0.5 s. 3.4 -> keyframe 3.0; 5.6 -> 6.0; 7.5 is as near 7 as 8: the nearer first (7.0).
    expect(at([3.4, 5.6, 7.5], 2)).toEqual([['a', 30], ['a', 60], ['a', 70]]);
    // Spacing 1.2 s: tolerance 0.3 s; 3.4 keeps its own frame, 5.75 is moved to 6.0.
    expect(at([3.4, 5.75], 1.2)).toEqual([['a', 34], ['a', 60]]);
    // Spacing below the keyframe interval: every time keeps the frame on screen then.
    expect(at([3.1, 5.9], 0.8)).toEqual([['a', 31], ['a', 59]]);
    // Without keyframes known, nothing moves; nor without a preference.
    expect(at([13.4], 2)).toEqual([['b', 34]]);
    expect(snapToFrames(tl, [times, times], [3.4]).map((f) => f.index)).toEqual([34]);
  });

  it('fits the longest side and never enlarges', () => {
    expect(fitLongestSide(1920, 1080, 768)).toEqual({ width: 768, height: 432 });
    expect(fitLongestSide(1080, 1920, 768)).toEqual({ width: 432, height: 768 });
    expect(fitLongestSide(320, 240, 768)).toEqual({ width: 320, height: 240 });
    expect(fitLongestSide(1920, 1080, 0)).toEqual({ width: 1920, height: 1080 });
  });
});
