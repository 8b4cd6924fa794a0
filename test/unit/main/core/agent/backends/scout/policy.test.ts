/*
 * The scout backend driven through the real engine, over synthetic cases: a hidden continuous
 * "true" signal per track, from which the per-second index tracks (keyframe-held, noisy, with
 * specular spikes and a stretch of missing data) and the per-frame crop samples (noisy, with glare
 * flashes) are measured, as the media worker would.
 */

import { describe, expect, it } from 'vitest';
import { createScoutBackend, type EventKind } from '../../../../../../../main/core/agent/backends/scout/index.js';
import {
  runAgent,
  summarizeTracks,
  type AgentBudget,
  type AgentEvent,
  type AgentTools,
  type ConversationTurn,
  type CropResult,
  type FrameInfo,
  type FrameSignals,
  type OverviewResult,
  type RunRecord,
} from '../../../../../../../main/core/agent/engine/index.js';
import type { TrackName } from '../../../../../../../main/core/contract/schemas.js';
import { hang, manualClock } from '../../../../../agent/scripted-backend.js';
import { mulberry32 } from '../../../../../../../main/core/random.js';

// ---------------------------------------------------------------------------------------------
// Synthetic cases

interface TrueWindow {
  start: number;
  end: number;
  level: number;
}

interface SynthCase {
  kind: EventKind | null;
  seed: number;
  duration: number;
  /** In time order. */
  events: TrueWindow[];
  /** The strongest (for a pause, the longest). */
  main: TrueWindow;
  series: Partial<Record<TrackName, number[]>>;
  sample(time: number): FrameSignals;
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Noise that depends only on (seed, time), so looking twice at a moment sees the same frame. */
function noiseAt(seed: number, time: number, salt: number): () => number {
  return mulberry32((seed * 7919 + Math.round(time * 1000) * 31 + salt * 104729) >>> 0);
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** 0 outside, 1 inside, a 0.4 s ramp centred on each edge: the edge is where it crosses half. */
function inside(t: number, w: { start: number; end: number }): number {
  return clamp01((t - w.start) / 0.4 + 0.5) * clamp01((w.end - t) / 0.4 + 0.5);
}

const EVENT_TRACK: Record<Exclude<EventKind, 'idle'>, 'blood' | 'haze' | 'outOfBody'> = {
  bleeding: 'blood',
  smoke: 'haze',
  outOfBody: 'outOfBody',
};

function placeEvents(kind: EventKind, seed: number, duration: number): { events: TrueWindow[]; main: TrueWindow } {
  const rand = mulberry32(seed);
  const n = 2 + Math.floor(rand() * 2);
  const mainIndex = Math.floor(rand() * n);
  const slot = (duration - 60) / n;
  const minShort = kind === 'idle' ? 7 : 5;
  const events: TrueWindow[] = [];
  for (let i = 0; i < n; i++) {
    const isMain = i === mainIndex;
    const length = isMain ? 20 + rand() * 40 : minShort + rand() * (15 - minShort);
    const level = isMain ? 0.85 + rand() * 0.1 : 0.6 + rand() * 0.2;
    const start = 30 + i * slot + 10 + rand() * (slot - length - 20);
    events.push({ start: Math.round(start * 100) / 100, end: Math.round((start + length) * 100) / 100, level });
  }
  return { events, main: events[mainIndex]! };
}

const KIND_SALT: Record<EventKind, number> = { bleeding: 1, smoke: 2, outOfBody: 3, idle: 4 };

function makeCase(kind: EventKind | null, seed: number, duration = 900): SynthCase {
  const rand = mulberry32(seed ^ 0xa5a5);
  const placed = kind ? placeEvents(kind, seed * 31 + KIND_SALT[kind], duration) : { events: [], main: { start: 0, end: 0, level: 0 } };
  const { events, main } = placed;
  const eventLevel = (track: 'blood' | 'haze' | 'outOfBody', t: number): number => {
    if (kind === null || kind === 'idle' || EVENT_TRACK[kind] !== track) return 0.04;
    let v = 0.04;
    for (const e of events) v = Math.max(v, 0.04 + (e.level - 0.04) * inside(t, e));
    return v;
  };
  const motionAt = (t: number): number => {
    const active = 0.55 + 0.1 * Math.sin(t / 37);
    if (kind !== 'idle') return active;
    let still = 0;
    for (const e of events) still = Math.max(still, inside(t, e));
    return active * (1 - still) + 0.03 * still;
  };

  const seconds = Math.ceil(duration);
  const keyInterval = 1 + (seed % 3);
  const keyPhase = rand() * keyInterval;
  const heldKeyframe = (i: number) => Math.max(0, keyPhase + Math.floor((i + 0.5 - keyPhase) / keyInterval) * keyInterval);
  const series: Partial<Record<TrackName, number[]>> = {};
  for (const track of ['blood', 'haze', 'outOfBody'] as const) {
    // The event tracks come from keyframes: each second holds the last keyframe's value.
    series[track] = Array.from({ length: seconds }, (_, i) => clamp01(eventLevel(track, heldKeyframe(i)) + 0.04 * gauss(rand)));
  }
  // Motion is measured over each whole second.
  series.motion = Array.from({ length: seconds }, (_, i) => {
    let sum = 0;
    for (let k = 0; k < 10; k++) sum += motionAt(i + (k + 0.5) / 10);
    return clamp01(sum / 10 + 0.03 * gauss(rand));
  });
  series.brightness = Array.from({ length: seconds }, () => 0.5);

  const nearEvent = (s: number) => events.some((e) => s > e.start - 3 && s < e.end + 3);
  // Specular flashes: single seconds at the top of an event track, away from the events.
  for (let k = 0; k < 5; k++) {
    const s = Math.floor(rand() * seconds);
    if (!nearEvent(s)) for (const track of ['blood', 'haze', 'outOfBody'] as const) series[track]![s] = 0.95;
  }
  // A stretch the index could not read, inside the main event when there is one.
  const dipAt = kind ? Math.floor((main.start + main.end) / 2) - 1 : 400;
  for (const track of ['blood', 'haze', 'outOfBody', 'motion'] as const) {
    for (let s = dipAt; s < dipAt + 3; s++) series[track]![s] = -1;
  }

  const sample = (time: number): FrameSignals => {
    const r = noiseAt(seed, time, 1);
    const glare = r() < 0.06 ? 0.5 : 0;
    return {
      time,
      blood: clamp01(eventLevel('blood', time) + 0.05 * gauss(r) + glare),
      haze: clamp01(eventLevel('haze', time) + 0.05 * gauss(r)),
      outOfBody: clamp01(eventLevel('outOfBody', time) + 0.05 * gauss(r)),
      brightness: 0.5,
    };
  };
  return { kind, seed, duration, events, main, series, sample };
}

/** Tools over a synthetic case; every call is logged. */
class SynthTools implements AgentTools {
  readonly calls: string[] = [];
  constructor(
    readonly c: SynthCase,
    private readonly opts: { withSeries?: boolean; series?: Partial<Record<TrackName, number[]>>; cropHook?: (signal: AbortSignal) => Promise<CropResult> } = {},
  ) {}

  async overview(): Promise<OverviewResult> {
    this.calls.push('overview');
    const series = this.opts.series ?? this.c.series;
    const frames = Array.from({ length: 8 }, (_, i) => ({ time: ((i + 0.5) * this.c.duration) / 8, ref: `story-${i}` }));
    return { frames, tracks: summarizeTracks(series), ...(this.opts.withSeries === false ? {} : { series }) };
  }

  async cropVideo(start: number, end: number, frames: number, signal: AbortSignal): Promise<CropResult> {
    this.calls.push(`crop ${start}-${end} x${frames}`);
    if (this.opts.cropHook) return this.opts.cropHook(signal);
    const times = Array.from({ length: frames }, (_, i) => start + ((i + 0.5) * (end - start)) / frames);
    return {
      frames: times.map((time, i) => ({ time, ref: `crop-${start}-${i}` })),
      signals: summarizeTracks(this.c.series, { from: start, to: end }),
      samples: times.map((t) => this.c.sample(t)),
    };
  }

  async getFrame(time: number): Promise<FrameInfo> {
    this.calls.push(`frame ${time}`);
    return { time, ref: `frame-${time}`, width: 1920, height: 1080 };
  }
}

interface Asked {
  record: RunRecord;
  events: AgentEvent[];
  tools: SynthTools;
}

async function ask(
  c: SynthCase,
  question: string,
  setup: {
    budget?: Partial<AgentBudget>;
    tools?: SynthTools;
    signal?: AbortSignal;
    now?: () => number;
    history?: ConversationTurn[];
  } = {},
): Promise<Asked> {
  const tools = setup.tools ?? new SynthTools(c);
  const events: AgentEvent[] = [];
  const record = await runAgent({
    question,
    backend: createScoutBackend(),
    tools,
    duration: c.duration,
    budget: setup.budget,
    signal: setup.signal,
    history: setup.history,
    now: setup.now ?? manualClock().now,
    emit: (e) => events.push(e),
    runId: 'run-s',
  });
  return { record, events, tools };
}

function iou(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union > 0 ? inter / union : 0;
}

function toolCalls(record: RunRecord): string[] {
  return record.steps.filter((s) => s.kind === 'tool').map((s) => s.checked?.name ?? 'invalid');
}

// ---------------------------------------------------------------------------------------------
// Evaluation

type Which = 'first' | 'last' | 'all' | 'duration';

const PHRASINGS: Record<EventKind, Record<Which, string[]>> = {
  bleeding: {
    first: ['When does the bleeding start?', 'When is the first bleed?', 'At what time does hemorrhage first appear?'],
    last: ['When is the last bleeding?', 'When does the final bleeding episode happen?', 'Show me the most recent oozing.'],
    all: ['How many times does it bleed?', 'Show every bleeding episode.', 'List all the blood pooling.'],
    duration: ['How long does the bleeding last?', 'What is the duration of the haemorrhage?', 'How long was hemostasis needed?'],
  },
  smoke: {
    first: ['When does the smoke start?', 'When is the first surgical plume?', 'When does the view first get hazy?'],
    last: ['When is the last smoke?', 'When does the final plume happen?', 'Show me the latest cautery smoke.'],
    all: ['How many times is there smoke?', 'Show every time the lens is fogged.', 'List all haze episodes.'],
    duration: ['How long does the smoke last?', 'How long is the view fogged?', 'What is the duration of the plume?'],
  },
  outOfBody: {
    first: [
      'When is the camera first taken out of the patient?',
      'When is the scope withdrawn for the first time?',
      'When does the first lens cleaning start?',
    ],
    last: [
      'When is the camera out of the body for the last time?',
      'When is the last out-of-body view?',
      'When is the final lens cleaning?',
    ],
    all: [
      'How many times is the scope out?',
      'Show every time the camera is outside the abdomen.',
      'List all periods with the camera out of the patient.',
    ],
    duration: [
      'How long was the camera outside the patient?',
      'How long is the scope withdrawn?',
      'How long does the lens cleaning take?',
    ],
  },
  idle: {
    first: ['When does the first pause start?', 'When is nothing moving for the first time?', 'When does the first idle period begin?'],
    last: ['When is the last pause?', 'When is the final period with no activity?', 'When is the latest waiting time?'],
    all: ['How many pauses are there?', 'Show every time nothing moves.', 'List all idle periods.'],
    duration: ['How long was the pause before clipping?', 'How long is the surgery static?', 'How long was the longest wait?'],
  },
};

const KINDS: EventKind[] = ['bleeding', 'smoke', 'outOfBody', 'idle'];
const SEEDS = [11, 29, 47];

function truthFor(c: SynthCase, which: Which): TrueWindow {
  if (which === 'first') return c.events[0]!;
  if (which === 'last') return c.events.at(-1)!;
  return c.main;
}

const DECLINE_QUESTIONS = [
  'Which instrument is used?',
  'Is the gallbladder perforated?',
  'What is the critical view of safety?',
  'Which instrument stops the bleeding?',
  'Where does the bleeding come from?',
  'How much blood is lost?',
];

describe('scout: evaluation over synthetic cases', () => {
  it('finds the asked window with mean temporal IoU >= 0.8 per event type and overall, and declines with no evidence', async () => {
    const perKind = new Map<EventKind, number[]>();
    const rows: { kind: EventKind; seed: number; which: Which; question: string; iou: number }[] = [];
    for (const kind of KINDS) {
      for (const [caseIndex, seed] of SEEDS.entries()) {
        const c = makeCase(kind, seed);
        for (const which of ['first', 'last', 'all', 'duration'] as const) {
          const question = PHRASINGS[kind][which][caseIndex]!;
          const { record } = await ask(c, question);
          expect(record.outcome, question).toBe('answered');
          const best = record.evidence[0];
          const score = best ? iou(best, truthFor(c, which)) : 0;
          rows.push({ kind, seed, which, question, iou: score });
          perKind.set(kind, [...(perKind.get(kind) ?? []), score]);
        }
      }
    }
    expect(rows.length).toBeGreaterThanOrEqual(24);

    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const table: { event: string; questions: number; meanIoU: number; minIoU: number }[] = KINDS.map((kind) => {
      const scores = perKind.get(kind)!;
      return { event: kind, questions: scores.length, meanIoU: Number(mean(scores).toFixed(3)), minIoU: Number(Math.min(...scores).toFixed(3)) };
    });
    const all = rows.map((r) => r.iou);
    table.push({ event: 'overall', questions: all.length, meanIoU: Number(mean(all).toFixed(3)), minIoU: Number(Math.min(...all).toFixed(3)) });
    console.log('scout temporal IoU of the best evidence window vs the true window\n' + formatTable(table));
    const weak = rows.filter((r) => r.iou < 0.6);
    if (weak.length > 0) console.log('weakest:', weak);

    for (const row of table) expect(row.meanIoU, row.event).toBeGreaterThanOrEqual(0.8);

    const c = makeCase('bleeding', 5);
    for (const question of DECLINE_QUESTIONS) {
      const { record } = await ask(c, question);
      expect(record.outcome, question).toBe('answered');
      expect(record.evidence, question).toEqual([]);
      expect(record.usage.toolCalls, question).toBe(0);
      expect(record.answer, question).toMatch(/needs a vision-language model: ask it with the openai backend/);
    }
  });
});

function formatTable(rows: { event: string; questions: number; meanIoU: number; minIoU: number }[]): string {
  const lines = ['event      | questions | mean IoU | min IoU', '-----------|-----------|----------|--------'];
  for (const r of rows) {
    lines.push(`${r.event.padEnd(10)} | ${String(r.questions).padStart(9)} | ${r.meanIoU.toFixed(3).padStart(8)} | ${r.minIoU.toFixed(3).padStart(7)}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Behaviour

describe('scout: answers', () => {
  it('answers "when does the bleeding start" coarse-to-fine: crops at both edges, a frame, then the answer', async () => {
    const c = makeCase('bleeding', 29);
    const first = c.events[0]!;
    const { record, events } = await ask(c, 'When does the bleeding start?');
    expect(record.backend.name).toBe('scout');
    expect(toolCalls(record)).toEqual(['crop_video', 'crop_video', 'get_frame'].slice(0, toolCalls(record).length));
    expect(toolCalls(record).at(-1)).toBe('get_frame');
    expect(record.exhausted).toBeNull();
    expect(record.evidence).toHaveLength(1);
    const [e] = record.evidence;
    expect(Math.abs(e!.start - first.start)).toBeLessThan(1);
    expect(Math.abs(e!.end - first.end)).toBeLessThan(1);
    expect(e!.frames).toHaveLength(1);
    expect(e!.claim).toMatch(/^Blood in the view from \d\d:\d\d:\d\d to \d\d:\d\d:\d\d \(\d+ s\)\./);
    expect(record.answer).toMatch(/^The first bleeding episode starts at \d\d:\d\d:\d\d and ends at/);
    expect(record.answer).toMatch(new RegExp(`There are ${c.events.length} bleeding episodes in all`));

    // Thoughts are streamed in plain sentences, first about the track, then about each look.
    const thoughts = events.filter((ev) => ev.type === 'thought-delta').map((ev) => ev.delta);
    expect(thoughts[0]).toMatch(/^The blood track rises at about \d\d:\d\d:\d\d and stays high for \d+ s\. Looking closer at/);
    expect(thoughts.some((t) => /frames put the start at/.test(t))).toBe(true);
    expect(thoughts.at(-1)).toMatch(/Answering\.$/);
  });

  it('lists every episode for "all", the strongest first, and counts them in the text', async () => {
    const c = makeCase('smoke', 47);
    const { record } = await ask(c, 'How many times is there smoke?');
    expect(record.evidence).toHaveLength(c.events.length);
    expect(iou(record.evidence[0]!, c.main)).toBeGreaterThan(0.85);
    for (const truth of c.events) expect(Math.max(...record.evidence.map((e) => iou(e, truth)))).toBeGreaterThan(0.7);
    expect(record.answer).toMatch(new RegExp(`^${c.events.length} smoke episodes seen: `));
    expect(record.evidence.every((e) => e.claim.startsWith('Smoke or haze in the view from'))).toBe(true);
  });

  it('answers a duration question with the length and owns up to context it cannot see', async () => {
    const c = makeCase('idle', 11);
    const { record } = await ask(c, 'How long was the pause before clipping?');
    const [e] = record.evidence;
    expect(iou(e!, c.main)).toBeGreaterThan(0.85);
    expect(record.answer).toMatch(/^The longest pause lasts \d+ s, from /);
    expect(record.answer).toMatch(/cannot place "before clipping"/);
    // A pause is placed on the motion track; the crop only shows the view.
    expect(record.steps[0]?.checked).toMatchObject({ name: 'crop_video' });
    expect(e!.claim).toMatch(/^Little or no motion from /);
  });

  it('finds the last out-of-body period', async () => {
    const c = makeCase('outOfBody', 29);
    const { record } = await ask(c, 'When is the camera out of the body for the last time?');
    expect(iou(record.evidence[0]!, c.events.at(-1)!)).toBeGreaterThan(0.8);
    expect(record.answer).toMatch(/^The last out-of-body period starts at/);
  });

  it('says plainly when the event is not seen, with the thresholds, and gives no evidence', async () => {
    const c = makeCase(null, 3);
    const { record } = await ask(c, 'When does the bleeding start?');
    expect(record.evidence).toEqual([]);
    expect(record.usage.toolCalls).toBe(0);
    expect(record.answer).toMatch(/^No bleeding episode was seen: the blood track never reaches 0\.5 .* for 2 s or more\.$/);
    const idle = await ask(c, 'When is there a pause?');
    expect(idle.record.answer).toMatch(/^No pause was seen: motion never stays at or below 0\.15 .* for 5 s or more\.$/);
  });

  it('says the index is not ready when the overview has no series, and answers nothing', async () => {
    const c = makeCase('bleeding', 11);
    const { record } = await ask(c, 'When does the bleeding start?', { tools: new SynthTools(c, { withSeries: false }) });
    expect(record.outcome).toBe('answered');
    expect(record.evidence).toEqual([]);
    expect(record.usage.toolCalls).toBe(0);
    expect(record.answer).toMatch(/index of this case is not ready/);
  });

  it('says how much of the case is indexed when the index is still running', async () => {
    const c = makeCase('bleeding', 11);
    const cut = Math.ceil(c.events.at(-1)!.end) + 20;
    const partial = Object.fromEntries(
      Object.entries(c.series).map(([name, values]) => [name, values.map((v, i) => (i < cut ? v : -1))]),
    ) as Partial<Record<TrackName, number[]>>;
    const { record } = await ask(c, 'Show every bleeding episode.', { tools: new SynthTools(c, { series: partial }) });
    expect(record.evidence.length).toBe(c.events.length);
    expect(record.answer).toMatch(/Only \d+% of the case is indexed so far/);
  });

  it('follows up on the event of the conversation', async () => {
    const c = makeCase('bleeding', 47);
    const history: ConversationTurn[] = [{ question: 'When does the bleeding start?', answer: '...', evidence: [] }];
    const { record } = await ask(c, 'And the last one?', { history });
    expect(iou(record.evidence[0]!, c.events.at(-1)!)).toBeGreaterThan(0.8);
  });
});

describe('scout: budget, final turn, determinism, cancel', () => {
  it('never makes more tool calls or uses more frames than allowed, and always answers', async () => {
    const c = makeCase('outOfBody', 47);
    for (const maxToolCalls of [0, 1, 2, 3, 4, 6, 12]) {
      for (const maxFrames of [0, 5, 17, 40, 96]) {
        const { record, tools } = await ask(c, 'List all periods with the camera out of the patient.', {
          budget: { maxToolCalls, maxFrames },
        });
        const label = `${maxToolCalls} calls, ${maxFrames} frames`;
        expect(record.outcome, label).toBe('answered');
        expect(record.usage.toolCalls, label).toBeLessThanOrEqual(maxToolCalls);
        expect(record.usage.frames, label).toBeLessThanOrEqual(maxFrames);
        expect(tools.calls.length - 1, label).toBeLessThanOrEqual(maxToolCalls);
        expect(record.evidence.length, label).toBe(c.events.length);
        // The scout plans to answer before a limit is reached; only a zero budget forces the final turn.
        expect(record.exhausted, label).toBe(maxToolCalls === 0 ? 'toolCalls' : maxFrames === 0 ? 'frames' : null);
        expect(record.steps.every((s) => s.error === null), label).toBe(true);
      }
    }
  });

  it('answers on the final turn with what it has when the time budget runs out mid-plan', async () => {
    const c = makeCase('bleeding', 11);
    const clock = manualClock();
    // Each tool call takes 20 s of wall time; the budget is 30 s.
    const tools = new SynthTools(c);
    const slow: AgentTools = {
      overview: () => tools.overview(),
      cropVideo: async (a, b, n, s) => {
        clock.advance(20_000);
        return tools.cropVideo(a, b, n, s);
      },
      getFrame: async (t) => {
        clock.advance(20_000);
        return tools.getFrame(t);
      },
    };
    const events: AgentEvent[] = [];
    const record = await runAgent({
      question: 'When does the bleeding start?',
      backend: createScoutBackend(),
      tools: slow,
      duration: c.duration,
      budget: { maxWallMs: 30_000 },
      now: clock.now,
      emit: (e) => events.push(e),
      runId: 'run-t',
    });
    expect(record.outcome).toBe('answered');
    expect(record.exhausted).toBe('wallTime');
    expect(record.usage.toolCalls).toBe(2);
    expect(record.evidence).toHaveLength(1);
    expect(iou(record.evidence[0]!, c.events[0]!)).toBeGreaterThan(0.8);
    expect(record.steps.at(-1)?.thought).toMatch(/budget is spent; answering with what I have/);
  });

  it('gives the same calls, thoughts and answer for the same case and question', async () => {
    const c = makeCase('smoke', 29);
    const a = await ask(c, 'Show every time the lens is fogged.');
    const b = await ask(c, 'Show every time the lens is fogged.');
    expect(b.record).toEqual(a.record);
    expect(b.events).toEqual(a.events);
    expect(b.tools.calls).toEqual(a.tools.calls);
  });

  it('serves several runs at once from one backend object', async () => {
    const c1 = makeCase('bleeding', 11);
    const c2 = makeCase('idle', 29);
    const backend = createScoutBackend();
    const go = (c: SynthCase, question: string) =>
      runAgent({ question, backend, tools: new SynthTools(c), duration: c.duration, now: manualClock().now, runId: 'r' });
    const [r1, r2] = await Promise.all([go(c1, 'When does the bleeding start?'), go(c2, 'When is the last pause?')]);
    expect(iou(r1.evidence[0]!, c1.events[0]!)).toBeGreaterThan(0.8);
    expect(iou(r2.evidence[0]!, c2.events.at(-1)!)).toBeGreaterThan(0.8);
  });

  it('is canceled while a crop is running', { timeout: 3000 }, async () => {
    const c = makeCase('bleeding', 11);
    const controller = new AbortController();
    const tools = new SynthTools(c, {
      cropHook: () => {
        queueMicrotask(() => controller.abort());
        return hang<CropResult>();
      },
    });
    const { record, events } = await ask(c, 'When does the bleeding start?', { tools, signal: controller.signal });
    expect(record.outcome).toBe('canceled');
    expect(record.answer).toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'canceled' });
  });

  it('does not start when the run is already canceled', async () => {
    const c = makeCase('bleeding', 11);
    const controller = new AbortController();
    controller.abort();
    const { record, tools } = await ask(c, 'When does the bleeding start?', { signal: controller.signal });
    expect(record.outcome).toBe('canceled');
    expect(tools.calls).toEqual([]);
  });
});
