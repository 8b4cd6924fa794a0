import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BUDGET,
  resolveBudget,
  runAgent,
  type AgentBackend,
  type AgentBudget,
  type AgentEvent,
  type AgentTools,
  type ConversationTurn,
  type RunRecord,
  type TurnContext,
} from '../../../../../../main/core/agent/engine/index.js';
import type { BackendStep } from '../../../../../../main/core/agent/types.js';
import { answer, FakeTools, hang, malformed, manualClock, ScriptedBackend, tool, type ScriptEntry } from '../../../../agent/scripted-backend.js';

const DURATION = 1200;

interface Setup {
  tools?: AgentTools;
  budget?: Partial<AgentBudget>;
  signal?: AbortSignal;
  history?: ConversationTurn[];
  now?: () => number;
  backend?: AgentBackend;
  streamThoughts?: boolean;
  emit?: (e: AgentEvent) => void;
}

async function run(script: ScriptEntry[], setup: Setup = {}) {
  const scripted = new ScriptedBackend(script, { model: 'script-v1', streamThoughts: setup.streamThoughts ?? false });
  const backend = setup.backend ?? scripted;
  const tools = setup.tools ?? new FakeTools(DURATION);
  const events: AgentEvent[] = [];
  const record = await runAgent({
    question: 'When does the bleeding start?',
    backend,
    tools,
    duration: DURATION,
    budget: setup.budget,
    signal: setup.signal,
    history: setup.history,
    now: setup.now ?? manualClock().now,
    emit: setup.emit ?? ((e) => events.push(e)),
    runId: 'run-1',
  });
  return { record, events, backend: scripted, tools: tools as FakeTools };
}

/** A clock that moves 1 ms each time it is read, so every event has its own time. */
function tickingClock() {
  let t = 5_000;
  return () => t++;
}

/** The script step that looks at the context of its turn, then takes `step`. */
function inspect(check: (ctx: TurnContext) => void, step: BackendStep): ScriptEntry {
  return (ctx) => {
    check(ctx);
    return step;
  };
}

function types(events: AgentEvent[]): string[] {
  return events.map((e) => (e.type === 'tool-started' || e.type === 'tool-result' ? `${e.type}:${e.name}` : e.type));
}

function lastObservation(ctx: TurnContext) {
  const last = ctx.steps.at(-1);
  if (!last) throw new Error('no step before this turn');
  return last.observation;
}

