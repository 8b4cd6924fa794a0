/*
 * Asking a case: starts engine runs, streams their events on the bus as `agent.event`, and keeps
 * the store up to date. Tools and backends are injected, so the same service runs over the real
 * media worker, over fakes in tests, and with whatever backends a build has.
 */

import { resolveBudget, runAgent, type AgentBackend, type AgentEvent, type AgentTools, type RunRecord } from '../../core/agent/engine/index.js';
import type { BookmarkMark } from '../../core/agent/question-scope.js';
import type { RunState } from '../../core/contract/agent-schemas.js';
import type { AgentSettings } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { newId } from '../../node/ids.js';
import { LiveSteps, ThoughtBatcher } from './agent-stream.js';
import type { EventBus } from '../event-bus.js';
import type { Store } from '../store/store.js';

/** A backend as the host runs it; `executionProvider` is recorded with each run (e.g. "cuda"). */
export type HostBackend = AgentBackend;
export type BackendFactory = (settings: AgentSettings) => HostBackend;

export interface AgentServiceDeps {
  store: Store;
  bus: EventBus;
  /** The tools over one case (the media worker); may throw 'unavailable'. */
  toolsFor(caseId: string): AgentTools;
  backends: Record<string, BackendFactory>;
  /** Seconds. */
  caseDuration(caseId: string): number;
  /** The case's bookmarks at question time, in time order; none when not given. */
  bookmarks?(caseId: string): BookmarkMark[];
  /** Whether the case is being recorded at question time. */
  live?(caseId: string): boolean;
  /** Read at each question, so a settings change applies to the next one. */
  settings(): AgentSettings;
  /** Thought pieces within this window go out as one event. Default 16 ms. */
  batchMs?: number;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
}

export interface AskOptions {
  backend?: string;
  conversationId?: string;
  /** Case seconds the player was at when asked. */
  playhead?: number;
}

export interface FinishedRun {
  runId: string;
  caseId: string;
  conversationId: string;
  /** As stored: the engine's outcome, or 'interrupted' when the host closed mid-run. */
  state: RunState;
  record: RunRecord;
  executionProvider: string | null;
  /** Why the run could not be written to the store, if it could not. */
  saveError: string | null;
}

interface RunHandle {
  runId: string;
  caseId: string;
  conversationId: string;
  controller: AbortController;
}

interface ActiveRun extends RunHandle {
  done: Promise<FinishedRun>;
}

/** Finished runs kept for `whenDone` callers that come late. */
const KEEP_FINISHED = 32;

const CLOSED_ERROR = 'Opscope was closed before this run finished.';
/** The abort reason of runs ended by close(), as opposed to a user's cancel. */
const CLOSING = Symbol('closing');

export class AgentService {
  private readonly byCase = new Map<string, ActiveRun>();
  private readonly byRun = new Map<string, ActiveRun>();
  private readonly finished = new Map<string, FinishedRun>();
  private closed = false;

  constructor(private readonly deps: AgentServiceDeps) {}

