import { describe, expect, it } from 'vitest';
import { DECODE_COSTS, passSeek, planDecodePasses } from '../../../../main/core/frame-decode-plan.js';

/** 30 fps, a keyframe every 2 s (60 frames), 20 minutes: the bench recording's shape. */
const FPS = 30;
const GOP = 60;
const times = Float64Array.from({ length: 36_000 }, (_, i) => i / FPS);
const keys = Uint32Array.from({ length: 600 }, (_, k) => k * GOP);
const at = (...indices: number[]) => indices.map((index) => ({ index }));
const shape = (passes: ReturnType<typeof planDecodePasses<{ index: number }>>) =>
  passes.map((p) => [p.mode, p.from, p.frames.map((f) => f.index)]);

describe('decoder passes', () => {
  it('decodes keyframes spread over a minute in one keyframe-only pass, cut in two for two cores', () => {
    // Eight keyframes 8 s apart (4 keyframes between each).
    const frames = at(...Array.from({ length: 8 }, (_, k) => 18_000 + k * 4 * GOP));
    expect(shape(planDecodePasses(frames, keys, 1))).toEqual([['key', 18_000, frames.map((f) => f.index)]]);
    const two = planDecodePasses(frames, keys, 2);
    expect(two.map((p) => p.mode)).toEqual(['key', 'key']);
    expect(two.flatMap((p) => p.frames)).toEqual(frames);
  });

  it('gives far-apart keyframes (a storyboard) a decoder each', () => {
    const frames = at(0, 3000 * 1, 3000 * 2 - 60 * 25);
    const passes = planDecodePasses(frames, keys, 2);
    expect(shape(passes)).toEqual([
      ['key', 0, [0]],
      ['key', 3000, [3000]],
      ['key', 4500, [4500]],
    ]);
  });

  it('decodes from the keyframe before a frame, and through to nearby frames in the same pass', () => {
    // One frame in the middle of a GOP: an 'all' pass from its keyframe.
    expect(shape(planDecodePasses(at(630), keys, 2))).toEqual([['all', 600, [630]]]);
    // Frames one second apart over 4 s: decoding through is cheaper than new decoders...
    const dense = at(615, 645, 675, 705);
    const one = planDecodePasses(dense, keys, 1);
    expect(shape(one)).toEqual([['all', 600, [615, 645, 675, 705]]]);
    // ...and with two cores the run is cut where the halves decode about as much.
    const two = planDecodePasses(dense, keys, 2);
    expect(shape(two)).toEqual([
      ['all', 600, [615, 645]],
      ['all', 660, [675, 705]],
    ]);
    // A keyframe and a frame after it in its GOP share one 'all' pass.
    expect(shape(planDecodePasses(at(600, 610), keys, 1))).toEqual([['all', 600, [600, 610]]]);
  });

  it('starts a new decoder when the next frame is far enough that decoding through costs more', () => {
    const passes = planDecodePasses(at(630, 630 + 10 * GOP + 5), keys, 1);
    expect(shape(passes)).toEqual([
      ['all', 600, [630]],
      ['all', 1200, [1235]],
    ]);
  });

  it('never splits below what a decoder costs to start', () => {
    // Two frames three apart: one decoder even with two cores.
    expect(planDecodePasses(at(650, 653), keys, 2)).toHaveLength(1);
  });

  it('decodes every frame from where the seek lands when the keyframes are unknown', () => {
    const passes = planDecodePasses(at(630, 640), null, 2);
    expect(shape(passes)).toEqual([['all', null, [630, 640]]]);
    expect(DECODE_COSTS.unknownLead).toBeGreaterThan(0);
  });

  it('seeks into the keyframe’s run (ffmpeg aims earlier on B-frame streams), or halfway before the first frame when no keyframe is known, and bounds the read', () => {
    const [p] = planDecodePasses(at(630, 640), keys, 1);
    const s = passSeek(times, keys, p!);
    // Halfway into the 2 s run, at most a second: 0.13 s earlier still lands on keyframe 600.
    expect(s.seek).toBeCloseTo(times[600]! + 1, 9);
    expect(s.seek - 3 / 23).toBeGreaterThan(times[600]!);
    expect(s.seek + s.duration).toBeGreaterThan(times[640]! + 0.9);
    expect(s.duration).toBeLessThan(3);
    // A short run: the seek may land a keyframe early, and the read still reaches the frame.
    const short = Uint32Array.from({ length: 3000 }, (_, k) => k * 3);
    const [r] = planDecodePasses(at(301), short, 1);
    const rs = passSeek(times, short, r!);
    expect(rs.seek).toBeCloseTo(times[300]! + 0.05, 9);
    // ffmpeg counts the read from where it lands: 0.13 s early is keyframe 297.
    expect(rs.duration).toBeGreaterThan(times[301]! - times[297]! + 0.9);
    const [q] = planDecodePasses(at(630), null, 1);
    const qs = passSeek(times, null, q!);
    expect(qs.seek).toBeCloseTo((times[629]! + times[630]!) / 2, 9);
    expect(qs.duration).toBeGreaterThan(10);
    const [first] = planDecodePasses(at(0), null, 1);
    expect(passSeek(times, null, first!).seek).toBe(0);
  });
});