describe('runAgent: a coarse-to-fine run', () => {
  it('goes overview → crop → frame → answer and records every step', async () => {
    const { record, events, backend, tools } = await run(
      [
        inspect(
          (ctx) => {
            // The first turn already has the overview: storyboard and track summaries.
            expect(ctx.overview.frames).toHaveLength(8);
            expect(ctx.overview.tracks.blood?.windows).toEqual([{ start: 750, end: 790, peak: 0.9 }]);
            expect(ctx.steps).toEqual([]);
            expect(ctx.final).toBe(false);
          },
          tool('crop_video', { start: '00:12:00', end: '13:30' }, 'Blood peaks around 12:30. '),
        ),
        tool('get_frame', { time: 765 }),
        answer('Bleeding from 12:30 to 13:10.', [{ start: '00:12:30', end: 790, frames: [765], claim: 'Active bleeding' }], 'Confirmed.'),
      ],
      { now: tickingClock() },
    );

    expect(record.outcome).toBe('answered');
    expect(record.error).toBeNull();
    expect(record.answer).toBe('Bleeding from 12:30 to 13:10.');
    expect(record.evidence).toEqual([{ id: 'run-1-e1', rank: 1, start: 750, end: 790, frames: [765], claim: 'Active bleeding' }]);
    expect(tools.calls).toEqual(['overview', 'crop 720-810 x8', 'frame 765']);
    expect(record.backend).toEqual({ name: 'scripted', model: 'script-v1', executionProvider: null });
    expect(record.budget).toEqual(DEFAULT_BUDGET);
    expect(record.usage).toEqual({ toolCalls: 2, frames: 9 });
    expect(record.exhausted).toBeNull();
    expect(record.overview?.frames.map((f) => f.ref)).toEqual(Array.from({ length: 8 }, (_, i) => `story-${i}`));

    const [crop, frame, final] = record.steps;
    expect(record.steps.map((s) => [s.index, s.kind])).toEqual([
      [1, 'tool'],
      [2, 'tool'],
      [3, 'answer'],
    ]);
    expect(crop?.call).toEqual({ name: 'crop_video', arguments: { start: '00:12:00', end: '13:30' } });
    expect(crop?.checked).toEqual({ name: 'crop_video', start: 720, end: 810, frames: 8 });
    expect(crop?.frames.map((f) => f.ref)).toEqual(Array.from({ length: 8 }, (_, i) => `crop-720-810-${i}`));
    expect(crop?.signals?.blood?.windows).toEqual([{ start: 750, end: 790, peak: 0.9 }]);
    expect(crop?.thought).toBe('Blood peaks around 12:30. ');
    expect(frame?.frames).toEqual([{ time: 765, ref: 'frame-765', width: 1920, height: 1080 }]);
    expect(final?.thought).toBe('Confirmed.');
    for (const s of record.steps) {
      expect(s.error).toBeNull();
      expect(s.endedAt).not.toBeNull();
      expect(s.endedAt!).toBeGreaterThanOrEqual(s.startedAt);
    }

    // Each turn sees every earlier step with its observation, and what is left of the budget.
    const third = backend.seen[2]!;
    expect(third.steps.map((s) => s.observation.kind)).toEqual(['crop', 'frame']);
    expect(third.budget.toolCallsLeft).toBe(DEFAULT_BUDGET.maxToolCalls - 2);
    expect(third.budget.framesLeft).toBe(DEFAULT_BUDGET.maxFrames - 9);
    expect(backend.seen[1]!.steps[0]!.observation).toMatchObject({ kind: 'crop', notes: [] });

    expect(types(events)).toEqual([
      'run-started',
      'tool-started:overview',
      'tool-result:overview',
      'thought-delta',
      'tool-started:crop_video',
      'tool-result:crop_video',
      'tool-started:get_frame',
      'tool-result:get_frame',
      'thought-delta',
      'evidence',
      'answer',
      'run-ended',
    ]);
  });

  it('numbers events in order, stamps them with the run and the clock, and carries refs not pixels', async () => {
    const { record, events } = await run(
      [tool('crop_video', { start: 750, end: 790, frames: 4 }, 'a'), answer('done', [{ start: 750, end: 790, frames: [], claim: 'x' }])],
      { now: tickingClock() },
    );
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(new Set(events.map((e) => e.runId))).toEqual(new Set(['run-1']));
    for (let i = 1; i < events.length; i++) expect(events[i]!.time).toBeGreaterThan(events[i - 1]!.time);

    const started = events[0]!;
    expect(started).toMatchObject({ type: 'run-started', question: 'When does the bleeding start?', backend: 'scripted', model: 'script-v1', duration: DURATION });
    const result = events.find((e) => e.type === 'tool-result' && e.name === 'crop_video');
    expect(result).toMatchObject({ step: 1, frames: [{ time: 755, ref: 'crop-750-790-0' }, {}, {}, {}] });
    const ended = events.at(-1)!;
    expect(ended).toMatchObject({ type: 'run-ended', outcome: 'answered', error: null, usage: { toolCalls: 1, frames: 4 } });
    expect(events.find((e) => e.type === 'evidence')).toMatchObject({ evidence: { id: 'run-1-e1', start: 750, end: 790 } });

    expect(record.timings.startedAt).toBe(started.time);
    expect(record.timings.firstEventAt).toBe(events[1]!.time);
    expect(record.timings.endedAt).toBe(ended.time);
    expect(JSON.stringify(events)).not.toMatch(/data:image|base64/);
  });

  it('forwards streamed thought text as deltas of its step, and ignores text streamed after the turn', async () => {
    let kept: TurnContext | null = null;
    const { events } = await run(
      [
        tool('get_frame', { time: 10 }, 'look at the start'),
        (ctx) => {
          kept = ctx;
          return answer('ok', [], 'then answer');
        },
      ],
      { streamThoughts: true },
    );
    const deltas = events.filter((e) => e.type === 'thought-delta');
    expect(deltas.map((e) => [e.step, e.delta])).toEqual([
      [1, 'look '],
      [1, 'at '],
      [1, 'the '],
      [1, 'start'],
      [2, 'then '],
      [2, 'answer'],
    ]);
    const count = events.length;
    kept!.onThought('too late');
    expect(events).toHaveLength(count);
  });

  it('still ends the run and returns its record when an event listener throws', async () => {
    const { record } = await run([answer('fine')], {
      emit: () => {
        throw new Error('listener bug');
      },
    });
    expect(record.outcome).toBe('answered');
    expect(record.answer).toBe('fine');
  });
});

