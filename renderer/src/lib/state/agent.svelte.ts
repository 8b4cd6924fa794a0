import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { AgentEventMessage, Conversation } from '../../../../main/core/contract/agent-schemas.js';
import {
  applyEvent, conversationFromStore, emptyRun, overlayOf, runFromStore, type ConversationView, type Evidence, type RunView,
} from '../agent/run-view.js';
import { errorMessage } from '../api/index.js';
import type { Player } from './player.svelte.js';
import type { Toasts } from './toasts.svelte.js';

export interface ConversationSummary {
  id: string;
  createdAt: string;
  firstQuestion: string;
  questions: number;
}

type ThoughtMessage = AgentEventMessage & { event: { type: 'thought-delta' } };

/** Thought text is applied at most this often (and on the next animation frame when visible). */
const THOUGHT_FLUSH_MS = 50;

/** For a conversation started here, until the store's own date is read back. */
const nowIso = (): string => new Date(Date.now()).toJSON();

function summarize(c: Conversation): ConversationSummary {
  return { id: c.id, createdAt: c.createdAt, firstQuestion: c.questions[0]?.text ?? '', questions: c.questions.length };
}

/**
 * The questions asked about one open case: its stored conversations, the one shown, and the run
 * streaming now. Follow-ups continue the shown conversation. Streamed thought text is gathered
 * and applied in batches, so a fast model never re-renders the panel per character.
 */
export class CaseAgent {
  /** Every conversation of the case, oldest first (for the picker). */
  conversations = $state.raw<ConversationSummary[]>([]);
  /** The one shown; null: a new conversation starts with the next question. */
  conversation = $state<ConversationView | null>(null);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  /** agent.ask is on its way. */
  asking = $state(false);
  askError = $state<string | null>(null);
  draft = $state('');
  /** Bumped whenever something in the thread changed (for scrolling to what is new). */
  tick = $state(0);

  latest = $derived(this.conversation?.runs.at(-1) ?? null);
  running = $derived(this.conversation?.runs.find((r) => r.state === 'running') ?? null);
  busy = $derived(this.asking || this.running !== null);
  /** The latest run's windows, for the timeline. */
  overlay = $derived(overlayOf(this.latest));

  private thoughts: ThoughtMessage[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushFrame = 0;
  private loadSeq = 0;
  private closed = false;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    private readonly caseId: string,
    private readonly player: () => Player,
  ) {}

  /** Reads the case's conversations and shows `conversationId` (default: the latest). */
  async load(conversationId?: string): Promise<void> {
    const seq = ++this.loadSeq;
    try {
      const r = await this.api.call('agent.conversation', { caseId: this.caseId });
      if (this.closed || seq !== this.loadSeq) return;
      this.flushThoughts();
      this.conversations = r.conversations.map(summarize);
      const want = conversationId ?? this.conversation?.id ?? r.conversations.at(-1)?.id;
      const c = r.conversations.find((x) => x.id === want) ?? (conversationId ? null : r.conversations.at(-1) ?? null);
      // A run streaming now is kept as it streams; the store has its steps only as they finish.
      const live = this.running;
      const view = c ? conversationFromStore(c) : this.conversation;
      if (view && live) {
        const i = view.runs.findIndex((x) => x.runId === live.runId);
        if (i >= 0) view.runs[i] = $state.snapshot(live) as RunView;
      }
      this.conversation = view;
      this.loadError = null;
      this.tick++;
    } catch (err) {
      if (!this.closed && seq === this.loadSeq) this.loadError = errorMessage(err);
    } finally {
      if (seq === this.loadSeq) this.loaded = true;
    }
  }

  select(conversationId: string | null): void {
    if (this.busy) return;
    if (conversationId === null) {
      this.conversation = null;
      this.tick++;
      return;
    }
    void this.load(conversationId);
  }

  /** `playhead`: where the player is, which "this" in the question may mean. */
  async ask(playhead?: number): Promise<boolean> {
    const question = this.draft.trim();
    if (!question || this.busy) return false;
    this.asking = true;
    this.askError = null;
    const conversationId = this.conversation?.id;
    try {
      const at = playhead !== undefined && Number.isFinite(playhead) ? { playhead: Math.max(0, playhead) } : {};
      const r = await this.api.call('agent.ask', { caseId: this.caseId, question, ...(conversationId ? { conversationId } : {}), ...at });
      if (this.closed) return false;
      this.draft = '';
      const conv = this.ensureConversation(r.conversationId);
      if (!conv.runs.some((x) => x.runId === r.runId)) conv.runs.push(emptyRun(r.runId, question));
      if (!this.conversations.some((c) => c.id === r.conversationId)) {
        this.conversations = [...this.conversations, { id: r.conversationId, createdAt: nowIso(), firstQuestion: question, questions: 1 }];
      }
      this.tick++;
      return true;
    } catch (err) {
      if (!this.closed) this.askError = errorMessage(err);
      return false;
    } finally {
      this.asking = false;
    }
  }

