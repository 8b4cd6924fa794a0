import { describe, expect, it } from 'vitest';
import {
  CaseTimeline,
  frameIndexAt,
  frameWindow,
  keyframeAtOrBefore,
  keyframeIndices,
  keyframeInterval,
  medianFrameDuration,
  seekTimeForFrame,
} from '../../../../main/core/case-time.js';
import { formatClock, formatTime, parseTime } from '../../../../main/core/time-format.js';

describe('CaseTimeline', () => {
  const tl = new CaseTimeline([
    { id: 'a', duration: 10 },
    { id: 'b', duration: 0 },
    { id: 'c', duration: 5.5 },
  ]);

  it('concatenates parts', () => {
    expect(tl.duration).toBe(15.5);
    expect(tl.starts).toEqual([0, 10, 10]);
    expect(tl.toCaseTime('c', 2)).toBe(12);
  });

  it('maps a boundary to the later part and skips empty parts', () => {
    expect(tl.locate(10)).toEqual({ index: 2, partId: 'c', offset: 0, clamped: false });
    expect(tl.locate(9.999)).toMatchObject({ partId: 'a', clamped: false });
  });

  it('clamps out-of-range times and says so', () => {
    expect(tl.locate(-3)).toEqual({ index: 0, partId: 'a', offset: 0, clamped: true });
    expect(tl.locate(99)).toEqual({ index: 2, partId: 'c', offset: 5.5, clamped: true });
    expect(tl.locate(Number.NaN).clamped).toBe(true);
  });

  it('splits a range at part boundaries', () => {
    expect(tl.split(8, 12)).toEqual([
      { partId: 'a', index: 0, from: 8, to: 10 },
      { partId: 'c', index: 2, from: 0, to: 2 },
    ]);
  });

  it('round-trips every time', () => {
    for (let t = 0; t < 15.5; t += 0.37) {
      const p = tl.locate(t);
      expect(tl.toCaseTime(p.partId, p.offset)).toBeCloseTo(t, 9);
    }
  });
});

describe('frames', () => {
  const vfr = [0, 0.04, 0.08, 0.2, 0.21, 0.5];
  it('finds the frame on screen, with real timestamps', () => {
    expect(frameIndexAt(vfr, 0)).toBe(0);
    expect(frameIndexAt(vfr, 0.079999999)).toBe(2); // float noise tolerated
    expect(frameIndexAt(vfr, 0.19)).toBe(2);
    expect(frameIndexAt(vfr, 0.2)).toBe(3);
    expect(frameIndexAt(vfr, 7)).toBe(5);
    expect(frameIndexAt([0.1, 0.2], 0)).toBe(0);
  });
  it('seeks to the middle of a frame', () => {
    expect(seekTimeForFrame(vfr, 2, 0.6)).toBeCloseTo(0.14);
    expect(seekTimeForFrame(vfr, 5, 0.6)).toBeCloseTo(0.55);
    expect(frameIndexAt(vfr, seekTimeForFrame(vfr, 3, 0.6))).toBe(3);
  });
  it('estimates the nominal frame duration', () => {
    const cfr = Array.from({ length: 300 }, (_, i) => i / 30);
    expect(medianFrameDuration(cfr)).toBeCloseTo(1 / 30, 9);
    expect(medianFrameDuration([1])).toBeNull();
  });
});

describe('time format', () => {
  it('parses seconds and clock times', () => {
    expect(parseTime('754.5')).toBe(754.5);
    expect(parseTime('00:12:34')).toBe(754);
    expect(parseTime('12:34.250')).toBe(754.25);
    expect(parseTime('1:02:03.5')).toBe(3723.5);
    expect(parseTime(' 90s ')).toBe(90);
    expect(parseTime('12:75')).toBeNull();
    expect(parseTime('abc')).toBeNull();
    expect(parseTime(Number.NaN)).toBeNull();
  });
  it('formats for people and for machines', () => {
    expect(formatTime(75.25)).toBe('1:15');
    expect(formatTime(3723.5, { millis: true })).toBe('1:02:03.500');
    expect(formatClock(754.25)).toBe('00:12:34.250');
    expect(formatClock(36000)).toBe('10:00:00.000');
  });
});

describe('keyframe table', () => {
  // 5 frames in presentation order; packets in decode order (a B-frame stream): I P B B I.
  const frames = [0, 0.04, 0.08, 0.12, 0.16];
  const packetTimes = [0, 0.12, 0.04, 0.08, 0.16];
  const packetKeys = [1, 0, 0, 0, 1];

  it('finds the keyframes among the frames by their timestamps', () => {
    expect([...keyframeIndices(frames, packetTimes, packetKeys)]).toEqual([0, 4]);
    // A keyframe flag on a time that is no frame of ours, and repeated flags, are ignored.
    expect([...keyframeIndices(frames, [0, 0, 0.05], [1, 1, 1])]).toEqual([0]);
    expect([...keyframeIndices([], packetTimes, packetKeys)]).toEqual([]);
  });

  it('gives the keyframe at or before a frame', () => {
    const keys = Uint32Array.from([0, 30, 60]);
    expect(keyframeAtOrBefore(keys, 0)).toBe(0);
    expect(keyframeAtOrBefore(keys, 29)).toBe(0);
    expect(keyframeAtOrBefore(keys, 30)).toBe(30);
    expect(keyframeAtOrBefore(keys, 1000)).toBe(60);
    expect(keyframeAtOrBefore(Uint32Array.from([5]), 4)).toBeNull();
    expect(keyframeAtOrBefore(new Uint32Array(0), 4)).toBeNull();
  });

  it('gives each frame a window holding its timestamp and no other, at variable frame rate too', () => {
    const vfr = [0, 0.04, 0.1, 0.11, 0.5];
    for (let i = 0; i < vfr.length; i++) {
      const w = frameWindow(vfr, i);
      expect(vfr.filter((t) => t >= w.from && t <= w.to)).toEqual([vfr[i]]);
    }
    expect(frameWindow(vfr, 2).from).toBeCloseTo(0.07, 12);
    expect(frameWindow(vfr, 2).to).toBeCloseTo(0.105, 12);
    expect(frameWindow(vfr, 0).from).toBe(-1);
  });

  it('measures the keyframe interval', () => {
    const times = Array.from({ length: 91 }, (_, i) => i / 30);
    expect(keyframeInterval(times, [0, 30, 60, 90])).toBeCloseTo(1, 9);
    expect(keyframeInterval(times, [0])).toBeNull();
  });
});
