import { describe, expect, it } from 'vitest';
import { createScoutBackend, parseIntent } from '../../../../../../../main/core/agent/backends/scout/index.js';
import {
  runAgent,
  summarizeTracks,
  type AgentTools,
  type CropResult,
  type FrameDetection,
  type FrameInfo,
  type OverviewResult,
  type RunRecord,
} from '../../../../../../../main/core/agent/engine/index.js';
import type { TrackName } from '../../../../../../../main/core/contract/schemas.js';
import { manualClock } from '../../../../../agent/scripted-backend.js';
import { mulberry32 } from '../../../../../../../main/core/random.js';

// ---------------------------------------------------------------------------------------------
// Reading relations: event words, relation words and ordinals in varied clinical wording.

describe('scout: questions that relate events', () => {
  it.each([
    ['Is there bleeding after the camera goes back in?', 'bleeding', 'after', 'outOfBody', null, 'end'],
    ['After the laparoscope was reinserted, did anything ooze?', 'bleeding', 'after', 'outOfBody', null, 'end'],
    ['Any haemorrhage following the lens cleaning?', 'bleeding', 'after', 'outOfBody', null, null],
    ['Is there smoke before the first pause?', 'smoke', 'before', 'idle', 1, null],
    ['Was the field hazy prior to the second bleed?', 'smoke', 'before', 'bleeding', 2, null],
    ['Did everything stand still once the plume cleared?', 'idle', 'after', 'smoke', null, 'end'],
    ['Any downtime subsequent to the final hemorrhage?', 'idle', 'after', 'bleeding', 'last', null],
    ['Is there fogging while the field is bleeding?', 'smoke', 'during', 'bleeding', null, null],
  ] as const)('%s', (q, event, kind, anchor, ordinal, edge) => {
    const i = parseIntent(q);
    expect(i).toMatchObject({ kind: 'event', event, relation: { kind, anchor: { event: anchor, ordinal, edge } } });
  });

  it.each([
    ['Is there a pause between the two out-of-body periods?', 'idle', 'outOfBody', 1, 'outOfBody', 2],
    ['Any bleeding between the first and the third pause?', 'bleeding', 'idle', 1, 'idle', 3],
    ['Is there haze between the bleeding and the scope withdrawal?', 'smoke', 'bleeding', null, 'outOfBody', null],
  ] as const)('%s', (q, event, fromEvent, fromOrdinal, toEvent, toOrdinal) => {
    expect(parseIntent(q)).toMatchObject({
      event,
      relation: { kind: 'between', from: { event: fromEvent, ordinal: fromOrdinal }, to: { event: toEvent, ordinal: toOrdinal } },
    });
  });

  it.each([
    ['What came first, the smoke or the bleeding?', ['smoke', 'bleeding']],
    ['Which happened earlier: the pause or the withdrawal of the camera?', ['idle', 'outOfBody']],
    ['Did the oozing or the plume come first?', ['bleeding', 'smoke']],
  ] as const)('%s', (q, events) => {
    expect(parseIntent(q)).toMatchObject({ relation: { kind: 'order', events } });
  });

  it.each([
    ['How long after the bleeding started was the camera withdrawn?', 'outOfBody', 'bleeding', 'start', 'after'],
    ['How many seconds after the first pause does smoke appear?', 'smoke', 'idle', null, 'after'],
    ['How much time passed after the scope came back in before the bleeding?', 'bleeding', 'outOfBody', 'end', 'after'],
  ] as const)('%s', (q, event, anchor, edge, direction) => {
    expect(parseIntent(q)).toMatchObject({ event, relation: { kind: 'delay', anchor: { event: anchor, edge }, direction } });
  });

  it('keeps a landmark it cannot place as context, and reads questions without a second event as before', () => {
    expect(parseIntent('Is there bleeding after the clip is applied?')).toMatchObject({ relation: null, context: 'after the clip is applied' });
    expect(parseIntent('When is the camera out of the body for the last time?')).toMatchObject({ relation: null, occurrence: 'last' });
  });
});

// ---------------------------------------------------------------------------------------------
// Answering them on a case: the anchor is found on the same state model.

interface W {
  start: number;
  end: number;
}

/** 600 s: bleeding 60-80, out-of-body 150-170, bleeding 220-235, smoke 300-315, pause 380-400, out-of-body 450-470, bleeding 520-530. */
const EVENTS: { kind: 'blood' | 'haze' | 'outOfBody' | 'pause'; w: W }[] = [
  { kind: 'blood', w: { start: 60, end: 80 } },
  { kind: 'outOfBody', w: { start: 150, end: 170 } },
  { kind: 'blood', w: { start: 220, end: 235 } },
  { kind: 'haze', w: { start: 300, end: 315 } },
  { kind: 'pause', w: { start: 380, end: 400 } },
  { kind: 'outOfBody', w: { start: 450, end: 470 } },
  { kind: 'blood', w: { start: 520, end: 530 } },
];
const DURATION = 600;

function series(): Partial<Record<TrackName, number[]>> {
  const r = mulberry32(42);
  const on = (kind: string, i: number) => EVENTS.some((e) => e.kind === kind && i + 0.5 >= e.w.start && i + 0.5 < e.w.end);
  const n = (v: number) => Math.min(1, Math.max(0, v + (r() - 0.5) * 0.08));
  const s: Partial<Record<TrackName, number[]>> = { blood: [], haze: [], outOfBody: [], motion: [], brightness: [], sceneChange: [] };
  for (let i = 0; i < DURATION; i++) {
    s.blood!.push(n(on('blood', i) ? 0.8 : 0.03));
    s.haze!.push(n(on('haze', i) ? 0.85 : 0.03));
    s.outOfBody!.push(n(on('outOfBody', i) ? 0.9 : 0.03));
    s.motion!.push(n(on('pause', i) ? 0.04 : 0.6));
    s.brightness!.push(n(0.4));
    // Leaving the patient and coming back change the whole picture at once.
    s.sceneChange!.push(EVENTS.some((e) => e.kind === 'outOfBody' && (i === e.w.start || i === e.w.end)) ? 0.9 : 0);
  }
  return s;
}

