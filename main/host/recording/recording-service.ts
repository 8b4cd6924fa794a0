import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type {
  ActiveRecording, InterruptedRecording, RecordingEnded, RecordingStatus,
} from '../../core/contract/recording-schemas.js';
import type { RecordingGap } from '../../core/contract/schemas.js';
import { OpscopeError, serializeError } from '../../core/errors.js';
import { round3 } from '../../core/round.js';
import { newId } from '../../node/ids.js';
import type { DataLayout } from '../../node/paths.js';
import { DiskWatch, type StatFs } from '../../node/record/disk-watch.js';
import { processInfo, stopOrphanRecorder } from '../../node/record/orphans.js';
import { salvagedPath, salvageSegment } from '../../node/record/salvage.js';
import { resolveDevice, SEGMENT_EXT } from '../../node/record/segment-recorder.js';
import { LiveRecording, RecordedSource, RecorderRun, RestartBudget, type RecordingRequest } from './live-recording.js';
import type { EventBus } from '../event-bus.js';
import { toNewPart } from '../cases/import-service.js';
import { caseDuration } from '../cases/case-model.js';
import type { IndexService } from '../index/index-service.js';
import type { Store } from '../store/store.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';

export type { RecordingRequest } from './live-recording.js';

export interface DiskOptions {
  warnBytes?: number;
  floorBytes?: number;
  statfs?: StatFs;
  intervalMs?: number;
}

/** How the service finds capture devices; tests replace it (there is no camera on a build machine). */
export interface DeviceAccess {
  resolve(name: string): string;
  exists(device: string): boolean;
}

export interface RecordingOptions {
  disk?: DiskOptions;
  devices?: DeviceAccess;
  /** How often a missing device is looked for again. */
  devicePollMs?: number;
  /** A window capture that sends nothing for this long is taken as a lost source. */
  captureStallMs?: number;
}

const RUN_FOLDER = /^run-\d{3}$/;
/** Restarts of the recorder within a minute before the recording is given up as failed. */
const MAX_RESTARTS_PER_MINUTE = 5;

type RunOutcome =
  | { kind: 'ended' }
  | { kind: 'source-lost'; message: string }
  | { kind: 'recorder-crashed'; message: string }
  | { kind: 'failed'; message: string };

/** Whether the process that wrote a recording row still runs (a zombie left by a crash does not). */
async function alive(pid: number | null): Promise<boolean> {
  if (!pid || pid === process.pid) return false;
  return (await processInfo(pid)).running;
}

const defaultDevices: DeviceAccess = { resolve: resolveDevice, exists: existsSync };


/**
 * Live recording (operating-room mode). A recording is one or more runs of the recorder, each
 * writing short segments into its own folder; each closed segment is inspected, appended to the
 * case as a part and queued for indexing, so the case grows while the operation goes on.
 *
 * The recorder runs in its own worker process: a crash of the media worker (indexing, the agent's
 * tools) or of the model worker never touches it, and a crash of the recorder itself starts a new
 * run at once. A source that goes away (a capture card unplugged) ends the run; the recording
 * waits and starts a new run when the source is back, and the time missed is kept as a gap.
 */
export class RecordingService {
  private active: LiveRecording | null = null;
  private interrupted: InterruptedRecording[] = [];
  private readonly restarts = new RestartBudget(MAX_RESTARTS_PER_MINUTE);
  /** The crash recovery run at start; calls about recordings wait for it. */
  readonly ready: Promise<void>;
  private readonly devices: DeviceAccess;

  constructor(
    private readonly store: Store,
    /** Runs the recorder. */
    private readonly recorder: WorkerSupervisor,
    /** Inspects segments (the media worker). */
    private readonly worker: WorkerSupervisor,
    private readonly indexer: IndexService,
    private readonly layout: DataLayout,
    private readonly bus: EventBus,
    private readonly opts: RecordingOptions = {},
  ) {
    this.devices = opts.devices ?? defaultDevices;
    this.ready = this.recover().catch((err: unknown) => {
      console.error('opscope: recovering interrupted recordings failed:', serializeError(err).message);
    });
  }

  status(): RecordingStatus {
    return { active: this.active ? this.view(this.active) : null };
  }

  /** Case time of the moment being recorded now in `caseId`; null when it is not recording. */
  liveEdge(caseId: string): number | null {
    const a = this.active;
    if (!a || a.caseId !== caseId) return null;
    return this.edgeOf(a);
  }

