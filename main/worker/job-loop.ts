import { OpscopeError, serializeError } from '../core/errors.js';
import type { HostToWorker, JobKind, JobProgress, WorkerToHost } from '../core/worker-protocol.js';
import { withToolContext } from '../node/ffmpeg/command-log.js';
import type { JobContext, handlers as jobHandlers } from './jobs/index.js';
import { JobInputs } from './job-inputs.js';

/** The job table as a worker runs it; loaded by the worker, lazily in the CLI's in-process one. */
export type JobHandlers = typeof jobHandlers;
type AnyHandler = (params: unknown, ctx: JobContext) => Promise<unknown>;

export interface JobLoopOptions {
  /** Delivers a message to the host: the worker's process channel, or a microtask in the CLI. */
  send(message: WorkerToHost): void;
  /** The handlers, asked for once, with the first job. */
  loadHandlers(): JobHandlers | Promise<JobHandlers>;
  /** Where the jobs' ffmpeg command lines go; without it, the process's own log (if any). */
  commandLog?: string | null;
  /** Shortest gap between two progress messages of one job (default 50 ms: ~20 a second). */
  progressIntervalMs?: number;
}

interface Running {
  controller: AbortController;
  /** A progress message held back by the throttle, sent when its gap is over or the job ends. */
  pending: JobProgress | null;
  timer: NodeJS.Timeout | null;
  lastSent: number;
}

/**
 * The one loop that runs worker jobs, whatever carries the messages: run, cancel and input in;
 * progress (throttled), partials, a result or an error out. A job that fails after it was
 * canceled reports `canceled`, whatever its own error said: the host asked for it to stop.
 */
export class JobLoop {
  private readonly running = new Map<number, Running>();
  private readonly inputs = new JobInputs();
  private handlers: Promise<JobHandlers> | null = null;
  private readonly interval: number;

  constructor(private readonly opts: JobLoopOptions) {
    this.interval = opts.progressIntervalMs ?? 50;
  }

  receive(msg: HostToWorker): void {
    if (msg.type === 'cancel') {
      this.running.get(msg.id)?.controller.abort();
      return;
    }
    if (msg.type === 'input') {
      if (this.running.has(msg.id)) this.inputs.feed(msg.id, msg.data);
      return;
    }
    this.run(msg.id, msg.kind, msg.params);
  }

  /** Stops every running job (the in-process worker being "killed"). */
  abortAll(): void {
    for (const job of this.running.values()) job.controller.abort();
  }

  /** How many jobs are running now. */
  get size(): number {
    return this.running.size;
  }

  private run(id: number, kind: JobKind, params: unknown): void {
    const job: Running = { controller: new AbortController(), pending: null, timer: null, lastSent: -Infinity };
    this.running.set(id, job);
    const send = this.opts.send;
    const ctx: JobContext = {
      signal: job.controller.signal,
      progress: (progress) => this.progress(id, job, progress),
      partial: (data) => send({ type: 'partial', id, data }),
      input: () => this.inputs.of(id),
    };
    const tool = { job: `${kind}#${id}`, ...(this.opts.commandLog !== undefined ? { log: this.opts.commandLog } : {}) };
    // A failure to load the job code is the job's error, like any other.
    (this.handlers ??= Promise.resolve().then(() => this.opts.loadHandlers()))
      // Started even when canceled while its code was loading: for a recording, cancel means
      // finish, and what the host already sent is still recorded.
      .then((handlers) => withToolContext(tool, () => (handlers[kind] as AnyHandler)(params, ctx)))
      .then(
        (value) => {
          this.flush(id, job);
          send({ type: 'result', id, value });
        },
        (err: unknown) => {
          this.flush(id, job);
          const e = job.controller.signal.aborted && !(err instanceof OpscopeError && err.code === 'canceled')
            ? new OpscopeError('canceled', 'Canceled.')
            : err;
          send({ type: 'error', id, error: serializeError(e) });
        },
      )
      .finally(() => {
        this.running.delete(id);
        this.inputs.close(id);
      });
  }

  private progress(id: number, job: Running, progress: JobProgress): void {
    if (!this.running.has(id)) return;
    const wait = job.lastSent + this.interval - Date.now();
    // The end of a stage is never held back; nor is a message after a long enough gap.
    if (wait <= 0 || progress.fraction >= 1) {
      this.sendProgress(id, job, progress);
      return;
    }
    job.pending = progress;
    job.timer ??= setTimeout(() => {
      job.timer = null;
      if (job.pending) this.sendProgress(id, job, job.pending);
    }, wait);
  }

  private sendProgress(id: number, job: Running, progress: JobProgress): void {
    if (job.timer) clearTimeout(job.timer);
    job.timer = null;
    job.pending = null;
    job.lastSent = Date.now();
    this.opts.send({ type: 'progress', id, progress });
  }

  /** The last progress a job reported arrives before its result. */
  private flush(id: number, job: Running): void {
    if (job.pending) this.sendProgress(id, job, job.pending);
    else if (job.timer) clearTimeout(job.timer);
  }
}
