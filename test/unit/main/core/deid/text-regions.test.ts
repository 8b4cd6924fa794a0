import { describe, expect, it } from 'vitest';
import { candidateSpans, outsideSpans } from '../../../../../main/core/deid/out-of-body-spans.js';
import { padRect, removedBy, trackTextRegions, type Rect, type TextSample } from '../../../../../main/core/deid/text-regions.js';
import { ctcClasses, ctcDecode, dbBoxes, detectInput, recognizeInput } from '../../../../../main/core/ocr/text-detect.js';
import { sampleFrames } from '../../../../../main/host/deid/deid-service.js';
import { evenBox, maskChains, spansExpr } from '../../../../../main/worker/media/deid-filters.js';

const FRAME = { width: 960, height: 540 };

describe('OCR pre- and post-processing', () => {
  it('feeds the detector a BGR tensor at about 736 px, sides multiples of 32', () => {
    const data = new Uint8Array(1920 * 1080 * 3);
    for (let i = 0; i < data.length; i += 3) data[i] = 255; // pure red
    const input = detectInput({ width: 1920, height: 1080, data });
    expect([input.width, input.height]).toEqual([736, 416]);
    expect(input.scaleX).toBeCloseTo(1920 / 736, 6);
    const plane = input.width * input.height;
    // Plane 0 is blue (0 → -mean/std), plane 2 red (255 → (1 - 0.406) / 0.225).
    expect(input.data[0]).toBeCloseTo(-0.485 / 0.229, 4);
    expect(input.data[2 * plane]).toBeCloseTo((1 - 0.406) / 0.225, 4);
  });

  it('cuts a box for the recogniser at 48 px high, padded right to at least 320', () => {
    const data = new Uint8Array(200 * 100 * 3).fill(255);
    const r = recognizeInput({ width: 200, height: 100, data }, [10, 10, 120, 24]);
    expect(r.width).toBe(320);
    expect(r.data.length).toBe(3 * 48 * 320);
    expect(r.data[0]).toBeCloseTo(1, 5); // white → 1
    expect(r.data[319]).toBe(0); // padding
  });

  it('turns a probability map into grown boxes in source pixels, in reading order', () => {
    const w = 64;
    const h = 32;
    const prob = new Float32Array(w * h);
    const fill = (x0: number, y0: number, x1: number, y1: number, v: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) prob[y * w + x] = v;
    };
    fill(30, 4, 50, 8, 0.9); // second word of the line
    fill(4, 4, 24, 8, 0.95); // first word
    fill(4, 20, 6, 21, 0.99); // too thin
    fill(10, 24, 20, 28, 0.45); // too faint on average
    const boxes = dbBoxes(prob, { width: w, height: h, scaleX: 2, scaleY: 2 }, { width: 128, height: 64 });
    expect(boxes).toHaveLength(2);
    // 20 x 4 grown by 20*4*1.5 / (2*24) = 2.5 px, then doubled.
    expect(boxes[0]!.box).toEqual([3, 3, 50, 18]);
    expect(boxes[0]!.score).toBeCloseTo(0.95, 5);
    expect(boxes[1]!.box[0]).toBeGreaterThan(boxes[0]!.box[0]);
  });

  it('decodes CTC greedily: repeats merged, blanks dropped, space last', () => {
    const classes = ctcClasses('A\nB\nC\n');
    expect(classes).toEqual(['', 'A', 'B', 'C', ' ']);
    const steps = [1, 1, 0, 1, 4, 2, 2, 0, 3];
    const probs = new Float32Array(steps.length * classes.length);
    steps.forEach((c, t) => {
      for (let k = 0; k < classes.length; k++) probs[t * classes.length + k] = k === c ? 0.9 : 0.025;
    });
    const r = ctcDecode(probs, steps.length, classes);
    expect(r.text).toBe('AA BC');
    expect(r.score).toBeCloseTo(0.9, 5);
    expect(() => ctcDecode(probs, steps.length + 1, classes)).toThrow(RangeError);
  });
});

