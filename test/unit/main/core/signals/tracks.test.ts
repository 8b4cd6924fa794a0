import { describe, expect, it } from 'vitest';
import {
  buildTracks,
  estimateFieldOfView,
  frameFeatures,
  TRACK_KEYS,
  type FeatureSample,
  type FrameFeatures,
  type RawTracks,
} from '../../../../../main/core/signals/index.js';
import { rateSteadiness } from '../../../../../main/core/signals/packets.js';
import type { PacketInfo } from '../../../../../main/core/signals/types.js';
import { roomFrame, tissueFrame, type Instrument } from '../../../../support/signal-frames.js';
import { synthPackets } from '../../../signals/packets.js';

const mask = estimateFieldOfView(Array.from({ length: 12 }, (_, k) => tissueFrame({ sceneSeed: k + 1, shift: [k * 5, k * 3] })));

function mean(a: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s / (to - from);
}

/** Every value in 0..1; motion may be unknown (NaN) where nothing measured it. */
function expectFinite(t: RawTracks, n: number, unknownMotion = false): void {
  expect(t.rate).toBe(1);
  for (const key of TRACK_KEYS) {
    expect(t[key].length, key).toBe(n);
    for (const v of t[key]) {
      if (key === 'motion' && unknownMotion && Number.isNaN(v)) continue;
      expect(Number.isFinite(v), key).toBe(true);
      expect(v, key).toBeGreaterThanOrEqual(0);
      expect(v, key).toBeLessThanOrEqual(1);
    }
  }
}

/** Plain features with chosen scalars (thumbnail and histogram of one real frame). */
const template = frameFeatures(tissueFrame(), mask);
function fake(values: Partial<FrameFeatures>): FrameFeatures {
  return { ...template, ...values };
}

/** Keyframes at irregular 1-2.5 s spacing. */
function keyTimes(duration: number, seed = 1): number[] {
  const out: number[] = [];
  let t = 0.2;
  let k = seed;
  while (t < duration) {
    out.push(t);
    k = (k * 1103515245 + 12345) >>> 0;
    t += 1 + 1.5 * ((k >>> 16) / 65536);
  }
  return out;
}

/** A moving scene: instruments swing and the camera drifts. */
function movingFrame(t: number): ReturnType<typeof tissueFrame> {
  const instruments: Instrument[] = [
    { angle: 0.6 + 0.8 * Math.sin(t * 0.9), reach: 0.5 + 0.3 * Math.sin(t * 1.7), width: 7 },
    { angle: 2.7 + 0.6 * Math.cos(t * 1.3), reach: 0.6, width: 6, dark: true },
  ];
  return tissueFrame({ instruments, shift: [3 * Math.sin(t * 0.4), 2 * Math.cos(t * 0.3)], noiseSeed: Math.round(t * 1000) });
}

/** The same still scene: only sensor noise and auto-exposure change. */
function stillFrame(t: number): ReturnType<typeof tissueFrame> {
  return tissueFrame({ noiseSeed: Math.round(t * 1000), exposure: 0.9 + 0.15 * Math.sin(t) });
}

