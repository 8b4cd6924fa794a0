import type { OpscopeApi } from '../../../../../main/core/contract/api.js';
import type { ActiveRecording, RecordingProgress } from '../../../../../main/core/contract/recording-schemas.js';
import { errorCode } from '../../api/index.js';
import type { QueueEnd } from '../../recording/chunks.js';
import { captureAction, ResumeBudget, type CaptureAction, type CaptureLocal } from '../../recording/runs.js';
import type { Toasts } from '../toasts.svelte.js';
import type { CaptureDevices } from './capture-devices.svelte.js';
import type { RunUpload } from './run-upload.svelte.js';
import type { RecordingWarnings } from './warnings.svelte.js';
import type { WindowOwnership } from './window-ownership.svelte.js';

const POLL_MS = 1000;
const RESUME_RETRY_MS = 5000;
/** Steps of one decision pass before it lets other work run. */
const MAX_STEPS = 6;

export interface SyncEvents {
  /** The recording's case time "now" changed (null: no longer recording). */
  liveEdgeChanged(caseId: string, edge: number | null): void;
  /** The backend has no recording any more (a poll found none). */
  gone(): void;
  /** A resume waits (a device is being looked at to replace the lost one). */
  holdResume(): boolean;
}

/** What this window remembers about the runs it fed, besides what its pieces say themselves. */
interface RunBook {
  baseRun: number;
  refusedRun: number | null;
  lostRun: number | null;
  resumeAskedAt: number | null;
}

const freshBook = (): RunBook => ({ baseRun: 0, refusedRun: null, lostRun: null, resumeAskedAt: null });

/**
 * The backend's view of the recording (events, call results and a poll) and this window's capture
 * kept in step with it: a fresh run's upload when the backend starts a run, the run stopped while
 * the recording waits, the source reported lost, a resume asked when it is live again. The
 * decision is `captureAction`, applied again after each step until there is nothing to do.
 */
export class RecordingSync {
  /** The backend's view of the running recording (any source), or null. */
  active = $state.raw<ActiveRecording | null>(null);