  async stop(): Promise<void> {
    const run = this.running;
    if (!run) return;
    try {
      await this.api.call('agent.cancel', { runId: run.runId });
    } catch (err) {
      this.toasts.error('Could not stop the run', err);
    }
  }

  onEvent(m: AgentEventMessage): void {
    if (this.closed || m.caseId !== this.caseId) return;
    if (m.event.type === 'thought-delta') {
      this.thoughts.push(m as ThoughtMessage);
      this.scheduleFlush();
      return;
    }
    // Anything else comes after the thought before it: apply that first, to keep the order.
    this.flushThoughts();
    const run = this.runFor(m);
    if (!run) return;
    applyEvent(run, m.event);
    this.tick++;
    if (m.event.type === 'run-ended') void this.refreshRun(m.conversationId, m.event.runId);
  }

  /** Plays exactly the evidence window, from its start to its end. */
  playEvidence(e: Evidence): void {
    this.player().playWindow(e.start, e.end);
  }

  /** Shows the frame at case time `t`. */
  seek(t: number): void {
    const p = this.player();
    if (p.playing) p.pause();
    p.seek(t);
  }

  dispose(): void {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.flushFrame) cancelAnimationFrame(this.flushFrame);
  }

  private ensureConversation(id: string): ConversationView {
    if (!this.conversation || this.conversation.id !== id) {
      this.conversation = { id, createdAt: nowIso(), runs: [] };
    }
    return this.conversation;
  }

  /** The run an event is about, adding it to the shown conversation if it is new there. */
  private runFor(m: AgentEventMessage): RunView | null {
    const shown = this.conversation;
    if (shown && shown.id !== m.conversationId) {
      // Another conversation of this case is being answered (asked a moment ago in this window
      // after "New", or in another window): follow it, with its earlier questions.
      if (this.asking || !this.running) {
        this.ensureConversation(m.conversationId);
        if (!this.asking) void this.load(m.conversationId);
      } else return null;
    }
    const conv = this.ensureConversation(m.conversationId);
    let run = conv.runs.find((r) => r.runId === m.event.runId);
    if (!run) {
      conv.runs.push(emptyRun(m.event.runId, m.event.type === 'run-started' ? m.event.question : ''));
      run = conv.runs.at(-1)!;
    }
    return run;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    // Whichever comes first: the next frame, or a timer (frames stop in a hidden window).
    this.flushFrame = requestAnimationFrame(() => this.flushThoughts());
    this.flushTimer = setTimeout(() => this.flushThoughts(), THOUGHT_FLUSH_MS);
  }

  private flushThoughts(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.flushFrame) cancelAnimationFrame(this.flushFrame);
    this.flushTimer = null;
    this.flushFrame = 0;
    if (this.thoughts.length === 0) return;
    const batch = this.thoughts;
    this.thoughts = [];
    // Consecutive pieces of one step become one append.
    let i = 0;
    while (i < batch.length) {
      const first = batch[i]!;
      let delta = first.event.delta;
      let j = i + 1;
      while (j < batch.length && batch[j]!.event.runId === first.event.runId && batch[j]!.event.step === first.event.step) {
        delta += batch[j]!.event.delta;
        j++;
      }
      const run = this.runFor(first);
      if (run) applyEvent(run, { ...first.event, delta });
      i = j;
    }
    this.tick++;
  }

  /** The stored record of a run that just ended: the same thing a reopened case shows. */
  private async refreshRun(conversationId: string, runId: string): Promise<void> {
    try {
      const r = await this.api.call('agent.conversation', { caseId: this.caseId, conversationId });
      if (this.closed) return;
      this.conversations = this.conversations.map((c) => {
        const stored = r.conversations.find((x) => x.id === c.id);
        return stored ? summarize(stored) : c;
      });
      const conv = this.conversation;
      if (!conv || conv.id !== conversationId) return;
      for (const q of r.conversations.find((c) => c.id === conversationId)?.questions ?? []) {
        const stored = q.runs.find((x) => x.runId === runId);
        if (!stored) continue;
        const i = conv.runs.findIndex((x) => x.runId === runId);
        if (i >= 0) conv.runs[i] = runFromStore(q.text, stored);
      }
      this.tick++;
    } catch {
      // The streamed run is shown already; the stored copy only confirms it.
    }
  }
}
