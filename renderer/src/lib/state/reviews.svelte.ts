import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { Feedback, Verdict } from '../../../../main/core/contract/feedback-schemas.js';
import type { Evidence } from '../agent/run-view.js';
import { errorCode, errorMessage } from '../api/index.js';
import {
  badgeOf, frameSources, needsReviewerName, reviewedWindow, snapToFrame, stepFrames, windowProblem,
} from '../review/review.js';
import type { AgentBands } from '../timeline/draw.js';
import type { OpenCase } from './open-case.svelte.js';
import type { Toasts } from './toasts.svelte.js';

/** Why the last review of an item failed; `needsReviewer` offers to open the settings. */
export interface ReviewProblem {
  message: string;
  needsReviewer: boolean;
}

/** An evidence window being adjusted on the timeline; edges are frame start times (case seconds). */
export interface Editing {
  evidenceId: string;
  rank: number;
  /** The agent's window, drawn faintly while the new one is set. */
  original: { start: number; end: number };
  start: number;
  end: number;
}

/**
 * The clinician's reviews of the open case's evidence: the latest review of every item, the
 * history of those looked at, and the one window being adjusted. Reviews are append-only on the
 * backend; here the latest row of an item is what its card and the timeline show.
 */
export class CaseReviews {
  /** Latest review per evidence id; an id not here is unreviewed. */
  latest = $state.raw<Record<string, Feedback>>({});
  /** Every review of an item, newest first, once read. */
  histories = $state.raw<Record<string, Feedback[]>>({});
  loaded = $state(false);
  /** The item whose review is on its way. */
  saving = $state<string | null>(null);
  problems = $state.raw<Record<string, ReviewProblem>>({});
  /** Comments typed on a card, sent with its next verdict. */
  drafts = $state<Record<string, string>>({});
  editing = $state<Editing | null>(null);

  /** The parts' frames, for snapping window edges. */
  sources = $derived.by(() => frameSources(this.current.detail.parts, this.current.timeline.starts, this.current.frameTimes));
  editProblem = $derived.by(() => (this.editing ? windowProblem(this.editing.start, this.editing.end, this.current.duration) : null));

  /** The latest run's windows for the timeline, each with its review. */
  bands = $derived.by((): AgentBands => {
    const overlay = this.current.agent.overlay;
    const evidence = this.current.agent.latest?.evidence ?? [];
    return {
      crops: overlay.crops,
      evidence: evidence.map((e) => {
        const review = this.latest[e.id] ?? null;
        const w = reviewedWindow(e, review);
        return {
          rank: e.rank,
          start: e.start,
          end: e.end,
          status: badgeOf(review),
          corrected: w.adjusted ? { start: w.start, end: w.end } : null,
          editing: this.editing?.evidenceId === e.id,
        };
      }),
    };
  });

