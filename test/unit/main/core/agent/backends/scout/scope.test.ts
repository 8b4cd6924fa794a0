/*
 * A question's time scope through the engine: the scout searching only inside it, saying it in its
 * answer, and a scope naming a bookmark the case lacks answered in words without looking. Also
 * what a model backend is told (duration so far, live recording, bookmarks, scope).
 */

import { describe, expect, it } from 'vitest';
import { createScoutBackend } from '../../../../../../../main/core/agent/backends/scout/index.js';
import {
  runAgent,
  summarizeTracks,
  type AgentEvent,
  type AgentTools,
  type CropResult,
  type FrameInfo,
  type OverviewResult,
  type RunRecord,
  type TurnContext,
} from '../../../../../../../main/core/agent/engine/index.js';
import type { BookmarkMark } from '../../../../../../../main/core/agent/question-scope.js';
import { buildSystemPrompt } from '../../../../../../../main/core/agent/protocol/index.js';
import { buildMessages } from '../../../../../../../main/host/agent/backends/openai-messages.js';
import { answer, manualClock, ScriptedBackend } from '../../../../../agent/scripted-backend.js';

const DURATION = 900;
/* Two bleeding episodes (1:40–2:10 and 11:40–12:20) and the camera out 6:40–7:00. */
const BLEEDS = [
  { start: 100, end: 130 },
  { start: 700, end: 740 },
];
const OUT = { start: 400, end: 420 };
/* 5:00, 10:00 "trocar", 14:10. */
const BOOKMARKS: BookmarkMark[] = [
  { number: 1, time: 300, label: null },
  { number: 2, time: 600, label: 'trocar' },
  { number: 3, time: 850, label: null },
];

const level = (t: number, windows: readonly { start: number; end: number }[]) =>
  windows.some((w) => t >= w.start && t < w.end) ? 0.9 : 0.04;

/** Tools over the case above: per-second tracks and per-frame samples straight from the truth. */
class CaseTools implements AgentTools {
  readonly crops: [number, number][] = [];
  readonly frames: number[] = [];
  calls = 0;
  private readonly series = {
    blood: Array.from({ length: DURATION }, (_, s) => level(s + 0.5, BLEEDS)),
    haze: Array.from({ length: DURATION }, () => 0.03),
    outOfBody: Array.from({ length: DURATION }, (_, s) => level(s + 0.5, [OUT])),
    motion: Array.from({ length: DURATION }, () => 0.5),
  };

  async overview(): Promise<OverviewResult> {
    this.calls++;
    const frames = Array.from({ length: 8 }, (_, i) => ({ time: ((i + 0.5) * DURATION) / 8, ref: `story-${i}` }));
    return { frames, tracks: summarizeTracks(this.series), series: this.series };
  }

  async cropVideo(start: number, end: number, n: number): Promise<CropResult> {
    this.calls++;
    this.crops.push([start, end]);
    const frames = Array.from({ length: n }, (_, i) => ({ time: start + ((i + 0.5) * (end - start)) / n, ref: `c-${start}-${i}` }));
    const samples = frames.map(({ time }) => ({ time, blood: level(time, BLEEDS), haze: 0.03, outOfBody: level(time, [OUT]), brightness: 0.5 }));
    return { frames, signals: summarizeTracks(this.series, { from: start, to: end }), samples };
  }

  async getFrame(time: number): Promise<FrameInfo> {
    this.calls++;
    this.frames.push(time);
    return { time, ref: `f-${time}`, width: 640, height: 360 };
  }
}

async function ask(question: string, opts: { bookmarks?: BookmarkMark[]; duration?: number } = {}) {
  const tools = new CaseTools();
  const events: AgentEvent[] = [];
  const record = await runAgent({
    question,
    backend: createScoutBackend(),
    tools,
    duration: opts.duration ?? DURATION,
    bookmarks: opts.bookmarks ?? BOOKMARKS,
    now: manualClock().now,
    emit: (e) => events.push(e),
  });
  return { record, tools, events };
}

function inside(record: RunRecord, start: number, end: number): void {
  for (const e of record.evidence) {
    expect(e.start).toBeGreaterThanOrEqual(start);
    expect(e.end).toBeLessThanOrEqual(end);
    for (const f of e.frames) expect(f >= e.start && f <= e.end).toBe(true);
  }
}