  interruptedRecordings(): InterruptedRecording[] {
    return this.interrupted;
  }

  private edgeOf(a: LiveRecording): number {
    const recorded = this.caseDuration(a.caseId);
    return round3(a.state === 'recording' && a.run ? Math.max(recorded, a.run.edge) : recorded);
  }

  private view(a: LiveRecording): ActiveRecording {
    return {
      recordingId: a.id,
      caseId: a.caseId,
      startedAt: a.startedAt,
      segments: a.segments,
      duration: a.duration,
      stopping: a.stopping,
      state: a.state,
      source: a.source.kind,
      sourceLabel: a.source.label,
      // Before the first run has started the recording is about to be run 1.
      run: Math.max(1, a.runs),
      liveEdge: this.edgeOf(a),
      encoder: a.encoder,
      ...(a.message ? { message: a.message } : {}),
    };
  }

  private publish(a: LiveRecording) {
    if (this.active === a) this.bus.emit('recording.state', this.view(a));
  }

  async start(req: RecordingRequest): Promise<{ recordingId: string; caseId: string; ended: Promise<RecordingEnded> }> {
    await this.ready;
    if (this.active) throw new OpscopeError('conflict', 'A recording is already running; stop it first.');
    const source = this.toSource(req);
    let caseId = req.caseId;
    let created = false;
    let resumedAfter: number | null = null;
    if (caseId) {
      if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'The case to continue no longer exists.');
      resumedAfter = await this.lastWriteOf(caseId);
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
    this.store.addRecording({ id, case_id: caseId, folder: relative(this.layout.root, folder), started_at: startedAt, pid: process.pid, source_json: JSON.stringify(source.source) });
    if (resumedAfter !== null && this.store.partsOf(caseId).length) {
      // Continuing after a crash: the time the app was down is a gap in the case.
      this.addGap(caseId, id, (Date.now() - resumedAfter) / 1000, 'interrupted');
    }
    this.interrupted = this.interrupted.filter((r) => r.caseId !== caseId);
    const a = new LiveRecording(id, caseId, startedAt, folder, req, source);
    this.active = a;
    const ended = this.record(a, created);
    a.ended = ended;
    return { recordingId: id, caseId, ended };
  }

  /** Ends the running recording cleanly; null when none runs. */
  async stop(): Promise<RecordingEnded | null> {
    const a = this.active;
    if (!a) return null;
    this.requestStop(a, 'stopped');
    return a.ended;
  }

  /** A piece of the window's capture stream; refused (not an error) when its run is over. */
  chunk(input: { recordingId: string; run: number; seq: number; data: string }): { accepted: boolean } {
    const a = this.requireActive(input.recordingId);
    if (a.source.kind !== 'capture') throw new OpscopeError('invalid-input', 'This recording does not take a stream from the window.');
    // A run whose stream was ended (source lost, stopping) takes nothing more: its input is closed.
    if (input.run !== a.runs || a.state !== 'recording' || !a.feed.connected || a.absence.away || a.stopping) return { accepted: false };
    const expected = a.feed.expected;
    const outcome = a.feed.take(input.seq, () => new Uint8Array(Buffer.from(input.data, 'base64')));
    if (outcome === 'out-of-order') {
      // A lost piece breaks the stream: the run ends and the window starts a new one.
      this.loseSource(a, `A piece of the stream was lost (expected ${expected}, got ${input.seq}); recording restarts.`);
      return { accepted: false };
    }
    return { accepted: true };
  }

  /** The window's capture source went away: the run ends and the recording waits for `resume`. */
  sourceLost(recordingId: string, message?: string): ActiveRecording {
    const a = this.requireActive(recordingId);
    this.loseSource(a, message ?? `${a.source.label} was disconnected.`);
    return this.view(a);
  }

  /** The source is back: a new run starts (it is only for window captures; devices are found again by themselves). */
  resume(recordingId: string): ActiveRecording {
    const a = this.requireActive(recordingId);
    if (a.source.kind !== 'capture') throw new OpscopeError('invalid-input', 'Only a recording captured by the window is resumed by hand.');
    a.absence.wakeUp();
    return this.view(a);
  }

  private requireActive(recordingId: string): LiveRecording {
    const a = this.active;
    if (!a || a.id !== recordingId) throw new OpscopeError('not-found', 'That recording is not running.');
    return a;
  }