describe('runAgent: calls the engine corrects or refuses', () => {
  it('clamps times past the end and shows the note to the backend on the next turn', async () => {
    let seen: string[] = [];
    const { record, events, tools } = await run([
      tool('crop_video', { start: 1100, end: 2000 }),
      inspect((ctx) => {
        const obs = lastObservation(ctx);
        seen = obs.notes;
        expect(obs).toMatchObject({ kind: 'crop', call: { start: 1100, end: 1200 } });
      }, answer('nothing late in the case')),
    ]);
    const note = 'end 2000 s is past the end of the case (1200 s); used 1200 s';
    expect(seen).toEqual([note]);
    expect(tools.calls).toContain('crop 1100-1200 x8');
    expect(record.steps[0]!.notes).toEqual([note]);
    expect(events.find((e) => e.type === 'tool-started' && e.step === 1)).toMatchObject({ notes: [note] });
    expect(events.find((e) => e.type === 'tool-result' && e.step === 1)).toMatchObject({ notes: [note] });
  });

  it.each<[string, BackendStep, RegExp]>([
    ['start >= end', tool('crop_video', { start: 800, end: 790 }), /start 800 s must be before end 790 s/],
    ['a NaN time', tool('get_frame', { time: Number.NaN }), /time NaN is not a finite time/],
    ['an unknown tool', tool('zoom', { level: 2 }), /unknown tool "zoom": the tools are crop_video/],
    ['arguments that are a string', tool('crop_video', '750-790'), /must be a JSON object/],
    ['arguments that are a list', tool('get_frame', [754]), /must be a JSON object/],
    ['malformed output', malformed('unterminated JSON in <tool_call>'), /neither a tool call nor an answer: unterminated JSON/],
  ])('turns %s into an error observation that costs a call and never throws', async (_label, bad, message) => {
    let observed: unknown = null;
    const { record, events, tools } = await run([
      bad,
      inspect((ctx) => {
        observed = lastObservation(ctx);
        expect(ctx.budget.toolCallsLeft).toBe(DEFAULT_BUDGET.maxToolCalls - 1);
      }, answer('gave up')),
    ]);
    expect(observed).toMatchObject({ kind: 'error', error: expect.stringMatching(message) });
    expect(tools.calls).toEqual(['overview']);
    expect(record.outcome).toBe('answered');
    expect(record.usage).toEqual({ toolCalls: 1, frames: 0 });
    expect(record.steps[0]!.error).toMatch(message);
    const error = events.find((e) => e.type === 'tool-error');
    expect(error).toMatchObject({ step: 1, error: expect.stringMatching(message) });
    if (bad.kind === 'malformed') {
      expect(record.steps[0]!.raw).toBe(bad.raw);
      expect(error).toMatchObject({ name: null });
    }
  });
});

