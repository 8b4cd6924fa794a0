import { existsSync } from 'node:fs';
import { frameIndexAt } from '../../core/case-time.js';
import { mediaPath } from '../../core/contract/media-paths.js';
import type { FrameRef } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import type { DataLayout } from '../../node/paths.js';
import { pngSize } from '../../node/png.js';
import { timelineOf } from '../cases/case-views.js';
import type { Store } from '../store/store.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';

/**
 * The frame on screen at a case time, at full resolution, taken from the original recording.
 * Frame-accurate: the frame is chosen from the real packet timestamps, then ffmpeg is asked to
 * seek between it and its predecessor so that it lands on exactly that frame.
 */
export class FrameService {
  private readonly inflight = new Map<string, Promise<{ width: number; height: number }>>();

  constructor(
    private readonly store: Store,
    private readonly worker: WorkerSupervisor,
    private readonly layout: DataLayout,
  ) {}

  async frameTimes(partId: string, signal?: AbortSignal): Promise<Float64Array> {
    const cached = this.store.frameTimes(partId);
    if (cached) return cached;
    const part = this.store.getPart(partId);
    if (!part) throw new OpscopeError('not-found', 'This recording is no longer in the library.');
    const scan = await this.worker.run('packets', { path: part.path, startTime: part.start_time }, signal ? { signal } : {});
    this.store.savePacketScan(partId, scan);
    return scan.frameTimes;
  }

  async get(caseId: string, time: number, signal?: AbortSignal): Promise<FrameRef & { file: string }> {
    const parts = this.store.partsOf(caseId);
    if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    if (parts.length === 0) throw new OpscopeError('not-found', 'This case has no recordings.');
    const tl = timelineOf(parts);
    const pos = tl.locate(time);
    const part = parts[pos.index]!;
    if (!existsSync(part.path)) {
      throw new OpscopeError('not-found', `${part.file_name} is missing from ${part.path}. Import it again from its new place to relink it.`);
    }
    const times = await this.frameTimes(part.id, signal);
    if (times.length === 0) throw new OpscopeError('unsupported-media', `${part.file_name} has no video frames.`);
    const i = frameIndexAt(times, pos.offset);
    const seek = i === 0 ? 0 : (times[i - 1]! + times[i]!) / 2;
    const file = this.layout.frame(caseId, part.id, i);
    const key = `${part.id}/${i}`;
    let job = this.inflight.get(key);
    if (!job) {
      job = existsSync(file)
        ? pngSize(file).then((s) => s ?? Promise.reject(new OpscopeError('internal', 'A cached frame is damaged.')))
        : this.worker.run('frame', { path: part.path, seek, out: file }, signal ? { signal } : {});
      this.inflight.set(key, job);
      void job.finally(() => this.inflight.delete(key)).catch(() => undefined);
    }
    const { width, height } = await job;
    return {
      caseId,
      partId: part.id,
      requested: time,
      time: tl.starts[pos.index]! + times[i]!,
      frameIndex: i,
      width,
      height,
      src: mediaPath.frame(part.id, i),
      file,
    };
  }
}
