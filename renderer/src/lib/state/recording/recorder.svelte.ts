import type { OpscopeApi } from '../../../../../main/core/contract/api.js';
import type { ActiveRecording, InterruptedRecording, RecordingEnded } from '../../../../../main/core/contract/recording-schemas.js';
import { endedNotice } from '../../recording/ended.js';
import { startRequest, UNNAMED_DEVICE } from '../../recording/start-request.js';
import type { Toasts } from '../toasts.svelte.js';
import { CaptureDevices } from './capture-devices.svelte.js';
import { InterruptedRecordings } from './interrupted.svelte.js';
import { RecordDialogForm, type RecordDialogMode } from './record-dialog.svelte.js';
import { RecordingSync } from './recording-sync.svelte.js';
import { RunUpload } from './run-upload.svelte.js';
import { RecordingWarnings } from './warnings.svelte.js';
import { WindowOwnership } from './window-ownership.svelte.js';

/** What the recorder needs of the app. */
export interface RecorderHost {
  captureDevice(): string;
  rememberDevice(label: string): Promise<void>;
  openCase(caseId: string): Promise<void>;
  /** The recording's case time "now" changed (null: no longer recording). */
  liveEdgeChanged(caseId: string, edge: number | null): void;
  caseName(caseId: string): string | null;
  desktop(): boolean;
}

/**
 * Operating-room mode in the window, the one door the UI uses: the capture devices, the upload of
 * the current run, which window feeds the recording, the backend's view of it, its warnings,
 * recordings cut short by a crash, and the record dialog. This class only joins them into what
 * people do (record, stop, resume, switch device, take over).
 *
 * A recording is fed by one window, its owner. A window reloaded while it recorded takes the
 * recording back: the run it can no longer join is ended and a fresh one starts (the missed
 * seconds become a gap on the timeline).
 */
export class Recorder {
  readonly devices: CaptureDevices;
  readonly upload: RunUpload;
  readonly ownership: WindowOwnership;
  readonly sync: RecordingSync;
  readonly warnings = new RecordingWarnings();
  readonly interrupted: InterruptedRecordings;
  readonly dialog = new RecordDialogForm();

  /** While recording, the player area shows the live picture or lets people review what is recorded. */
  mode = $state<'live' | 'review'>('live');
  confirmStop = $state(false);
  starting = $state(false);
  stopping = $state(false);

