import { describe, expect, it } from 'vitest';
import { runAgent, type AgentBackend, type AgentEvent, type BackendReady, type TurnContext } from '../../../../../../main/core/agent/engine/index.js';
import type { BackendStep } from '../../../../../../main/core/agent/types.js';
import { answer, FakeTools, hang, manualClock } from '../../../../agent/scripted-backend.js';

const DURATION = 1200;

/** A backend that must get ready (load a model) before its first turn. */
class PreparingBackend implements AgentBackend {
  readonly name = 'local';
  readonly model = 'tiny';
  turns: TurnContext[] = [];

  constructor(
    private readonly readying: (signal: AbortSignal, status: (t: string) => void) => Promise<BackendReady>,
    private readonly step: BackendStep = answer('Bleeding from 12:30.', [{ start: 750, end: 790, frames: [760], claim: 'blood pools' }]),
  ) {}

  prepare(signal: AbortSignal, status: (t: string) => void): Promise<BackendReady> {
    return this.readying(signal, status);
  }

  async next(ctx: TurnContext): Promise<BackendStep> {
    this.turns.push(ctx);
    return this.step;
  }
}

async function run(backend: AgentBackend, opts: { signal?: AbortSignal; now?: () => number; maxWallMs?: number } = {}) {
  const events: AgentEvent[] = [];
  const record = await runAgent({
    question: 'When does the bleeding start?',
    backend,
    tools: new FakeTools(DURATION),
    duration: DURATION,
    budget: opts.maxWallMs ? { maxWallMs: opts.maxWallMs } : {},
    ...(opts.signal ? { signal: opts.signal } : {}),
    now: opts.now ?? manualClock().now,
    emit: (e) => events.push(e),
    runId: 'run-p',
  });
  return { record, events };
}

describe('engine: a backend that gets ready first', () => {
  it('streams its status, then says where it runs, and records the execution provider', async () => {
    const backend = new PreparingBackend(async (_signal, status) => {
      status('Reading the tokenizer');
      status('Loading the model on cuda');
      return { executionProvider: 'cuda', detail: 'tiny fp16 on CUDA.' };
    });
    const { record, events } = await run(backend);
    expect(record.outcome).toBe('answered');
    expect(record.backend).toEqual({ name: 'local', model: 'tiny', executionProvider: 'cuda' });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'backend-status')).toHaveLength(2);
    const ready = events.find((e) => e.type === 'backend-ready');
    expect(ready).toMatchObject({ executionProvider: 'cuda', detail: 'tiny fp16 on CUDA.' });
    // Ready before the backend's first turn: the first thought comes after.
    expect(types.indexOf('backend-ready')).toBeLessThan(types.indexOf('answer'));
    expect(backend.turns).toHaveLength(1);
  });

  it('does not count the loading time against the wall-time budget', async () => {
    const clock = manualClock();
    const backend = new PreparingBackend(async () => {
      clock.advance(50_000); // a slow first load
      return { executionProvider: 'cpu', detail: '' };
    });
    const { record } = await run(backend, { now: clock.now, maxWallMs: 10_000 });
    expect(record.outcome).toBe('answered');
    expect(record.exhausted).toBeNull();
    expect(backend.turns[0]!.budget.msLeft).toBe(10_000);
  });

  it('fails the run with the reason when the backend cannot get ready, without asking it anything', async () => {
    const backend = new PreparingBackend(async () => {
      throw new Error('The model folder /m has no config.json');
    });
    const { record, events } = await run(backend);
    expect(record.outcome).toBe('failed');
    expect(record.error).toContain('getting the backend "local" ready failed: The model folder /m has no config.json');
    expect(backend.turns).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'failed' });
  });

  it('is canceled while loading, and the late status of the abandoned load is not shown', async () => {
    const controller = new AbortController();
    let late: ((t: string) => void) | null = null;
    const backend = new PreparingBackend((_signal, status) => {
      late = status;
      setTimeout(() => controller.abort(), 5);
      return hang();
    });
    const { record, events } = await run(backend, { signal: controller.signal });
    expect(record.outcome).toBe('canceled');
    late!('Still loading');
    expect(events.some((e) => e.type === 'backend-status')).toBe(false);
    expect(events.some((e) => e.type === 'backend-ready')).toBe(false);
  });

  it('a backend without prepare sends no backend events and records no execution provider', async () => {
    const backend: AgentBackend = { name: 'plain', next: async () => answer('Nothing seen.') };
    const { record, events } = await run(backend);
    expect(record.backend.executionProvider).toBeNull();
    expect(events.some((e) => e.type.startsWith('backend-'))).toBe(false);
  });
});
