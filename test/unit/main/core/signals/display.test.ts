import { describe, expect, it } from 'vitest';
import { displayScale, TRACK_KEYS, type TrackKey } from '../../../../../main/core/signals/index.js';
import { rng } from '../../../../support/signal-frames.js';

function track(n: number, f: (s: number) => number): Float32Array {
  const out = new Float32Array(n);
  for (let s = 0; s < n; s++) out[s] = f(s);
  return out;
}

function max(a: Float32Array, from = 0, to = a.length): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) m = Math.max(m, a[i]!);
  return m;
}

/** Typical raw level and noise of each track in a recording where nothing happens. */
const QUIET: Record<TrackKey, { level: number; noise: number }> = {
  motion: { level: 0.5, noise: 0.04 },
  brightness: { level: 0.4, noise: 0.03 },
  blood: { level: 0.002, noise: 0.003 },
  haze: { level: 0.33, noise: 0.03 },
  outOfBody: { level: 0.03, noise: 0.03 },
  sceneChange: { level: 0.08, noise: 0.04 },
};

describe('displayScale', () => {
  it.each(TRACK_KEYS.map((k) => [k]))('keeps a flat %s track flat and low', (key) => {
    const out = displayScale(key, track(600, () => 0.37));
    expect(max(out)).toBe(0);
  });

  it.each(TRACK_KEYS.map((k) => [k]))('does not amplify noise on a quiet %s track into events', (key) => {
    const r = rng(3);
    const { level, noise } = QUIET[key];
    const raw = track(3600, (s) => {
      // Scene change is only non-zero on keyframe seconds.
      if (key === 'sceneChange' && s % 2) return 0;
      return Math.max(0, level + (r() * 2 - 1) * noise);
    });
    const out = displayScale(key, raw);
    const sorted = Array.from(out).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.5)]!).toBeLessThan(0.2);
    expect(max(out)).toBeLessThan(0.45);
  });

  it.each([
    ['blood', 0.08],
    ['haze', 0.75],
    ['outOfBody', 0.95],
  ] as const)('makes a real %s event stand out', (key, eventLevel) => {
    const r = rng(5);
    const { level, noise } = QUIET[key];
    const raw = track(3600, (s) => (s >= 1000 && s < 1060 ? eventLevel : Math.max(0, level + (r() * 2 - 1) * noise)));
    const out = displayScale(key, raw);
    expect(Math.min(...out.subarray(1000, 1060))).toBeGreaterThan(0.9);
    expect(max(out, 0, 1000)).toBeLessThan(0.45);
  });

  it('makes a cut stand out of ordinary scene changes', () => {
    const r = rng(9);
    const raw = track(3600, (s) => (s === 1800 ? 0.7 : s % 2 ? 0 : 0.05 + 0.06 * r()));
    const out = displayScale('sceneChange', raw);
    expect(out[1800]).toBe(1);
    expect(max(out, 0, 1800)).toBeLessThan(0.3);
  });

  it('shows an idle period low and ordinary work high on motion', () => {
    const raw = track(3600, (s) => (s >= 1000 && s < 1300 ? 0.12 : 0.5 + 0.1 * Math.sin(s / 10)));
    const out = displayScale('motion', raw);
    expect(max(out, 1000, 1300)).toBeLessThan(0.1);
    expect(Math.min(...out.subarray(0, 1000))).toBeGreaterThan(0.5);
  });

  it('handles empty and non-finite input', () => {
    expect(displayScale('blood', new Float32Array(0)).length).toBe(0);
    const out = displayScale('haze', Float32Array.from([Number.NaN, 0.3, Infinity, 0.3]));
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });

  it('keeps an event that fills half of a short recording standing out (the usual look is read from the lower values)', () => {
    const r = rng(7);
    const values = track(80, (s) => (s >= 20 && s < 60 ? 0.3 + 0.05 * r() : 0.05 + 0.02 * r()));
    const out = displayScale('haze', values);
    let inside = Infinity;
    for (let s = 21; s < 59; s++) inside = Math.min(inside, out[s]!);
    expect(inside).toBeGreaterThan(0.6);
    expect(max(out, 0, 20)).toBeLessThan(0.2);
    expect(max(out, 60, 80)).toBeLessThan(0.2);
  });
});
