import { describe, expect, it } from 'vitest';
import { estimateFieldOfView, frameFeatures, type RgbFrame } from '../../../../../main/core/signals/index.js';
import { blackFrame, maskAgreement, roomFrame, tissueFrame, viewGeometry, type Border } from '../../../../support/signal-frames.js';

function sample(border: Border, count: number, opts: { width?: number; height?: number; circleRadius?: number } = {}): RgbFrame[] {
  const frames: RgbFrame[] = [];
  for (let k = 0; k < count; k++) {
    frames.push(
      tissueFrame({
        ...opts,
        border,
        sceneSeed: k + 1,
        shift: [k * 4, k * 2],
        instruments: [{ angle: k * 1.3, reach: 0.4 + 0.05 * (k % 8), width: 7, dark: k % 3 === 0 }],
      }),
    );
  }
  return frames;
}

function ones(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

describe('estimateFieldOfView', () => {
  it.each([
    ['a clipped circle', 'circle' as Border, 0.62],
    ['a full circle', 'circle' as Border, 0.47],
    ['letterbox bars', 'letterbox' as Border, undefined],
    ['pillarbox bars', 'pillarbox' as Border, undefined],
  ])('finds %s and leaves the corner text out', (_label, border, circleRadius) => {
    const mask = estimateFieldOfView(sample(border, 20, { circleRadius }));
    const agree = maskAgreement(mask, viewGeometry(128, 72, border, circleRadius), 128, 72);
    expect(agree.inside).toBeGreaterThan(0.93);
    expect(agree.outside).toBe(1);
    // The burned-in text sits at the top-left corner.
    expect(mask[2 * 128 + 4]).toBe(0);
  });

  it('uses the whole frame when there is no border', () => {
    const mask = estimateFieldOfView(sample('none', 12));
    expect(mask.length).toBe(128 * 72);
    expect(ones(mask)).toBe(128 * 72);
  });

  it('works from a single frame', () => {
    const mask = estimateFieldOfView([tissueFrame({ border: 'circle' })]);
    const agree = maskAgreement(mask, viewGeometry(128, 72, 'circle'), 128, 72);
    expect(agree.inside).toBeGreaterThan(0.93);
    expect(agree.outside).toBe(1);
  });

  it('is robust to out-of-body frames (some without the border) and black frames', () => {
    const frames = sample('circle', 16);
    for (let k = 0; k < 5; k++) frames.push(roomFrame({ sceneSeed: k + 1, border: k < 2 ? 'none' : 'circle' }));
    for (let k = 0; k < 6; k++) frames.push(blackFrame(128, 72, k + 1));
    const mask = estimateFieldOfView(frames);
    const agree = maskAgreement(mask, viewGeometry(128, 72, 'circle'), 128, 72);
    expect(agree.inside).toBeGreaterThan(0.93);
    expect(agree.outside).toBe(1);
  });

  it('falls back to the whole frame when every frame is black, and to an empty mask with no frames', () => {
    const mask = estimateFieldOfView([blackFrame(), blackFrame(128, 72, 9)]);
    expect(ones(mask)).toBe(128 * 72);
    const none = estimateFieldOfView([]);
    expect(none.length).toBe(0);
    // An empty mask means "whole frame" to frameFeatures.
    const f = frameFeatures(tissueFrame({ border: 'none' }), none);
    expect(f.brightness).toBeGreaterThan(0.2);
  });

  it('ignores frames of another size and follows the decode resolution', () => {
    const frames = sample('circle', 8, { width: 256, height: 144 });
    frames.push(tissueFrame({ border: 'none' }));
    const mask = estimateFieldOfView(frames);
    expect(mask.length).toBe(256 * 144);
    const agree = maskAgreement(mask, viewGeometry(256, 144, 'circle'), 256, 144);
    expect(agree.inside).toBeGreaterThan(0.95);
    expect(agree.outside).toBe(1);
  });
});
