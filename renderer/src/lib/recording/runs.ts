/*
 * What the capturing window does when the backend's view of the recording changes: start a fresh
 * recorder for a new run, stop it while the recording waits, ask to resume when the source is
 * live again. A pure decision, applied again after each step until there is nothing to do.
 */

/** The parts of the backend's ActiveRecording this decision reads. */
export interface RecordingView {
  recordingId: string;
  source: 'capture' | 'device' | 'replay';
  state: 'recording' | 'waiting' | 'stopping';
  run: number;
}

export interface CaptureLocal {
  /** This window feeds the recording (it started it, or took it over). */
  owner: boolean;
  /** Runs up to this one were fed by someone else (a window before a reload): never joined midway. */
  baseRun: number;
  /** The run this window's recorder is sending, or null. */
  capturingRun: number | null;
  /** A run the backend refused: not started again. */
  refusedRun: number | null;
  /** A run this window already reported as lost. */
  lostRun: number | null;
  /** The run at which this window asked to resume (the backend starts the next one). */
  resumeAskedAt: number | null;
  /** The captured video track is live. */
  trackLive: boolean;
}

export type CaptureAction =
  | { kind: 'none' }
  /** Start a fresh recorder (a new stream header) for this run, after stopping any older one. */
  | { kind: 'start-run'; run: number }
  /** Stop the recorder: the run is over. */
  | { kind: 'stop-run' }
  /** End the backend's current run (one this window cannot join) so that a fresh one starts. */
  | { kind: 'lose'; run: number }
  /** The source is live and the backend waits: ask for a new run. */
  | { kind: 'resume'; run: number };

export function captureAction(active: RecordingView | null, local: CaptureLocal): CaptureAction {
  if (!active || active.source !== 'capture' || !local.owner) {
    return local.capturingRun !== null ? { kind: 'stop-run' } : { kind: 'none' };
  }
  if (active.state === 'stopping') return local.capturingRun !== null ? { kind: 'stop-run' } : { kind: 'none' };
  if (active.state === 'waiting') {
    if (local.capturingRun !== null) return { kind: 'stop-run' };
    if (local.trackLive && local.resumeAskedAt !== active.run) return { kind: 'resume', run: active.run };
    return { kind: 'none' };
  }
  // Recording.
  if (!local.trackLive) {
    if (local.capturingRun !== null) return { kind: 'stop-run' };
    return local.lostRun === active.run ? { kind: 'none' } : { kind: 'lose', run: active.run };
  }
  if (local.capturingRun === active.run) return { kind: 'none' };
  if (local.capturingRun !== null && local.capturingRun > active.run) return { kind: 'none' };
  if (active.run <= local.baseRun) {
    // A run started for another window: end it, then resume with a stream of our own.
    if (local.capturingRun !== null) return { kind: 'stop-run' };
    return local.lostRun === active.run ? { kind: 'none' } : { kind: 'lose', run: active.run };
  }
  if (local.refusedRun === active.run) return local.capturingRun !== null ? { kind: 'stop-run' } : { kind: 'none' };
  return { kind: 'start-run', run: active.run };
}

/** Limits automatic resumes (a source that keeps failing must not loop): at most `max` per `windowMs`. */
export class ResumeBudget {
  private times: number[] = [];
  constructor(
    private readonly max = 5,
    private readonly windowMs = 60_000,
  ) {}

  take(now: number): boolean {
    this.times = this.times.filter((t) => now - t < this.windowMs);
    if (this.times.length >= this.max) return false;
    this.times.push(now);
    return true;
  }

  reset(): void {
    this.times = [];
  }
}