  private loseSource(a: LiveRecording, message: string) {
    if (a.stopping || a.absence.away) return;
    a.absence.reason = message;
    a.run?.finish.abort();
    a.feed.end();
  }

  private requestStop(a: LiveRecording, reason: RecordingEnded['reason'], message?: string) {
    if (a.stopping) return;
    a.stop = { reason };
    if (message) a.message = message;
    a.run?.finish.abort();
    a.feed.end();
    a.absence.wakeUp();
    if (a.state !== 'stopping') {
      a.state = 'stopping';
      this.publish(a);
    }
  }

  private toSource(req: RecordingRequest): RecordedSource {
    const s = req.source;
    if ('device' in s) {
      const device = this.devices.resolve(s.device);
      return new RecordedSource({ kind: 'device', device }, 'device', device);
    }
    if ('capture' in s) {
      const { mimeType, frameRate } = s.capture;
      return new RecordedSource({ kind: 'stream', mimeType, ...(frameRate ? { frameRate } : {}) }, 'capture', s.capture.label || 'Capture device');
    }
    const path = isAbsolute(s.replay) ? s.replay : resolve(req.cwd ?? process.cwd(), s.replay);
    if (!existsSync(path)) throw new OpscopeError('not-found', `The file to replay was not found: ${path}`);
    return new RecordedSource({ kind: 'replay', path }, 'replay', basename(path));
  }

