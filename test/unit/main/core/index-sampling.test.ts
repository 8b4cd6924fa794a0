import { describe, expect, it } from 'vitest';
import { samplesEveryFrame } from '../../../../main/core/index-sampling.js';

describe('which parts the index reads every frame of', () => {
  it('reads keyframes only in an ordinary recording', () => {
    expect(samplesEveryFrame(2, 30)).toBe(false);
    expect(samplesEveryFrame(4, 25)).toBe(false);
  });

  it('reads every frame when keyframes are sparse or unknown', () => {
    expect(samplesEveryFrame(10, 30)).toBe(true);
    expect(samplesEveryFrame(null, 30)).toBe(true);
  });

  it('reads every frame of a recording at a frame or two a second whose keyframes are seconds apart', () => {
    expect(samplesEveryFrame(4, 1)).toBe(true);
    expect(samplesEveryFrame(3, 2)).toBe(true);
    // Every frame a keyframe already: nothing more to read.
    expect(samplesEveryFrame(1, 1)).toBe(false);
  });
});