  /** The stream was opened only for the dialog's preview (it is let go when the dialog closes). */
  private previewOnly = false;
  private lastEnded: string | null = null;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    private readonly host: RecorderHost,
  ) {
    this.devices = new CaptureDevices({
      desktop: () => host.desktop(),
      streamOpened: () => this.sync.decide(),
      trackEnded: () => this.onTrackEnded(),
    });
    this.upload = new RunUpload(api, toasts, (run, end) => this.sync.runEnded(run, end));
    this.ownership = new WindowOwnership({
      recordingId: () => this.active?.recordingId ?? null,
      letGo: () => {
        this.upload.stop();
        this.devices.release();
      },
    });
    this.interrupted = new InterruptedRecordings(api, toasts);
    this.sync = new RecordingSync(api, toasts, this.devices, this.upload, this.ownership, this.warnings, {
      liveEdgeChanged: (caseId, edge) => host.liveEdgeChanged(caseId, edge),
      gone: () => this.clear(),
      holdResume: () => this.dialog.mode?.kind === 'switch',
    });
  }

  /** The backend's view of the running recording (any source), or null. */
  get active(): ActiveRecording | null {
    return this.sync.active;
  }

  get recording(): boolean {
    return this.sync.active !== null;
  }

  async init(): Promise<void> {
    this.api.on('recording.state', (a) => this.sync.apply(a));
    this.api.on('recording.segment', (p) => this.sync.segment(p));
    this.api.on('recording.warning', (w) => this.warn(w.message, w.freeBytes !== null && w.freeBytes >= 0 ? w.freeBytes : null, w.stopping));
    this.api.on('recording.ended', (e) => this.onEnded(e));
    this.api.on('recording.interrupted', ({ recordings }) => this.interrupted.set(recordings));
    navigator.mediaDevices?.addEventListener?.('devicechange', () => void this.onDeviceChange());
    await Promise.all([this.interrupted.load(), this.loadStatus(true)]);
  }

  /** Reads the recording's state; at start, a capture recording left by this window is taken back. */
  async loadStatus(atStart = false): Promise<void> {
    try {
      const active = await this.sync.refresh();
      if (atStart && active?.source === 'capture') await this.reclaim(active);
    } catch (err) {
      if (atStart) this.toasts.error('Could not read the recording status', err);
    }
  }

  /** After a reload: this window (or, if no other window answers, any window) feeds the recording again. */
  private async reclaim(active: ActiveRecording): Promise<void> {
    if (!this.ownership.fedBefore(active.recordingId) && (await this.ownership.askOwner(active.recordingId))) {
      this.ownership.otherWindow = true;
      return;
    }
    await this.host.openCase(active.caseId);
    this.mode = 'live';
    await this.takeOver();
  }

  /** Feeds the running capture recording from this window (after a reload, or from another window). */
  async takeOver(): Promise<void> {
    const a = this.active;
    if (!a || a.source !== 'capture') return;
    this.ownership.take(a.recordingId);
    this.sync.tookOver(a.run);
    const ok = await this.devices.acquireRemembered(this.host.captureDevice() || a.sourceLabel);
    // Nothing to capture: the recording waits, and the banner says what to do.
    if (!ok && a.state === 'recording') await this.sync.reportLost(a, 'The app window was reloaded and the capture device could not be opened again.');
    this.sync.decide();
  }

  private clear() {
    this.sync.forget();
    this.upload.stop();
    if (this.ownership.owner || !this.dialog.mode) this.devices.release();
    this.ownership.reset();
    this.confirmStop = false;
    this.stopping = false;
    this.mode = 'live';
  }

  private onEnded(e: RecordingEnded) {
    const a = this.active;
    if ((a && a.recordingId !== e.recordingId) || this.lastEnded === e.recordingId) return;
    this.lastEnded = e.recordingId;
    this.clear();
    this.warnings.clear();
    const n = endedNotice(e, this.host.caseName(e.caseId));
    this.toasts.show(n.kind, n.title, n.message);
  }

  private warn(message: string, freeBytes: number | null, stopping: boolean) {
    this.warnings.add(message, freeBytes, stopping, this.active?.state === 'waiting' && freeBytes === null);
  }

  /** The device went away (unplugged): the run ends, the recording waits for it. */
  private onTrackEnded() {
    this.upload.stop();
    const a = this.active;
    if (a && this.ownership.owner) {
      this.sync.lost(a.run);
      void this.sync.reportLost(a, `${a.sourceLabel} was disconnected.`);
    }
    this.sync.decide();
  }

  private async onDeviceChange() {
    if (this.dialog.mode) await this.devices.listDevices();
    const a = this.active;
    if (!a || !this.ownership.owner || !this.devices.trackLost || this.devices.acquiring) return;
    await this.devices.listDevices();
    const d = this.devices.find(this.host.captureDevice() || a.sourceLabel);
    if (d) await this.resumeCapture(d.deviceId);
  }

  // ---- devices -----------------------------------------------------------------------------

  /** Lists the video inputs and opens the remembered (or first) one; says plainly what is missing. */
  async prepare(): Promise<void> {
    const target = await this.devices.previewTarget(this.host.captureDevice());
    if (!target) return;
    this.previewOnly = true;
    await this.devices.acquire(target.deviceId);
  }

  /** Picks another device in the list: its picture replaces the current one (not while it is being recorded). */
  async choose(deviceId: string): Promise<void> {
    if (deviceId === this.devices.deviceId && this.devices.live()) return;
    if (this.upload.run !== null) return;
    this.devices.release();
    this.previewOnly = !this.active;
    await this.devices.acquire(deviceId);
  }

  /** Resume: open the device again (or another one) and ask for a new run. */
  async resumeCapture(deviceId?: string): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.sync.retry();
    if (!this.ownership.owner) {
      await this.takeOver();
      return;
    }
    const ok = deviceId ? await this.devices.acquire(deviceId) : await this.devices.acquireRemembered(this.host.captureDevice() || a.sourceLabel);
    if (ok && deviceId) {
      const label = this.devices.label;
      if (label) await this.host.rememberDevice(label);
    }
    this.sync.decide();
  }

  // ---- the dialog, start and stop ----------------------------------------------------------

  showDialog(mode: RecordDialogMode = { kind: 'start' }): void {
    if (mode.kind !== 'switch' && this.active) {
      void this.host.openCase(this.active.caseId);
      this.mode = 'live';
      return;
    }
    this.dialog.open(mode, Date.now());
    void this.prepare();
  }

  closeDialog(): void {
    const mode = this.dialog.close();
    // A preview opened only for the dialog lets go of the device; so does one looked at to
    // replace a lost device, when it was not chosen.
    if (mode?.kind === 'switch' && this.active?.state === 'waiting') this.devices.release();
    else if (mode?.kind !== 'switch' && !this.active && this.previewOnly) this.devices.release();
  }

  async start(): Promise<void> {
    const mode = this.dialog.mode;
    const { stream, mimeType } = this.devices;
    if (!mode || mode.kind === 'switch' || !stream || !mimeType || this.starting) return;
    const label = this.devices.label || UNNAMED_DEVICE;
    this.starting = true;
    try {
      const r = await this.api.call(
        'recording.start',
        startRequest(mode, {
          label,
          mimeType,
          frameRate: stream.getVideoTracks()[0]?.getSettings().frameRate,
          segmentSeconds: this.dialog.segmentSeconds,
          name: this.dialog.name,
          now: Date.now(),
        }),
      );
      this.previewOnly = false;
      this.ownership.take(r.recordingId);
      this.sync.startedHere();
      this.warnings.clear();
      if (mode.kind === 'continue') this.interrupted.continued(mode.caseId);
      this.mode = 'live';
      this.dialog.mode = null;
      if (label !== this.host.captureDevice()) void this.host.rememberDevice(label);
      await this.host.openCase(r.caseId);
      await this.loadStatus();
    } catch (err) {
      this.toasts.error('Could not start recording', err);
    } finally {
      this.starting = false;
    }
  }

  /** Uses the device chosen in the dialog for the recording going on (after the old one was lost). */
  async switchDevice(): Promise<void> {
    const a = this.active;
    if (!a || !this.devices.stream) return;
    this.dialog.mode = null;
    this.previewOnly = false;
    const label = this.devices.label;
    if (label) await this.host.rememberDevice(label);
    if (a.state === 'recording' && this.upload.run !== null) {
      // Going on with another device mid-run: that run ends, a fresh one starts.
      this.upload.stop();
      this.sync.lost(a.run);
      await this.sync.reportLost(a, `Switched to ${label || 'another device'}.`);
    }
    // The chosen device's stream is open already: ask for a new run with it.
    this.sync.retry();
    if (!this.ownership.owner) await this.takeOver();
    else this.sync.decide();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.confirmStop = false;
    this.stopping = true;
    try {
      await this.upload.flush();
      const ended = await this.api.call('recording.stop', {});
      if (ended) this.onEnded(ended);
      else this.clear();
    } catch (err) {
      this.toasts.error('Could not stop the recording', err);
    } finally {
      this.stopping = false;
    }
  }

  continueInterrupted(r: InterruptedRecording): void {
    this.showDialog({ kind: 'continue', caseId: r.caseId, caseName: r.caseName });
  }

  // ---- what the UI reads -------------------------------------------------------------------

  /** The case being recorded, when it is `caseId`. */
  recordingOf(caseId: string): ActiveRecording | null {
    return this.active?.caseId === caseId ? this.active : null;
  }

  /** The live picture is shown in place of the player for this case. */
  liveShown(caseId: string): boolean {
    return this.active?.caseId === caseId && this.mode === 'live';
  }

  /** People moved the playhead while the live picture showed: show the recorded part. */
  review(): void {
    if (this.active) this.mode = 'review';
  }

  dispose(): void {
    this.sync.dispose();
    this.ownership.dispose();
  }
}
