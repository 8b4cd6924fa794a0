import { EventEmitter } from 'node:events';
import { setPriority } from 'node:os';
import { deserializeError, OpscopeError } from '../../core/errors.js';
import type { HostToWorker, JobKind, JobParams, JobPartial, JobProgress, JobResult, WorkerToHost } from '../../core/worker-protocol.js';

/** A started worker process, whatever started it (utilityProcess or child_process.fork). */
export interface WorkerHandle {
  send(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): void;
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

/** What a worker is started with. */
export interface WorkerStart {
  /** The host's data folder: the worker writes its ffmpeg command log there. */
  dataDir?: string;
}

export type WorkerLauncher = (start?: WorkerStart) => WorkerHandle;

export type WorkerState = 'starting' | 'up' | 'restarting' | 'down';

interface Pending {
  kind: JobKind;
  resolve(value: unknown): void;
  reject(err: Error): void;
  onProgress?: (p: JobProgress) => void;
  onPartial?: (data: unknown) => void;
  cleanup(): void;
}

const JOB_PURPOSE: Record<JobKind, string> = {
  inspect: 'reading a recording',
  packets: 'reading packets',
  fov: 'finding the field of view',
  indexChunk: 'indexing',
  tracks: 'computing signal tracks',
  frame: 'extracting a frame',
  agentFrames: 'extracting frames for the agent',
  proxy: 'making a playable copy',
  demo: 'generating the demo recording',
  vlmTurn: 'running the vision-language model',
  vlmLoad: 'loading the vision-language model',
  exportClip: 'exporting a clip',
  ocrFrame: 'reading burned-in text',
  ocrRange: 'looking for burned-in text',
  deidFrames: 'looking for burned-in text and people',
  outOfBodyFrames: 'checking frames for out-of-body views',
  visionDetect: 'looking for people and objects on frames',
  pictureEmbed: 'building the picture index',
  maskImage: 'masking a still',
  record: 'recording',
  encodeFrames: 'encoding frames into a clip',
};

/** Nice 10 (below normal on Windows): still scheduled whenever a core is free. */
const BACKGROUND_PRIORITY = 10;

function lowerPriority(pid: number): void {
  try {
    setPriority(pid, BACKGROUND_PRIORITY);
  } catch {
    // Not allowed here (a sandbox): the worker runs at normal priority.
  }
}

/**
 * Owns the media worker: starts it, routes jobs, and restarts it after a crash. Jobs that were
 * running when it died fail with a reason the user can read; the next job starts a fresh worker.
 */
export class WorkerSupervisor extends EventEmitter<{ status: [WorkerState, string | undefined] }> {
  private handle: WorkerHandle | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private crashes: number[] = [];
  private stopping = false;
  state: WorkerState = 'starting';

  /** `name` is how messages call this worker ("media worker", "model worker"). */
  /**
   * `name` is how messages call this worker ("media worker", "model worker"). A `background`
   * worker runs at a lower CPU priority, and so does every ffmpeg it starts: indexing and models
   * yield to the window and to a live recording on a busy machine, and lose nothing on an idle one.
   */
  constructor(
    private readonly launch: WorkerLauncher,
    private readonly name = 'media worker',
    private readonly opts: { background?: boolean } & WorkerStart = {},
  ) {
    super();
  }

  private setState(state: WorkerState, message?: string) {
    this.state = state;
    this.emit('status', state, message);
  }

  private ensure(): WorkerHandle {
    if (this.handle) return this.handle;
    this.setState(this.crashes.length ? 'restarting' : 'starting');
    const handle = this.launch(this.opts.dataDir ? { dataDir: this.opts.dataDir } : {});
    this.handle = handle;
    handle.onMessage((m) => this.onMessage(m));
    handle.onExit(({ code, signal }) => this.onExit(handle, code, signal));
    return handle;
  }

  private onMessage(m: WorkerToHost) {
    if (m.type === 'ready') {
      if (this.opts.background && m.pid !== process.pid) lowerPriority(m.pid);
      this.setState('up');
      return;
    }
    const job = this.pending.get(m.id);
    if (!job) return;
    if (m.type === 'progress') job.onProgress?.(m.progress);
    else if (m.type === 'partial') job.onPartial?.(m.data);
    else {
      this.pending.delete(m.id);
      job.cleanup();
      if (m.type === 'result') job.resolve(m.value);
      else job.reject(deserializeError(m.error));
    }
  }

  private onExit(handle: WorkerHandle, code: number | null, signal: string | null) {
    if (this.handle !== handle) return;
    this.handle = null;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    for (const [id, job] of this.pending) {
      this.pending.delete(id);
      job.cleanup();
      job.reject(
        new OpscopeError(
          'worker-crashed',
          `The ${this.name} stopped unexpectedly (${how}) while ${JOB_PURPOSE[job.kind]}. The job was stopped; try again.`,
        ),
      );
    }
    if (this.stopping) {
      this.setState('down');
      return;
    }
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < 60_000), now];
    // The next job restarts the worker; a worker that keeps dying is reported as down.
    this.setState(this.crashes.length > 5 ? 'down' : 'restarting', `The ${this.name} stopped (${how}).`);
  }

  run<K extends JobKind>(
    kind: K,
    params: JobParams<K>,
    opts: {
      signal?: AbortSignal;
      onProgress?: (p: JobProgress) => void;
      /** Each piece the job streams back, typed by the job's entry in the `Jobs` table. */
      onPartial?: (data: JobPartial<K>) => void;
      /** Given a function that feeds the job's input stream (null ends it); sends after the job ended are dropped. */
      onInput?: (send: (data: Uint8Array | null) => void) => void;
    } = {},
  ): Promise<JobResult<K>> {
    if (opts.signal?.aborted) return Promise.reject(new OpscopeError('canceled', 'Canceled.'));
    const handle = this.ensure();
    const id = this.nextId++;
    return new Promise<JobResult<K>>((resolve, reject) => {
      const onAbort = () => handle.send({ type: 'cancel', id });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        kind,
        resolve: resolve as (v: unknown) => void,
        reject,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        // The worker sends what the job's handler streamed: the protocol is the type's source.
        ...(opts.onPartial ? { onPartial: opts.onPartial as (data: unknown) => void } : {}),
        cleanup: () => opts.signal?.removeEventListener('abort', onAbort),
      });
      try {
        handle.send({ type: 'run', id, kind, params });
        opts.onInput?.((data) => {
          if (!this.pending.has(id) || this.handle !== handle) return;
          try {
            handle.send({ type: 'input', id, data });
          } catch {
            // The worker just died: its exit fails the job with the reason.
          }
        });
      } catch (err) {
        this.pending.delete(id);
        reject(new OpscopeError('worker-crashed', `The ${this.name} could not be reached: ${(err as Error).message}`));
      }
    });
  }

  /** Starts the worker ahead of the first job, so the first frame does not wait for it. */
  start(): void {
    this.ensure();
  }

  /** The worker's process id (tests kill it to prove recovery). */
  get pid(): number | undefined {
    return this.handle?.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const h = this.handle;
    if (!h) return;
    await new Promise<void>((resolve) => {
      h.onExit(() => resolve());
      h.kill();
    });
  }
}