describe('scout: a question with a time scope', () => {
  it('finds only the bleeding after the second bookmark, looks only there, and says the scope', async () => {
    const { record, tools } = await ask('Was there bleeding after the second bookmark?');
    expect(record.outcome).toBe('answered');
    expect(record.evidence).toHaveLength(1);
    const [e] = record.evidence;
    expect(Math.abs(e!.start - 700)).toBeLessThan(1);
    expect(Math.abs(e!.end - 740)).toBeLessThan(1);
    inside(record, 600, DURATION);
    for (const [s, t] of tools.crops) expect(s >= 600 && t <= DURATION).toBe(true);
    for (const t of tools.frames) expect(t >= 600 && t <= DURATION).toBe(true);
    expect(record.answer).toMatch(/^Yes, after the second bookmark \(10:00–15:00\): one bleeding episode seen: 00:11:40 to 00:12:20/);
    // "after the second bookmark" is the scope, not a landmark the scout cannot place.
    expect(record.answer).not.toMatch(/cannot place/);
  });

  it('without the scope the same case has two episodes', async () => {
    const { record } = await ask('Was there bleeding?');
    expect(record.evidence).toHaveLength(2);
    expect(record.answer).toMatch(/^Yes: 2 bleeding episodes seen/);
  });

  it('finds the one before the first bookmark, and the first one "since bookmark trocar"', async () => {
    const before = await ask('When did the bleeding start before the first bookmark?');
    expect(before.record.evidence).toHaveLength(1);
    expect(Math.abs(before.record.evidence[0]!.start - 100)).toBeLessThan(1);
    inside(before.record, 0, 300);
    expect(before.record.answer).toMatch(/^Before the first bookmark \(0:00–5:00\), the first bleeding episode starts at 00:01:40/);

    const since = await ask("when did the bleeding start since bookmark 'trocar'?");
    expect(Math.abs(since.record.evidence[0]!.start - 700)).toBeLessThan(1);
    expect(since.record.answer).toMatch(/^Since bookmark "trocar" \(10:00–15:00\), the first bleeding episode/);
  });

  it('says plainly that nothing was seen in the last minutes, without looking further', async () => {
    const { record } = await ask('Was there bleeding in the last 2 minutes?');
    expect(record.evidence).toEqual([]);
    expect(record.usage.toolCalls).toBe(0);
    expect(record.answer).toMatch(/^No bleeding episode was seen in the last 2 minutes \(13:00–15:00\): the blood track never reaches 0\.5/);
  });

  it('reads "in the last N minutes" as the scope, not as "the last episode"', async () => {
    const none = await ask('When was the camera out of the body in the last 5 minutes?');
    expect(none.record.evidence).toHaveLength(0);
    expect(none.record.answer).toMatch(/^No out-of-body period was seen in the last 5 minutes \(10:00–15:00\)/);
    const wider = await ask('When was the camera out of the body in the last 9 minutes?');
    expect(wider.record.evidence).toHaveLength(1);
    expect(Math.abs(wider.record.evidence[0]!.start - 400)).toBeLessThan(1);
    expect(wider.record.answer).toMatch(/^In the last 9 minutes \(6:00–15:00\), one out-of-body period seen: 00:06:40 to 00:07:00/);
  });

  it('cuts an episode at the scope and says it had begun earlier', async () => {
    // 12:00–15:00 cuts the episode 11:40–12:20.
    const { record, tools } = await ask('Was there bleeding in the last 3 minutes?');
    expect(record.evidence).toHaveLength(1);
    const [e] = record.evidence;
    expect(e!.start).toBeGreaterThanOrEqual(720);
    expect(Math.abs(e!.end - 740)).toBeLessThan(1);
    inside(record, 720, DURATION);
    for (const [s] of tools.crops) expect(s).toBeGreaterThanOrEqual(720);
    expect(record.answer).toMatch(/^Yes, in the last 3 minutes \(12:00–15:00\): /);
    expect(record.answer).toMatch(/had begun earlier: 00:12:00 is where the time asked about begins/);
  });

  it('between two bookmarks', async () => {
    const { record } = await ask('how long was the camera out between the first and second bookmark?');
    expect(record.evidence).toHaveLength(1);
    expect(Math.abs(record.evidence[0]!.end - record.evidence[0]!.start - 20)).toBeLessThan(1.5);
    inside(record, 300, 600);
    expect(record.answer).toMatch(/^Between the first and second bookmarks \(5:00–10:00\), the main out-of-body period lasts 20 s/);
  });
});