describe('runAgent: budgets', () => {
  it('asks once for a final answer when the tool calls are spent', async () => {
    const { record, backend, tools } = await run(
      [
        tool('crop_video', { start: 0, end: 600 }),
        tool('crop_video', { start: 600, end: 1200 }),
        inspect((ctx) => {
          expect(ctx.final).toBe(true);
          expect(ctx.notice).toMatch(/^The tool-call budget \(2 calls\) is spent\. Answer now/);
          expect(ctx.budget.toolCallsLeft).toBe(0);
          expect(ctx.steps).toHaveLength(2);
        }, answer('late bleeding', [{ start: 750, end: 790, frames: [], claim: 'blood' }])),
      ],
      { budget: { maxToolCalls: 2 } },
    );
    expect(backend.seen.map((c) => c.final)).toEqual([false, false, true]);
    expect(tools.calls).toEqual(['overview', 'crop 0-600 x8', 'crop 600-1200 x8']);
    expect(record.outcome).toBe('answered');
    expect(record.exhausted).toBe('toolCalls');
    expect(record.evidence).toHaveLength(1);
  });

  it('ends with outcome budget, and keeps what it found, when the final turn still calls a tool', async () => {
    const { record, events, tools } = await run(
      [tool('crop_video', { start: 700, end: 800 }), tool('get_frame', { time: 760 }), tool('get_frame', { time: 770 }, 'one more look')],
      { budget: { maxToolCalls: 2 } },
    );
    expect(record.outcome).toBe('budget');
    expect(record.error).toBeNull();
    expect(record.answer).toBeNull();
    expect(record.evidence).toEqual([]);
    expect(tools.calls).toEqual(['overview', 'crop 700-800 x8', 'frame 760']);
    expect(record.steps.map((s) => s.frames.length)).toEqual([8, 1, 0]);
    expect(record.steps[2]).toMatchObject({ kind: 'tool', thought: 'one more look', error: 'not run: the budget is spent and no answer was given' });
    expect(record.overview).not.toBeNull();
    expect(events.at(-2)).toMatchObject({ type: 'tool-error', step: 3, name: 'get_frame' });
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'budget', exhausted: 'toolCalls', usage: { toolCalls: 2, frames: 9 } });
  });

  it('ends with outcome budget when the final turn is malformed', async () => {
    const { record } = await run([malformed('no closing tag')], { budget: { maxToolCalls: 0 } });
    expect(record.outcome).toBe('budget');
    expect(record.steps[0]!.error).toBe('no answer after the budget was spent: no closing tag');
  });

  it('counts invalid calls toward the budget, so a confused backend cannot loop', async () => {
    const { record, backend, tools } = await run([tool('zoom', {}), tool('zoom', {}), tool('zoom', {}), answer('sorry')], {
      budget: { maxToolCalls: 3 },
    });
    expect(backend.seen.map((c) => c.final)).toEqual([false, false, false, true]);
    expect(tools.calls).toEqual(['overview']);
    expect(record).toMatchObject({ outcome: 'answered', exhausted: 'toolCalls', usage: { toolCalls: 3, frames: 0 } });
  });

  it('goes straight to the final turn with a zero call budget', async () => {
    const { backend, record } = await run([answer('from the overview only')], { budget: { maxToolCalls: 0 } });
    expect(backend.seen[0]!.final).toBe(true);
    expect(record.outcome).toBe('answered');
  });

  it('shrinks a crop to the frames left, then stops when the frame budget is spent', async () => {
    const { record, backend, tools } = await run(
      [
        tool('crop_video', { start: 0, end: 600 }),
        tool('crop_video', { start: 700, end: 800 }),
        inspect((ctx) => {
          expect(ctx.final).toBe(true);
          expect(ctx.notice).toMatch(/^The frame budget \(10 frames\) is spent/);
        }, answer('done')),
      ],
      { budget: { maxFrames: 10 } },
    );
    expect(tools.calls).toEqual(['overview', 'crop 0-600 x8', 'crop 700-800 x2']);
    expect(record.steps[1]!.notes).toEqual(['frames 8 is more than the 2 left in the frame budget; used 2']);
    expect(record.steps[1]!.checked).toMatchObject({ frames: 2 });
    expect(backend.seen[1]!.budget.framesLeft).toBe(2);
    expect(record).toMatchObject({ outcome: 'answered', exhausted: 'frames', usage: { frames: 10, toolCalls: 2 } });
  });

  it('refuses a crop that no longer fits but still allows a single frame', async () => {
    const { record, backend, tools } = await run(
      [tool('crop_video', { start: 0, end: 600 }), tool('crop_video', { start: 700, end: 800 }), answer('done')],
      { budget: { maxFrames: 9 } },
    );
    expect(tools.calls).toEqual(['overview', 'crop 0-600 x8']);
    expect(record.steps[1]!.error).toBe('not run: 1 frame(s) left in the frame budget, 8 needed');
    expect(lastObservation(backend.seen[2]!)).toMatchObject({ kind: 'error', error: record.steps[1]!.error });
    expect(backend.seen[2]!.final).toBe(true);
    expect(record.exhausted).toBe('frames');

    const single = await run([tool('crop_video', { start: 0, end: 600 }), tool('get_frame', { time: 5 }), answer('done')], {
      budget: { maxFrames: 9 },
    });
    expect(single.tools.calls).toEqual(['overview', 'crop 0-600 x8', 'frame 5']);
    expect(single.record.usage.frames).toBe(9);
    expect(single.backend.seen[2]!.final).toBe(true);
  });

  it('stops at the wall-time budget measured on the injected clock', async () => {
    const clock = manualClock();
    const slow = (step: BackendStep): ScriptEntry => () => {
      clock.advance(50_000);
      return step;
    };
    const { record, backend, tools } = await run(
      [
        slow(tool('crop_video', { start: 0, end: 600 })),
        slow(tool('crop_video', { start: 600, end: 1200 })),
        // Asked with 20 s left; it answers after 50 s, so its call is not run.
        slow(tool('get_frame', { time: 760 })),
        inspect((ctx) => {
          expect(ctx.final).toBe(true);
          expect(ctx.notice).toMatch(/^The time budget \(120 s\) is spent/);
          expect(ctx.budget.msLeft).toBe(0);
        }, answer('best guess')),
      ],
      { budget: { maxWallMs: 120_000 }, now: clock.now },
    );
    expect(backend.seen.map((c) => c.budget.msLeft)).toEqual([120_000, 70_000, 20_000, 0]);
    expect(tools.calls).toEqual(['overview', 'crop 0-600 x8', 'crop 600-1200 x8']);
    expect(record.steps[2]!.error).toBe('not run: the time budget is spent');
    expect(record).toMatchObject({ outcome: 'answered', exhausted: 'wallTime' });
    expect(record.timings.endedAt - record.timings.startedAt).toBe(150_000);
  });

  it('fills in defaults and ignores nonsense limits', () => {
    expect(resolveBudget()).toEqual(DEFAULT_BUDGET);
    expect(resolveBudget({ maxToolCalls: -1, maxFrames: Number.NaN, maxWallMs: 5000.7 })).toEqual({
      maxToolCalls: DEFAULT_BUDGET.maxToolCalls,
      maxFrames: DEFAULT_BUDGET.maxFrames,
      maxWallMs: 5000,
    });
  });
});