describe('buildTracks: shape and resampling', () => {
  it('has one value per second over [0, duration)', () => {
    expect(buildTracks([], [], 10).motion.length).toBe(10);
    expect(buildTracks([], [], 10.2).blood.length).toBe(11);
    expect(buildTracks([], [], 0).haze.length).toBe(0);
    expect(buildTracks([], [], Number.NaN).haze.length).toBe(0);
    expect(buildTracks([], [], -5).haze.length).toBe(0);
  });

  it('handles no samples and no packets; motion is unknown, not still', () => {
    const t = buildTracks([], [], 30);
    expectFinite(t, 30, true);
    expect(Math.max(...t.blood, ...t.sceneChange)).toBe(0);
    expect(t.motion.every((v) => Number.isNaN(v))).toBe(true);
  });

  it('handles a single sample by holding it (a second-long part has no motion to measure)', () => {
    const t = buildTracks([{ time: 12.3, features: fake({ blood: 0.2, haze: 0.4, outOfBody: 0.1, brightness: 0.5 }) }], [], 40);
    expectFinite(t, 40, true);
    expect(t.motion.every((v) => Number.isNaN(v))).toBe(true);
    expect(t.blood[0]).toBeCloseTo(0.2, 6);
    expect(t.blood[39]).toBeCloseTo(0.2, 6);
    expect(t.haze[20]).toBeCloseTo(0.4, 6);
    expect(Math.max(...t.sceneChange)).toBe(0);
  });

  it('interpolates irregular samples, averages dense ones and holds the ends', () => {
    const samples: FeatureSample[] = [
      { time: 2.5, features: fake({ blood: 0 }) },
      { time: 6.5, features: fake({ blood: 0.4 }) },
      { time: 7.1, features: fake({ blood: 0.2 }) },
      { time: 7.6, features: fake({ blood: 0.6 }) },
      { time: 11.2, features: fake({ blood: 0.1 }) },
    ];
    const t = buildTracks([...samples].reverse(), [], 20);
    expectFinite(t, 20);
    expect(t.blood[0]).toBeCloseTo(0, 6); // held before the first sample
    expect(t.blood[2]).toBeCloseTo(0, 6); // the sample in that second
    expect(t.blood[4]).toBeCloseTo(0.2, 5); // halfway between 2.5 and 6.5
    expect(t.blood[7]).toBeCloseTo(0.4, 5); // mean of the two samples in [7, 8)
    expect(t.blood[9]).toBeCloseTo(0.6 + ((9.5 - 7.6) / (11.2 - 7.6)) * (0.1 - 0.6), 5);
    expect(t.blood[19]).toBeCloseTo(0.1, 6); // held after the last
  });

  it('ignores samples with a non-finite time', () => {
    const t = buildTracks([{ time: Number.NaN, features: fake({ blood: 0.9 }) }, { time: 3, features: fake({ blood: 0.1 }) }], [], 5);
    expect(t.blood[0]).toBeCloseTo(0.1, 6);
  });
});

describe('buildTracks: motion', () => {
  const duration = 300;
  const idle = (t: number): boolean => t >= 120 && t < 180;
  const activity = (t: number): number => (idle(t) ? 0 : 1 + 0.5 * Math.sin(t * 0.2));
  let cached: FeatureSample[] | null = null;
  /** Keyframes of the same recording: still (idle) from 120 to 180 s, moving elsewhere. */
  const keyframeSamples = (): FeatureSample[] =>
    (cached ??= keyTimes(duration).map((time) => ({
      time,
      features: frameFeatures(idle(time) ? stillFrame(time) : movingFrame(time), mask),
    })));

  it('reads an idle period from packet sizes clearly lower than surgery', () => {
    const t = buildTracks([], synthPackets({ duration, activity }), duration);
    expectFinite(t, duration);
    const idleMean = mean(t.motion, 125, 175);
    const busyMean = (mean(t.motion, 10, 110) + mean(t.motion, 190, 290)) / 2;
    expect(idleMean).toBeLessThan(0.25);
    expect(busyMean).toBeGreaterThan(0.4);
    expect(busyMean - idleMean).toBeGreaterThan(0.25);
    // Every idle second is below every busy second (1 Hz resolution, no smearing).
    expect(Math.max(...t.motion.subarray(121, 179))).toBeLessThan(Math.min(...t.motion.subarray(5, 119)));
  });

  it('does not depend on resolution, bitrate or frame rate', () => {
    const base = buildTracks([], synthPackets({ duration, activity }), duration).motion;
    const big = buildTracks([], synthPackets({ duration, activity, bytesPerUnit: 4000 * 9 }), duration).motion;
    for (let s = 0; s < duration; s++) expect(big[s]).toBeCloseTo(base[s]!, 2);
    const fps50 = buildTracks([], synthPackets({ duration, activity, fps: 50, gop: 1 }), duration).motion;
    expect(Math.abs(mean(fps50, 125, 175) - mean(base, 125, 175))).toBeLessThan(0.05);
    expect(Math.abs(mean(fps50, 10, 110) - mean(base, 10, 110))).toBeLessThan(0.05);
  });

  it('reads an idle period from keyframe pixels, with exposure changes compensated', () => {
    const samples = keyframeSamples();
    const t = buildTracks(samples, [], duration);
    expectFinite(t, duration);
    const idleMean = mean(t.motion, 128, 175);
    const busyMean = (mean(t.motion, 10, 110) + mean(t.motion, 190, 290)) / 2;
    expect(busyMean - idleMean).toBeGreaterThan(0.25);
    expect(idleMean).toBeLessThan(0.25);
  });

  it('falls back to pixels for a constant-bitrate stream', () => {
    const samples = keyframeSamples();
    const t = buildTracks(samples, synthPackets({ duration, activity, cbr: true }), duration);
    expect(mean(t.motion, 10, 110) - mean(t.motion, 128, 175)).toBeGreaterThan(0.25);
    // Without pixels, constant bitrate alone says nothing: motion is unknown rather than still.
    const blind = buildTracks([], synthPackets({ duration, activity, cbr: true }), duration);
    expect(blind.motion.every((v) => Number.isNaN(v))).toBe(true);
  });

  it('leaves motion to the pixels when the frame rate varies: a frozen noisy picture coded at 30 fps is not busier than work at 10', () => {
    // Per frame, a frozen picture's sensor noise costs about what slow work does, so per second
    // the 30 fps stretch weighs three times as much on the packets.
    const packets: PacketInfo[] = [];
    for (let t = 0, i = 0; t < duration; i++) {
      const fps = idle(t) ? 30 : 10;
      packets.push({ time: t, key: i % 20 === 0, size: i % 20 === 0 ? 48000 : 2000 + 400 * Math.sin(i) });
      t += 1 / fps;
    }
    expect(rateSteadiness(packets)).toBe(0);
    expect(rateSteadiness(synthPackets({ duration, activity }))).toBe(1);
    const t = buildTracks(keyframeSamples(), packets, duration);
    const idleMean = mean(t.motion, 128, 175);
    const busyMean = (mean(t.motion, 10, 110) + mean(t.motion, 190, 290)) / 2;
    expect(idleMean).toBeLessThan(0.25);
    expect(busyMean - idleMean).toBeGreaterThan(0.25);
  });

  it('combines packets and pixels', () => {
    const samples = keyframeSamples();
    const t = buildTracks(samples, synthPackets({ duration, activity }), duration);
    const idleMean = mean(t.motion, 128, 175);
    const busyMean = (mean(t.motion, 10, 110) + mean(t.motion, 190, 290)) / 2;
    expect(idleMean).toBeLessThan(0.25);
    expect(busyMean - idleMean).toBeGreaterThan(0.25);
  });
});

