import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { AppInfo } from '../core/contract/schemas.js';
import { OpscopeError } from '../core/errors.js';
import { DataLayout } from '../node/paths.js';
import type { AgentService } from './agent/agent-service.js';
import { createAgentService, defaultAgentWiring, type AgentWiring } from './agent/agent-wiring.js';
import { AuditService } from './audit/audit-service.js';
import { BookmarkService } from './review/bookmark-service.js';
import { browse } from './cases/browse.js';
import { CaseViews } from './cases/case-views.js';
import { doctor } from './app/doctor.js';
import { EventBus } from './event-bus.js';
import { Deidentify } from '../core/contract/export-schemas.js';
import { DeidService } from './deid/deid-service.js';
import { ExportService } from './export/export-service.js';
import { FeedbackService } from './review/feedback-service.js';
import { FrameService } from './frames/frame-service.js';
import { ImportService } from './cases/import-service.js';
import { IndexService } from './index/index-service.js';
import { MediaFiles } from './cases/media-files.js';
import { RecordingWatch } from './cases/changed-files.js';
import { RecordingService, type RecordingOptions } from './recording/recording-service.js';
import { dispatch, type CallContext, type Handlers } from './router.js';
import { SettingsService } from './settings/settings-service.js';
import { Store } from './store/store.js';
import { APP_VERSION } from './app/version.js';
import { WorkerSupervisor, type WorkerLauncher } from './workers/worker-supervisor.js';
import { setProcessCommandLog } from '../node/ffmpeg/command-log.js';

const BACKUP_CHECK_MS = 60 * 60 * 1000;

export interface HostOptions {
  dataDir: string;
  launcher: WorkerLauncher;
  /** Starts the model worker (local vision-language models); default the same launcher as the media worker's. */
  modelLauncher?: WorkerLauncher;
  transport: 'electron' | 'web' | 'cli';
  /** better-sqlite3 binary built for the running runtime, when it is not the default one. */
  nativeBinding?: string;
  /** The desktop app's native file dialog. */
  pickFiles?: () => Promise<string[]>;
  /** Resume indexing that an earlier run left unfinished (the app does; one-shot CLI commands do not). */
  resumeIndexing?: boolean;
  /** The agent's tools and backends; see wireAgent. */
  agent?: AgentWiring;
  /** Starts the recording worker (live recording's ffmpeg); default the same launcher as the media worker's. */
  recordLauncher?: WorkerLauncher;
  /** Free-space thresholds, device access and timings of live recordings (tests inject a small disk). */
  recording?: RecordingOptions;
}

/**
 * The application without a user interface: store, worker, services and the handlers for every
 * contract call. Electron main, the Node host (`opscope serve`) and the CLI each create one.
 */
export class AppHost {
  readonly layout: DataLayout;
  readonly store: Store;
  readonly bus = new EventBus();
  readonly settings: SettingsService;
  readonly worker: WorkerSupervisor;
  /** A second worker process for local models: one heavy session never delays a frame. Started on first use. */
  readonly modelWorker: WorkerSupervisor;
  /** A third for live recording: a crash of the media or model worker never interrupts a recording. */
  readonly recordWorker: WorkerSupervisor;
  readonly imports: ImportService;
  readonly indexer: IndexService;
  readonly frames: FrameService;
  readonly views: CaseViews;
  /** Notices recordings of open cases that change on disk. */
  readonly recordings: RecordingWatch;
  /** Live recording into a case (operating-room mode); recovers crashed recordings at start. */
  readonly recorder: RecordingService;
  readonly media: MediaFiles;
  /** Teaching clips (export.* calls). */
  readonly exports: ExportService;
  /** What de-identified clips mask: burned-in text and out-of-body frames. */
  readonly deid: DeidService;
  readonly feedback: FeedbackService;
  /** Moments marked in cases (bookmarks.* calls). */
  readonly bookmarks: BookmarkService;
  /** The audit log (audit.* calls). */
  readonly audit: AuditService;
  readonly handlers: Handlers;
  private agentService: AgentService;
  private readonly backupTimer: NodeJS.Timeout;