// A short test timeout: an engine that waits for hung work must fail here, not after a minute.
describe('runAgent: cancel', { timeout: 3000 }, () => {
  const PROMPT_MS = 1000;

  it('ends at once when canceled before it starts', async () => {
    const ac = new AbortController();
    ac.abort();
    const { record, events, backend, tools } = await run([answer('never')], { signal: ac.signal });
    expect(record.outcome).toBe('canceled');
    expect(record.overview).toBeNull();
    expect(tools.calls).toEqual([]);
    expect(backend.seen).toEqual([]);
    expect(types(events)).toEqual(['run-started', 'run-ended']);
    expect(events[1]).toMatchObject({ outcome: 'canceled', error: 'the run was canceled' });
  });

  it('ends promptly while the backend is waiting, keeping the steps already done', async () => {
    const ac = new AbortController();
    let backendSignal: AbortSignal | null = null;
    const began = Date.now();
    const { record, events } = await run(
      [
        tool('crop_video', { start: 700, end: 800 }),
        (_ctx, signal) => {
          backendSignal = signal;
          setTimeout(() => ac.abort(), 10);
          return hang<BackendStep>();
        },
      ],
      { signal: ac.signal },
    );
    expect(Date.now() - began).toBeLessThan(PROMPT_MS);
    expect(record.outcome).toBe('canceled');
    expect(backendSignal!.aborted).toBe(true);
    expect(record.overview?.frames).toHaveLength(8);
    expect(record.steps).toHaveLength(1);
    expect(record.steps[0]!.frames).toHaveLength(8);
    expect(record.usage).toEqual({ toolCalls: 1, frames: 8 });
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'canceled' });
  });

  it('ends promptly while a tool is running, marking that step canceled', async () => {
    const ac = new AbortController();
    const tools = new FakeTools(DURATION, {
      getFrame: () => {
        setTimeout(() => ac.abort(), 10);
        return hang();
      },
    });
    const began = Date.now();
    const { record, events } = await run([tool('crop_video', { start: 700, end: 800 }), tool('get_frame', { time: 760 })], {
      signal: ac.signal,
      tools,
    });
    expect(Date.now() - began).toBeLessThan(PROMPT_MS);
    expect(record.outcome).toBe('canceled');
    expect(tools.signals.at(-1)!.aborted).toBe(true);
    expect(record.steps[0]!.frames).toHaveLength(8);
    expect(record.steps[1]).toMatchObject({ checked: { name: 'get_frame', time: 760 }, frames: [], error: 'the run was canceled' });
    expect(record.steps[1]!.endedAt).not.toBeNull();
    expect(types(events).slice(-2)).toEqual(['tool-started:get_frame', 'run-ended']);
  });

  it('ends promptly while the overview is running', async () => {
    const ac = new AbortController();
    const tools = new FakeTools(DURATION, {
      overview: () => {
        setTimeout(() => ac.abort(), 10);
        return hang();
      },
    });
    const { record, backend } = await run([answer('never')], { signal: ac.signal, tools });
    expect(record.outcome).toBe('canceled');
    expect(record.overview).toBeNull();
    expect(backend.seen).toEqual([]);
  });
});

