/*
 * The scout asked for the moments like one ("when else does this happen?" at a playhead, "other
 * moments like 12:30"): one find_similar call on the right moment, the windows as evidence best
 * first, the moment compared with said; no index, no moment, or an event question handled apart.
 */

import { describe, expect, it } from 'vitest';
import { createScoutBackend } from '../../../../../../../main/core/agent/backends/scout/index.js';
import { parseSimilarAsk } from '../../../../../../../main/core/agent/backends/scout/similar-moments.js';
import { runAgent, type RunRecord, type SimilarToolResult } from '../../../../../../../main/core/agent/engine/index.js';
import { FakeTools, manualClock } from '../../../../../agent/scripted-backend.js';

const DURATION = 1200;

/** Tools whose picture index finds three windows (or none built yet), recording what was asked. */
class PictureTools extends FakeTools {
  readonly asked: { time: number; limit: number }[] = [];

  constructor(private readonly built = true) {
    super(DURATION);
  }

  async findSimilar(time: number, limit: number): Promise<SimilarToolResult> {
    this.asked.push({ time, limit });
    if (!this.built) return { windows: [], unavailable: 'this case has no picture index yet, so nothing was compared; it is queued to be built now' };
    const windows = [
      { start: 1000, end: 1008, score: 0.91, time: 1004 },
      { start: 120, end: 126, score: 0.84, time: 122 },
      { start: 1150, end: 1154, score: 0.72, time: 1152 },
    ].map((w) => ({ ...w, frame: { time: w.time, ref: `f-${w.time}` } }));
    return { windows: windows.slice(0, limit), unavailable: null };
  }
}

async function ask(question: string, tools: FakeTools, playhead?: number): Promise<RunRecord> {
  return runAgent({
    question,
    backend: createScoutBackend(),
    tools,
    duration: DURATION,
    ...(playhead !== undefined ? { playhead } : {}),
    now: manualClock().now,
  });
}

describe('scout: moments like this one', () => {
  it('compares the frame at the playhead and gives the windows as evidence, best first', async () => {
    const tools = new PictureTools();
    const r = await ask('When else does this happen?', tools, 750);
    expect(tools.asked).toEqual([{ time: 750, limit: 5 }]);
    expect(r.steps[0]!.checked).toEqual({ name: 'find_similar', time: 750, limit: 5 });
    expect(r.outcome).toBe('answered');
    expect(r.evidence.map((e) => [e.start, e.end, e.frames])).toEqual([[1000, 1008, [1004]], [120, 126, [122]], [1150, 1154, [1152]]]);
    expect(r.evidence[0]!.claim).toBe('Looks like the frame at 00:12:30 (similarity 0.91; most alike at 00:16:44)');
    expect(r.answer).toMatch(/^3 other moments of the case look like the frame at 00:12:30 \(where the player was\), best first: 00:16:40–00:16:48 \(similarity 0\.91\)/);
    // No crops or frames: the windows are the answer.
    expect(tools.calls.filter((c) => !c.startsWith('overview'))).toEqual([]);
  });

  it('compares the moment the question names, whatever the playhead', async () => {
    const tools = new PictureTools();
    const r = await ask('Other moments like 12:30?', tools, 10);
    expect(tools.asked[0]!.time).toBe(750);
    expect(r.answer).toContain('the frame at 00:12:30 (named in the question)');
    const seconds = new PictureTools();
    await ask('show me scenes similar to 125 s', seconds);
    expect(seconds.asked[0]!.time).toBe(125);
  });

  it('keeps only the windows inside the time the question is about', async () => {
    const tools = new PictureTools();
    const r = await ask('Where else does this view appear in the last 5 minutes?', tools, 300);
    expect(tools.asked[0]).toEqual({ time: 300, limit: 10 });
    expect(r.evidence.map((e) => e.start)).toEqual([1000, 1150]);
    expect(r.answer).toContain('in the last 5 minutes');
  });

  it('asks which moment when the question names none and no playhead was given', async () => {
    const tools = new PictureTools();
    const r = await ask('When else does this happen?', tools);
    expect(tools.asked).toEqual([]);
    expect(r.answer).toMatch(/^Which moment should I compare with\?/);
    expect(r.evidence).toEqual([]);
  });

  it('says there is no picture index yet, that it is being built, and gives no evidence', async () => {
    const r = await ask('when else does this happen', new PictureTools(false), 750);
    expect(r.answer).toMatch(/^I could not compare the frame at 00:12:30 \(where the player was\): this case has no picture index yet\. Building it has started/);
    expect(r.evidence).toEqual([]);
  });

  it('says so when the host has no picture index at all', async () => {
    const r = await ask('other moments like 00:02:00', new FakeTools(DURATION));
    expect(r.answer).toMatch(/^I could not compare the frame at 00:02:00 \(named in the question\): Find_similar is not available here/);
  });

  it('past the end of the case is said, nothing compared', async () => {
    const tools = new PictureTools();
    const r = await ask('other moments like 45:00', tools);
    expect(tools.asked).toEqual([]);
    expect(r.answer).toBe('00:45:00 is past the end of the case (00:20:00).');
  });
});

describe('parseSimilarAsk', () => {
  it('reads the ways of asking for moments like one, with the time they name', () => {
    expect(parseSimilarAsk('When else does this happen?')).toEqual({ at: null });
    expect(parseSimilarAsk('Does this happen again?')).toEqual({ at: null });
    expect(parseSimilarAsk('other moments like 12:30')).toEqual({ at: 750 });
    expect(parseSimilarAsk('Find frames that look like this')).toEqual({ at: null });
    expect(parseSimilarAsk('moments similar to 00:01:05.5')).toEqual({ at: 65.5 });
    expect(parseSimilarAsk('Where else do we see the same view?')).toEqual({ at: null });
  });

  it('leaves event questions and others to the tracks', () => {
    expect(parseSimilarAsk('When does the bleeding start?')).toBeNull();
    expect(parseSimilarAsk('When else does it bleed?')).toBeNull();
    expect(parseSimilarAsk('Is there smoke again after 10:00?')).toBeNull();
    expect(parseSimilarAsk('How long is the longest pause?')).toBeNull();
    expect(parseSimilarAsk('Which instrument is used at 12:30?')).toBeNull();
  });
});
