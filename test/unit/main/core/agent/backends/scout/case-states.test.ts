import { describe, expect, it } from 'vitest';
import { decodeCaseStates, viterbi, type StateTracks } from '../../../../../../../main/core/agent/backends/scout/case-states.js';
import { mulberry32 } from '../../../../../../../main/core/random.js';

/*
 * Per-second display tracks built from a script of what the case does, with noise, keyframe-held
 * values and the odd flash, in several "looks": the usual levels of each track move with the look
 * (a redder patient raises the blood track's usual level, a hazier light the haze track's).
 */

type Kind = 'outside' | 'smoke' | 'bleeding' | 'pause' | 'grey-room';
interface Ev {
  kind: Kind;
  start: number;
  end: number;
}

interface Look {
  haze: number;
  blood: number;
  motion: number;
  bright: number;
  noise: number;
}

const LOOKS: Look[] = [
  { haze: 0.02, blood: 0.02, motion: 0.6, bright: 0.3, noise: 0.03 },
  { haze: 0.15, blood: 0.1, motion: 0.45, bright: 0.5, noise: 0.05 },
  { haze: 0.05, blood: 0.2, motion: 0.8, bright: 0.15, noise: 0.06 },
];

function tracks(n: number, events: Ev[], look: Look, seed: number): StateTracks {
  const r = mulberry32(seed);
  const g = () => (r() - 0.5) * 2 * look.noise;
  const at = (i: number) => events.find((e) => i + 0.5 >= e.start && i + 0.5 < e.end)?.kind ?? null;
  const c = (v: number) => Math.min(1, Math.max(0, v));
  const out: Record<keyof StateTracks, number[]> = { outOfBody: [], haze: [], blood: [], motion: [], brightness: [], sceneChange: [] };
  for (let i = 0; i < n; i++) {
    const k = at(i);
    out.outOfBody.push(c((k === 'outside' ? 0.9 : k === 'grey-room' ? 0.8 : k === 'smoke' ? 0.6 : 0.02) + g()));
    out.haze.push(c((k === 'smoke' ? 0.95 : k === 'grey-room' ? 0.7 : look.haze) + g()));
    out.blood.push(c((k === 'bleeding' ? look.blood + 0.6 : look.blood) + g()));
    out.motion.push(c((k === 'pause' ? 0.03 : look.motion) + g()));
    out.brightness.push(c((k === 'smoke' ? 0.97 : k === 'grey-room' ? 0.6 : look.bright) + g()));
    const cut = events.some((e) => (e.kind === 'outside' || e.kind === 'grey-room') && (Math.floor(e.start) === i || Math.floor(e.end) === i));
    out.sceneChange.push(cut ? 0.9 : 0);
  }
  // Flashes: single seconds high on every event track.
  for (const i of [3, n - 4]) {
    if (at(i) === null) for (const t of [out.outOfBody, out.haze, out.blood]) t[i] = 0.95;
  }
  return out;
}

function overlap(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  return inter / (Math.max(a.end, b.end) - Math.min(a.start, b.start));
}

const STATE: Record<Kind, string> = { outside: 'outside', smoke: 'smoke', bleeding: 'bleeding', pause: 'pause', 'grey-room': 'outside' };

describe('the case-state model', () => {
  const events: Ev[] = [
    { kind: 'bleeding', start: 20, end: 32 },
    { kind: 'smoke', start: 45, end: 55 },
    { kind: 'outside', start: 70, end: 84 },
    { kind: 'pause', start: 100, end: 112 },
    { kind: 'grey-room', start: 130, end: 142 },
    { kind: 'bleeding', start: 160, end: 166 },
  ];

  it.each(LOOKS.map((l, i) => [i, l] as const))('labels each event as its own state, whatever the look (look %i)', (i, look) => {
    const s = decodeCaseStates(tracks(190, events, look, 17 + i));
    for (const e of events) {
      const match = s.segments.filter((x) => x.state === STATE[e.kind]);
      expect(Math.max(0, ...match.map((x) => overlap(x, e))), `${e.kind} at ${e.start}`).toBeGreaterThan(0.8);
    }
    // No episode of anything where nothing happens: flashes and noise stay the clear view.
    const claimed = s.segments.filter((x) => x.state !== 'clear');
    expect(claimed).toHaveLength(events.length);
  });

  it('reads a grey, hazy room entered with a cut as outside, never as smoke', () => {
    const s = decodeCaseStates(tracks(190, events, LOOKS[0]!, 5));
    const room = events.find((e) => e.kind === 'grey-room')!;
    expect(s.labels.slice(room.start + 1, room.end - 1).every((l) => l === 'outside')).toBe(true);
  });

  it('never calls a still camera outside the patient a pause', () => {
    // The scope lying on the table: outside and nothing moves.
    const t = tracks(120, [{ kind: 'outside', start: 40, end: 70 }], LOOKS[0]!, 9);
    for (let i = 40; i < 70; i++) t.motion = t.motion!.map((m, j) => (j === i ? 0.02 : m));
    const s = decodeCaseStates(t);
    expect(s.segments.filter((x) => x.state === 'pause')).toEqual([]);
    expect(s.segments.filter((x) => x.state === 'outside')).toHaveLength(1);
  });

  it('takes its baselines from the inside seconds, so a long room view does not hide smoke', () => {
    // A third of the case outside with a hazy room, and a short smoke episode.
    const evs: Ev[] = [{ kind: 'grey-room', start: 10, end: 50 }, { kind: 'smoke', start: 80, end: 86 }];
    const s = decodeCaseStates(tracks(120, evs, LOOKS[1]!, 3));
    expect(s.levels.haze.usual).toBeLessThan(0.3);
    expect(s.segments.filter((x) => x.state === 'smoke').map((x) => [x.start, x.end])).toEqual([[80, 86]]);
  });

  it('bridges a few seconds without data and ends an episode at a long gap', () => {
    const t = tracks(100, [{ kind: 'bleeding', start: 20, end: 60 }], LOOKS[0]!, 4);
    for (const k of ['outOfBody', 'haze', 'blood', 'motion', 'brightness'] as const) for (let i = 30; i < 33; i++) t[k] = t[k]!.map((v, j) => (j === i ? -1 : v));
    expect(decodeCaseStates(t).segments.filter((x) => x.state === 'bleeding').map((x) => [x.start, x.end])).toEqual([[20, 60]]);
    for (const k of ['outOfBody', 'haze', 'blood', 'motion', 'brightness'] as const) for (let i = 30; i < 45; i++) t[k] = t[k]!.map((v, j) => (j === i ? -1 : v));
    const parts = decodeCaseStates(t).segments.filter((x) => x.state === 'bleeding');
    expect(parts).toHaveLength(2);
    expect(decodeCaseStates(t).labels[35]).toBeNull();
  });

  it('gives nothing for a case with no data', () => {
    expect(decodeCaseStates({})).toMatchObject({ labels: [], segments: [] });
  });

  it('decodes the cheapest path, paying a switch only when the evidence outweighs it', () => {
    const e = (a: number, b: number) => Float64Array.from([a, b]);
    const cost = () => 3;
    // One second for state 1 by 2 does not pay two switches; three seconds do.
    expect(viterbi([e(0, -2), e(-2, 0), e(0, -2)], 2, cost)).toEqual([0, 0, 0]);
    expect(viterbi([e(0, -4), e(-4, 0), e(-4, 0), e(0, -4)], 2, cost)).toEqual([0, 1, 1, 0]);
  });
});
