import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { Bookmark } from '../../../../main/core/contract/bookmark-schemas.js';
import type { AppInfo, FrameRef, ImportResult, Settings } from '../../../../main/core/contract/schemas.js';
import type { PacsDone } from '../../../../main/core/contract/pacs-schemas.js';
import { errorCode, errorMessage } from '../api/index.js';
import type { ConnectionInfo, WsClient } from '../api/ws-client.js';
import { plural } from '../util/format.js';
import { Exporter } from './exporter.svelte.js';
import { OpenCase } from './open-case.svelte.js';
import { Importer } from './importer.svelte.js';
import { PacsSearch } from './pacs.svelte.js';
import { SimilarSearch } from './similar.svelte.js';
import { Library } from './library.svelte.js';
import { Recorder } from './recording/recorder.svelte.js';
import { Toasts } from './toasts.svelte.js';

const LAST_CASE_KEY = 'opscope.lastCase';
export const THEME_KEY = 'opscope.theme';

export interface FrameView {
  loading: boolean;
  ref: FrameRef | null;
  error: string | null;
  /** What the player showed when the frame was asked for, to compare. */
  asked: { partIndex: number; partFrame: number; position: number };
}

/** The whole renderer's state: connection, library, the opened case, dialogs. */
export class AppState {
  readonly toasts = new Toasts();
  readonly library: Library;
  readonly importer: Importer;
  /** Teaching clips and training sets. */
  readonly exporter: Exporter;
  /** Operating-room mode: capturing a device into a case that grows while it is recorded. */
  readonly recorder: Recorder;
  /** Open from the PACS: search and retrieve studies (DICOMweb). */
  readonly pacs: PacsSearch;
  /** Find similar: moments that look like the frame on screen (S). */
  readonly similar: SimilarSearch;

  info = $state<AppInfo | null>(null);
  settings = $state<Settings | null>(null);
  worker = $state<{ state: AppInfo['worker']; message?: string | undefined }>({ state: 'starting' });
  connection = $state<ConnectionInfo | null>(null);
  current = $state.raw<OpenCase | null>(null);
  opening = $state<string | null>(null);
  demo = $state<{ progress: number; stage: string } | null>(null);
  settingsOpen = $state(false);
  auditOpen = $state(false);
  shortcutsOpen = $state(false);
  frameView = $state<FrameView | null>(null);
  private frameRequest = 0;
  casePanelOpen = $state(true);
  /** The question box of the open case, registered by the panel (for the Q shortcut). */
  questionBox: HTMLTextAreaElement | null = null;
  /**
   * The bookmark just asked for: a small field offers to label it. It shows at the press, before
   * the bookmark is stored, so that typing right after B goes into the field.
   */
  bookmarkPrompt = $state<{ key: number; bookmark: Bookmark | null } | null>(null);
  private promptKey = 0;
  /** Bookmarks made by recent presses, and labels typed before their bookmark was stored. */
  private pressed: { key: number; bookmark: Bookmark }[] = [];
  private labelsWaiting: { key: number; label: string }[] = [];
  /** Bumped on each bookmark made, so the big button can flash. */
  bookmarkFlash = $state(0);
  systemDark = $state(true);
  booted = $state(false);
  bootError = $state<string | null>(null);

  theme = $derived.by((): 'dark' | 'light' => {
    const t = this.settings?.theme ?? 'system';
    if (t === 'dark' || t === 'light') return t;
    return this.systemDark ? 'dark' : 'light';
  });

  constructor(
    readonly api: OpscopeApi,
    readonly ws: WsClient | null,
  ) {
    this.library = new Library(api, this.toasts);
    this.importer = new Importer(api);
    this.pacs = new PacsSearch(api, (done) => this.finishPacs(done));
    this.similar = new SimilarSearch(api);
    this.exporter = new Exporter(api, this.toasts, () => this.info?.dataDir ?? null);
    this.recorder = new Recorder(api, this.toasts, {
      captureDevice: () => this.settings?.captureDevice ?? '',
      rememberDevice: async (label) => {
        if (this.settings && this.settings.captureDevice !== label) await this.saveSettings({ captureDevice: label });
      },
      openCase: (caseId) => this.openCase(caseId),
      liveEdgeChanged: (caseId, edge) => {
        if (this.current?.id === caseId) this.current.setLiveEdge(edge);
        // The case grows: its length in the library follows.
        if (edge === null) this.library.refreshSoon();
      },
      caseName: (caseId) => this.library.get(caseId)?.name ?? null,
      desktop: () => this.api.transport === 'electron',
    });
  }

