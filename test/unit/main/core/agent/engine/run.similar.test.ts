import { describe, expect, it } from 'vitest';
import { runAgent, type AgentEvent, type SimilarToolResult, type TurnContext } from '../../../../../../main/core/agent/engine/index.js';
import { StepRecord } from '../../../../../../main/core/contract/agent-schemas.js';
import { answer, FakeTools, manualClock, ScriptedBackend, tool, type ScriptEntry } from '../../../../agent/scripted-backend.js';

const DURATION = 1200;

/** FakeTools with a picture index: three windows like the frame asked about, or none built yet. */
class SimilarTools extends FakeTools {
  constructor(private readonly result: SimilarToolResult | null) {
    super(DURATION);
  }

  async findSimilar(time: number, limit: number): Promise<SimilarToolResult> {
    this.calls.push(`similar ${time} x${limit}`);
    if (this.result) return this.result;
    const windows = [300, 620, 1010].slice(0, limit).map((t, i) => ({ start: t - 2, end: t + 4, score: 0.9 - i * 0.1, time: t, frame: { time: t, ref: `similar-${t}` } }));
    return { windows, unavailable: null };
  }
}

async function run(script: ScriptEntry[], tools: FakeTools, budget = {}) {
  const events: AgentEvent[] = [];
  const record = await runAgent({
    question: 'When else does this happen?',
    backend: new ScriptedBackend(script, {}),
    tools,
    duration: DURATION,
    budget,
    now: manualClock().now,
    emit: (e) => events.push(e),
    runId: 'run-1',
  });
  return { record, events };
}

describe('runAgent: find_similar', () => {
  it('runs the call, shows the windows to the backend, counts their frames and records them', async () => {
    let seen: TurnContext['steps'][number]['observation'] | undefined;
    const tools = new SimilarTools(null);
    const { record, events } = await run(
      [
        tool('find_similar', { t: '00:12:30', limit: 3 }),
        (ctx) => {
          seen = ctx.steps.at(-1)?.observation;
          return answer('Three other moments.');
        },
      ],
      tools,
    );
    expect(tools.calls).toContain('similar 750 x3');
    expect(seen?.kind).toBe('similar');
    if (seen?.kind !== 'similar') throw new Error('no similar observation');
    expect(seen.windows.map((w) => w.time)).toEqual([300, 620, 1010]);
    expect(seen.unavailable).toBeNull();
    const step = record.steps[0]!;
    expect(step.checked).toEqual({ name: 'find_similar', time: 750, limit: 3 });
    expect(step.windows?.map((w) => [w.start, w.end, w.score])).toEqual([[298, 304, 0.9], [618, 624, 0.8], [1008, 1014, 0.7]]);
    expect(step.frames.map((f) => f.ref)).toEqual(['similar-300', 'similar-620', 'similar-1010']);
    expect(record.usage.frames).toBe(3);
    // The stored shape is the wire's: the record parses as the contract's step.
    expect(StepRecord.parse(step).windows).toHaveLength(3);
    const result = events.find((e) => e.type === 'tool-result' && e.name === 'find_similar');
    expect(result?.type === 'tool-result' ? result.windows?.length : 0).toBe(3);
  });

  it('asks for no more windows than frames are left in the budget', async () => {
    const tools = new SimilarTools(null);
    const { record } = await run([tool('find_similar', { t: 750, limit: 8 }), answer('done')], tools, { maxFrames: 2 });
    expect(record.steps[0]!.checked).toEqual({ name: 'find_similar', time: 750, limit: 2 });
    expect(record.steps[0]!.notes.join(' ')).toMatch(/more than the 2 frames left/);
  });

  it('says why nothing was compared when the case has no picture index', async () => {
    const unavailable = 'this case has no picture index yet, so nothing was compared; it is queued to be built now';
    let seen: TurnContext['steps'][number]['observation'] | undefined;
    const { record } = await run(
      [
        tool('find_similar', { t: 10 }),
        (ctx) => {
          seen = ctx.steps.at(-1)?.observation;
          return answer('No index.');
        },
      ],
      new SimilarTools({ windows: [], unavailable }),
    );
    expect(seen?.kind === 'similar' ? seen.unavailable : null).toBe(unavailable);
    expect(record.steps[0]!.notes).toContain(unavailable);
    expect(record.outcome).toBe('answered');
  });

  it('tells the backend when the tools have no picture index at all, and the run goes on', async () => {
    const { record } = await run([tool('find_similar', { t: 10 }), answer('ok')], new FakeTools(DURATION));
    expect(record.steps[0]!.error).toMatch(/find_similar is not available here/);
    expect(record.outcome).toBe('answered');
  });
});
