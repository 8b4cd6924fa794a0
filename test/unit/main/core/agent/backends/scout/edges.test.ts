/*
 * Where the scout places an event's edges on the frames of its crops: halfway between the event's
 * level and the level just outside that edge, so a short case that events fill most of (whose
 * median is an event's level) still has its onset placed where the event begins.
 */
import { describe, expect, it } from 'vitest';
import { askScout, type Series } from '../../../../../../support/scout-tools.js';

const N = 85;

/** Smoke from 29 to 46 s and from 66 to 80 s, a view outside from 5 to 24 s that reads as hazy too. */
function crowded(): Series {
  const flat = (v: number) => Array.from({ length: N }, () => v);
  const s = { haze: flat(0), outOfBody: flat(0.02), blood: flat(0.02), brightness: flat(0.1), motion: Array.from({ length: N }, (_, i) => 0.6 + 0.1 * Math.sin(i)), sceneChange: flat(0) };
  for (let i = 5; i < 24; i++) {
    s.haze[i] = 0.99;
    s.outOfBody[i] = 0.95;
    s.brightness[i] = 0.5;
  }
  s.sceneChange[5] = 1;
  s.sceneChange[24] = 1;
  // Smoke thickens over its first second: the display reads it part-way there.
  s.haze[29] = 0.43;
  for (let i = 30; i < 46; i++) s.haze[i] = 0.56;
  for (let i = 66; i < 80; i++) s.haze[i] = 0.56;
  for (const i of [29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79]) s.brightness[i] = 0.75;
  return s;
}

describe('scout: edges on the frames', () => {
  it('places the onset of smoke where it begins although hazy seconds are most of the case', async () => {
    const s = crowded();
    const hazy = s.haze!.filter((v) => v >= 0.5).length;
    expect(hazy * 2).toBeGreaterThan(N - hazy);
    const { record } = await askScout('When does the smoke first appear?', s, N);
    expect(record.evidence[0]!.start).toBeGreaterThanOrEqual(28.5);
    expect(record.evidence[0]!.start).toBeLessThanOrEqual(29.5);
    expect(record.evidence[0]!.end).toBeCloseTo(46, 0);
  });

  it('places the start of a spreading bleeding where the first blood shows, not where the pool is half grown', async () => {
    const flat = (v: number) => Array.from({ length: N }, () => v);
    const s: Series = { blood: flat(0), haze: flat(0), outOfBody: flat(0.02), brightness: flat(0.3), motion: Array.from({ length: N }, (_, i) => 0.6 + 0.1 * Math.sin(i)), sceneChange: flat(0) };
    // The pool spreads from 0:40 over 8 s, then stays until it is cleared at 0:56.
    for (let i = 40; i < 56; i++) s.blood![i] = Math.min(1, 0.15 * (i - 40 + 1));
    const { record } = await askScout('When does the bleeding start?', s, N);
    expect(record.evidence[0]!.start).toBeGreaterThanOrEqual(39.5);
    expect(record.evidence[0]!.start).toBeLessThanOrEqual(41);
    expect(record.evidence[0]!.end).toBeCloseTo(56, 0);
  });
});