  async init(): Promise<void> {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    this.systemDark = mq.matches;
    mq.addEventListener('change', (e) => (this.systemDark = e.matches));

    this.api.on('cases.changed', ({ caseId }) => {
      this.library.refreshSoon();
      if (this.current && (caseId === null || caseId === this.current.id)) void this.current.refreshDetail();
    });
    this.api.on('index.progress', ({ caseId, status }) => {
      this.library.applyIndexProgress(caseId, status);
      if (this.current?.id === caseId) this.current.onIndexProgress(status);
    });
    this.api.on('import.progress', (p) => this.importer.onProgress(p));
    this.api.on('pacs.progress', (p) => this.pacs.onProgress(p));
    this.api.on('pacs.done', (d) => void this.pacs.onDone(d));
    this.api.on('similar.progress', ({ caseId, status }) => this.similar.onProgress(caseId, status));
    this.api.on('demo.progress', (p) => {
      if (this.demo) this.demo = { progress: p.progress, stage: p.stage };
    });
    this.api.on('worker.status', (w) => (this.worker = w));
    this.api.on('agent.event', (m) => {
      if (this.current?.id === m.caseId) this.current.agent.onEvent(m);
      // A finished answer brings evidence to review.
      if (m.event.type === 'run-ended') this.library.countsSoon();
    });
    this.api.on('feedback.changed', ({ caseId, evidenceId }) => {
      this.library.countsSoon();
      if (this.current?.id === caseId) void this.current.reviews.changed(evidenceId);
    });
    this.api.on('recording.changed', ({ caseId, fileName }) => {
      const name = this.library.get(caseId)?.name ?? 'a case';
      this.toasts.show(
        'error',
        `A recording changed on disk: ${fileName}`,
        `It no longer matches what “${name}” was indexed from: its timeline, evidence times and exports may be wrong. Import the file again to index it anew.`,
      );
    });
    this.api.on('bookmarks.changed', ({ caseId }) => {
      if (this.current?.id === caseId) void this.current.bookmarks.load();
    });
    this.api.on('export.progress', (p) => this.exporter.onProgress(p));
    this.api.on('export.done', (d) => this.exporter.onDone(d));

    if (this.ws) {
      let wasLost = false;
      this.ws.onConnection((c) => {
        this.connection = c;
        if (c.state === 'reconnecting') wasLost = true;
        if (c.state === 'open' && wasLost) {
          wasLost = false;
          // Events may have been missed while away: read everything again.
          void this.reloadAfterReconnect();
        }
      });
    }

    window.addEventListener('pagehide', () => void this.current?.flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void this.current?.flush();
    });