class Tools implements AgentTools {
  constructor(private readonly detect: ((t: number) => FrameDetection[]) | null = null) {}
  private readonly s = series();
  async overview(): Promise<OverviewResult> {
    return { frames: [], tracks: summarizeTracks(this.s), series: this.s };
  }
  async cropVideo(start: number, end: number, frames: number): Promise<CropResult> {
    const times = Array.from({ length: frames }, (_, i) => start + ((i + 0.5) * (end - start)) / frames);
    const at = (k: 'blood' | 'haze' | 'outOfBody', t: number) => this.s[k]![Math.floor(t)] ?? 0;
    return {
      frames: times.map((time, i) => ({ time, ref: `c-${i}`, ...(this.detect ? { detections: this.detect(time) } : {}) })),
      signals: summarizeTracks(this.s, { from: start, to: end }),
      samples: times.map((time) => ({ time, blood: at('blood', time), haze: at('haze', time), outOfBody: at('outOfBody', time), brightness: 0.4 })),
    };
  }
  async getFrame(time: number): Promise<FrameInfo> {
    return { time, ref: `f-${time}`, width: 1920, height: 1080, ...(this.detect ? { detections: this.detect(time) } : {}) };
  }
}

async function ask(question: string, tools = new Tools()): Promise<RunRecord> {
  const r = await runAgent({ question, backend: createScoutBackend(), tools, duration: DURATION, now: manualClock().now, emit: () => undefined, runId: 'r' });
  if (process.env.SHOW) console.log(question, '=>', r.answer);
  return r;
}

const near = (e: W, w: W) => Math.abs(e.start - w.start) <= 2 && Math.abs(e.end - w.end) <= 2;

describe('scout: answering relations on the case states', () => {
  it('finds only the bleeding after the camera goes back in, and says which window it used', async () => {
    const r = await ask('Is there bleeding after the camera goes back in?');
    expect(r.evidence.map((e) => [e.start, e.end]).every(([s]) => s! >= 169)).toBe(true);
    expect(r.evidence.some((e) => near(e, EVENTS[2]!.w))).toBe(true);
    expect(r.evidence.some((e) => near(e, EVENTS[0]!.w))).toBe(false);
    expect(r.answer).toMatch(/^Yes, after the first out-of-body period \(00:02:30–00:02:50\): 2 bleeding episodes seen/);
  });

  it('smoke before the first pause, bleeding between the two out-of-body periods', async () => {
    const smoke = await ask('Was there any plume before the first pause?');
    expect(smoke.evidence).toHaveLength(1);
    expect(near(smoke.evidence[0]!, EVENTS[3]!.w)).toBe(true);
    const between = await ask('Does anything bleed between the two out of body periods?');
    expect(between.evidence.map((e) => near(e, EVENTS[2]!.w))).toEqual([true]);
    expect(between.answer).toMatch(/^Yes, between the first out-of-body period .* and the second out-of-body period/);
  });

  it('what came first: answers with the earlier event and says when the other began', async () => {
    const r = await ask('What came first, the smoke or the bleeding?');
    expect(near(r.evidence[0]!, EVENTS[0]!.w)).toBe(true);
    expect(r.answer).toMatch(/^The bleeding episode comes first \(from 00:01:00\); the first smoke episode begins at 00:05:00\./);
  });

  it('how long after: the first withdrawal after the bleeding began, the delay in words, the anchor as evidence', async () => {
    const r = await ask('How long after the bleeding started was the camera withdrawn?');
    expect(near(r.evidence[0]!, EVENTS[1]!.w)).toBe(true);
    expect(near(r.evidence[1]!, EVENTS[0]!.w)).toBe(true);
    expect(r.answer).toMatch(/^The out-of-body period starts 1 min 30 s after the first bleeding episode began \(00:01:00\)\./);
  });

  it('owns up to a relation it cannot place instead of dropping it', async () => {
    const r = await ask('Is there bleeding after the fourth pause?');
    expect(r.answer).toMatch(/cannot place "after the fourth pause": the case has only one pause, not a fourth, so this is from the whole case\./);
    expect(r.evidence).toHaveLength(3);
  });

  it('says what the frames showed where the camera was, and says so when they carry no detections', async () => {
    // The vision model sees a person only during the second out-of-body period; the first shows
    // nothing it knows (as drapes or the ceiling would), and the tracks are sure of it: it stays.
    const person = (t: number): FrameDetection[] => (t >= 450 && t < 470 ? [{ label: 'person', score: 0.81, box: [0, 0, 10, 10] }] : []);
    const seen = await ask('List every time the camera is out of the patient.', new Tools(person));
    expect(seen.evidence).toHaveLength(2);
    expect(seen.evidence.some((e) => near(e, EVENTS[5]!.w))).toBe(true);
    expect(seen.answer).toMatch(/finds no people, furniture or screens .*; the tracks say the camera was outside all the same/);
    expect(seen.answer).toMatch(/person 0\.81/);
    const blind = await ask('List every time the camera is out of the patient.');
    expect(blind.evidence).toHaveLength(2);
    expect(blind.answer).toMatch(/vision model did not run on the frames looked at .* from the tracks alone/);
  });
});
