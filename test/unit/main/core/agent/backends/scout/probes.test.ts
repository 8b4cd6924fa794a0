/*
 * The scout and the pretrained detector on the frames it looks at: a view outside the patient that
 * the colour tracks miss (a warm room between two cuts) is found by looking at one frame in its
 * middle, and a false "person" on tissue does not overturn what the tracks say.
 */
import { describe, expect, it } from 'vitest';
import { createScoutBackend } from '../../../../../../../main/core/agent/backends/scout/index.js';
import { runAgent, type AgentTools, type FrameDetection } from '../../../../../../../main/core/agent/engine/index.js';
import type { TrackName } from '../../../../../../../main/core/contract/schemas.js';
import { manualClock } from '../../../../../agent/scripted-backend.js';
import { askScout, seriesTools, type Seen } from '../../../../../../support/scout-tools.js';

const N = 90;
const ROOM = { start: 20, end: 32 };

function series(): Partial<Record<TrackName, number[]>> {
  const s = {
    outOfBody: Array.from({ length: N }, () => 0.02),
    haze: Array.from({ length: N }, () => 0.02),
    blood: Array.from({ length: N }, () => 0.02),
    motion: Array.from({ length: N }, (_, i) => 0.6 + 0.1 * Math.sin(i)),
    brightness: Array.from({ length: N }, () => 0.3),
    sceneChange: Array.from({ length: N }, () => 0),
  };
  for (let i = ROOM.start; i < ROOM.end; i++) {
    s.brightness[i] = 0.02;
    s.blood[i] = 0.3;
  }
  s.sceneChange[ROOM.start] = 0.9;
  s.sceneChange[ROOM.end] = 0.8;
  // A pause in the tissue, whose frames the detector wrongly calls a person on.
  for (let i = 60; i < 70; i++) s.motion[i] = 0.02;
  return s;
}

async function ask(question: string, seen: Seen) {
  return askScout(question, series(), N, seen);
}

const inRoom = (t: number) => t >= ROOM.start && t < ROOM.end;
const person = (score: number): FrameDetection[] => [{ label: 'person', score, box: [10, 10, 200, 400] }];

describe('scout: the detector settles what the colour tracks cannot', () => {
  it('finds a warm room between two cuts by one frame in its middle where the detector sees people', async () => {
    const { record, frames } = await ask('When is the camera out of the body?', (t) => (inRoom(t) ? person(0.62) : []));
    expect(frames.some(inRoom)).toBe(true);
    expect(record.evidence).toHaveLength(1);
    expect(record.evidence[0]).toMatchObject({ start: ROOM.start, end: ROOM.end });
    expect(record.answer).toMatch(/person 0\.62/);
  });

  it('claims no out-of-body period there when the frame shows no room', async () => {
    const { record } = await ask('When is the camera out of the body?', () => []);
    expect(record.evidence).toEqual([]);
    expect(record.answer).toMatch(/^No out-of-body period was seen/);
  });

  it('says so when the vision model did not look, and claims nothing', async () => {
    const { record } = await ask('When is the camera out of the body?', () => undefined);
    expect(record.evidence).toEqual([]);
    expect(record.answer).toMatch(/between two cuts, may be a view outside the patient; without the vision model's detections/);
  });

  it('keeps a pause the tracks are sure of when the detector calls the tissue a person at a score it gives tissue', async () => {
    const { record } = await ask('When is there a pause?', (t) => (t >= 60 && t < 70 ? person(0.44) : []));
    expect(record.evidence[0]).toMatchObject({ start: expect.closeTo(60, 0), end: expect.closeTo(70, 0) });
  });

  it('leaves out a pause whose frames surely show a room', async () => {
    const { record } = await ask('When is there a pause?', (t) => (t >= 60 && t < 70 ? person(0.7) : []));
    expect(record.evidence).toEqual([]);
    expect(record.answer).toMatch(/sees a room on \d+ of \d+ frames \(person 0\.70\)/);
  });

  it('answers an out-of-body reading with no cut only where the frames show a room', async () => {
    const withDrift = (): AgentTools => {
      const base = seriesTools(series(), N, () => []);
      return {
        ...base,
        async overview(signal) {
          const o = await base.overview(signal);
          const series = { ...o.series! };
          series.outOfBody = series.outOfBody!.map((v, i) => (i >= 40 && i < 46 ? 0.9 : v));
          return { ...o, series };
        },
      };
    };
    const record = await runAgent({ question: 'When was the scope withdrawn?', backend: createScoutBackend(), tools: withDrift(), duration: N, emit: () => {}, runId: 'r', now: manualClock().now });
    expect(record.evidence.some((e) => e.start >= 39 && e.end <= 47)).toBe(false);
    expect(record.answer).toMatch(/changes at neither edge/);
  });

  it('places a relation by a room only the frames found: the view outside comes first', async () => {
    const { record, frames } = await ask('What came first, the pause or the camera leaving the patient?', (t) => (inRoom(t) ? person(0.62) : []));
    expect(frames.some(inRoom)).toBe(true);
    expect(record.evidence[0]).toMatchObject({ start: ROOM.start, end: ROOM.end });
    expect(record.answer).toMatch(/^The out-of-body period comes first \(from 00:00:20\); the first pause begins at 00:01:00/);
    expect(record.answer).toMatch(/sees the room at 00:00:2\d \(person 0\.62\)/);
  });

  it('scopes a question to after a room only the frames found, and says which window it used', async () => {
    const { record } = await ask('Is there a pause after the camera goes back in?', (t) => (inRoom(t) ? person(0.62) : []));
    expect(record.evidence[0]).toMatchObject({ start: expect.closeTo(60, 0), end: expect.closeTo(70, 0) });
    expect(record.answer).toMatch(/after the only out-of-body period \(00:00:20–00:00:32\)/);
  });

  it('owns up to a relation it cannot place when the frames show no room there', async () => {
    const { record } = await ask('Is there a pause after the camera goes back in?', () => []);
    expect(record.answer).toMatch(/cannot place "after the camera goes back in": no out-of-body period was found in the case/);
  });

  it('says the frame was not checked when the vision model did not run on it', async () => {
    const { record } = await ask('What came first, the pause or the camera leaving the patient?', () => undefined);
    expect(record.answer).toMatch(/^The pause comes first: no out-of-body period was found/);
    expect(record.answer).toMatch(/the vision model did not run on its frame, so it was not counted/);
  });
});
