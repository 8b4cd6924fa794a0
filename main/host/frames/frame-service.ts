import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { frameIndexAt, keyframeIndices } from '../../core/case-time.js';
import { mediaPath } from '../../core/contract/media-paths.js';
import type { FrameRef } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { LruMap } from '../../core/lru-map.js';
import type { PacketScan } from '../../core/media-info.js';
import type { AgentFrameFeatures, JobParams, JobResult } from '../../core/worker-protocol.js';
import type { DataLayout } from '../../node/paths.js';
import { pngSize } from '../../node/png.js';
import { writeWhole } from '../../node/whole-file.js';
import { timelineOf } from '../cases/case-model.js';
import type { ReadableStore } from '../store/store.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';

/**
 * What frames read of the store, and the one thing they write: a part's packet scan when it was
 * never made. The Store is one; a one-shot command may give a lighter reader (see cli/frame-host).
 */
export type FrameStore = Pick<ReadableStore, 'getCase' | 'partsOf' | 'getPart' | 'packetScan' | 'frameTimes'> & {
  savePacketScan(partId: string, scan: PacketScan): void | Promise<void>;
};

/** The worker jobs frames need. */
export interface FrameJobs {
  packets(params: JobParams<'packets'>, signal?: AbortSignal): Promise<JobResult<'packets'>>;
  frame(params: JobParams<'frame'>, signal?: AbortSignal): Promise<JobResult<'frame'>>;
}

/** A part's frame timestamps and which of them are keyframes (frame indices, ascending). */
export interface PartTiming {
  frameTimes: Float64Array;
  keyframes: Uint32Array;
}

/**
 * Parts whose timing is kept in memory: a 20-minute 1080p30 part takes about 0.3 MB, so at most
 * a few MB, dropped after a few idle minutes.
 */
const TIMING_PARTS = 8;
/** Per-frame measures of recently extracted agent frames (a few dozen bytes each). */
const FEATURE_ENTRIES = 4096;
const IDLE_MS = 5 * 60_000;

/**
 * The frame on screen at a case time, at full resolution, taken from the original recording, as
 * lossless PNG (the reviewer inspects it closely; export stills and `opscope frame` save it).
 * Frame-accurate: the frame is chosen from the real packet timestamps; the worker's warm decoder
 * gives that frame of its sample table (checked against those timestamps), or ffmpeg seeks between
 * it and its predecessor so that it lands on exactly that frame.
 *
 * It also keeps what makes later frames cheap: each part's frame and keyframe table (read from
 * the store once), and the measures of agent frames already decoded, whose files stay on disk.
 */
export class FrameService {
  private readonly inflight = new Map<string, Promise<{ width: number; height: number }>>();
  private readonly timings = new LruMap<string, PartTiming>(TIMING_PARTS);
  private readonly features = new LruMap<string, AgentFrameFeatures>(FEATURE_ENTRIES);
  private idle: NodeJS.Timeout | null = null;

  private readonly jobs: FrameJobs;

  /** The two jobs frames need run in the media worker, or where the caller runs them (a one-shot command runs them itself). */
  constructor(
    private readonly store: FrameStore,
    jobs: WorkerSupervisor | FrameJobs,
    private readonly layout: Pick<DataLayout, 'frame'>,
  ) {
    this.jobs =
      'packets' in jobs
        ? jobs
        : {
            packets: (params, signal) => jobs.run('packets', params, signal ? { signal } : {}),
            frame: (params, signal) => jobs.run('frame', params, signal ? { signal } : {}),
          };
  }

  /** Forgets the kept tables after a while without frames: a case no longer in use costs nothing. */
  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.timings.clear();
      this.features.clear();
      this.idle = null;
    }, IDLE_MS);
    this.idle.unref();
  }

  /** Frame times and keyframes of a part, scanning its packets if that was never done. */
  async timing(partId: string, signal?: AbortSignal): Promise<PartTiming> {
    this.touch();
    const part = this.store.getPart(partId);
    if (!part) throw new OpscopeError('not-found', 'This recording is no longer in the library.');
    // A changed file is scanned again under the same part: its table is another entry.
    const key = `${partId}/${part.fingerprint}/${part.size}/${part.mtime_ms}`;
    const kept = this.timings.get(key);
    if (kept) return kept;
    const frameTimes = await this.frameTimes(partId, signal);
    const store = this.store;
    let keyframes: Uint32Array | null = null;
    const timing: PartTiming = {
      frameTimes,
      // A frame needs only the frame times; the keyframes (the packets read again and worked
      // through) are for decoding plans, made on their first use.
      get keyframes() {
        if (!keyframes) {
          const scan = store.packetScan(partId);
          if (!scan) throw new OpscopeError('not-found', 'This recording is no longer in the library.');
          keyframes = keyframeIndices(scan.frameTimes, scan.packetTimes, scan.packetKeys);
        }
        return keyframes;
      },
    };
    this.timings.set(key, timing);
    return timing;
  }

  /** Measures of an agent frame decoded before, by a key that fixes the frame and how it was measured. */
  recalledFeatures(key: string): AgentFrameFeatures | undefined {
    return this.features.get(key);
  }

  rememberFeatures(key: string, features: AgentFrameFeatures): void {
    this.features.set(key, features);
  }

  async frameTimes(partId: string, signal?: AbortSignal): Promise<Float64Array> {
    const cached = this.store.frameTimes(partId);
    if (cached) return cached;
    const part = this.store.getPart(partId);
    if (!part) throw new OpscopeError('not-found', 'This recording is no longer in the library.');
    const scan = await this.jobs.packets({ path: part.path, startTime: part.start_time }, signal);
    await this.store.savePacketScan(partId, scan);
    return scan.frameTimes;
  }

  /**
   * `into` writes the frame to that file (whole or not at all) instead of the frame cache: a
   * one-shot command that saves one frame gains nothing from caching it, and would copy it.
   */
  async get(caseId: string, time: number, signal?: AbortSignal, into?: string): Promise<FrameRef & { file: string }> {
    const parts = this.store.partsOf(caseId);
    if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
    if (parts.length === 0) throw new OpscopeError('not-found', 'This case has no recordings.');
    const tl = timelineOf(parts);
    const pos = tl.locate(time);
    const part = parts[pos.index]!;
    if (!existsSync(part.path)) {
      throw new OpscopeError('not-found', `${part.file_name} is missing from ${part.path}. Import it again from its new place to relink it.`);
    }
    const times = (await this.timing(part.id, signal)).frameTimes;
    if (times.length === 0) throw new OpscopeError('unsupported-media', `${part.file_name} has no video frames.`);
    const i = frameIndexAt(times, pos.offset);
    const seek = i === 0 ? 0 : (times[i - 1]! + times[i]!) / 2;
    const cached = this.layout.frame(caseId, part.id, i);
    const file = into ?? cached;
    const key = `${file}/${i}`;
    let job = this.inflight.get(key);
    if (!job) {
      job = existsSync(cached)
        ? (into ? writeWhole(into, (tmp) => copyFile(cached, tmp)) : Promise.resolve()).then(() =>
            pngSize(cached).then((s) => s ?? Promise.reject(new OpscopeError('internal', 'A cached frame is damaged.'))),
          )
        : this.jobs.frame(
            // The frame table lets the worker's warm decoder give exactly this frame.
            { path: part.path, seek, out: file, frame: { index: i, time: times[i]!, first: times[0]!, count: times.length } },
            signal,
          );
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

