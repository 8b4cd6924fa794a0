import { describe, expect, it } from 'vitest';
import { cutStretches, labelCase, settledAway, type LabelTracks } from '../../../../../../../main/core/agent/backends/scout/case-labels.js';
import { DEFAULT_SCOUT_OPTIONS } from '../../../../../../../main/core/agent/backends/scout/policy.js';

const T = DEFAULT_SCOUT_OPTIONS.thresholds;
const N = 90;

/** Display tracks of a quiet case, changed by `edit`. */
type Editable = Record<'outOfBody' | 'haze' | 'blood' | 'motion' | 'brightness', number[]>;

function tracks(edit: (t: Editable) => void): LabelTracks {
  const t = {
    outOfBody: Array.from({ length: N }, () => 0.02),
    haze: Array.from({ length: N }, () => 0.02),
    blood: Array.from({ length: N }, () => 0.02),
    motion: Array.from({ length: N }, (_, i) => 0.6 + 0.1 * Math.sin(i)),
    brightness: Array.from({ length: N }, () => 0.3),
  };
  edit(t);
  return t;
}

function fill(values: number[], from: number, to: number, v: number): void {
  for (let i = from; i < to; i++) values[i] = v;
}

const spans = (c: readonly { start: number; end: number }[]) => c.map((w) => [w.start, w.end]);

describe('case labels: one event per second', () => {
  it('keeps separate events as the per-track candidates find them', () => {
    const l = labelCase(
      tracks((t) => {
        fill(t.blood, 10, 20, 0.9);
        fill(t.haze, 30, 40, 0.9);
        fill(t.outOfBody, 50, 60, 0.95);
        fill(t.motion, 70, 80, 0.02);
      }),
      T,
    );
    expect(spans(l.episodes.bleeding)).toEqual([[10, 20]]);
    expect(spans(l.episodes.smoke)).toEqual([[30, 40]]);
    expect(spans(l.episodes.outOfBody)).toEqual([[50, 60]]);
    expect(spans(l.episodes.idle)).toEqual([[70, 80]]);
    expect(l.settled).toEqual([]);
  });

  it('gives a bright hazy stretch that also reads as not tissue to smoke, and says so', () => {
    const l = labelCase(
      tracks((t) => {
        fill(t.haze, 30, 45, 0.98);
        fill(t.outOfBody, 30, 45, 0.9);
        fill(t.brightness, 30, 45, 0.97);
      }),
      T,
    );
    expect(spans(l.episodes.smoke)).toEqual([[30, 45]]);
    expect(l.episodes.outOfBody).toEqual([]);
    expect(settledAway(l, 'outOfBody')).toMatchObject([{ start: 30, end: 45, to: 'smoke' }]);
    expect(settledAway(l, 'outOfBody')[0]!.why).toMatch(/brightest/);
  });

  it('gives a hazy stretch that is not brightened to the camera outside, and says so', () => {
    const l = labelCase(
      tracks((t) => {
        fill(t.haze, 30, 45, 0.95);
        fill(t.outOfBody, 30, 45, 1);
        fill(t.brightness, 30, 45, 0.6);
      }),
      T,
    );
    expect(l.episodes.smoke).toEqual([]);
    expect(spans(l.episodes.outOfBody)).toEqual([[30, 45]]);
    expect(settledAway(l, 'smoke')).toMatchObject([{ start: 30, end: 45, to: 'outOfBody' }]);
  });

  it('reads no bleeding and no pause while the camera is outside', () => {
    const l = labelCase(
      tracks((t) => {
        fill(t.outOfBody, 20, 40, 0.95);
        fill(t.blood, 20, 40, 0.7);
        fill(t.motion, 20, 40, 0.01);
      }),
      T,
    );
    expect(spans(l.episodes.outOfBody)).toEqual([[20, 40]]);
    expect(l.episodes.bleeding).toEqual([]);
    expect(l.episodes.idle).toEqual([]);
  });

  it('reads no pause in smoke, which flattens the picture motion is read from', () => {
    const l = labelCase(
      tracks((t) => {
        fill(t.haze, 20, 40, 0.9);
        fill(t.motion, 25, 35, 0.02);
        fill(t.motion, 60, 70, 0.02);
      }),
      T,
    );
    expect(spans(l.episodes.smoke)).toEqual([[20, 40]]);
    expect(spans(l.episodes.idle)).toEqual([[60, 70]]);
  });

  it('reads a stretch of a case that moves little throughout as a pause only when the picture is frozen', () => {
    const quiet = (still: number) =>
      labelCase(
        tracks((t) => {
          t.motion = Array.from({ length: N }, (_, i) => 0.25 + 0.05 * Math.sin(i));
          fill(t.motion, 40, 50, still);
        }),
        T,
      );
    const slow = quiet(0.1);
    expect(slow.episodes.idle).toEqual([]);
    expect(slow.usualMotion).toBeLessThan(0.4);
    expect(slow.idle.high).toBeGreaterThan(0.95);
    expect(spans(quiet(0.01).episodes.idle)).toEqual([[40, 50]]);
  });

  it('lists the stretches between two cuts that look unlike the view around them, where the colours say nothing', () => {
    const t = tracks((x) => {
      // A warm room: no rise on the out-of-body track, but darker and redder than the tissue around it.
      fill(x.brightness, 20, 32, 0.02);
      fill(x.blood, 20, 32, 0.4);
    });
    const sc = Array.from({ length: N }, () => 0);
    sc[20] = 0.9;
    sc[32] = 0.8;
    // A cut inside the patient with no change of view around it is no trip out.
    sc[60] = 0.7;
    sc[70] = 0.6;
    const withCuts = { ...t, sceneChange: sc };
    const l = labelCase(withCuts, T);
    expect(l.episodes.outOfBody).toEqual([]);
    expect(cutStretches(withCuts, l).map((w) => [w.start, w.end])).toEqual([[20, 32]]);
  });

  it('holds an out-of-body reading with no change of scene at either edge for the frames to settle (a colour drift)', () => {
    const t = tracks((x) => {
      fill(x.outOfBody, 10, 16, 0.9);
      fill(x.outOfBody, 50, 62, 0.95);
      fill(x.blood, 9, 20, 0.8);
    });
    const sc = Array.from({ length: N }, () => 0.02);
    sc[50] = 0.9;
    sc[62] = 0.85;
    const l = labelCase({ ...t, sceneChange: sc }, T);
    expect(spans(l.episodes.outOfBody)).toEqual([[50, 62]]);
    expect(spans(l.uncut)).toEqual([[10, 16]]);
    // Its seconds stay inside the patient: the bleeding is read over them.
    expect(spans(l.episodes.bleeding)).toEqual([[9, 20]]);
  });
});
