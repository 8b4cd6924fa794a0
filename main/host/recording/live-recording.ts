import type {
  ActiveRecording, RecordingEnded, RecordingSource as ContractSource,
} from '../../core/contract/recording-schemas.js';
import type { RecordingGap } from '../../core/contract/schemas.js';
import type { RecordSource } from '../../core/worker-protocol.js';

/*
 * The parts of a recording in progress, each with one job: what it records from, the window's
 * stream into the current run, the run itself, the source being away, the time the case missed,
 * and the ask to stop. The recording service drives them; none of them touches the store.
 */

type Clock = () => number;

/** What a recording is asked to be: its source, the case it goes into, how long, in what segments. */
export interface RecordingRequest {
  source: ContractSource;
  name?: string | undefined;
  caseId?: string | undefined;
  duration?: number | undefined;
  segmentSeconds: number;
  /** Relative replay paths are resolved against this folder (the CLI's working directory). */
  cwd?: string;
}

/** What is recorded from, fixed for the whole recording. */
export class RecordedSource {
  private firstRunAt: number | null = null;

  constructor(
    readonly source: RecordSource,
    readonly kind: ActiveRecording['source'],
    readonly label: string,
    private readonly now: Clock = Date.now,
  ) {}

  /** The device read from, for a device source. */
  get device(): string | null {
    return this.source.kind === 'device' ? this.source.device : null;
  }

  /** A replay restarted after a gap goes on where a live feed would be by now, not from its start. */
  forRun(run: number): RecordSource {
    if (this.source.kind !== 'replay') return this.source;
    if (run === 1) {
      this.firstRunAt = this.now();
      return this.source;
    }
    const now = this.now();
    return { ...this.source, offset: (now - (this.firstRunAt ?? now)) / 1000 };
  }
}

/** What became of a piece of the window's stream. */
export type PieceOutcome = 'taken' | 'again' | 'out-of-order';

/** The window capture's stream into the current run: its pieces in order, and when the last one came. */
export class CaptureFeed {
  private send: ((data: Uint8Array | null) => void) | null = null;
  private next = 0;
  private lastAt: number;

  constructor(private readonly now: Clock = Date.now) {
    this.lastAt = now();
  }

  /** A new run: its pieces are numbered from 0 again, and its silence counts from now. */
  restart(): void {
    this.next = 0;
    this.lastAt = this.now();
  }

  /** The run's input, once the recorder has opened it. */
  connect(send: (data: Uint8Array | null) => void): void {
    this.send = send;
  }

  disconnect(): void {
    this.send = null;
  }

  get connected(): boolean {
    return this.send !== null;
  }

  /** The piece expected next. */
  get expected(): number {
    return this.next;
  }

  /** Closes the run's input: the recorder finishes what it has. */
  end(): void {
    this.send?.(null);
  }

  /** A piece given again (a retry) is already in; one after a missing piece breaks the stream. */
  take(seq: number, data: () => Uint8Array): PieceOutcome {
    if (seq < this.next) return 'again';
    if (seq > this.next) return 'out-of-order';
    this.next++;
    this.lastAt = this.now();
    this.send?.(data());
    return 'taken';
  }

  /** Milliseconds since the last piece came (or the run started). */
  silentFor(): number {
    return this.now() - this.lastAt;
  }
}

/** One run of the recorder: its number and folder, where in the case it began, and how far it has got. */
export class RecorderRun {
  /** Seconds this run has recorded, as the recorder reports them. */
  seconds = 0;
  /** Ends the run cleanly (the source lost, or the recording stops). */
  readonly finish = new AbortController();

  constructor(
    readonly number: number,
    readonly folder: string,
    /** Case duration when the run started. */
    readonly base: number,
  ) {}

  /** The case time this run is recording now. */
  get edge(): number {
    return this.base + this.seconds;
  }
}

/** The source being away: why (null while it is there), and the wait for it to come back. */
export class SourceAbsence {
  /** What the user is told about the source going away; null while it is there. */
  reason: string | null = null;
  private wake: (() => void) | null = null;

  get away(): boolean {
    return this.reason !== null;
  }

  /**
   * Waits until `wakeUp` (the window says its source is back, or the recording stops) or, when
   * `present` is given, until a poll finds the source again (a device plugged back in).
   */
  waitForReturn(present: (() => boolean) | null, pollMs: number): Promise<void> {
    return new Promise<void>((done) => {
      let timer: NodeJS.Timeout | null = null;
      const finish = () => {
        if (timer) clearInterval(timer);
        this.wake = null;
        done();
      };
      this.wake = finish;
      if (present) {
        timer = setInterval(() => {
          if (present()) finish();
        }, pollMs);
      }
    });
  }

  /** Ends a wait in progress; nothing when none is. */
  wakeUp(): void {
    this.wake?.();
  }
}

/**
 * Time the case missed (the source away, the recorder restarting). It lasts until the next run
 * starts and is placed where that run's first segment lands; a run that records nothing drops it.
 */
export class MissedTime {
  private open: { since: number; reason: RecordingGap['reason'] } | null = null;
  private closed: { seconds: number; reason: RecordingGap['reason'] } | null = null;

  constructor(private readonly now: Clock = Date.now) {}

  /** Nothing is recorded from `since` (ms) on, for this reason. */
  began(since: number, reason: RecordingGap['reason']): void {
    this.open = { since, reason };
  }

  /** A run starts: the missed time, if any, is over and its length known. */
  runStarted(): void {
    this.closed = this.open ? { seconds: (this.now() - this.open.since) / 1000, reason: this.open.reason } : null;
    this.open = null;
  }

  /** The gap to place before the run's first segment; given once. */
  take(): { seconds: number; reason: RecordingGap['reason'] } | null {
    const gap = this.closed;
    this.closed = null;
    return gap;
  }
}

/** Restarts of the recorder in the last minute: too many and the recording is given up. */
export class RestartBudget {
  private times: number[] = [];

  constructor(
    private readonly perMinute: number,
    private readonly now: Clock = Date.now,
  ) {}

  /** Counts a restart; false when that makes too many within a minute. */
  allow(): boolean {
    const now = this.now();
    this.times = [...this.times.filter((t) => now - t < 60_000), now];
    return this.times.length <= this.perMinute;
  }
}

/** A recording in progress: what it is, and the parts above. */
export class LiveRecording {
  state: ActiveRecording['state'] = 'recording';
  /** Shown with the state: why it waits, or why it stopped. */
  message: string | undefined;
  encoder: ActiveRecording['encoder'] = null;
  /** Segments added to the case, and their seconds. */
  segments = 0;
  duration = 0;
  /** The number of the latest run (0 before the first). */
  runs = 0;
  /** The run going on now; null between runs. */
  run: RecorderRun | null = null;
  readonly feed = new CaptureFeed();
  readonly absence = new SourceAbsence();
  readonly missed = new MissedTime();
  /** Set once, by the first ask to stop: the end report's reason. */
  stop: { reason: RecordingEnded['reason'] } | null = null;
  /** Settles when the recording has ended, whatever the reason. */
  ended: Promise<RecordingEnded> | null = null;

  constructor(
    readonly id: string,
    readonly caseId: string,
    readonly startedAt: string,
    readonly folder: string,
    readonly request: RecordingRequest,
    readonly source: RecordedSource,
  ) {}

  get stopping(): boolean {
    return this.stop !== null;
  }
}
