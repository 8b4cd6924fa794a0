import type { OpscopeApi } from '../../../../../main/core/contract/api.js';
import { captureBitrate } from '../../recording/capture.js';
import { ChunkQueue, type QueueEnd } from '../../recording/chunks.js';
import type { Toasts } from '../toasts.svelte.js';

interface Current {
  run: number;
  recorder: MediaRecorder;
  queue: ChunkQueue<Blob>;
  stopped: Promise<void>;
}

/**
 * The upload of one run of a capture recording: a fresh MediaRecorder on the stream (a new
 * stream header for each run), its pieces sent to the backend in order.
 */
export class RunUpload {
  /** The run being sent, or null (the status strip shows it; tests read it). */
  run = $state<number | null>(null);
  /** Pieces of the stream not yet sent (a slow connection shows here). */
  backlog = $state(0);

  private current: Current | null = null;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    /** The run stopped by itself: the backend refused a piece, sending failed for good, or the recorder failed. */
    private readonly ended: (run: number, end: QueueEnd) => void,
  ) {}

  /** Starts recording `run` from the stream (any older run is stopped first); false when the recorder could not start. */
  start(run: number, stream: MediaStream, recordingId: string, mimeType: string): boolean {
    this.stop();
    const settings = stream.getVideoTracks()[0]?.getSettings() ?? {};
    let recorder: MediaRecorder;
    try {
      recorder = new MediaRecorder(stream, {
        mimeType,
        videoBitsPerSecond: captureBitrate(settings.width ?? 0, settings.height ?? 0, settings.frameRate ?? 0),
      });
    } catch (err) {
      this.toasts.error('The video recorder could not start', err);
      return false;
    }
    const queue = new ChunkQueue<Blob>({
      run,
      read: async (blob) => new Uint8Array(await blob.arrayBuffer()),
      send: async (piece) => {
        const r = await this.api.call('recording.chunk', { recordingId, ...piece });
        this.backlog = queue.backlog - 1;
        return r.accepted;
      },
      onEnd: (end) => this.finished(run, end),
    });
    const stopped = new Promise<void>((resolve) => recorder.addEventListener('stop', () => resolve(), { once: true }));
    recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size > 0) {
        queue.push(e.data);
        this.backlog = queue.backlog;
      }
    });
    recorder.addEventListener('error', (e) => {
      const message = (e as unknown as { error?: DOMException }).error?.message ?? 'the recorder stopped';
      this.toasts.show('error', 'The video recorder stopped', `${message}. Recording starts again.`);
      if (this.current?.recorder === recorder) this.finished(run, { kind: 'failed', message });
    });
    this.current = { run, recorder, queue, stopped };
    this.run = run;
    try {
      recorder.start(1000);
      return true;
    } catch (err) {
      this.current = null;
      this.run = null;
      this.toasts.error('The video recorder could not start', err);
      return false;
    }
  }

  /** Stops the run: what is queued is dropped, the piece in flight finishes. */
  stop(): void {
    const r = this.current;
    if (!r) return;
    this.current = null;
    this.run = null;
    this.backlog = 0;
    r.queue.close();
    if (r.recorder.state !== 'inactive') {
      try {
        r.recorder.stop();
      } catch {
        // Already stopped by the engine.
      }
    }
  }

  /** Sends what the recorder still holds (the last second) before the recording is stopped. */
  async flush(): Promise<void> {
    const r = this.current;
    if (!r) return;
    if (r.recorder.state !== 'inactive') r.recorder.stop();
    await Promise.race([r.stopped, sleep(2000)]);
    await Promise.race([r.queue.idle(), sleep(5000)]);
    this.stop();
  }

  private finished(run: number, end: QueueEnd) {
    if (this.current?.run !== run) return;
    this.stop();
    this.ended(run, end);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
