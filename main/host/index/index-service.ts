import { samplesEveryFrame } from '../../core/index-sampling.js';
import { rm, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { isCanceled, OpscopeError } from '../../core/errors.js';
import { pool } from '../../core/pool.js';
import { proxyCanRemux, summarizeTiming, type PacketScan, type ProbeSummary } from '../../core/media-info.js';
import type { AnalysisGeometry, ChunkSample, ChunkThumbs, ThumbGeometry } from '../../core/worker-protocol.js';
import type { DataLayout } from '../../node/paths.js';
import { analysisGeometry, displaySize, evenPixels } from '../cases/case-model.js';
import type { EventBus } from '../event-bus.js';
import type { SettingsService } from '../settings/settings-service.js';
import { aggregateIndexStatus, type Store } from '../store/store.js';
import type { PartRow } from '../store/rows.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';

export interface ThumbnailsMeta {
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  /** Sheet files (relative to the part's thumbs folder) and how many tiles each holds. */
  sheets: { file: string; count: number }[];
  /** Part-relative time of every tile, in sheet order. */
  times: number[];
}

type Fov = { mask: Uint8Array; width: number; height: number };

const THUMB_HEIGHT = 90;
const SHEET = { columns: 10, rows: 10 };
const FOV_SAMPLES = 12;

export function chunkPlan(duration: number): { from: number; to: number }[] {
  // Chunks make indexing resumable and let two decoders work at once.
  const length = Math.max(30, Math.min(120, duration / 2));
  const out: { from: number; to: number }[] = [];
  for (let from = 0; from < duration || out.length === 0; from += length) {
    out.push({ from, to: Math.min(duration, from + length) });
    if (duration <= 0) break;
  }
  return out;
}

/**
 * Builds each case's index in the worker, one case at a time: packets, field of view, keyframe
 * chunks (resumable), signal tracks, thumbnails and, where needed, a playable proxy. Progress is
 * persisted as it goes, so a restart resumes where the last run stopped.
 */
export class IndexService {
  private readonly queue: string[] = [];
  private readonly running = new Map<string, AbortController>();
  /** Cases given new parts while being indexed (a live recording): indexed again right after. */
  private readonly again = new Set<string>();
  private readonly waiters = new Map<string, { resolve: () => void; promise: Promise<void> }>();
  private active = false;
  /** The queue being worked through; the host's exit waits for it. */
  private pumping: Promise<void> = Promise.resolve();
  private closing = false;
  private lastEmit = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly worker: WorkerSupervisor,
    private readonly layout: DataLayout,
    private readonly settings: SettingsService,
    private readonly bus: EventBus,
  ) {}

  /**
   * Stops for the host's exit: nothing more is queued, the part being indexed is left 'running'
   * (resumed at the next start) and nothing is written once this resolves.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.queue.length = 0;
    this.again.clear();
    for (const c of this.running.values()) c.abort();
    await this.pumping;
  }

  /** Queues a case (again); completed parts are skipped, interrupted ones resume. */
  enqueue(caseId: string): void {
    if (this.closing) return;
    for (const s of this.store.indexStates(caseId)) {
      if (s.state !== 'done' && s.state !== 'running') this.store.setIndexState(s.part_id, 'pending', s.progress, 'Waiting to index');
    }
    if (this.running.has(caseId)) this.again.add(caseId);
    else if (!this.queue.includes(caseId)) this.queue.push(caseId);
    this.emit(caseId, true);
    if (!this.active) this.pumping = this.pump();
  }

  cancel(caseId: string): void {
    this.again.delete(caseId);
    const i = this.queue.indexOf(caseId);
    if (i >= 0) {
      this.queue.splice(i, 1);
      for (const s of this.store.indexStates(caseId)) {
        if (s.state === 'pending') this.store.setIndexState(s.part_id, 'canceled', s.progress, 'Canceled');
      }
      this.settle(caseId);
      this.emit(caseId, true);
    }
    this.running.get(caseId)?.abort();
  }

  /** Resolves when the case is no longer queued or running (whatever the outcome). */
  whenIdle(caseId: string): Promise<void> {
    if (!this.queue.includes(caseId) && !this.running.has(caseId)) return Promise.resolve();
    let w = this.waiters.get(caseId);
    if (!w) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      w = { resolve, promise };
      this.waiters.set(caseId, w);
    }
    return w.promise;
  }

  isBusy(caseId: string): boolean {
    return this.queue.includes(caseId) || this.running.has(caseId);
  }

  private settle(caseId: string) {
    const w = this.waiters.get(caseId);
    if (w) {
      this.waiters.delete(caseId);
      w.resolve();
    }
  }

  private async pump(): Promise<void> {
    if (this.active) return;
    this.active = true;
    try {
      for (let caseId = this.queue.shift(); caseId !== undefined; caseId = this.queue.shift()) {
        const controller = new AbortController();
        this.running.set(caseId, controller);
        try {
          await this.indexCase(caseId, controller.signal);
        } finally {
          this.running.delete(caseId);
          this.emit(caseId, true);
          if (this.again.delete(caseId) && !controller.signal.aborted) this.queue.push(caseId);
          else this.settle(caseId);
        }
      }
    } finally {
      this.active = false;
    }
  }

  private emit(caseId: string, force = false) {
    const now = Date.now();
    if (!force && now - (this.lastEmit.get(caseId) ?? 0) < 100) return;
    this.lastEmit.set(caseId, now);
    if (!this.store.getCase(caseId)) return;
    this.bus.emit('index.progress', { caseId, status: aggregateIndexStatus(this.store.indexStates(caseId)) });
  }

  private async indexCase(caseId: string, signal: AbortSignal): Promise<void> {
    for (const part of this.store.partsOf(caseId)) {
      const state = this.store.indexStates(caseId).find((s) => s.part_id === part.id);
      if (state?.state === 'done') continue;
      if (this.closing) return;
      if (signal.aborted) {
        this.store.setIndexState(part.id, 'canceled', state?.progress ?? 0, 'Canceled');
        continue;
      }
      try {
        await this.indexPart(caseId, part, signal);
      } catch (err) {
        if (this.closing) return; // left 'running': the next start resumes it
        if (!this.store.getPart(part.id)) return; // the case was deleted meanwhile
        const progress = this.store.indexStates(caseId).find((s) => s.part_id === part.id)?.progress ?? 0;
        if (isCanceled(err) || signal.aborted) {
          this.store.setIndexState(part.id, 'canceled', progress, 'Canceled');
        } else {
          const message = err instanceof Error ? err.message : String(err);
          this.store.setIndexState(part.id, 'failed', progress, 'Indexing failed', message);
        }
        this.emit(caseId, true);
      }
    }
  }

  /**
   * The field of view of the segment before this one of the same live recording run: the same
   * device through the same scope. A segment may be a second long (the last one, when recording
   * stops), too short to find the view in; and not searching again makes each segment answerable
   * sooner.
   */
  private recordedFov(caseId: string, part: PartRow, analysis: AnalysisGeometry): ReturnType<Store['fov']> {
    const folder = dirname(part.path);
    if (relative(join(this.layout.root, 'recordings'), folder).startsWith('..')) return null;
    const parts = this.store.partsOf(caseId);
    const before = parts[parts.findIndex((p) => p.id === part.id) - 1];
    if (!before || dirname(before.path) !== folder) return null;
    const fov = this.store.fov(before.id);
    if (!fov || fov.width !== analysis.width || fov.height !== analysis.height) return null;
    return fov;
  }

  private async indexPart(caseId: string, part: PartRow, signal: AbortSignal): Promise<void> {
    const probe = JSON.parse(part.probe_json) as ProbeSummary;
    const needsProxy = part.playback === 'proxy-pending' && this.settings.get().makeProxies;
    const wIndex = needsProxy ? 0.65 : 1;
    const set = (progress: number, stage: string) => {
      this.store.setIndexState(part.id, 'running', Math.min(0.999, progress), stage);
      this.emit(caseId);
    };
    set(0.01, 'Reading packets');
    const analysis = analysisGeometry(part);
    const fovTimes = (d: number) => Array.from({ length: FOV_SAMPLES }, (_, i) => (d * (i + 0.5)) / FOV_SAMPLES);
    const sampleFov = (d: number) => this.worker.run('fov', { path: part.path, times: fovTimes(d), codec: probe.video.codec, analysis }, { signal });

    let scan: PacketScan | null = this.store.packetScan(part.id);
    // Listing the packets keeps one core busy reading; the field of view's frames are decoded on
    // the other meanwhile. They need only the duration, which is the probed one whenever the probe
    // found it (summarizeTiming), so they are the frames the serial order would have read.
    let early: Promise<Fov> | null = null;
    if (!scan) {
      const scanning = this.worker.run('packets', { path: part.path, startTime: part.start_time }, { signal });
      if (part.duration > 0 && !this.recordedFov(caseId, part, analysis)) early = sampleFov(part.duration);
      const [listed] = await Promise.allSettled([scanning, early]);
      if (listed.status === 'rejected') throw listed.reason;
      scan = listed.value;
      this.store.savePacketScan(part.id, scan);
    }
    const timing = summarizeTiming(scan, part.duration);
    this.store.updatePartTiming(part.id, {
      fps: timing.fps || part.fps,
      vfr: timing.variableFrameRate,
      keyframeInterval: timing.keyframeInterval,
      duration: timing.duration,
    });
    const duration = timing.duration;
    const { w, h } = displaySize(part);
    const thumbInterval = this.settings.get().thumbnailInterval;
    const thumbs: ThumbGeometry = {
      width: evenPixels((THUMB_HEIGHT * w) / Math.max(1, h)),
      height: THUMB_HEIGHT,
      ...SHEET,
      interval: thumbInterval,
    };
    const denseSampling = samplesEveryFrame(timing.keyframeInterval, timing.fps || part.fps);
    set(0.05 * wIndex, 'Finding the field of view');

    let fov: Fov | null = this.store.fov(part.id);
    if (!fov) {
      fov = this.recordedFov(caseId, part, analysis);
      if (fov) this.store.saveFov(part.id, fov.mask, fov.width, fov.height);
    }
    if (!fov || fov.width !== analysis.width || fov.height !== analysis.height) {
      fov = await (early && duration === part.duration ? early : sampleFov(duration));
      this.store.saveFov(part.id, fov.mask, fov.width, fov.height);
    }

    const plan = chunkPlan(duration);
    const have = new Map(this.store.chunks(part.id).map((c) => [c.chunk, c]));
    const thumbDir = this.layout.thumbsDir(caseId, part.id);
    const todo = plan
      .map((c, i) => ({ ...c, i }))
      .filter((c) => {
        const got = have.get(c.i);
        return !(got && Math.abs(got.from_s - c.from) < 1e-6 && Math.abs(got.to_s - c.to) < 1e-6);
      });
    const chunkProgress = new Map<number, number>(plan.map((_, i) => [i, todo.some((t) => t.i === i) ? 0 : 1]));
    const report = () => {
      const done = [...chunkProgress.values()].reduce((a, b) => a + b, 0) / plan.length;
      set((0.08 + 0.88 * done) * wIndex, denseSampling ? 'Reading frames (sparse keyframes)' : 'Reading keyframes');
    };
    report();
    await pool(todo, 2, async (c) => {
      const prefix = `c${String(c.i).padStart(4, '0')}`;
      await removeWithPrefix(thumbDir, prefix);
      const result = await this.worker.run(
        'indexChunk',
        {
          path: part.path,
          codec: probe.video.codec,
          from: c.from,
          to: c.to,
          keyframeTimes: [],
          analysis,
          mask: fov.mask,
          thumbs,
          thumbDir,
          thumbPrefix: prefix,
          duration,
          denseSampling,
        },
        {
          signal,
          onProgress: (p) => {
            chunkProgress.set(c.i, p.fraction);
            report();
          },
        },
      );
      if (!this.store.getPart(part.id)) throw new OpscopeError('canceled', 'The case was deleted.');
      this.store.saveChunk({
        part_id: part.id,
        chunk: c.i,
        from_s: c.from,
        to_s: c.to,
        samples_json: JSON.stringify(result.samples),
        thumbs_json: JSON.stringify({ files: result.thumbs.files.map((f) => basename(f)), times: result.thumbs.times }),
      });
      chunkProgress.set(c.i, 1);
      report();
    });

    set(0.97 * wIndex, 'Computing signal tracks');
    const chunks = this.store.chunks(part.id);
    const samples = chunks.flatMap((c) => JSON.parse(c.samples_json) as ChunkSample[]);
    const tracks = await this.worker.run(
      'tracks',
      { samples, packetTimes: scan.packetTimes, packetSizes: scan.packetSizes, packetKeys: scan.packetKeys, duration },
      { signal },
    );
    const meta: ThumbnailsMeta = { tileWidth: thumbs.width, tileHeight: thumbs.height, columns: SHEET.columns, rows: SHEET.rows, sheets: [], times: [] };
    for (const c of chunks) {
      const t = JSON.parse(c.thumbs_json) as ChunkThumbs;
      const perSheet = SHEET.columns * SHEET.rows;
      t.files.forEach((file, k) => {
        const count = Math.max(0, Math.min(perSheet, t.times.length - k * perSheet));
        if (count > 0) meta.sheets.push({ file, count });
      });
      meta.times.push(...t.times.slice(0, t.files.length * perSheet));
    }

    if (needsProxy) {
      set(wIndex, 'Making a playable copy');
      await this.worker.run(
        'proxy',
        { path: part.path, out: this.layout.proxy(caseId, part.id), remuxOnly: proxyCanRemux(probe), duration },
        { signal, onProgress: (p) => set(wIndex + (1 - wIndex) * p.fraction, 'Making a playable copy') },
      );
      this.store.setPlayback(part.id, 'proxy');
    }
    this.store.finishPartIndex(part.id, tracks, meta);
    this.store.setIndexState(part.id, 'done', 1, 'Indexed');
    this.emit(caseId, true);
  }
}

async function removeWithPrefix(dir: string, prefix: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(`${prefix}-`)).map((n) => rm(`${dir}/${n}`, { force: true })));
}
