import type { CallInput, CallName, CallOutput } from '../core/contract/calls.js';
import type { AppInfo } from '../core/contract/schemas.js';
import { DataLayout } from '../node/paths.js';
import type { AgentService } from './agent/agent-service.js';
import { createAgentService, defaultAgentWiring, type AgentWiring } from './agent/agent-wiring.js';
import { AuditService } from './audit/audit-service.js';
import { BookmarkService } from './review/bookmark-service.js';
import { CaseViews } from './cases/case-views.js';
import { EventBus } from './event-bus.js';
import { appHandlers } from './app/handlers.js';
import { agentHandlers } from './agent/handlers.js';
import { auditHandlers } from './audit/handlers.js';
import { caseHandlers, demoHandlers, fileHandlers } from './cases/handlers.js';
import { createDemo } from './cases/demo.js';
import { exportHandlers } from './export/handlers.js';
import { frameHandlers } from './frames/handlers.js';
import { indexHandlers } from './index/handlers.js';
import { recordingHandlers } from './recording/handlers.js';
import { bookmarkHandlers, feedbackHandlers } from './review/handlers.js';
import { settingsHandlers } from './settings/handlers.js';
import { pacsHandlers } from './pacs/handlers.js';
import { PacsService } from './pacs/pacs-service.js';
import { DeidService } from './deid/deid-service.js';
import { ExportService } from './export/export-service.js';
import { FeedbackService } from './review/feedback-service.js';
import { FrameService } from './frames/frame-service.js';
import { ImportService } from './cases/import-service.js';
import { IndexService } from './index/index-service.js';
import { MediaFiles } from './cases/media-files.js';
import { ChangedFiles } from './cases/changed-files.js';
import { RecordingService, type RecordingOptions } from './recording/recording-service.js';
import { dispatch, type CallContext, type Handlers } from './router.js';
import { SettingsService } from './settings/settings-service.js';
import { Store } from './store/store.js';
import { APP_VERSION } from './app/version.js';
import { WorkerSupervisor, type WorkerLauncher } from './workers/worker-supervisor.js';
import { setProcessCommandLog } from '../node/ffmpeg/command-log.js';
import { SimilarService } from './similar/similar-service.js';
import { similarHandlers } from './similar/handlers.js';
import { LibrarySearch } from './search/search-service.js';
import { searchHandlers } from './search/handlers.js';

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
  readonly recordings: ChangedFiles;
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
  /** The hospital's PACS over DICOMweb (pacs.* calls), and the patients of cases read from DICOM. */
  readonly pacs: PacsService;
  /** The picture index and finding similar moments (similar.* calls). */
  readonly similar: SimilarService;
  /** Searching the library by events and words (search.* calls). */
  readonly search: LibrarySearch;
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
    this.imports = new ImportService(this.store, this.worker, this.bus, this.layout.dicomVideos);
    this.indexer = new IndexService(this.store, this.worker, this.layout, this.settings, this.bus);
    this.frames = new FrameService(this.store, this.worker, this.layout);
    this.recordings = new ChangedFiles(this.store, this.bus);
    this.recorder = new RecordingService(this.store, this.recordWorker, this.worker, this.indexer, this.layout, this.bus, opts.recording);
    this.views = new CaseViews(this.store, (partId) => this.recordings.isChanged(partId));
    this.media = new MediaFiles(this.store, this.layout);
    this.deid = new DeidService(this.store, this.worker, this.modelWorker, this.frames, this.views);
    this.exports = new ExportService(this.store, this.worker, this.frames, this.bus, {
      deid: this.deid,
      // The manifest carries the review the clip was cut under.
      verdictOf: (evidenceId) => {
        const latest = this.store.feedback.history(evidenceId)[0];
        return latest ? { verdict: latest.verdict, reviewer: latest.reviewer } : null;
      },
      actor: () => this.settings.actor(),
    });
    this.feedback = new FeedbackService(this.store, this.settings, this.bus);
    this.bookmarks = new BookmarkService(
      this.store,
      this.bus,
      (caseId) => this.recorder.liveEdge(caseId),
      () => this.settings.get().reviewerName.trim() || null,
    );
    this.audit = new AuditService(this.store);
    this.pacs = new PacsService({
      store: this.store,
      layout: this.layout,
      bus: this.bus,
      imports: this.imports,
      settings: () => this.settings.get().pacs,
      enqueueIndex: (caseId) => this.indexer.enqueue(caseId),
      actor: () => this.settings.actor(),
    });
    // Built after indexing in the app; one-shot commands build it when asked.
    this.similar = new SimilarService({ store: this.store, pictures: this.store.pictures, modelWorker: this.modelWorker, bus: this.bus, auto: opts.resumeIndexing === true });
    this.search = new LibrarySearch(this.store, this.store.libraryText, this.views);
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

  /** A contract call, validated both ways as the transports' are, typed by the contract. */
  call<K extends CallName>(name: K, input: CallInput<K>, ctx: CallContext = { transport: this.opts.transport }): Promise<CallOutput<K>> {
    return dispatch(this.handlers, name, input, ctx);
  }

  /** A call whose name arrived over a transport (a string not yet known to be a call). */
  callUntyped(name: unknown, input: unknown, ctx: CallContext = { transport: this.opts.transport }): Promise<unknown> {
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

  /** The first-run demo case (generated once, then imported and indexed). */
  createDemo(signal?: AbortSignal) {
    return createDemo(this, signal);
  }

  /** Every contract call's handler, from the feature folders: one group per call prefix. */
  private makeHandlers(): Handlers {
    const agent = () => this.agentService;
    return {
      ...appHandlers(this),
      ...caseHandlers({ ...this, store: this.store, layout: this.layout, agent, changedFiles: this.recordings, pickFiles: this.opts.pickFiles, pacs: this.pacs }),
      ...fileHandlers(this.opts.pickFiles),
      ...demoHandlers(this),
      ...indexHandlers(this.indexer, this.views),
      ...frameHandlers(this.frames, this.deid),
      ...agentHandlers(agent, this.views, this.store),
      ...feedbackHandlers(this.feedback, this.settings, this.store, this.layout),
      ...bookmarkHandlers(this.bookmarks),
      ...exportHandlers(this.exports, this.deid, this.layout),
      ...recordingHandlers(this.recorder),
      ...settingsHandlers(this.settings),
      ...auditHandlers(this.audit, this.settings, this.layout),
      ...pacsHandlers(this.pacs),
      ...similarHandlers(this.similar),
      ...searchHandlers(this.search),
    };
  }

  async close(): Promise<void> {
    await this.recorder.close();
    await this.pacs.close();
    await this.exports.close();
    await this.agentService.close();
    await this.similar.close();
    await this.indexer.close();
    await Promise.all([this.worker.stop(), this.modelWorker.stop(), this.recordWorker.stop()]);
    clearInterval(this.backupTimer);
    this.recordings.close();
    await this.store.backups?.idle();
    this.store.close();
  }
}
