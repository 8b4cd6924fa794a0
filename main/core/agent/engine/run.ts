/*
 * The coarse-to-fine loop. The engine owns everything a backend must not be trusted with: the
 * budget, cancellation, checking the calls, and the record of what happened. A backend only
 * decides the next step from what it has seen. No input, however bad, makes runAgent throw: a run
 * always ends with a record and a run-ended event.
 */

import { isScopeError, questionScope, type BookmarkMark, type QuestionScope, type ScopeError } from '../question-scope.js';
import { checkToolCall, type CheckedCall, type CropFrameLimits, CROP_FRAMES } from '../tools.js';
import type { BackendStep } from '../types.js';
import { attempt, errorMessage, raceAbort, RunCanceled } from './abort.js';
import { BudgetMeter, budgetNotice, resolveBudget } from './budget.js';
import { checkEvidence, type Evidence } from './evidence.js';
import type {
  AgentBackend,
  AgentBudget,
  AgentEvent,
  AgentEventBody,
  AgentTools,
  BackendReady,
  BudgetKind,
  ConversationTurn,
  FrameRef,
  Observation,
  OverviewResult,
  RunOutcome,
  RunRecord,
  StepRecord,
  TurnContext,
  TurnStep,
} from './types.js';

export interface RunAgentOptions {
  question: string;
  backend: AgentBackend;
  tools: AgentTools;
  /** Case duration, seconds. */
  duration: number;
  /** The case's bookmarks; the question may name them ("after the second bookmark"). */
  bookmarks?: readonly BookmarkMark[];
  /** The case is being recorded while the question is asked. */
  live?: boolean;
  /** Case seconds the player was at when the question was asked ("this" in "when else does this happen?"). */
  playhead?: number;
  budget?: Partial<AgentBudget>;
  cropFrames?: Partial<CropFrameLimits>;
  signal?: AbortSignal;
  /** Earlier questions and answers of this case conversation, oldest first. */
  history?: readonly ConversationTurn[];
  /** Milliseconds; injectable so tests control wall time. Default Date.now. */
  now?: () => number;
  emit?: (event: AgentEvent) => void;
  /** Default a random UUID. */
  runId?: string;
}

/** A failure worth reporting as the run's outcome (as opposed to a bug in the engine). */
class RunFailure extends Error {}

type Ending =
  | { outcome: 'answered'; answer: string; evidence: Evidence[]; notes: string[] }
  | { outcome: Exclude<RunOutcome, 'answered'>; error: string | null };

