import { describe, expect, it } from 'vitest';
import { accurateCut, keyframeTimes, partEnd, streamCopyCut } from '../../../../main/core/cut-plan.js';

// 30 fps, frames at k/30 s; 10 s of them.
const fps30 = Float64Array.from({ length: 300 }, (_, k) => k / 30);
// Variable frame rate: 10 frames at 25 fps, then 10 at 50 fps.
const vfr = Float64Array.from([...Array.from({ length: 10 }, (_, k) => k * 0.04), ...Array.from({ length: 10 }, (_, k) => 0.4 + k * 0.02)]);

describe('the frame-exact cut', () => {
  it('takes the frame on screen at the start and stops after the last frame shown before the end', () => {
    const cut = accurateCut(fps30, 1.01, 2, partEnd(fps30, 10, 30));
    // Frame 30 (1.000 s) is on screen at 1.01 s; frame 60 starts exactly at 2 s and is left out.
    expect(cut.from).toBe(30 / 30);
    expect(cut.to).toBe(60 / 30);
    expect(cut.last).toBe(59 / 30);
    // ffmpeg is pointed midway between frames, so rounding takes neither neighbour.
    expect(cut.seek).toBeCloseTo(29.5 / 30, 12);
    expect(cut.stop).toBeCloseTo(59.5 / 30, 12);
  });

  it('starts at 0 on the first frame and runs to the part end on the last', () => {
    const end = partEnd(fps30, 9.9, 30);
    expect(end).toBeCloseTo(299.5 / 30, 12);
    expect(accurateCut(fps30, 0, 100, end)).toEqual({ from: 0, to: end, last: 299 / 30, seek: 0, stop: end });
  });

  it('follows the real timestamps of a variable frame rate', () => {
    const cut = accurateCut(vfr, 0.41, 0.45, partEnd(vfr, 0.6, 0));
    expect(cut.from).toBeCloseTo(0.4, 12);
    expect(cut.to).toBeCloseTo(0.46, 12);
    expect(cut.last).toBeCloseTo(0.44, 12);
    expect(cut.seek).toBeCloseTo(0.38, 12);
    expect(cut.stop).toBeCloseTo(0.45, 12);
  });

  it('puts the part end half a frame past the last frame when the container says less', () => {
    expect(partEnd(fps30, 5, 30)).toBeCloseTo(299.5 / 30, 12);
    expect(partEnd(fps30, 12, 30)).toBe(12);
    // One frame only: no median, so the stream's rate (or 30 fps) gives the half frame.
    expect(partEnd(Float64Array.of(0), 0, 25)).toBeCloseTo(0.02, 12);
    expect(partEnd(Float64Array.of(0), 0, 0)).toBeCloseTo(1 / 60, 12);
  });
});

describe('the stream-copy cut', () => {
  const scan = { packetTimes: Float64Array.from([4, 0, 2, 6, 8]), packetKeys: Uint8Array.from([1, 1, 0, 1, 1]) };

  it('reads the keyframes from the packet scan, in order; the first frame when there are none', () => {
    expect(keyframeTimes(scan, fps30)).toEqual([0, 4, 6, 8]);
    expect(keyframeTimes(null, Float64Array.of(0.5, 0.54))).toEqual([0.5]);
    expect(keyframeTimes({ packetTimes: [1, 2], packetKeys: [0, 0] }, fps30)).toEqual([0]);
  });

  it('widens the range to the keyframe before the start and the keyframe at or after the end', () => {
    const keys = keyframeTimes(scan, fps30);
    const end = partEnd(fps30, 10, 30);
    expect(streamCopyCut(fps30, keys, 4.5, 5.5, end)).toEqual({ from: 4, to: 6, frames: 60 });
    // A range starting on a keyframe starts there; one ending on a keyframe ends there.
    expect(streamCopyCut(fps30, keys, 4, 6, end)).toEqual({ from: 4, to: 6, frames: 60 });
    // Past the last keyframe the copy runs to the part's end.
    expect(streamCopyCut(fps30, keys, 8.2, 9, end)).toEqual({ from: 8, to: end, frames: 60 });
  });
});