describe('buildTracks: scene change', () => {
  const duration = 120;
  const cut = 60.4;
  const samples: FeatureSample[] = keyTimes(duration, 7).map((time) => ({
    time,
    features: frameFeatures(time < cut ? movingFrame(time) : roomFrame({ noiseSeed: Math.round(time * 100) }), mask),
  }));

  it('peaks on the cut second, located by the packet spike', () => {
    const packets = synthPackets({ duration, activity: (t) => (t >= cut && t < cut + 0.5 ? 8 : 1) });
    const t = buildTracks(samples, packets, duration);
    expectFinite(t, duration);
    const peak = t.sceneChange.indexOf(Math.max(...t.sceneChange));
    expect(peak).toBe(60);
    expect(t.sceneChange[60]).toBeGreaterThan(0.4);
    let others = 0;
    for (let s = 0; s < duration; s++) if (s !== 60) others = Math.max(others, t.sceneChange[s]!);
    expect(others).toBeLessThan(0.2);
  });

  it('without packets, falls on the first keyframe after the cut', () => {
    const t = buildTracks(samples, [], duration);
    const after = samples.find((s) => s.time >= cut)!.time;
    const peak = t.sceneChange.indexOf(Math.max(...t.sceneChange));
    expect(peak).toBe(Math.floor(after));
  });

  it('shows the camera leaving the body on the out-of-body track', () => {
    const t = buildTracks(samples, [], duration);
    expect(mean(t.outOfBody, 5, 55)).toBeLessThan(0.15);
    expect(mean(t.outOfBody, 65, 115)).toBeGreaterThan(0.6);
  });
});

describe('buildTracks: a four-hour recording', () => {
  it('completes with ~7,200 samples and ~430,000 packets', () => {
    // Not timed (timings belong to benchmarks); proves the work is linear and finishes.
    const duration = 4 * 3600;
    const distinct = [
      frameFeatures(tissueFrame(), mask),
      frameFeatures(tissueFrame({ blood: 0.1 }), mask),
      frameFeatures(movingFrame(3), mask),
      frameFeatures(tissueFrame({ smoke: 0.5 }), mask),
      frameFeatures(roomFrame(), mask),
    ];
    const samples: FeatureSample[] = [];
    for (let i = 0; i < 7200; i++) samples.push({ time: i * 2 + (i % 3) * 0.3, features: distinct[(i >> 4) % distinct.length]! });
    const packets = synthPackets({ duration, activity: (t) => 1 + Math.sin(t / 300) });
    expect(packets.length).toBe(432000);
    const t = buildTracks(samples, packets, duration);
    expectFinite(t, duration);
  });
});
