import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { InterruptedRecording, RecordingEnded, RecordingStatus } from '../core/contract/recording-schemas.js';
import type { RecordingSource as ContractSource } from '../core/contract/recording-schemas.js';
import { OpscopeError, serializeError } from '../core/errors.js';
import type { ClosedSegment, RecordSource } from '../core/worker-protocol.js';
import { newId } from '../node/ids.js';
import type { DataLayout } from '../node/paths.js';
import { DiskWatch, type StatFs } from '../node/record/disk-watch.js';
import { resolveDevice, SEGMENT_EXT } from '../node/record/segment-recorder.js';
import type { EventBus } from './event-bus.js';
import { toNewPart } from './import-service.js';
import type { IndexService } from './index-service.js';
import type { Store } from './store/store.js';
import type { WorkerSupervisor } from './worker-supervisor.js';

export interface RecordingRequest {
  source: ContractSource;
  name?: string | undefined;
  caseId?: string | undefined;
  duration?: number | undefined;
  segmentSeconds: number;
  /** Relative replay paths are resolved against this folder (the CLI's working directory). */
  cwd?: string;
}

export interface DiskOptions {
  warnBytes?: number;
  floorBytes?: number;
  statfs?: StatFs;
  intervalMs?: number;
}

interface Active {
  id: string;
  caseId: string;
  startedAt: string;
  segments: number;
  duration: number;
  finish: AbortController;
  stopping: boolean;
  reason: RecordingEnded['reason'] | null;
  message?: string;
  ended: Promise<RecordingEnded>;
}

function alive(pid: number | null): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Live recording (operating-room mode): the worker records the source into short segments; each
 * closed segment is inspected, appended to the case as a part and queued for indexing, so the
 * case grows while the operation goes on. One recording at a time per host.
 */