describe('runAgent: failures', () => {
  it('reports a backend that throws synchronously, without throwing', async () => {
    const backend: AgentBackend = {
      name: 'broken',
      next: () => {
        throw new Error('model file missing');
      },
    };
    const { record, events } = await run([], { backend });
    expect(record).toMatchObject({ outcome: 'failed', error: 'the backend "broken" failed: model file missing', backend: { name: 'broken', model: null } });
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'failed', error: record.error });
  });

  it('reports a backend that rejects, keeping earlier steps', async () => {
    const { record } = await run([
      tool('get_frame', { time: 1 }),
      () => Promise.reject(new Error('connection reset')),
    ]);
    expect(record.outcome).toBe('failed');
    expect(record.error).toBe('the backend "scripted" failed: connection reset');
    expect(record.steps).toHaveLength(1);
    expect(record.steps[0]!.frames).toHaveLength(1);
  });

  it('reports a backend that returns something that is not a step', async () => {
    const { record } = await run([() => null as unknown as BackendStep]);
    expect(record).toMatchObject({ outcome: 'failed', error: 'the backend "scripted" returned something that is not a step' });
  });

  it('reports a tool that throws, on the step that called it', async () => {
    const tools = new FakeTools(DURATION, { getFrame: () => Promise.reject(new Error('decoder exploded')) });
    const { record, events } = await run([tool('crop_video', { start: 0, end: 60 }), tool('get_frame', { time: 30 })], { tools });
    expect(record.outcome).toBe('failed');
    expect(record.error).toBe('the tool get_frame failed: decoder exploded');
    expect(record.steps[0]!.frames).toHaveLength(8);
    expect(record.steps[1]!.error).toBe(record.error);
    expect(events.at(-1)).toMatchObject({ outcome: 'failed', error: record.error });
  });

  it('reports an overview that fails before asking the backend', async () => {
    const tools = new FakeTools(DURATION, { overview: () => Promise.reject(new Error('the case is not indexed')) });
    const { record, backend } = await run([answer('never')], { tools });
    expect(record).toMatchObject({ outcome: 'failed', error: 'the overview failed: the case is not indexed', overview: null });
    expect(backend.seen).toEqual([]);
  });
});