  /** Never rejects: whatever happens, the recording ends with a reason (nobody may be awaiting it). */
  private async record(a: LiveRecording, created: boolean): Promise<RecordingEnded> {
    let failure: string | null;
    const watch = new DiskWatch(a.folder, this.opts.disk ?? {});
    const checkDisk = async () => {
      const c = await watch.check().catch(() => null);
      if (!c?.message) return;
      this.bus.emit('recording.warning', { caseId: a.caseId, message: c.message, freeBytes: c.freeBytes, stopping: c.level === 'full' });
      if (c.level === 'full') this.requestStop(a, 'disk-full', c.message);
    };
    const diskTimer = setInterval(() => void checkDisk(), this.opts.disk?.intervalMs ?? 5000);
    const stallTimer = setInterval(() => this.checkStall(a), 1000);
    try {
      await checkDisk();
      failure = await this.runs(a);
    } catch (err) {
      failure = serializeError(err).message;
    } finally {
      clearInterval(diskTimer);
      clearInterval(stallTimer);
    }
    try {
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
    const reason = failure ? 'failed' : (a.stop?.reason ?? 'source-ended');
    const message = failure ?? a.message;
    const ended: RecordingEnded = { recordingId: a.id, caseId: a.caseId, segments: a.segments, duration: a.duration, reason, ...(message ? { message } : {}) };
    this.bus.emit('recording.ended', ended);
    return ended;
  }

  /** A window capture that stopped sending (the window closed or hung) is a lost source. */
  private checkStall(a: LiveRecording) {
    if (a.source.kind !== 'capture' || a.state !== 'recording' || a.stopping || !a.feed.connected) return;
    const limit = this.opts.captureStallMs ?? 8000;
    if (a.feed.silentFor() > limit) this.loseSource(a, `No video has arrived from ${a.source.label} for ${Math.round(limit / 1000)} s.`);
  }

  /** Runs the recorder until the recording ends; the failure message, or null. */
  private async runs(a: LiveRecording): Promise<string | null> {
    for (;;) {
      if (a.stopping) return null;
      if (a.request.duration && a.duration >= a.request.duration - 0.05) return null;
      const outcome = await this.runOnce(a);
      if (a.stopping) return null;
      if (outcome.kind === 'ended' && !a.absence.away) {
        if (a.source.kind === 'capture') {
          // The window's stream ended without a stop: treat it as the source going away.
          a.absence.reason = `${a.source.label} stopped sending video.`;
        } else {
          return null;
        }
      }
      const device = a.source.device;
      if (outcome.kind === 'failed' && device !== null && !this.devices.exists(device)) {
        a.absence.reason = `${a.source.label} was disconnected.`;
      } else if (outcome.kind === 'failed' && !a.absence.away) {
        return outcome.message;
      }
      if (outcome.kind === 'recorder-crashed') {
        if (!this.restarts.allow()) return `The recorder keeps stopping (${outcome.message}); recording was given up.`;
        this.bus.emit('recording.warning', { caseId: a.caseId, message: `The recorder stopped (${outcome.message}); recording goes on.`, freeBytes: null, stopping: false });
        a.missed.began(Date.now(), 'recorder-restarted');
        continue;
      }
      if (a.absence.reason !== null) {
        const since = Date.now();
        a.state = 'waiting';
        a.message = a.absence.reason;
        this.publish(a);
        this.bus.emit('recording.warning', { caseId: a.caseId, message: `${a.absence.reason} Recording resumes into this case when it is back.`, freeBytes: null, stopping: false });
        await a.absence.waitForReturn(device !== null ? () => this.devices.exists(device) : null, this.opts.devicePollMs ?? 1000);
        a.absence.reason = null;
        a.message = undefined;
        if (a.stopping) return null;
        a.missed.began(since, 'source-lost');
      }
    }
  }

  /** One run of the recorder into its own folder; each closed segment is added to the case as it comes. */
  private async runOnce(a: LiveRecording): Promise<RunOutcome> {
    const number = ++a.runs;
    a.feed.restart();
    const runFolder = join(a.folder, `run-${String(number).padStart(3, '0')}`);
    // In place before the first wait, so that a stop asked meanwhile ends this run too.
    const run = new RecorderRun(number, runFolder, this.caseDuration(a.caseId));
    a.run = run;
    await mkdir(runFolder, { recursive: true });
    // The missed time lasts until this run starts; it is placed where its first segment lands in the case.
    a.missed.runStarted();
    let adding = Promise.resolve();
    const onSegment = (file: string) => {
      adding = adding.then(async () => {
        const gap = a.missed.take();
        if (gap && this.caseDuration(a.caseId) > 0) this.addGap(a.caseId, a.id, gap.seconds, gap.reason);
        await this.addSegment(a, file);
      });
    };
    a.state = 'recording';
    this.publish(a);
    let ffmpegPid: number | null = null;
    const remaining = a.request.duration ? Math.max(0.1, a.request.duration - a.duration) : undefined;
    let outcome: RunOutcome = { kind: 'ended' };
    try {
      await this.recorder.run(
        'record',
        { source: a.source.forRun(number), folder: runFolder, segmentSeconds: a.request.segmentSeconds, ...(remaining ? { durationS: remaining } : {}) },
        {
          signal: run.finish.signal,
          onPartial: (p) => {
            if (p.type === 'segment') onSegment(p.file);
            else if (p.type === 'time') run.seconds = p.seconds;
            else if (p.type === 'started') {
              ffmpegPid = p.pid;
              this.store.setRecorderPid(a.id, p.pid);
              a.encoder = { name: p.encoder, hardware: p.hardware };
              this.publish(a);
            }
          },
          onInput: (send) => {
            if (a.source.kind === 'capture') a.feed.connect(send);
          },
        },
      );
    } catch (err) {
      const e = serializeError(err);
      if (e.code === 'worker-crashed') {
        outcome = { kind: 'recorder-crashed', message: e.message };
        // The recorder's ffmpeg may outlive its worker (it reads a device or a file, not our pipe).
        if (ffmpegPid) await stopOrphanRecorder(ffmpegPid, runFolder, { graceMs: 3000 }).catch(() => undefined);
      } else if (e.code !== 'canceled') {
        outcome = { kind: 'failed', message: e.message };
      }
    } finally {
      a.feed.disconnect();
      this.store.setRecorderPid(a.id, null);
    }
    // Whatever ffmpeg closed but had not listed (a failure mid-segment) is recovered as after a crash.
    await adding;
    await this.addUnlisted(a.caseId, [runFolder], (file) => this.addSegment(a, file));
    a.run = null;
    return outcome;
  }

  private async addSegment(a: LiveRecording, file: string): Promise<boolean> {
    const added = await this.addPart(a.caseId, file);
    if (added === null) return false;
    a.segments++;
    a.duration = round3(a.duration + added);
    this.bus.emit('recording.segment', { caseId: a.caseId, segments: a.segments, duration: a.duration });
    return true;
  }

  private caseDuration(caseId: string): number {
    return caseDuration(this.store.partsOf(caseId));
  }

  private addGap(caseId: string, recordingId: string, seconds: number, reason: RecordingGap['reason']) {
    const at = round3(this.caseDuration(caseId));
    this.store.addGap({ caseId, recordingId, at, seconds: round3(Math.max(0, seconds)), reason });
    this.bus.emit('cases.changed', { caseId });
  }

  /**
   * Inspects a segment and appends it to the case; its duration, or null when it is unreadable or
   * already a part. The media worker may be restarting after a crash: inspection is tried again.
   */
  private async addPart(caseId: string, file: string): Promise<number | null> {
    if (!this.store.getCase(caseId) || this.store.partPaths(caseId).has(file)) return null;
    let info = null;
    for (let attempt = 0; attempt < 3 && !info; attempt++) {
      try {
        info = await this.worker.run('inspect', { path: file });
      } catch (err) {
        if (serializeError(err).code !== 'worker-crashed') return null;
      }
    }
    if (!info || !(info.probe.duration > 0)) return null;
    this.store.appendParts(caseId, [toNewPart(file, info)]);
    this.bus.emit('cases.changed', { caseId });
    this.indexer.enqueue(caseId);
    return info.probe.duration;
  }

  /** Segment files of a recording, in recording order: its run folders, or the folder itself (older recordings). */
  private async segmentFiles(folder: string): Promise<string[]> {
    const names = (await readdir(folder).catch(() => [] as string[])).sort();
    const runs = names.filter((n) => RUN_FOLDER.test(n)).map((n) => join(folder, n));
    const out: string[] = [];
    for (const dir of [folder, ...runs]) {
      const files = dir === folder ? names : (await readdir(dir).catch(() => [] as string[])).sort();
      out.push(...files.filter((n) => isSegmentName(n)).map((n) => join(dir, n)));
    }
    return out;
  }

  /**
   * Segment files in the given folders that are not parts yet, in order, each made playable first:
   * one cut mid-write (a crash, a kill) gives its complete fragments in a salvaged copy. `add` is
   * given the playable file and says whether it became a part; the files that gave nothing are
   * returned (left on disk).
   */
  private async addUnlisted(caseId: string, folders: string[], add: (file: string) => Promise<boolean>): Promise<string[]> {
    const have = this.store.partPaths(caseId);
    const lost: string[] = [];
    for (const folder of folders) {
      for (const file of await this.segmentFiles(folder)) {
        if (file.endsWith(SALVAGED) || have.has(file) || have.has(salvagedPath(file))) continue;
        const playable = await salvageSegment(file).catch(() => null);
        if (!playable || !(await add(playable.file))) lost.push(file);
      }
    }
    return lost;
  }

  /** When the case's recording last wrote a segment (ms), for the gap of a continued recording. */
  private async lastWriteOf(caseId: string): Promise<number | null> {
    const parts = this.store.partsOf(caseId);
    const last = parts[parts.length - 1];
    if (!last) return null;
    const st = await stat(last.path).catch(() => null);
    return st ? st.mtimeMs : null;
  }

  /**
   * A recording still marked running whose process is gone was cut short. Its ffmpeg may still be
   * running (it was reading a device or a file): it is stopped first. Then every readable segment
   * becomes a part (a segment cut mid-write gives its complete fragments; one with none is left on
   * disk and named), and the recording is marked interrupted.
   */
  private async recover(): Promise<void> {
    const found: InterruptedRecording[] = [];
    for (const r of this.store.recordingsIn('running')) {
      if (await alive(r.pid)) continue;
      const folder = resolve(this.layout.root, r.folder);
      if (r.ffmpeg_pid) await stopOrphanRecorder(r.ffmpeg_pid, folder, { graceMs: 3000 }).catch(() => undefined);
      let recovered = 0;
      const lost = await this.addUnlisted(r.case_id, [folder], async (file) => {
        const added = (await this.addPart(r.case_id, file)) !== null;
        if (added) recovered++;
        return added;
      });
      this.store.endRecording(r.id, 'interrupted');
      this.store.setRecorderPid(r.id, null);
      this.store.audit('system', 'recording.interrupted', r.case_id, { recordingId: r.id, recovered, skipped: lost.length });
      const c = this.store.getCase(r.case_id);
      if (c) found.push({ recordingId: r.id, caseId: r.case_id, caseName: c.name, startedAt: r.started_at, recovered, skipped: lost });
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

const SALVAGED = '.salvaged.mp4';
// Older recordings wrote MPEG-TS segments; their cases are recovered the same way.
const isSegmentName = (n: string) => n.startsWith('seg-') && (n.endsWith(SEGMENT_EXT) || n.endsWith('.ts'));