  constructor(private readonly opts: HostOptions) {
    this.layout = new DataLayout(opts.dataDir);
    this.store = new Store(this.layout.database, {
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      backups: { dir: this.layout.backups },
    });
    void this.store.backups?.maybe();
    // A long-running app takes its daily backup without a restart.
    this.backupTimer = setInterval(() => void this.store.backups?.maybe(), BACKUP_CHECK_MS);
    this.backupTimer.unref();
    this.settings = new SettingsService(this.store);
    // Indexing and models yield the CPU to the window and to a live recording; the recorder does not.
    // Every ffmpeg this host runs, itself or in its workers, is logged in its data folder.
    setProcessCommandLog(this.layout.ffmpegLog);
    const dataDir = this.layout.root;
    this.worker = new WorkerSupervisor(opts.launcher, 'media worker', { background: true, dataDir });
    this.worker.on('status', (state, message) => this.bus.emit('worker.status', message ? { state, message } : { state }));
    this.modelWorker = new WorkerSupervisor(opts.modelLauncher ?? opts.launcher, 'model worker', { background: true, dataDir });
    this.recordWorker = new WorkerSupervisor(opts.recordLauncher ?? opts.launcher, 'recording worker', { dataDir });
    this.imports = new ImportService(this.store, this.worker, this.bus);
    this.indexer = new IndexService(this.store, this.worker, this.layout, this.settings, this.bus);
    this.frames = new FrameService(this.store, this.worker, this.layout);
    this.recordings = new RecordingWatch(this.store, this.bus);
    this.recorder = new RecordingService(this.store, this.recordWorker, this.worker, this.indexer, this.layout, this.bus, opts.recording);
    this.views = new CaseViews(this.store, (partId) => this.recordings.isChanged(partId));
    this.media = new MediaFiles(this.store, this.layout);
    this.exports = new ExportService(this.store, this.worker, this.frames, this.bus, {
      // The manifest carries the review the clip was cut under.
      verdictOf: (evidenceId) => {
        const latest = this.store.feedback.history(evidenceId)[0];
        return latest ? { verdict: latest.verdict, reviewer: latest.reviewer } : null;
      },
      actor: () => this.actor(),
    });
    this.deid = new DeidService(this.store, this.worker, this.modelWorker, this.frames, this.views);
    this.exports.deid = this.deid;
    this.feedback = new FeedbackService(this.store, this.settings, this.bus);
    this.bookmarks = new BookmarkService(
      this.store,
      this.bus,
      (caseId) => this.recorder.liveEdge(caseId),
      () => this.settings.get().reviewerName.trim() || null,
    );
    this.audit = new AuditService(this.store);
    this.agentService = createAgentService(this, opts.agent ?? defaultAgentWiring(this));
    this.handlers = this.makeHandlers();
    if (opts.resumeIndexing) for (const caseId of this.store.interruptedIndexCases()) this.indexer.enqueue(caseId);
  }

  get agent(): AgentService {
    return this.agentService;
  }

  /**
   * Replaces the agent's tools and backends (e.g. once the worker's tools or a model are ready).
   * Runs of the previous service are ended first.
   */
  async wireAgent(wiring: AgentWiring): Promise<AgentService> {
    const previous = this.agentService;
    this.agentService = createAgentService(this, wiring);
    await previous.close();
    return this.agentService;
  }

  call(name: string, input: unknown, ctx: CallContext = { transport: this.opts.transport }): Promise<unknown> {
    return dispatch(this.handlers, name, input, ctx);
  }

  info(): AppInfo {
    return {
      version: APP_VERSION,
      transport: this.opts.transport === 'electron' ? 'electron' : 'web',
      dataDir: this.layout.root,
      nativeFileDialog: Boolean(this.opts.pickFiles),
      dropPaths: this.opts.transport === 'electron',
      firstRun: this.store.listCases().length === 0,
      worker: this.worker.state,
      storeRecovery: this.store.recovery
        ? { at: this.store.recovery.at, message: this.store.recovery.message, movedTo: this.store.recovery.movedTo, restoredFrom: this.store.recovery.restoredFrom, backupAt: this.store.recovery.backupAt }
        : null,
    };
  }