  /** Starts a run and returns at once; one run per case at a time. */
  ask(caseId: string, question: string, opts: AskOptions = {}): { runId: string; conversationId: string } {
    const { store } = this.deps;
    if (this.closed) throw new OpscopeError('unavailable', 'Opscope is closing; ask again once it has restarted.');
    if (!store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    if (this.byCase.has(caseId)) {
      throw new OpscopeError('conflict', 'A question about this case is still being answered; wait for it or cancel it first.');
    }
    const conversationId = opts.conversationId;
    if (conversationId !== undefined && store.agent.conversationCase(conversationId) !== caseId) {
      throw new OpscopeError('not-found', 'This conversation does not exist for this case.');
    }
    const settings = this.deps.settings();
    const tools = this.deps.toolsFor(caseId);
    const backend = this.backend(opts.backend ?? settings.backend, settings);
    const duration = this.deps.caseDuration(caseId);
    const bookmarks = this.deps.bookmarks?.(caseId) ?? [];
    const live = this.deps.live?.(caseId) ?? false;
    const history = conversationId ? store.agent.history(conversationId) : [];
    const budget = resolveBudget(settings.budget);
    const runId = newId();
    const now = this.deps.now ?? Date.now;
    const executionProvider = backend.executionProvider ?? null;
    const ids = store.agent.startRun({
      runId, caseId, conversationId: conversationId ?? null, question, backend: backend.name, model: backend.model ?? null,
      executionProvider, budget, duration, startedAt: now(),
    });
    const handle: RunHandle = { runId, caseId, conversationId: ids.conversationId, controller: new AbortController() };
    const playhead = opts.playhead ?? null;
    const done = this.execute(handle, { question, backend, tools, duration, bookmarks, live, budget, history, now, executionProvider, playhead });
    const active: ActiveRun = { ...handle, done };
    this.byCase.set(caseId, active);
    this.byRun.set(runId, active);
    return { runId, conversationId: ids.conversationId };
  }

  /** True when a running run was told to stop; false when it had already ended. */
  cancel(runId: string): boolean {
    const active = this.byRun.get(runId);
    if (active) {
      active.controller.abort();
      return true;
    }
    if (this.finished.has(runId) || this.deps.store.agent.runInfo(runId)) return false;
    throw new OpscopeError('not-found', 'There is no such run.');
  }

  /** Stops the case's run, if one is going, and waits until it is stored. */
  async cancelCase(caseId: string): Promise<void> {
    const active = this.byCase.get(caseId);
    if (!active) return;
    active.controller.abort();
    await active.done;
  }

  /** Settles when the run has ended and is stored (never rejects for the run's own failure). */
  whenDone(runId: string): Promise<FinishedRun> {
    const active = this.byRun.get(runId);
    if (active) return active.done;
    const finished = this.finished.get(runId);
    if (finished) return Promise.resolve(finished);
    return Promise.reject(new OpscopeError('not-found', 'This run is not running in this process.'));
  }

  activeRun(caseId: string): string | null {
    return this.byCase.get(caseId)?.runId ?? null;
  }

  /** Ends every run (stored as 'interrupted') and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    const runs = [...this.byRun.values()];
    for (const run of runs) run.controller.abort(CLOSING);
    await Promise.all(runs.map((r) => r.done));
  }

  private backend(name: string, settings: AgentSettings): HostBackend {
    const factory = Object.hasOwn(this.deps.backends, name) ? this.deps.backends[name] : undefined;
    if (!factory) {
      const known = Object.keys(this.deps.backends);
      const list = known.length ? `available: ${known.join(', ')}` : 'no agent backend is connected yet';
      throw new OpscopeError('unavailable', `The agent backend "${name}" is not available (${list}).`);
    }
    return factory(settings);
  }

  private async execute(
    active: RunHandle,
    run: {
      question: string;
      backend: HostBackend;
      tools: AgentTools;
      duration: number;
      bookmarks: BookmarkMark[];
      live: boolean;
      budget: RunRecord['budget'];
      history: ReturnType<Store['agent']['history']>;
      now: () => number;
      executionProvider: string | null;
      playhead: number | null;
    },
  ): Promise<FinishedRun> {
    const { store } = this.deps;
    const publish = (event: AgentEvent) =>
      this.deps.bus.emit('agent.event', { caseId: active.caseId, conversationId: active.conversationId, event });
    const batcher = new ThoughtBatcher(publish, this.deps.batchMs ?? 16);
    const live = new LiveSteps((step) => {
      try {
        store.agent.checkpointStep(active.runId, step);
      } catch {
        // Best effort: the record written at the end has every step anyway.
      }
    });
    const held: { ended?: AgentEvent } = {};
    try {
      // The caller gets the run id before the first event, which then cannot beat the reply.
      await new Promise((resolve) => setImmediate(resolve));
      const record = await runAgent({
        runId: active.runId,
        question: run.question,
        backend: run.backend,
        tools: run.tools,
        duration: run.duration,
        bookmarks: run.bookmarks,
        live: run.live,
        ...(run.playhead !== null ? { playhead: run.playhead } : {}),
        budget: run.budget,
        history: run.history,
        signal: active.controller.signal,
        now: run.now,
        emit: (event) => {
          live.observe(event);
          // Held back until the run is stored: a client that sees run-ended can read it back.
          if (event.type === 'run-ended') held.ended = event;
          else batcher.push(event);
        },
      });
      batcher.flush();
      // A backend that loads a model knows where it runs only once loaded.
      const executionProvider = record.backend.executionProvider ?? run.executionProvider;
      const interrupted = active.controller.signal.reason === CLOSING && record.outcome === 'canceled';
      const state: RunState = interrupted ? 'interrupted' : record.outcome;
      let saveError: string | null = null;
      try {
        store.agent.finishRun(record, {
          executionProvider,
          ...(interrupted ? { state, error: CLOSED_ERROR } : {}),
        });
      } catch (err) {
        saveError = `the run could not be saved: ${err instanceof Error ? err.message : String(err)}`;
      }
      const finished: FinishedRun = {
        runId: active.runId, caseId: active.caseId, conversationId: active.conversationId, state, record,
        executionProvider, saveError,
      };
      this.remember(finished);
      return finished;
    } finally {
      this.byCase.delete(active.caseId);
      this.byRun.delete(active.runId);
      if (held.ended) publish(held.ended);
    }
  }

  private remember(run: FinishedRun): void {
    this.finished.set(run.runId, run);
    for (const key of this.finished.keys()) {
      if (this.finished.size <= KEEP_FINISHED) break;
      this.finished.delete(key);
    }
  }
}