  private book: RunBook = freshBook();
  private resumeAskedTime = 0;
  private readonly budget = new ResumeBudget();
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private deciding = false;
  private decideAgain = false;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    private readonly devices: CaptureDevices,
    private readonly upload: RunUpload,
    private readonly ownership: WindowOwnership,
    private readonly warnings: RecordingWarnings,
    private readonly events: SyncEvents,
  ) {}

  /** Reads the backend's view; null when nothing records. Throws when it cannot be read. */
  async refresh(): Promise<ActiveRecording | null> {
    const { active } = await this.api.call('recording.status', {});
    if (!active) {
      if (this.active) this.events.gone();
      return null;
    }
    this.apply(active);
    return active;
  }

  /** The backend's view changed (event, poll or call result). */
  apply(a: ActiveRecording): void {
    const prev = this.active;
    if (prev && prev.recordingId === a.recordingId && a.run < prev.run) return;
    if (prev?.state === 'waiting' && a.state === 'recording') this.warnings.sourceBack();
    this.active = a;
    this.events.liveEdgeChanged(a.caseId, a.liveEdge);
    // A failed poll is missed, not reported: the next one reads again.
    this.pollTimer ??= setInterval(() => void this.refresh().catch(() => undefined), POLL_MS);
    this.decide();
  }

  /** A segment closed. */
  segment(p: RecordingProgress): void {
    const a = this.active;
    if (a && a.caseId === p.caseId) this.active = { ...a, segments: p.segments, duration: p.duration };
  }

  /** No recording runs any more. */
  forget(): void {
    const a = this.active;
    this.active = null;
    if (a) this.events.liveEdgeChanged(a.caseId, null);
    this.stopPolling();
    this.book = freshBook();
  }

  /** This window started the recording: every run is its own. */
  startedHere(): void {
    this.book = freshBook();
    this.budget.reset();
  }

  /** This window takes over a recording at `run`: runs up to it were fed by someone else, never joined midway. */
  tookOver(run: number): void {
    this.book = { baseRun: run, refusedRun: null, lostRun: null, resumeAskedAt: null };
    this.budget.reset();
  }

  /** `run` was reported lost already. */
  lost(run: number): void {
    this.book.lostRun = run;
  }

  /** People asked to go on (Resume, another device): automatic resumes start over. */
  retry(): void {
    this.budget.reset();
    this.book.resumeAskedAt = null;
    this.book.refusedRun = null;
  }

  /** The run's upload stopped by itself: that run is not started again. */
  runEnded(run: number, end: QueueEnd): void {
    this.book.refusedRun = run;
    if (end.kind === 'failed') {
      // Sending failed for good (the connection is gone): the backend waits for a new run.
      const a = this.active;
      if (a) void this.reportLost(a, `The stream could not be sent: ${end.message}`);
    }
    this.decide();
  }

  /** Ends the backend's current run: the source is gone (or this window cannot join the run). */
  async reportLost(a: ActiveRecording, message: string): Promise<void> {
    try {
      const next = await this.api.call('recording.sourceLost', { recordingId: a.recordingId, message });
      this.apply(next);
    } catch (err) {
      if (errorCode(err) !== 'not-found') this.toasts.error('Could not tell Opscope that the source was lost', err);
    }
  }

  /** Applies the decision until there is nothing more to do; one pass at a time. */
  decide(): void {
    if (this.deciding) {
      this.decideAgain = true;
      return;
    }
    this.deciding = true;
    void (async () => {
      try {
        for (let i = 0; i < MAX_STEPS; i++) {
          this.decideAgain = false;
          if (this.book.resumeAskedAt !== null && Date.now() - this.resumeAskedTime > RESUME_RETRY_MS) this.book.resumeAskedAt = null;
          const action = captureAction(this.active, this.local());
          // A device being looked at in the switch dialog is used only once people choose it.
          if (action.kind === 'none' || (action.kind === 'resume' && this.events.holdResume())) {
            if (!this.decideAgain) break;
            continue;
          }
          await this.act(action);
        }
      } finally {
        this.deciding = false;
      }
      // Something changed during the last step: look again.
      if (this.decideAgain) {
        this.decideAgain = false;
        this.decide();
      }
    })();
  }

  dispose(): void {
    this.stopPolling();
  }

  private local(): CaptureLocal {
    return { ...this.book, owner: this.ownership.owner, capturingRun: this.upload.run, trackLive: this.devices.live() };
  }

  private stopPolling() {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private async act(action: Exclude<CaptureAction, { kind: 'none' }>): Promise<void> {
    const a = this.active;
    switch (action.kind) {
      case 'stop-run':
        this.upload.stop();
        return;
      case 'start-run':
        this.startRun(action.run);
        return;
      case 'lose':
        this.book.lostRun = action.run;
        if (a) await this.reportLost(a, this.devices.trackLost ? `${a.sourceLabel} was disconnected.` : 'The app window was reloaded: the stream starts again.');
        return;
      case 'resume': {
        if (!a) return;
        this.book.resumeAskedAt = action.run;
        if (!this.budget.take(Date.now())) {
          // Failing again and again: people decide (the banner offers Resume).
          this.resumeAskedTime = Number.POSITIVE_INFINITY;
          return;
        }
        this.resumeAskedTime = Date.now();
        try {
          const next = await this.api.call('recording.resume', { recordingId: a.recordingId });
          this.apply(next);
        } catch (err) {
          if (errorCode(err) !== 'not-found') this.toasts.error('Could not resume the recording', err);
        }
        return;
      }
    }
  }

  private startRun(run: number) {
    const a = this.active;
    const stream = this.devices.stream;
    const mimeType = this.devices.mimeType;
    if (!a || !stream || !mimeType) {
      this.upload.stop();
      return;
    }
    if (!this.upload.start(run, stream, a.recordingId, mimeType)) this.book.refusedRun = run;
  }
}