export class RecordingService {
  private active: Active | null = null;
  private interrupted: InterruptedRecording[] = [];
  /** The crash recovery run at start; calls about recordings wait for it. */
  readonly ready: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly worker: WorkerSupervisor,
    private readonly indexer: IndexService,
    private readonly layout: DataLayout,
    private readonly bus: EventBus,
    private readonly disk: DiskOptions = {},
  ) {
    this.ready = this.recover().catch((err: unknown) => {
      console.error('opscope: recovering interrupted recordings failed:', serializeError(err).message);
    });
  }

  status(): RecordingStatus {
    const a = this.active;
    return {
      active: a ? { recordingId: a.id, caseId: a.caseId, startedAt: a.startedAt, segments: a.segments, duration: a.duration, stopping: a.stopping } : null,
    };
  }

  interruptedRecordings(): InterruptedRecording[] {
    return this.interrupted;
  }

  async start(req: RecordingRequest): Promise<{ recordingId: string; caseId: string; ended: Promise<RecordingEnded> }> {
    await this.ready;
    if (this.active) throw new OpscopeError('conflict', 'A recording is already running; stop it first.');
    const source = this.toSource(req);
    let caseId = req.caseId;
    let created = false;
    if (caseId) {
      if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'The case to continue no longer exists.');
    } else {
      const name = req.name ?? `Recording ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
      caseId = this.store.createCase(name, []).caseId;
      created = true;
      this.bus.emit('cases.changed', { caseId });
    }
    const id = newId();
    const folder = join(this.layout.root, 'recordings', id);
    await mkdir(folder, { recursive: true });
    const startedAt = new Date().toISOString();
    this.store.addRecording({ id, case_id: caseId, folder: relative(this.layout.root, folder), started_at: startedAt, pid: process.pid, source_json: JSON.stringify(source) });
    this.interrupted = this.interrupted.filter((r) => r.caseId !== caseId);
    const active: Active = { id, caseId, startedAt, segments: 0, duration: 0, finish: new AbortController(), stopping: false, reason: null, ended: Promise.resolve(null as never) };
    this.active = active;
    active.ended = this.run(active, source, folder, req, created);
    return { recordingId: id, caseId, ended: active.ended };
  }

  /** Ends the running recording cleanly; null when none runs. */
  async stop(): Promise<RecordingEnded | null> {
    const a = this.active;
    if (!a) return null;
    this.requestStop(a, 'stopped');
    return a.ended;
  }

  private requestStop(a: Active, reason: RecordingEnded['reason'], message?: string) {
    if (a.stopping) return;
    a.stopping = true;
    a.reason = reason;
    if (message) a.message = message;
    a.finish.abort();
  }

  private toSource(req: RecordingRequest): RecordSource {
    if ('device' in req.source) return { kind: 'device', device: resolveDevice(req.source.device) };
    const p = req.source.replay;
    const path = isAbsolute(p) ? p : resolve(req.cwd ?? process.cwd(), p);
    if (!existsSync(path)) throw new OpscopeError('not-found', `The file to replay was not found: ${path}`);
    return { kind: 'replay', path };
  }

  /** Never rejects: whatever happens, the recording ends with a reason (nobody may be awaiting it). */
  private async run(a: Active, source: RecordSource, folder: string, req: RecordingRequest, created: boolean): Promise<RecordingEnded> {
    let failure: string | null = null;
    try {
      await this.capture(a, source, folder, req);
    } catch (err) {
      failure = serializeError(err).message;
    }
    try {
      // Whatever ffmpeg closed but had not listed yet (a failure mid-segment) is recovered as after a crash.
      await this.addUnlisted(a.caseId, folder, (file) => this.addSegment(a, file));
      this.store.endRecording(a.id, 'stopped');
      if (created && a.segments === 0 && this.store.partsOf(a.caseId).length === 0) {
        // Nothing was captured: an empty case would only be clutter.
        this.store.deleteCase(a.caseId);
        this.bus.emit('cases.changed', { caseId: null });
      }
    } catch (err) {
      failure ??= serializeError(err).message;
    } finally {
      this.active = null;
    }
    const reason = failure ? 'failed' : (a.reason ?? 'source-ended');
    const message = failure ?? a.message;
    const ended: RecordingEnded = { recordingId: a.id, caseId: a.caseId, segments: a.segments, duration: a.duration, reason, ...(message ? { message } : {}) };
    this.bus.emit('recording.ended', ended);
    return ended;
  }

  private async capture(a: Active, source: RecordSource, folder: string, req: RecordingRequest): Promise<void> {
    // Segments are added one after another, in order, whatever the inspection times.
    let adding = Promise.resolve();
    const onSegment = (seg: ClosedSegment) => {
      adding = adding.then(() => this.addSegment(a, seg.file));
    };
    const watch = new DiskWatch(folder, this.disk);
    const checkDisk = async () => {
      const c = await watch.check().catch(() => null);
      if (!c?.message) return;
      this.bus.emit('recording.warning', { caseId: a.caseId, message: c.message, freeBytes: c.freeBytes, stopping: c.level === 'full' });
      if (c.level === 'full') this.requestStop(a, 'disk-full', c.message);
    };
    await checkDisk();
    if (a.finish.signal.aborted) return;
    const timer = setInterval(() => void checkDisk(), this.disk.intervalMs ?? 5000);
    try {
      await this.worker.run(
        'record',
        { source, folder, segmentSeconds: req.segmentSeconds, ...(req.duration ? { durationS: req.duration } : {}) },
        { signal: a.finish.signal, onPartial: (d) => onSegment(d as ClosedSegment) },
      );
    } finally {
      clearInterval(timer);
      await adding;
    }
  }

  private async addSegment(a: Active, file: string): Promise<void> {
    const added = await this.addPart(a.caseId, file);
    if (added === null) return;
    a.segments++;
    a.duration = Math.round((a.duration + added) * 1000) / 1000;
    this.bus.emit('recording.segment', { caseId: a.caseId, segments: a.segments, duration: a.duration });
  }

  /** Inspects a segment and appends it to the case; its duration, or null when it is unreadable or already a part. */
  private async addPart(caseId: string, file: string): Promise<number | null> {
    if (!this.store.getCase(caseId) || this.store.partPaths(caseId).has(file)) return null;
    let info;
    try {
      info = await this.worker.run('inspect', { path: file });
    } catch {
      return null;
    }
    if (!(info.probe.duration > 0)) return null;
    this.store.appendParts(caseId, [toNewPart(file, info)]);
    this.bus.emit('cases.changed', { caseId });
    this.indexer.enqueue(caseId);
    return info.probe.duration;
  }

  /** Segment files in a recording's folder that are not parts yet; `add` is given each in order. */
  private async addUnlisted(caseId: string, folder: string, add: (file: string) => Promise<void>): Promise<void> {
    const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith(SEGMENT_EXT)).sort();
    const have = this.store.partPaths(caseId);
    for (const n of names) if (!have.has(join(folder, n))) await add(join(folder, n));
  }

  /**
   * A recording still marked running whose process is gone was cut short: every readable segment
   * in its folder becomes a part (a segment cut mid-write is kept when it still plays, else left
   * on disk and named), and the recording is marked interrupted.
   */
  private async recover(): Promise<void> {
    const found: InterruptedRecording[] = [];
    for (const r of this.store.recordingsIn('running')) {
      if (alive(r.pid)) continue;
      const folder = resolve(this.layout.root, r.folder);
      let recovered = 0;
      const skipped: string[] = [];
      await this.addUnlisted(r.case_id, folder, async (file) => {
        if ((await this.addPart(r.case_id, file)) === null) skipped.push(file);
        else recovered++;
      });
      this.store.endRecording(r.id, 'interrupted');
      this.store.audit('system', 'recording.interrupted', r.case_id, { recordingId: r.id, recovered, skipped: skipped.length });
      const c = this.store.getCase(r.case_id);
      if (c) found.push({ recordingId: r.id, caseId: r.case_id, caseName: c.name, startedAt: r.started_at, recovered, skipped });
    }
    this.interrupted = found;
    if (found.length) this.bus.emit('recording.interrupted', { recordings: found });
  }

  async close(): Promise<void> {
    await this.ready;
    const a = this.active;
    if (a) {
      this.requestStop(a, 'stopped');
      await a.ended;
    }
  }
}