describe('tracking burned-in text over a range', () => {
  const banner: Rect = [20, 10, 300, 24];
  const samples = (n: number, extra: (k: number) => TextSample['texts'] = () => []): TextSample[] =>
    Array.from({ length: n }, (_, k) => ({
      time: 10 + k,
      // The detector's box wobbles by a couple of pixels from frame to frame.
      texts: [{ text: 'PATIENT: JANE ROE', box: [banner[0] + (k % 2), banner[1] - (k % 3 === 0 ? 1 : 0), banner[2] + 2 * (k % 2), banner[3]], score: 0.9 + k / 1000 }, ...extra(k)],
    }));

  it('makes an overlay that stays put one region for the whole range', () => {
    const regions = trackTextRegions(samples(11), { start: 9.5, end: 20.2 }, FRAME);
    expect(regions).toHaveLength(1);
    const r = regions[0]!;
    expect(r.steady).toBe(true);
    expect([r.start, r.end]).toEqual([9.5, 20.2]);
    expect([r.seen, r.of]).toEqual([11, 11]);
    expect(r.texts).toEqual(['PATIENT: JANE ROE']);
    // The union of the wobbling boxes, padded by a third of the height.
    expect(r.box).toEqual([12, 1, 319, 41]);
  });

  it('masks text seen in a few samples from the sample before to the sample after', () => {
    const regions = trackTextRegions(
      samples(11, (k) => (k === 4 || k === 5 ? [{ text: 'MRN 4471932', box: [600, 400, 140, 24], score: 0.95 }] : [])),
      { start: 10, end: 21 },
      FRAME,
    );
    expect(regions).toHaveLength(2);
    const mrn = regions.find((r) => r.texts.includes('MRN 4471932'))!;
    expect(mrn.steady).toBe(false);
    expect([mrn.start, mrn.end]).toEqual([13, 16]);
  });

  it('joins a line the detector splits in some frames and not in others, and keeps unread text', () => {
    const s: TextSample[] = [
      { time: 0, texts: [{ text: 'PATIENT: JANE ROE MRN 4471932', box: [10, 10, 400, 20], score: 0.9 }] },
      { time: 1, texts: [{ text: 'PATIENT: JANE ROE', box: [10, 10, 230, 20], score: 0.95 }, { text: 'MRN 4471932', box: [250, 10, 160, 20], score: 0.97 }] },
      { time: 2, texts: [{ text: '', box: [10, 10, 400, 20], score: 0 }] },
    ];
    const regions = trackTextRegions(s, { start: 0, end: 3 }, FRAME);
    expect(regions).toHaveLength(1);
    expect(regions[0]!.texts).toEqual(['MRN 4471932', 'PATIENT: JANE ROE', 'PATIENT: JANE ROE MRN 4471932']);
    expect(regions[0]!.steady).toBe(true);
  });

  it('pads inside the frame and lets a reviewer take a region out', () => {
    expect(padRect([0, 0, 30, 12], FRAME)).toEqual([0, 0, 34, 16]);
    expect(padRect([950, 530, 10, 10], FRAME)).toEqual([947, 527, 13, 13]);
    const region: Rect = [10, 10, 200, 30];
    expect(removedBy(region, [[0, 0, 300, 100]])).toBe(true); // drawn around it
    expect(removedBy(region, [[50, 15, 60, 20]])).toBe(true); // clicked inside it
    expect(removedBy(region, [[180, 0, 200, 100]])).toBe(false); // grazes it
    expect(removedBy(region, [])).toBe(false);
  });
});