  async createDemo(signal?: AbortSignal) {
    const out = join(this.layout.demo, 'opscope-demo.mp4');
    if (!existsSync(out)) {
      await mkdir(this.layout.demo, { recursive: true });
      await this.worker.run('demo', { out }, {
        ...(signal ? { signal } : {}),
        onProgress: (p) => this.bus.emit('demo.progress', { progress: p.fraction, stage: p.stage ?? 'Generating' }),
      });
    }
    const [result] = await this.imports.import({ paths: [out], name: 'Demo case (generated)', mode: 'one-case', isDemo: true }, signal);
    const caseId = result?.caseId ?? result?.files[0]?.caseId;
    if (caseId) this.indexer.enqueue(caseId);
    this.bus.emit('demo.progress', { progress: 1, stage: 'Ready' });
    return result!;
  }

  private makeHandlers(): Handlers {
    return {
      'app.info': () => this.info(),
      'app.doctor': () => doctor(this.layout.root),
      'cases.list': () => this.views.list(),
      'cases.get': ({ caseId }) => {
        const detail = this.views.detail(caseId);
        this.recordings.watch(caseId);
        return detail;
      },
      'cases.import': async (input, ctx) => {
        const results = await this.imports.import({ ...input, ...(ctx.transport === 'cli' ? { cwd: process.cwd() } : {}) });
        if (input.index) for (const r of results) if (r.caseId) this.indexer.enqueue(r.caseId);
        return results;
      },
      'cases.rename': ({ caseId, name }) => {
        if (!this.store.renameCase(caseId, name)) throw new OpscopeError('not-found', 'This case no longer exists.');
        this.bus.emit('cases.changed', { caseId });
        return { ok: true as const };
      },
      'cases.delete': async ({ caseId }) => {
        this.views.requireCase(caseId);
        this.indexer.cancel(caseId);
        await Promise.all([this.indexer.whenIdle(caseId), this.agent.cancelCase(caseId)]);
        this.store.deleteCase(caseId);
        // Derived files only; the user's recordings are never touched.
        await rm(this.layout.caseDir(caseId), { recursive: true, force: true });
        this.bus.emit('cases.changed', { caseId: null });
        return { ok: true as const };
      },
      'cases.reorderParts': ({ caseId, partIds }) => {
        const parts = this.store.partsOf(caseId);
        this.views.requireCase(caseId);
        const same = parts.length === partIds.length && parts.every((p) => partIds.includes(p.id));
        if (!same) throw new OpscopeError('invalid-input', 'The new order must list every part of the case exactly once.');
        this.store.reorderParts(caseId, partIds);
        this.bus.emit('cases.changed', { caseId });
        return this.views.detail(caseId);
      },
      'cases.setView': ({ caseId, view }) => {
        if (!this.store.setView(caseId, view)) throw new OpscopeError('not-found', 'This case no longer exists.');
        return { ok: true as const };
      },
      'cases.tracks': ({ caseId }) => this.views.tracks(caseId),
      'cases.thumbnails': ({ caseId }) => this.views.thumbnails(caseId),
      'cases.frameTimes': async ({ partId }) => ({ partId, times: Array.from(await this.frames.frameTimes(partId)) }),
      'index.start': ({ caseId }) => {
        this.views.requireCase(caseId);
        this.indexer.enqueue(caseId);
        return this.views.detail(caseId).index;
      },
      'index.cancel': ({ caseId }) => {
        this.views.requireCase(caseId);
        this.indexer.cancel(caseId);
        return this.views.detail(caseId).index;
      },
      'frames.get': ({ caseId, time }) => this.frames.get(caseId, time),
      'files.pick': async () => {
        if (!this.opts.pickFiles) {
          throw new OpscopeError('unavailable', 'A native file dialog exists only in the desktop app; choose files by path here.');
        }
        return { paths: await this.opts.pickFiles() };
      },
      'files.browse': ({ dir }) => browse(dir),
      'demo.create': () => this.createDemo(),
      'agent.ask': ({ caseId, question, backend, conversationId }) =>
        this.agent.ask(caseId, question, {
          ...(backend !== undefined ? { backend } : {}),
          ...(conversationId !== undefined ? { conversationId } : {}),
        }),
      'agent.cancel': ({ runId }) => ({ canceled: this.agent.cancel(runId) }),
      'agent.conversation': ({ caseId, conversationId }) => {
        this.views.requireCase(caseId);
        return { caseId, conversations: this.store.agent.conversations(caseId, conversationId) };
      },
      'feedback.add': (input) => this.feedback.add(input),
      'feedback.history': ({ evidenceId }) => this.feedback.history(evidenceId),
      'feedback.list': ({ filter, caseId }) => this.feedback.list(filter, caseId),
      'feedback.counts': () => this.feedback.counts(),
      'feedback.exportTrainingSet': async ({ out, caseId, overwrite }, ctx) => {
        await this.ensureExportsFolder(dirname(out));
        const result = await this.feedback.exportTrainingSet({ out, caseId, overwrite, ...(ctx.transport === 'cli' ? { cwd: process.cwd() } : {}) });
        this.store.audit(this.actor(), 'feedback.exportTrainingSet', caseId ?? null, { out: result.out, count: result.count });
        return result;
      },
      'bookmarks.add': (input) => this.bookmarks.add(input),
      'bookmarks.list': ({ caseId }) => this.bookmarks.list(caseId),
      'bookmarks.update': (input) => this.bookmarks.update(input),
      'bookmarks.delete': ({ bookmarkId }) => this.bookmarks.delete(bookmarkId),
      'export.clip': async (input, ctx) => {
        const out = this.userPath(input.out, ctx);
        await this.ensureExportsFolder(dirname(out));
        const { exportId } = await this.exports.startClip({ ...input, out });
        return { exportId };
      },
      'export.batch': async ({ caseId, evidenceIds, outDir, ...options }, ctx) => {
        const dir = this.userPath(outDir, ctx);
        await this.ensureExportsFolder(dir);
        const { exportId } = await this.exports.startBatch(caseId, evidenceIds, dir, options);
        return { exportId };
      },
      'export.cancel': ({ exportId }) => ({ canceled: this.exports.cancel(exportId) }),
      'export.preview': async ({ caseId, evidenceId, start, end, deidentify }) => {
        const range = this.exports.rangeOf(caseId, evidenceId, start, end);
        return this.deid.preview(caseId, range.start, range.end, deidentify ?? Deidentify.parse({}));
      },
      'recording.start': async (input, ctx) => {
        const { recordingId, caseId } = await this.recorder.start({ ...input, ...(ctx.transport === 'cli' ? { cwd: process.cwd() } : {}) });
        return { recordingId, caseId };
      },
      'recording.stop': () => this.recorder.stop(),
      'recording.status': () => this.recorder.status(),
      'recording.interrupted': async () => {
        await this.recorder.ready;
        return this.recorder.interruptedRecordings();
      },
      'recording.chunk': (input) => this.recorder.chunk(input),
      'recording.sourceLost': ({ recordingId, message }) => this.recorder.sourceLost(recordingId, message),
      'recording.resume': ({ recordingId }) => this.recorder.resume(recordingId),
      'settings.get': () => this.settings.get(),
      'settings.set': (patch) => {
        const next = this.settings.set(patch, this.actor());
        return next;
      },
      'audit.list': ({ limit, before }) => this.audit.list(limit, before),
      'audit.export': async ({ out, overwrite }, ctx) => {
        await this.ensureExportsFolder(dirname(out));
        return this.audit.export({ out, overwrite, actor: this.actor(), ...(ctx.transport === 'cli' ? { cwd: process.cwd() } : {}) });
      },
    };
  }

  /** Who the audit log names: the reviewer set in the settings, else "user". */
  private actor(): string {
    return this.settings.get().reviewerName.trim() || 'user';
  }

  /** The data folder's exports folder (the app's default destination) is made on first use; any other must exist. */
  private async ensureExportsFolder(folder: string): Promise<void> {
    if (isAbsolute(folder) && resolve(folder) === resolve(this.layout.exports)) await mkdir(this.layout.exports, { recursive: true });
  }

  /** A path a user typed: relative to the working directory for the CLI, which has one. */
  private userPath(p: string, ctx: CallContext): string {
    if (isAbsolute(p) || ctx.transport !== 'cli') return p;
    return resolve(process.cwd(), p);
  }

  async close(): Promise<void> {
    await this.recorder.close();
    await this.exports.close();
    await this.agentService.close();
    await this.indexer.close();
    await Promise.all([this.worker.stop(), this.modelWorker.stop(), this.recordWorker.stop()]);
    clearInterval(this.backupTimer);
    this.recordings.close();
    await this.store.backups?.idle();
    this.store.close();
  }
}