  private closed = false;
  private loadSeq = 0;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    private readonly current: OpenCase,
  ) {}

  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    try {
      const items = await this.api.call('feedback.list', { filter: 'all', caseId: this.current.id });
      if (this.closed || seq !== this.loadSeq) return;
      const latest: Record<string, Feedback> = {};
      for (const item of items) if (item.review) latest[item.evidenceId] = item.review;
      this.latest = latest;
    } catch (err) {
      // Cards then read as unreviewed until the next read; a review made now still works.
      if (!this.closed && errorCode(err) !== 'not-found') this.toasts.error('Could not read the reviews of this case', err);
    } finally {
      if (seq === this.loadSeq) this.loaded = true;
    }
  }

  review(evidenceId: string): Feedback | null {
    return this.latest[evidenceId] ?? null;
  }

  /** The window an item stands for now: as adjusted, or as the agent gave it. */
  windowOf(e: Pick<Evidence, 'id' | 'start' | 'end'>): { start: number; end: number; adjusted: boolean } {
    return reviewedWindow(e, this.review(e.id));
  }

  /** Adds a review (with the card's comment, if any). False when it was not stored. */
  async add(evidenceId: string, verdict: Verdict, window?: { start: number; end: number }): Promise<boolean> {
    if (this.saving) return false;
    this.saving = evidenceId;
    const comment = this.drafts[evidenceId]?.trim();
    try {
      const row = await this.api.call('feedback.add', {
        evidenceId,
        verdict,
        ...(window ? { start: window.start, end: window.end } : {}),
        ...(comment ? { comment } : {}),
      });
      if (this.closed) return true;
      this.apply(row);
      delete this.drafts[evidenceId];
      this.setProblem(evidenceId, null);
      return true;
    } catch (err) {
      if (!this.closed) this.setProblem(evidenceId, { message: errorMessage(err), needsReviewer: needsReviewerName(errorCode(err), errorMessage(err)) });
      return false;
    } finally {
      this.saving = null;
    }
  }

  /** A review was added (here or in another window): read the item's history again. */
  async changed(evidenceId: string): Promise<void> {
    await this.loadHistory(evidenceId);
  }

  async loadHistory(evidenceId: string): Promise<void> {
    try {
      const rows = await this.api.call('feedback.history', { evidenceId });
      if (this.closed) return;
      this.histories = { ...this.histories, [evidenceId]: rows };
      const newest = rows[0];
      if (newest && this.latest[evidenceId]?.id !== newest.id) this.latest = { ...this.latest, [evidenceId]: newest };
    } catch (err) {
      if (!this.closed) this.setProblem(evidenceId, { message: `The history could not be read: ${errorMessage(err)}`, needsReviewer: false });
    }
  }

  dismissProblem(evidenceId: string): void {
    this.setProblem(evidenceId, null);
  }

  // ---- adjusting a window ----------------------------------------------------------------

  /** Puts an item's window on the timeline with two handles, zoomed so that frames can be picked. */
  startAdjust(e: Evidence): void {
    const d = this.current.duration;
    if (d <= 0) return;
    const w = this.windowOf(e);
    const start = snapToFrame(w.start, this.sources, d);
    let end = snapToFrame(w.end, this.sources, d);
    if (end <= start) end = stepFrames(start, this.sources, d, 1);
    this.editing = { evidenceId: e.id, rank: e.rank, original: { start: e.start, end: e.end }, start, end };
    this.setProblem(e.id, null);
    const pad = Math.max(1, (end - start) * 0.6);
    this.current.setZoom(start - pad, end + pad);
    const p = this.current.player;
    if (p.playing) p.pause();
    p.seek(start);
  }

  /** Moves an edge to the frame nearest `t`, keeping at least one frame between the edges. */
  setEdge(edge: 'start' | 'end', t: number): void {
    const ed = this.editing;
    if (!ed) return;
    const d = this.current.duration;
    const x = snapToFrame(t, this.sources, d);
    if (edge === 'start') ed.start = Math.min(x, stepFrames(ed.end, this.sources, d, -1));
    else ed.end = Math.max(x, stepFrames(ed.start, this.sources, d, 1));
  }

  /** Moves an edge by whole frames. */
  nudge(edge: 'start' | 'end', frames: number): void {
    const ed = this.editing;
    if (!ed) return;
    this.setEdge(edge, stepFrames(ed[edge], this.sources, this.current.duration, frames));
  }

  /** [ and ]: an edge to the frame on screen. */
  markEdge(edge: 'start' | 'end'): void {
    this.setEdge(edge, this.current.player.position);
  }

  async saveAdjust(): Promise<boolean> {
    const ed = this.editing;
    if (!ed) return false;
    const problem = windowProblem(ed.start, ed.end, this.current.duration);
    if (problem) {
      this.setProblem(ed.evidenceId, { message: problem, needsReviewer: false });
      return false;
    }
    const ok = await this.add(ed.evidenceId, 'adjusted', { start: ed.start, end: ed.end });
    if (ok && this.editing?.evidenceId === ed.evidenceId) this.editing = null;
    return ok;
  }

  cancelAdjust(): void {
    this.editing = null;
  }

  dispose(): void {
    this.closed = true;
  }

  private apply(row: Feedback): void {
    this.latest = { ...this.latest, [row.evidenceId]: row };
    const h = this.histories[row.evidenceId];
    if (h && !h.some((r) => r.id === row.id)) this.histories = { ...this.histories, [row.evidenceId]: [row, ...h] };
  }

  private setProblem(evidenceId: string, p: ReviewProblem | null): void {
    if (!p && !(evidenceId in this.problems)) return;
    const next = { ...this.problems };
    if (p) next[evidenceId] = p;
    else delete next[evidenceId];
    this.problems = next;
  }
}