describe('out-of-body spans', () => {
  it('checks seconds the track flags (with a margin) and seconds it does not cover', () => {
    const track = new Float32Array([0.1, 0.1, 0.1, 0.1, 0.1, 0.8, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, Number.NaN, 0.1]);
    expect(candidateSpans(track, 0.5, 16)).toEqual([
      { start: 3, end: 9 },
      { start: 12, end: 13 },
      { start: 14, end: 16 },
    ]);
    expect(candidateSpans(track, 0, 3)).toEqual([]);
  });

  it('turns frame scores into spans; unknown frames count as outside, short inside gaps are filled', () => {
    const times = Array.from({ length: 25 }, (_, i) => i * 0.1);
    const scores: number[] = times.map((_, i) => ((i >= 5 && i < 9) || i === 10 ? 0.9 : 0.1));
    scores[13] = Number.NaN;
    scores[21] = Number.NaN;
    const spans = outsideSpans(times, scores, 2.5);
    // 0.5-1.1 and the unknown frame at 1.3 are 0.2 s apart: one span; 2.1 stands alone.
    expect(spans.map((s) => [s.start, s.end].map((v) => Math.round(v * 1e6) / 1e6))).toEqual([
      [0.5, 1.4],
      [2.1, 2.2],
    ]);
    // A black frame (0.5: cannot tell) is not hidden.
    expect(outsideSpans([0, 1], [0.5, 0.5], 2)).toEqual([]);
  });

  it('samples the first frame, one a second, and the last', () => {
    const times = Float64Array.from({ length: 250 }, (_, i) => i / 25);
    expect(sampleFrames(times, 1, 4.5, 1, 100)).toEqual([25, 50, 75, 100, 112]);
    // A long range is thinned to at most `max` frames.
    expect(sampleFrames(times, 0, 10, 1, 4).length).toBeLessThanOrEqual(4);
  });
});

describe('mask filters', () => {
  it('grows boxes to even edges inside the picture', () => {
    expect(evenBox([3, 5, 10, 7], 960, 540)).toEqual([2, 4, 12, 8]);
    expect(evenBox([955, 535, 20, 20], 959, 540)).toEqual([954, 534, 4, 6]);
    expect(evenBox([2000, 10, 5, 5], 960, 540)).toBeNull();
  });

  it('builds box, smear, blur and card chains with their time spans', () => {
    expect(spansExpr([{ from: 1, to: 2 }, { from: 3, to: 4 }])).toBe('between(t,0.999900,1.999900)+between(t,2.999900,3.999900)');
    const base = { input: 'in', output: 'out', width: 960, height: 540, cardText: (enable: string) => `drawtext=text=x:enable=${enable}`, tag: 'x' };
    const masks = { width: 960, height: 540, regions: [{ box: [10, 10, 100, 30] as Rect, from: 0, to: 5 }], outOfBody: [{ from: 2, to: 3 }] };
    const box = maskChains({ ...base, masks, deidentify: { mask: 'box', outOfBody: 'blur', cardText: 'x' } })!;
    expect(box.join(';')).toContain('drawbox=x=10:y=10:w=100:h=30:color=black:t=fill:enable=between(t\\,0.000000\\,4.999900)');
    expect(box.join(';')).toMatch(/boxblur=luma_radius=54:luma_power=3:chroma_radius=27:chroma_power=3/);
    const blur = maskChains({ ...base, masks, deidentify: { mask: 'blur', outOfBody: 'card', cardText: 'x' } })!;
    expect(blur.join(';')).toContain('crop=100:30:10:10,scale=6:2:flags=area,scale=100:30:flags=bilinear');
    expect(blur.join(';')).toContain('drawbox=x=0:y=0:w=960:h=540:color=0x1e2328:t=fill:enable=between(t\\,1.999900\\,2.999900),drawtext=text=x:enable=between(t,1.999900,2.999900)');
    expect(blur.at(-1)).toMatch(/null\[out\]$/);
    expect(maskChains({ ...base, masks: { ...masks, regions: [], outOfBody: [] }, deidentify: { mask: 'blur', outOfBody: 'blur', cardText: 'x' } })).toBeNull();
  });
});