    try {
      const [info, settings] = await Promise.all([this.api.call('app.info', {}), this.api.call('settings.get', {})]);
      this.info = info;
      this.worker = { state: info.worker };
      this.settings = settings;
      localStorage.setItem(THEME_KEY, settings.theme);
    } catch (err) {
      this.bootError = errorMessage(err);
      this.toasts.error('Opscope could not start', err);
    }
    await this.library.refresh();
    this.booted = true;
    // A recording going on (this window was reloaded) opens its case and takes the device back.
    await this.recorder.init();
    if (this.recorder.active) {
      await this.openCase(this.recorder.active.caseId);
      return;
    }
    const last = localStorage.getItem(LAST_CASE_KEY);
    if (last && this.library.get(last)) await this.openCase(last);
    else if (this.library.cases.length === 1) await this.openCase(this.library.cases[0]!.id);
  }

  private async reloadAfterReconnect() {
    try {
      this.info = await this.api.call('app.info', {});
      this.worker = { state: this.info.worker };
    } catch (err) {
      this.toasts.error('Could not read the app status', err);
    }
    await this.library.refresh();
    if (this.current && !this.library.get(this.current.id)) this.closeCase();
    else if (this.current) {
      await this.current.refreshDetail();
      await this.current.refreshIndexData();
      await this.current.agent.load();
      await this.current.reviews.load();
      await this.current.bookmarks.load();
    }
    await this.recorder.loadStatus();
    await this.recorder.interrupted.load();
  }

  async openCase(caseId: string): Promise<void> {
    if (this.current?.id === caseId) return;
    this.opening = caseId;
    const prev = this.current;
    if (prev) {
      this.current = null;
      void prev.close();
    }
    try {
      const detail = await this.api.call('cases.get', { caseId });
      if (this.opening !== caseId) return;
      const s = new OpenCase(this.api, this.toasts, detail);
      s.liveEdge = this.recorder.recordingOf(caseId)?.liveEdge ?? null;
      this.current = s;
      localStorage.setItem(LAST_CASE_KEY, caseId);
      await s.start();
    } catch (err) {
      if (errorCode(err) === 'not-found') localStorage.removeItem(LAST_CASE_KEY);
      this.toasts.error('Could not open the case', err);
    } finally {
      if (this.opening === caseId) this.opening = null;
    }
  }

  closeCase(): void {
    const s = this.current;
    this.current = null;
    if (s) void s.close();
  }

  /**
   * B, or the big button: marks this moment. While recording, "now" is the live edge of the case
   * being recorded (whichever case is open); otherwise the frame on screen of the open case.
   */
  async addBookmark(): Promise<void> {
    const rec = this.recorder.active;
    const s = this.current;
    let input: { caseId: string; time?: number };
    if (rec && rec.state !== 'stopping') input = { caseId: rec.caseId };
    else if (s && s.duration > 0) input = { caseId: s.id, time: Math.max(0, Math.min(s.duration, s.player.position)) };
    else return;
    const key = ++this.promptKey;
    this.bookmarkPrompt = { key, bookmark: null };
    this.bookmarkFlash++;
    try {
      const b = await this.api.call('bookmarks.add', input);
      this.pressed = [...this.pressed.slice(-19), { key, bookmark: b }];
      if (this.bookmarkPrompt?.key === key) this.bookmarkPrompt = { key, bookmark: b };
      if (this.current?.id === b.caseId) this.current.bookmarks.upsert(b);
      const label = this.labelsWaiting.find((w) => w.key === key)?.label;
      this.labelsWaiting = this.labelsWaiting.filter((w) => w.key !== key);
      if (label) await this.labelBookmark(key, label);
    } catch (err) {
      this.labelsWaiting = this.labelsWaiting.filter((w) => w.key !== key);
      if (this.bookmarkPrompt?.key === key) this.bookmarkPrompt = null;
      this.toasts.error('Could not add the bookmark', err);
    }
  }

  /** The label typed after press `key` (saved once its bookmark is stored). */
  async labelBookmark(key: number, label: string): Promise<void> {
    const text = label.trim();
    if (!text) return;
    const b = this.pressed.find((p) => p.key === key)?.bookmark;
    if (!b) {
      this.labelsWaiting = [...this.labelsWaiting.filter((w) => w.key !== key), { key, label: text }];
      return;
    }
    try {
      const nb = await this.api.call('bookmarks.update', { bookmarkId: b.bookmarkId, label: text });
      this.pressed = this.pressed.map((p) => (p.key === key ? { key, bookmark: nb } : p));
      if (this.current?.id === nb.caseId) this.current.bookmarks.upsert(nb);
    } catch (err) {
      this.toasts.error('Could not label the bookmark', err);
    }
  }

  /** The label field was closed (saved, skipped or timed out). */
  closeBookmarkPrompt(key: number): void {
    if (this.bookmarkPrompt?.key === key) this.bookmarkPrompt = null;
  }

  /** Q: shows the case panel and puts the cursor in its question box. */
  focusQuestion(): void {
    if (!this.current) return;
    this.casePanelOpen = true;
    requestAnimationFrame(() => this.questionBox?.focus());
  }

  async cancelIndex(caseId: string): Promise<void> {
    try {
      const status = await this.api.call('index.cancel', { caseId });
      this.library.applyIndexProgress(caseId, status);
    } catch (err) {
      this.toasts.error('Could not stop indexing', err);
    }
  }

  async startIndex(caseId: string): Promise<void> {
    try {
      const status = await this.api.call('index.start', { caseId });
      this.library.applyIndexProgress(caseId, status);
    } catch (err) {
      this.toasts.error('Could not start indexing', err);
    }
  }

  async createDemo(): Promise<void> {
    if (this.demo) return;
    this.demo = { progress: 0, stage: 'Starting' };
    try {
      const r = await this.api.call('demo.create', {});
      const caseId = r.caseId ?? r.files[0]?.caseId ?? null;
      await this.library.refresh();
      if (caseId) await this.openCase(caseId);
      if (r.errors.length) this.toasts.show('error', 'The demo case could not be imported', r.errors.map((e) => e.message).join('\n'));
    } catch (err) {
      this.toasts.error('Could not generate the demo case', err);
    } finally {
      this.demo = null;
    }
  }

  async runImport(): Promise<void> {
    const results = await this.importer.run();
    if (!results) return;
    await this.finishImport(results);
  }

  async finishImport(results: ImportResult[]): Promise<void> {
    const files = results.flatMap((r) => r.files);
    const errors = results.flatMap((r) => r.errors);
    const created = results.filter((r) => r.caseId);
    await this.library.refresh();
    const target = created[0]?.caseId ?? files[0]?.caseId ?? null;
    if (target) await this.openCase(target);
    const clean = errors.length === 0 && files.every((f) => f.outcome === 'imported');
    if (clean && created.length) {
      this.importer.close();
      this.importer.reset();
      const names = created.map((r) => `“${r.name ?? 'Case'}”`).join(', ');
      this.toasts.success(
        created.length === 1 ? `Imported ${plural(files.length, 'recording')} as ${names}` : `Imported ${plural(created.length, 'case')}: ${names}`,
        'Indexing has started; the timeline fills in as it goes.',
      );
    }
  }

  /** A study retrieved from the PACS is in the library: its (first) case opens. */
  async finishPacs(done: PacsDone): Promise<void> {
    const created = done.results.filter((r) => r.caseId);
    await this.library.refresh();
    const target = created[0]?.caseId ?? done.results.flatMap((r) => r.files)[0]?.caseId ?? null;
    if (!target) return;
    this.pacs.close();
    this.importer.close();
    await this.openCase(target);
    const names = created.map((r) => `“${r.name ?? 'Case'}”`).join(', ');
    if (created.length) this.toasts.success(`Retrieved from the PACS: ${names}`, done.errors.length ? `${plural(done.errors.length, 'instance')} could not be retrieved.` : 'Indexing has started.');
  }

  async saveSettings(patch: Partial<Settings>): Promise<boolean> {
    try {
      this.settings = await this.api.call('settings.set', patch);
      localStorage.setItem(THEME_KEY, this.settings.theme);
      return true;
    } catch (err) {
      this.toasts.error('Could not save the settings', err);
      return false;
    }
  }

  /** Moments like the frame on screen, in the panel beside the player. */
  findSimilar(): void {
    const s = this.current;
    if (!s) return;
    if (s.player.playing) s.player.pause();
    void this.similar.show(s.id, s.player.position);
  }

  /** Plays a found moment, opening its case first when it is another one. */
  async playMoment(caseId: string, start: number, end: number): Promise<void> {
    if (this.current?.id !== caseId) await this.openCase(caseId);
    this.current?.player.playWindow(start, end);
  }

  async showFrame(): Promise<void> {
    const s = this.current;
    if (!s) return;
    const p = s.player;
    if (p.playing) p.pause();
    const times = s.frameTimes[p.partIndex];
    const part = s.detail.parts[p.partIndex];
    // Ask for the middle of the frame's display interval: no rounding can land on a neighbour.
    let time = p.position;
    if (times && part && p.partFrame >= 0) {
      const here = times[p.partFrame]!;
      const next = p.partFrame + 1 < times.length ? times[p.partFrame + 1]! : part.duration;
      time = s.timeline.starts[p.partIndex]! + (next > here ? (here + next) / 2 : here);
    }
    const asked = { partIndex: p.partIndex, partFrame: p.partFrame, position: p.position };
    // Only the latest request may fill the dialog (state objects are proxies: compare a number).
    const request = ++this.frameRequest;
    this.frameView = { loading: true, ref: null, error: null, asked };
    try {
      const ref = await this.api.call('frames.get', { caseId: s.id, time: Math.max(0, Math.min(s.duration, time)) });
      if (this.frameRequest === request && this.frameView) this.frameView = { loading: false, ref, error: null, asked };
    } catch (err) {
      if (this.frameRequest === request && this.frameView) this.frameView = { loading: false, ref: null, error: errorMessage(err), asked };
    }
  }

  /** Files dropped on the window: imported in the desktop app, explained in a browser. */
  handleDrop(files: File[]): void {
    if (files.length === 0) return;
    const paths = this.info?.dropPaths ? files.map((f) => this.api.pathForFile(f)).filter((p): p is string => !!p) : [];
    if (paths.length) {
      this.importer.show({ paths });
      return;
    }
    this.importer.show({
      notice:
        'The browser version cannot import dropped files: a browser does not tell Opscope where a file is. ' +
        'Paste the file’s full path below, or pick it in the folder browser.',
    });
  }
}