describe('engine: a scope naming a bookmark the case does not have', () => {
  it('answers in words, with no evidence, without calling any tool', async () => {
    const { record, tools, events } = await ask('Was there bleeding after the fifth bookmark?');
    expect(record.outcome).toBe('answered');
    expect(record.answer).toBe('There is no fifth bookmark; this case has 3 (at 5:00, 10:00 "trocar", 14:10).');
    expect(record.evidence).toEqual([]);
    expect(record.usage).toEqual({ toolCalls: 0, frames: 0 });
    expect(tools.calls).toBe(0);
    expect(record.overview).toBeNull();
    expect(record.steps).toHaveLength(1);
    expect(record.steps[0]).toMatchObject({ index: 1, kind: 'answer', error: null });
    expect(record.steps[0]!.thought).toMatch(/"after the fifth bookmark"/);
    expect(events.map((e) => e.type)).toEqual(['run-started', 'thought-delta', 'answer', 'run-ended']);
  });

  it('the same for a case with no bookmarks, and for a label it does not have', async () => {
    const none = await ask('what happened after the second bookmark?', { bookmarks: [] });
    expect(none.record.answer).toBe('There is no second bookmark; this case has no bookmarks.');
    const label = await ask('any smoke since bookmark "clip"?');
    expect(label.record.answer).toMatch(/^There is no bookmark "clip"; this case has 3/);
    expect(label.tools.calls).toBe(0);
  });

  it('never reaches the backend', async () => {
    const backend = new ScriptedBackend([answer('should not be asked')]);
    const record = await runAgent({ question: 'after bookmark 9?', backend, tools: new CaseTools(), duration: DURATION, bookmarks: BOOKMARKS });
    expect(backend.seen).toEqual([]);
    expect(record.answer).toMatch(/^There is no ninth bookmark/);
  });
});

describe('engine: what a backend is told', () => {
  it('passes the bookmarks (renumbered in time order), whether the case is live, and the scope', async () => {
    const backend = new ScriptedBackend([answer('ok')]);
    const shuffled = [BOOKMARKS[2]!, { number: 7, time: 300, label: '  ' }, BOOKMARKS[1]!, { number: 9, time: Number.NaN, label: null }];
    await runAgent({ question: 'bleeding in the last 5 minutes?', backend, tools: new CaseTools(), duration: DURATION, bookmarks: shuffled, live: true });
    const ctx = backend.seen[0]!;
    expect(ctx.live).toBe(true);
    expect(ctx.bookmarks).toEqual(BOOKMARKS);
    expect(ctx.scope).toEqual({ start: 600, end: 900, said: 'the last 5 minutes (10:00–15:00)', phrase: 'in the last 5 minutes' });

    const plain = new ScriptedBackend([answer('ok')]);
    await runAgent({ question: 'when does the bleeding start?', backend: plain, tools: new CaseTools(), duration: DURATION });
    expect(plain.seen[0]).toMatchObject({ live: false, bookmarks: [], scope: null });
  });

  it('a model reads the duration so far, that the case may still grow, the bookmarks and the scope', async () => {
    const prompt = buildSystemPrompt({ framesPerCrop: 8, caseDuration: 900, live: true, bookmarks: BOOKMARKS });
    expect(prompt).toContain('The case is being recorded now and may still be growing: so far it lasts 00:15:00.000 (900 s)');
    expect(prompt).toContain('- bookmark 1 at 00:05:00.000 (300 s)\n- bookmark 2 at 00:10:00.000 (600 s): "trocar"\n- bookmark 3 at 00:14:10.000 (850 s)');
    const closed = buildSystemPrompt({ framesPerCrop: 8, caseDuration: 900 });
    expect(closed).toContain('The case lasts 00:15:00.000 (900 s)');
    expect(closed).not.toMatch(/bookmark|growing/);

    const backend = new ScriptedBackend([answer('ok')]);
    await runAgent({ question: 'Was there bleeding after bookmark 2?', backend, tools: new CaseTools(), duration: DURATION, bookmarks: BOOKMARKS, live: true });
    const ctx: TurnContext = backend.seen[0]!;
    const messages = buildMessages(ctx, new Map(), { framesPerCrop: 8, maxImages: 16 });
    const system = messages[0]!.content as string;
    expect(system).toContain('may still be growing');
    expect(system).toContain('- bookmark 2 at 00:10:00.000 (600 s): "trocar"');
    const user = JSON.stringify(messages[1]!.content);
    expect(user).toContain('Question: Was there bleeding after bookmark 2?');
    expect(user).toContain('Time scope of this question: after the second bookmark (10:00–15:00), that is 00:10:00.000–00:15:00.000 (600–900 s). Look inside that window');
  });
});