function newRunId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID ? c.randomUUID() : `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function isBackendStep(value: unknown): value is BackendStep {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'tool' || kind === 'answer' || kind === 'malformed';
}

/** The checks' notes followed by the tools' own, as a new list (the first was already streamed). */
function withToolNotes(notes: string[], fromTools: unknown): string[] {
  const extra = Array.isArray(fromTools) ? fromTools.filter((n): n is string => typeof n === 'string') : [];
  return extra.length > 0 ? [...notes, ...extra] : notes;
}

function observedFrames(observation: Observation): FrameRef[] {
  if (observation.kind === 'crop') return observation.frames;
  if (observation.kind === 'frame') return [observation.frame];
  if (observation.kind === 'similar') return observation.windows.map((w) => w.frame);
  return [];
}

class AgentRun {
  private seq = 0;
  private firstEventAt: number | null = null;
  private readonly startedAt: number;
  private readonly meter: BudgetMeter;
  private readonly steps: StepRecord[] = [];
  private readonly turns: TurnStep[] = [];
  private overview: OverviewResult | null = null;
  private exhausted: BudgetKind | null = null;
  private executionProvider: string | null = null;
  private readonly scope: QuestionScope | ScopeError | null;

  constructor(
    private readonly opts: RunAgentOptions,
    private readonly runId: string,
    private readonly budget: AgentBudget,
    private readonly duration: number,
    private readonly signal: AbortSignal,
    private readonly now: () => number,
    private readonly bookmarks: readonly BookmarkMark[],
  ) {
    this.startedAt = now();
    this.meter = new BudgetMeter(budget, this.startedAt, now);
    this.scope = typeof opts.question === 'string' ? questionScope(opts.question, { duration, bookmarks }) : null;
  }

  async run(): Promise<RunRecord> {
    const { backend } = this.opts;
    this.emit(
      {
        type: 'run-started',
        question: this.opts.question,
        backend: backend.name,
        model: backend.model ?? null,
        budget: this.budget,
        duration: this.duration,
      },
      this.startedAt,
    );
    let ending: Ending;
    try {
      ending = await this.loop();
    } catch (err) {
      ending = this.endingFor(err);
    }
    return this.finish(ending);
  }

  private endingFor(err: unknown): Ending {
    if (err instanceof RunCanceled || this.signal.aborted) return { outcome: 'canceled', error: 'the run was canceled' };
    if (err instanceof RunFailure) return { outcome: 'failed', error: err.message };
    return { outcome: 'failed', error: `internal error in the agent engine: ${errorMessage(err)}` };
  }

  private emit(body: AgentEventBody, time = this.now()): void {
    const event = { ...body, runId: this.runId, seq: this.seq++, time } as AgentEvent;
    if (event.seq > 0 && this.firstEventAt === null) this.firstEventAt = time;
    try {
      this.opts.emit?.(event);
    } catch {
      // A listener's bug must not lose the run: the record is still returned and persisted.
    }
  }

  private async loop(): Promise<Ending> {
    if (this.signal.aborted) throw new RunCanceled();
    if (isScopeError(this.scope)) return this.outOfScope(this.scope);
    // The backend gets ready while the overview is made; whichever fails first ends the run.
    const prepared = this.prepare();
    const [overview] = await Promise.all([this.runOverview(), prepared]);
    for (;;) {
      const spent = this.exhausted ?? this.meter.spent();
      if (spent) return this.finalTurn(overview, spent);
      const { step, record } = await this.ask(overview, null);
      if (step.kind === 'answer') return this.answer(step, record);
      await this.act(step, record);
    }
  }

  /**
   * The question names a part of the case that is not there (a bookmark it does not have): said in
   * words as the answer, the way a backend declines, without looking at anything.
   */
  private outOfScope(scope: ScopeError): Ending {
    const thought = `The question is about "${scope.phrase.trim()}", which cannot be placed in this case; nothing was looked at.`;
    const at = this.now();
    this.steps.push({
      index: 1, kind: 'answer', thought, call: null, checked: null, notes: [], frames: [], signals: null, samples: [],
      error: null, raw: null, startedAt: at, endedAt: at,
    });
    this.emit({ type: 'thought-delta', step: 1, delta: thought });
    this.emit({ type: 'answer', text: scope.error, notes: [] });
    return { outcome: 'answered', answer: scope.error, evidence: [], notes: [] };
  }

  private async prepare(): Promise<void> {
    const { backend } = this.opts;
    if (!backend.prepare) return;
    const began = this.now();
    let live = true;
    let ready: unknown;
    try {
      ready = await raceAbort(
        attempt(() =>
          backend.prepare!(this.signal, (text) => {
            if (live && typeof text === 'string' && text !== '') this.emit({ type: 'backend-status', text });
          }),
        ),
        this.signal,
      );
    } catch (err) {
      throw this.wrap(err, `getting the backend "${backend.name}" ready`);
    } finally {
      live = false;
    }
    this.meter.exclude(this.now() - began);
    const info = (typeof ready === 'object' && ready !== null ? ready : {}) as Partial<BackendReady>;
    this.executionProvider = typeof info.executionProvider === 'string' ? info.executionProvider : null;
    const detail = typeof info.detail === 'string' ? info.detail : '';
    this.emit({ type: 'backend-ready', executionProvider: this.executionProvider, detail });
  }

  private async runOverview(): Promise<OverviewResult> {
    this.emit({ type: 'tool-started', step: 0, name: 'overview', call: null, notes: [] });
    let overview: OverviewResult;
    try {
      overview = await raceAbort(
        attempt(() => this.opts.tools.overview(this.signal)),
        this.signal,
      );
    } catch (err) {
      throw this.wrap(err, 'the overview');
    }
    if (!overview || !Array.isArray(overview.frames)) throw new RunFailure('the overview returned no storyboard');
    this.overview = overview;
    const signals = overview.tracks ?? null;
    this.emit({ type: 'tool-result', step: 0, name: 'overview', frames: overview.frames, signals, samples: [], notes: [] });
    return overview;
  }

  /** Cancellation wins over whatever error the abandoned work produced. */
  private wrap(err: unknown, what: string): Error {
    if (err instanceof RunCanceled || this.signal.aborted) return new RunCanceled();
    return new RunFailure(`${what} failed: ${errorMessage(err)}`);
  }

  private async ask(
    overview: OverviewResult,
    notice: string | null,
  ): Promise<{ step: BackendStep; record: StepRecord }> {
    const { backend } = this.opts;
    const index = this.steps.length + 1;
    const askedAt = this.now();
    let streaming = true;
    let streamed = false;
    const ctx: TurnContext = {
      runId: this.runId,
      question: this.opts.question,
      duration: this.duration,
      live: this.opts.live === true,
      playhead: this.playhead(),
      bookmarks: this.bookmarks,
      scope: isScopeError(this.scope) ? null : this.scope,
      history: this.opts.history ?? [],
      overview,
      steps: [...this.turns],
      budget: this.meter.status(),
      final: notice !== null,
      notice,
      onThought: (delta: string) => {
        // Late deltas from a backend that was given up on belong to no step.
        if (!streaming || typeof delta !== 'string' || delta === '') return;
        streamed = true;
        this.emit({ type: 'thought-delta', step: index, delta });
      },
    };
    let step: unknown;
    try {
      step = await raceAbort(
        attempt(() => backend.next(ctx, this.signal)),
        this.signal,
      );
    } catch (err) {
      throw this.wrap(err, `the backend "${backend.name}"`);
    } finally {
      streaming = false;
    }
    if (!isBackendStep(step)) {
      throw new RunFailure(`the backend "${backend.name}" returned something that is not a step`);
    }
    const thought = typeof step.thought === 'string' ? step.thought : '';
    // A backend that does not stream still shows its thinking, in one piece.
    if (!streamed && thought !== '') this.emit({ type: 'thought-delta', step: index, delta: thought });
    const record: StepRecord = {
      index,
      kind: step.kind,
      thought,
      call: step.kind === 'tool' ? step.call : null,
      checked: null,
      notes: [],
      frames: [],
      signals: null,
      samples: [],
      error: null,
      raw: step.kind === 'malformed' ? step.raw : null,
      startedAt: askedAt,
      endedAt: null,
    };
    this.steps.push(record);
    return { step, record };
  }

  /** The playhead inside the case, or null when none was given (or it is not a time). */
  private playhead(): number | null {
    const p = this.opts.playhead;
    return typeof p === 'number' && Number.isFinite(p) ? Math.min(this.duration, Math.max(0, p)) : null;
  }

  /** A tool or malformed step: always costs one call, always yields an observation. */
  private async act(step: Exclude<BackendStep, { kind: 'answer' }>, record: StepRecord): Promise<void> {
    this.meter.toolCalls++;
    if (step.kind === 'malformed') {
      return this.reject(step, record, `your last output was neither a tool call nor an answer: ${step.error}`, null);
    }
    const name = typeof step.call?.name === 'string' ? step.call.name : null;
    const check = checkToolCall(step.call, { duration: this.duration, cropFrames: this.opts.cropFrames });
    if (!check.ok) return this.reject(step, record, check.error, name);
    if (check.call.name === 'find_similar' && !this.opts.tools.findSimilar) {
      return this.reject(step, record, 'find_similar is not available here: this host has no picture index; use crop_video and get_frame', name);
    }
    const fitted = this.fitFrames(check.call);
    if (!fitted.ok) {
      this.exhausted = 'frames';
      return this.reject(step, record, fitted.error, name);
    }
    if (this.meter.timeSpent()) {
      this.exhausted = 'wallTime';
      return this.reject(step, record, 'not run: the time budget is spent', name);
    }
    const call = fitted.call;
    const notes = [...check.notes, ...fitted.notes];
    record.checked = call;
    record.notes = notes;
    this.emit({ type: 'tool-started', step: record.index, name: call.name, call, notes });
    const observation = await this.runTool(call, notes);
    // The tools may have added to the checks' notes (said once more with the result).
    record.notes = observation.notes;
    record.frames = observedFrames(observation);
    record.signals = observation.kind === 'crop' ? observation.signals : null;
    record.samples = observation.kind === 'crop' ? observation.samples : [];
    if (observation.kind === 'similar') record.windows = observation.windows;
    record.endedAt = this.now();
    const { frames, signals, samples } = record;
    const windows = observation.kind === 'similar' ? { windows: observation.windows } : {};
    this.emit({ type: 'tool-result', step: record.index, name: call.name, frames, signals, samples, ...windows, notes: record.notes });
    this.turns.push({ index: record.index, step, observation });
  }

  private reject(step: BackendStep, record: StepRecord, error: string, name: string | null): void {
    record.error = error;
    record.endedAt = this.now();
    this.emit({ type: 'tool-error', step: record.index, name, error });
    this.turns.push({ index: record.index, step, observation: { kind: 'error', error, notes: [] } });
  }

  /** Shrinks a crop to the frames left rather than refusing it, while a useful crop still fits. */
  private fitFrames(
    call: CheckedCall,
  ): { ok: true; call: CheckedCall; notes: string[] } | { ok: false; error: string } {
    const left = this.meter.status().framesLeft;
    const need = call.name === 'crop_video' ? call.frames : call.name === 'find_similar' ? call.limit : 1;
    if (need <= left) return { ok: true, call, notes: [] };
    // Each window comes with its frame: fewer windows fit what is left.
    if (call.name === 'find_similar' && left >= 1) {
      return { ok: true, call: { ...call, limit: left }, notes: [`limit ${call.limit} is more than the ${left} frames left in the frame budget; used ${left}`] };
    }
    const min = call.name === 'crop_video' ? Math.max(1, this.opts.cropFrames?.min ?? CROP_FRAMES.min) : 1;
    if (call.name === 'crop_video' && left >= min) {
      return {
        ok: true,
        call: { ...call, frames: left },
        notes: [`frames ${call.frames} is more than the ${left} left in the frame budget; used ${left}`],
      };
    }
    return { ok: false, error: `not run: ${left} frame(s) left in the frame budget, ${need} needed` };
  }

  private async runTool(call: CheckedCall, notes: string[]): Promise<Observation> {
    const { tools } = this.opts;
    try {
      if (call.name === 'crop_video') {
        const result = await raceAbort(
          attempt(() => tools.cropVideo(call.start, call.end, call.frames, this.signal)),
          this.signal,
        );
        if (!result || !Array.isArray(result.frames)) throw new Error('no frame list in the result');
        this.meter.frames += result.frames.length;
        const samples = Array.isArray(result.samples) ? result.samples : [];
        return { kind: 'crop', call, frames: result.frames, signals: result.signals ?? {}, samples, notes: withToolNotes(notes, result.notes) };
      }
      if (call.name === 'find_similar') return await this.runFindSimilar(call, notes);
      const result = await raceAbort(
        attempt(() => tools.getFrame(call.time, this.signal)),
        this.signal,
      );
      if (!result || typeof result.ref !== 'string') throw new Error('no frame in the result');
      this.meter.frames += 1;
      const { notes: frameNotes, ...frame } = result;
      return { kind: 'frame', call, frame, notes: withToolNotes(notes, frameNotes) };
    } catch (err) {
      throw this.wrap(err, `the tool ${call.name}`);
    }
  }

  private async runFindSimilar(call: Extract<CheckedCall, { name: 'find_similar' }>, notes: string[]): Promise<Observation> {
    const find = this.opts.tools.findSimilar!.bind(this.opts.tools);
    const result = await raceAbort(
      attempt(() => find(call.time, call.limit, this.signal)),
      this.signal,
    );
    if (!result || !Array.isArray(result.windows)) throw new Error('no window list in the result');
    const windows = result.windows.slice(0, call.limit);
    this.meter.frames += windows.length;
    const unavailable = typeof result.unavailable === 'string' ? result.unavailable : null;
    const said = withToolNotes(notes, result.notes);
    return { kind: 'similar', call, windows, unavailable, notes: unavailable !== null ? [...said, unavailable] : said };
  }

  /** The one extra turn after the budget is spent: an answer is used, anything else ends the run. */
  private async finalTurn(overview: OverviewResult, kind: BudgetKind): Promise<Ending> {
    this.exhausted = kind;
    const { step, record } = await this.ask(overview, budgetNotice(kind, this.budget));
    if (step.kind === 'answer') return this.answer(step, record);
    const error =
      step.kind === 'tool'
        ? 'not run: the budget is spent and no answer was given'
        : `no answer after the budget was spent: ${step.error}`;
    record.error = error;
    record.endedAt = this.now();
    const name = step.kind === 'tool' ? (step.call?.name ?? null) : null;
    this.emit({ type: 'tool-error', step: record.index, name, error });
    return { outcome: 'budget', error: null };
  }

  private answer(step: Extract<BackendStep, { kind: 'answer' }>, record: StepRecord): Ending {
    const draft: unknown = step.answer;
    const fields = typeof draft === 'object' && draft !== null ? (draft as { text?: unknown; evidence?: unknown }) : {};
    const text = typeof fields.text === 'string' ? fields.text : '';
    const { evidence, notes } = checkEvidence(fields.evidence, this.duration, (rank) => `${this.runId}-e${rank}`);
    record.notes = notes;
    record.endedAt = this.now();
    for (const item of evidence) this.emit({ type: 'evidence', evidence: item });
    this.emit({ type: 'answer', text, notes });
    return { outcome: 'answered', answer: text, evidence, notes };
  }

  private finish(ending: Ending): RunRecord {
    const endedAt = this.now();
    const pending = this.steps.at(-1);
    if (pending && pending.endedAt === null) {
      pending.error ??= ending.outcome === 'answered' ? null : (ending.error ?? ending.outcome);
      pending.endedAt = endedAt;
    }
    const error = ending.outcome === 'answered' ? null : ending.error;
    const usage = { toolCalls: this.meter.toolCalls, frames: this.meter.frames };
    this.emit({ type: 'run-ended', outcome: ending.outcome, error, exhausted: this.exhausted, usage }, endedAt);
    return {
      runId: this.runId,
      question: this.opts.question,
      backend: {
        name: this.opts.backend.name,
        model: this.opts.backend.model ?? null,
        executionProvider: this.executionProvider ?? this.opts.backend.executionProvider ?? null,
      },
      budget: this.budget,
      duration: this.duration,
      timings: { startedAt: this.startedAt, firstEventAt: this.firstEventAt, endedAt },
      outcome: ending.outcome,
      error,
      exhausted: this.exhausted,
      usage,
      overview: this.overview,
      steps: this.steps,
      evidence: ending.outcome === 'answered' ? ending.evidence : [],
      answer: ending.outcome === 'answered' ? ending.answer : null,
      notes: ending.outcome === 'answered' ? ending.notes : [],
    };
  }
}

/** Runs one question to an end: answered, budget, canceled or failed. Never throws. */
export async function runAgent(opts: RunAgentOptions): Promise<RunRecord> {
  const duration = Number.isFinite(opts.duration) && opts.duration > 0 ? opts.duration : 0;
  const signal = opts.signal ?? new AbortController().signal;
  const runId = opts.runId ?? newRunId();
  return new AgentRun(opts, runId, resolveBudget(opts.budget), duration, signal, opts.now ?? Date.now, cleanBookmarks(opts.bookmarks)).run();
}

/** Bookmarks with a usable time, in time order and numbered from 1 whatever the caller sent. */
function cleanBookmarks(raw: unknown): BookmarkMark[] {
  if (!Array.isArray(raw)) return [];
  const usable = raw.filter(
    (b: unknown): b is BookmarkMark =>
      typeof b === 'object' && b !== null && Number.isFinite((b as BookmarkMark).time) && (b as BookmarkMark).time >= 0,
  );
  return usable
    .map((b, i) => ({ b, i }))
    .sort((x, y) => x.b.time - y.b.time || (Number(x.b.number) || 0) - (Number(y.b.number) || 0) || x.i - y.i)
    .map(({ b }, i) => ({ number: i + 1, time: b.time, label: typeof b.label === 'string' && b.label.trim() !== '' ? b.label : null }));
}