describe('runAgent: a follow-up question', () => {
  it('gives the backend the earlier turns of the conversation', async () => {
    const first = await run([answer('Bleeding at 12:30.', [{ start: 750, end: 790, frames: [760], claim: 'blood' }])]);
    const earlier: ConversationTurn = { question: first.record.question, answer: first.record.answer!, evidence: first.record.evidence };

    let history: readonly ConversationTurn[] = [];
    const second = await run(
      [
        inspect((ctx) => {
          history = ctx.history;
          expect(ctx.steps).toEqual([]);
        }, tool('crop_video', { start: earlier.evidence[0]!.start, end: earlier.evidence[0]!.end })),
        answer('It stops at 13:10.'),
      ],
      { history: [earlier] },
    );
    expect(history).toEqual([
      {
        question: 'When does the bleeding start?',
        answer: 'Bleeding at 12:30.',
        evidence: [{ id: 'run-1-e1', rank: 1, start: 750, end: 790, frames: [760], claim: 'blood' }],
      },
    ]);
    expect(second.tools.calls).toEqual(['overview', 'crop 750-790 x8']);
    expect(second.record.answer).toBe('It stops at 13:10.');
  });
});

describe('runAgent: evidence in the answer', () => {
  async function answerWith(evidence: unknown): Promise<{ record: RunRecord; events: AgentEvent[] }> {
    const step: BackendStep = { kind: 'answer', thought: '', answer: { text: 'see evidence', evidence: evidence as never } };
    return run([step]);
  }

  it('clamps, drops and renumbers evidence, and says why', async () => {
    const { record, events } = await answerWith([
      { start: 1100, end: 1300, frames: [1150, 1250], claim: ' Bleeding near the end ' },
      { start: 800, end: 790, frames: [], claim: 'backwards' },
      { start: Number.NaN, end: 10, frames: [], claim: 'no start' },
      { start: '00:12:30', end: '00:13:10', frames: [700, 'soon', '12:40'], claim: 'blood' },
      'not an item',
    ]);
    expect(record.evidence).toEqual([
      { id: 'run-1-e1', rank: 1, start: 1100, end: 1200, frames: [1150, 1200], claim: 'Bleeding near the end' },
      { id: 'run-1-e2', rank: 2, start: 750, end: 790, frames: [760], claim: 'blood' },
    ]);
    expect(record.notes).toEqual([
      'evidence 1: end 1300 s is past the end of the case (1200 s); used 1200 s',
      'evidence 1: frame 2 1250 s is past the end of the case (1200 s); used 1200 s',
      'evidence 2: start 800 s is not before end 790 s; dropped',
      'evidence 3: start NaN is not a finite time: give seconds (e.g. 754.5) or a clock time "HH:MM:SS(.mmm)" or "MM:SS"; dropped',
      'evidence 4: frame 1 at 700 s is outside the window; frame dropped',
      'evidence 4: frame 2 "soon" is not a time: give seconds (e.g. 754.5) or a clock time "HH:MM:SS(.mmm)" or "MM:SS"; frame dropped',
      'evidence 5 is not an object; dropped',
    ]);
    expect(record.steps[0]!.notes).toEqual(record.notes);
    expect(events.filter((e) => e.type === 'evidence').map((e) => e.type === 'evidence' && e.evidence.id)).toEqual(['run-1-e1', 'run-1-e2']);
    expect(events.find((e) => e.type === 'answer')).toMatchObject({ text: 'see evidence', notes: record.notes });
  });

  it('keeps an answer without evidence, and notes evidence that is not a list', async () => {
    const none = await answerWith([]);
    expect(none.record).toMatchObject({ outcome: 'answered', evidence: [], notes: [] });
    const odd = await answerWith('750-790');
    expect(odd.record).toMatchObject({ outcome: 'answered', evidence: [], notes: ['the evidence is not a list; ignored'] });
  });
});
