import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import type { ActiveRecording, InterruptedRecording, RecordingEnded } from '../../../../main/core/contract/recording-schemas.js';
import { errorCode, errorMessage } from '../api/index.js';
import {
  captureBitrate, captureConstraints, captureErrorKind, chooseMimeType, defaultRecordingName, SEGMENT_SECONDS,
} from '../recording/capture.js';
import { ChunkQueue, type QueueEnd } from '../recording/chunks.js';
import { findDevice, type VideoDevice } from '../recording/devices.js';
import { captureAction, ResumeBudget, type CaptureLocal } from '../recording/runs.js';
import { duration as fmtDuration, plural } from '../util/format.js';
import type { Toasts } from './toasts.svelte.js';

/** What keeps the window from capturing, said plainly. */
export interface CaptureProblem {
  kind: 'unsupported' | 'no-recorder' | 'no-device' | 'denied' | 'busy' | 'failed';
  title: string;
  message: string;
}

export interface RecordingWarning {
  id: number;
  message: string;
  /** Disk space (bytes) when the warning is about the disk. */
  freeBytes: number | null;
  stopping: boolean;
  /** Said while the recording waited for its source (the banner over the picture says it too). */
  duringWait: boolean;
}

/** What the record dialog is for. */
export type RecordDialogMode =
  | { kind: 'start' }
  /** Continue an interrupted recording into its case. */
  | { kind: 'continue'; caseId: string; caseName: string }
  /** The recording goes on with another device. */
  | { kind: 'switch' };

/** What the recorder needs of the app. */
export interface RecorderHost {
  captureDevice(): string;
  rememberDevice(label: string): Promise<void>;
  openCase(caseId: string): Promise<void>;
  currentCaseId(): string | null;
  /** The recording's case time "now" changed (null: no longer recording). */
  liveEdgeChanged(caseId: string, edge: number | null): void;
  caseName(caseId: string): string | null;
  desktop(): boolean;
}

interface RunRecorder {
  run: number;
  recorder: MediaRecorder;
  queue: ChunkQueue<Blob>;
  stopped: Promise<void>;
}

const OWNER_KEY = 'opscope.captureOwner';
const DISMISSED_KEY = 'opscope.interruptedDismissed';
const CHANNEL = 'opscope-capture';
const POLL_MS = 1000;
const RESUME_RETRY_MS = 5000;

type ChannelMessage = { type: 'who'; recordingId: string } | { type: 'me'; recordingId: string } | { type: 'taken'; recordingId: string };

/**
 * Operating-room mode in the window: the capture devices, the stream of the chosen one (shown as
 * the live preview), one MediaRecorder per run of the recording sending its pieces in order, the
 * backend's view of the recording (state, live edge, segments), warnings, and recordings cut
 * short by a crash.
 *
 * A recording is fed by one window, its owner. A window reloaded while it recorded takes the
 * recording back: the run it can no longer join is ended and a fresh one starts (the missed
 * seconds become a gap on the timeline).
 */
export class Recorder {
  devices = $state.raw<VideoDevice[]>([]);
  deviceId = $state<string | null>(null);
  stream = $state.raw<MediaStream | null>(null);
  /** The stream's video track ended (unplugged) and no new one was acquired since. */
  trackLost = $state(false);
  problem = $state<CaptureProblem | null>(null);
  acquiring = $state(false);
  /** The backend's view of the running recording (any source), or null. */
  active = $state.raw<ActiveRecording | null>(null);
  /** This window feeds the recording. */
  owner = $state(false);
  /** Another window feeds the recording. */
  otherWindow = $state(false);
  warnings = $state<RecordingWarning[]>([]);
  interrupted = $state.raw<InterruptedRecording[]>([]);
  dismissed = $state<string[]>(readDismissed());
  dialog = $state<RecordDialogMode | null>(null);
  confirmStop = $state(false);
  /** While recording, the player area shows the live picture or lets people review what is recorded. */
  mode = $state<'live' | 'review'>('live');
  starting = $state(false);
  stopping = $state(false);
  /** Pieces of the stream not yet sent (a slow connection shows here). */
  backlog = $state(0);
  /** The run being sent, for tests and the status strip. */
  sendingRun = $state<number | null>(null);
  /** The recorder's type for this window, chosen once. */
  readonly mimeType: string | null;
  readonly supported: boolean;

  /** Fields of the record dialog. */
  name = $state('');
  segmentSeconds = $state<number>(SEGMENT_SECONDS.default);

  visibleInterrupted = $derived(this.interrupted.filter((r) => !this.dismissed.includes(r.recordingId)));
  recording = $derived(this.active !== null);
  deviceLabel = $derived(this.devices.find((d) => d.deviceId === this.deviceId)?.label ?? '');

  private local: CaptureLocal = { owner: false, baseRun: 0, capturingRun: null, refusedRun: null, lostRun: null, resumeAskedAt: null, trackLive: false };
  private resumeAskedTime = 0;
  private runRec: RunRecorder | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private deciding = false;
  private decideAgain = false;
  private readonly budget = new ResumeBudget();
  private readonly channel: BroadcastChannel | null;
  private nextWarning = 1;
  private trackOff: (() => void) | null = null;
  private previewOnly = false;
  private lastEnded: string | null = null;

  constructor(
    private readonly api: OpscopeApi,
    private readonly toasts: Toasts,
    private readonly host: RecorderHost,
  ) {
    this.supported = typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
    this.mimeType = typeof MediaRecorder === 'undefined' ? null : chooseMimeType((t) => MediaRecorder.isTypeSupported(t));
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
    this.channel?.addEventListener('message', (e: MessageEvent<ChannelMessage>) => this.onChannel(e.data));
  }

  // ---- start-up and events ---------------------------------------------------------------

  async init(): Promise<void> {
    this.api.on('recording.state', (a) => this.apply(a));
    this.api.on('recording.segment', (p) => {
      const a = this.active;
      if (a && a.caseId === p.caseId) this.active = { ...a, segments: p.segments, duration: p.duration };
    });
    this.api.on('recording.warning', (w) => this.warn(w.message, w.freeBytes !== null && w.freeBytes >= 0 ? w.freeBytes : null, w.stopping));
    this.api.on('recording.ended', (e) => this.onEnded(e));
    this.api.on('recording.interrupted', ({ recordings }) => (this.interrupted = recordings));
    navigator.mediaDevices?.addEventListener?.('devicechange', () => void this.onDeviceChange());
    await Promise.all([this.loadInterrupted(), this.loadStatus(true)]);
  }

  async loadInterrupted(): Promise<void> {
    try {
      this.interrupted = await this.api.call('recording.interrupted', {});
    } catch (err) {
      this.toasts.error('Could not check for interrupted recordings', err);
    }
  }

  /** Reads the recording's state; at start, a capture recording left by this window is taken back. */
  async loadStatus(atStart = false): Promise<void> {
    try {
      const { active } = await this.api.call('recording.status', {});
      if (!active) {
        if (this.active) this.clear();
        return;
      }
      this.apply(active);
      if (atStart && active.source === 'capture') await this.reclaim(active);
    } catch (err) {
      if (atStart) this.toasts.error('Could not read the recording status', err);
    }
  }

  /** After a reload: this window (or, if no other window answers, any window) feeds the recording again. */
  private async reclaim(active: ActiveRecording): Promise<void> {
    const mine = sessionStorage.getItem(OWNER_KEY) === active.recordingId;
    if (!mine && (await this.askOwner(active.recordingId))) {
      this.otherWindow = true;
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
    this.channel?.postMessage({ type: 'taken', recordingId: a.recordingId } satisfies ChannelMessage);
    sessionStorage.setItem(OWNER_KEY, a.recordingId);
    this.otherWindow = false;
    this.owner = true;
    this.local = { ...this.local, owner: true, baseRun: a.run, refusedRun: null, lostRun: null, resumeAskedAt: null };
    this.budget.reset();
    const ok = await this.acquireRemembered(a.sourceLabel);
    if (!ok) {
      // Nothing to capture: the recording waits, and the banner says what to do.
      if (a.state === 'recording') await this.reportLost(a, 'The app window was reloaded and the capture device could not be opened again.');
    }
    this.decide();
  }

  private askOwner(recordingId: string): Promise<boolean> {
    const ch = this.channel;
    if (!ch) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onMsg = (e: MessageEvent<ChannelMessage>) => {
        if (e.data.type === 'me' && e.data.recordingId === recordingId) done(true);
      };
      const done = (v: boolean) => {
        clearTimeout(timer);
        ch.removeEventListener('message', onMsg);
        resolve(v);
      };
      const timer = setTimeout(() => done(false), 600);
      ch.addEventListener('message', onMsg);
      ch.postMessage({ type: 'who', recordingId } satisfies ChannelMessage);
    });
  }

  private onChannel(m: ChannelMessage) {
    const a = this.active;
    if (!a || m.recordingId !== a.recordingId) return;
    if (m.type === 'who' && this.owner) this.channel?.postMessage({ type: 'me', recordingId: a.recordingId } satisfies ChannelMessage);
    if (m.type === 'taken' && this.owner) {
      // Another window feeds the recording now: this one lets go of the device.
      this.owner = false;
      this.local = { ...this.local, owner: false };
      this.otherWindow = true;
      this.stopRun();
      this.releaseStream();
      sessionStorage.removeItem(OWNER_KEY);
    }
  }

  /** The backend's view changed (event, poll or call result). */
  apply(a: ActiveRecording): void {
    const prev = this.active;
    if (prev && prev.recordingId === a.recordingId && a.run < prev.run) return;
    // The source is back: what was said about its absence is over.
    if (prev?.state === 'waiting' && a.state === 'recording') this.warnings = this.warnings.filter((w) => !w.duringWait);
    this.active = a;
    this.host.liveEdgeChanged(a.caseId, a.liveEdge);
    if (!this.pollTimer) this.pollTimer = setInterval(() => void this.loadStatus(), POLL_MS);
    this.decide();
  }

  private clear() {
    const a = this.active;
    this.active = null;
    if (a) this.host.liveEdgeChanged(a.caseId, null);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.stopRun();
    if (this.owner || !this.dialog) this.releaseStream();
    this.owner = false;
    this.otherWindow = false;
    this.local = { owner: false, baseRun: 0, capturingRun: null, refusedRun: null, lostRun: null, resumeAskedAt: null, trackLive: this.local.trackLive };
    this.confirmStop = false;
    this.stopping = false;
    this.mode = 'live';
    sessionStorage.removeItem(OWNER_KEY);
  }

  private onEnded(e: RecordingEnded) {
    const a = this.active;
    if ((a && a.recordingId !== e.recordingId) || this.lastEnded === e.recordingId) return;
    this.lastEnded = e.recordingId;
    this.clear();
    this.warnings = [];
    const what = `${plural(e.segments, 'segment')}, ${fmtDuration(e.duration)}`;
    const name = this.host.caseName(e.caseId);
    const into = name ? ` into “${name}”` : '';
    if (e.reason === 'stopped') this.toasts.success(`Recording stopped: ${what}${into}`, e.message ?? '');
    else if (e.reason === 'disk-full') this.toasts.show('error', `Recording stopped: the disk is full (${what} kept)`, e.message ?? '');
    else if (e.reason === 'failed') this.toasts.show('error', `Recording failed (${what} kept)`, e.message ?? '');
    else this.toasts.info(`Recording ended: the source ended (${what})`, e.message ?? '');
  }

  private warn(message: string, freeBytes: number | null, stopping: boolean) {
    if (this.warnings.some((w) => w.message === message)) return;
    const id = this.nextWarning++;
    const duringWait = this.active?.state === 'waiting' && freeBytes === null;
    this.warnings = [...this.warnings.slice(-3), { id, message, freeBytes, stopping, duringWait }];
  }

  dismissWarning(id: number): void {
    this.warnings = this.warnings.filter((w) => w.id !== id);
  }

  // ---- what to do about the recording ------------------------------------------------------

  /** Applies the decision until there is nothing more to do; one pass at a time. */
  private decide(): void {
    if (this.deciding) {
      this.decideAgain = true;
      return;
    }
    this.deciding = true;
    void (async () => {
      try {
        for (let i = 0; i < 6; i++) {
          this.decideAgain = false;
          if (this.local.resumeAskedAt !== null && Date.now() - this.resumeAskedTime > RESUME_RETRY_MS) this.local.resumeAskedAt = null;
          this.local.trackLive = this.streamLive();
          const action = captureAction(this.active, this.local);
          // A device being looked at in the switch dialog is used only once people choose it.
          if (action.kind === 'none' || (action.kind === 'resume' && this.dialog?.kind === 'switch')) {
            if (!this.decideAgain) break;
            continue;
          }
          await this.act(action);
        }
      } finally {
        this.deciding = false;
      }
      // Something changed during the last step: look again.
      if (this.decideAgain) {
        this.decideAgain = false;
        this.decide();
      }
    })();
  }

  private async act(action: Exclude<ReturnType<typeof captureAction>, { kind: 'none' }>): Promise<void> {
    const a = this.active;
    switch (action.kind) {
      case 'stop-run':
        this.stopRun();
        return;
      case 'start-run':
        this.startRun(action.run);
        return;
      case 'lose':
        this.local.lostRun = action.run;
        if (a) await this.reportLost(a, this.trackLost ? `${a.sourceLabel} was disconnected.` : 'The app window was reloaded: the stream starts again.');
        return;
      case 'resume': {
        if (!a) return;
        if (!this.budget.take(Date.now())) {
          // Failing again and again: people decide (the banner offers Resume).
          this.local.resumeAskedAt = action.run;
          this.resumeAskedTime = Number.POSITIVE_INFINITY;
          return;
        }
        this.local.resumeAskedAt = action.run;
        this.resumeAskedTime = Date.now();
        try {
          const next = await this.api.call('recording.resume', { recordingId: a.recordingId });
          this.apply(next);
        } catch (err) {
          if (errorCode(err) !== 'not-found') this.toasts.error('Could not resume the recording', err);
        }
        return;
      }
    }
  }

  private async reportLost(a: ActiveRecording, message: string): Promise<void> {
    try {
      const next = await this.api.call('recording.sourceLost', { recordingId: a.recordingId, message });
      this.apply(next);
    } catch (err) {
      if (errorCode(err) !== 'not-found') this.toasts.error('Could not tell Opscope that the source was lost', err);
    }
  }

  // ---- one run: a fresh MediaRecorder on the stream -----------------------------------------

  private startRun(run: number): void {
    this.stopRun();
    const a = this.active;
    const stream = this.stream;
    if (!a || !stream || !this.mimeType) return;
    const track = stream.getVideoTracks()[0];
    const settings = track?.getSettings() ?? {};
    let recorder: MediaRecorder;
    try {
      recorder = new MediaRecorder(stream, {
        mimeType: this.mimeType,
        videoBitsPerSecond: captureBitrate(settings.width ?? 0, settings.height ?? 0, settings.frameRate ?? 0),
      });
    } catch (err) {
      this.local.refusedRun = run;
      this.toasts.error('The video recorder could not start', err);
      return;
    }
    const recordingId = a.recordingId;
    const queue = new ChunkQueue<Blob>({
      run,
      read: async (blob) => new Uint8Array(await blob.arrayBuffer()),
      send: async (piece) => {
        const r = await this.api.call('recording.chunk', { recordingId, ...piece });
        this.backlog = queue.backlog - 1;
        return r.accepted;
      },
      onEnd: (end) => this.runEnded(run, end),
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
      if (this.runRec?.recorder === recorder) this.runEnded(run, { kind: 'failed', message });
    });
    this.runRec = { run, recorder, queue, stopped };
    this.local.capturingRun = run;
    this.sendingRun = run;
    try {
      recorder.start(1000);
    } catch (err) {
      this.runRec = null;
      this.local.capturingRun = null;
      this.sendingRun = null;
      this.local.refusedRun = run;
      this.toasts.error('The video recorder could not start', err);
    }
  }

  private runEnded(run: number, end: QueueEnd) {
    if (this.runRec?.run !== run) return;
    this.stopRun();
    if (end.kind === 'refused') {
      this.local.refusedRun = run;
    } else {
      // Sending failed for good (the connection is gone): the backend waits for a new run.
      this.local.refusedRun = run;
      const a = this.active;
      if (a) void this.reportLost(a, `The stream could not be sent: ${end.message}`);
    }
    this.decide();
  }

  private stopRun(): void {
    const r = this.runRec;
    if (!r) return;
    this.runRec = null;
    this.local.capturingRun = null;
    this.sendingRun = null;
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
  private async flushRun(): Promise<void> {
    const r = this.runRec;
    if (!r) return;
    if (r.recorder.state !== 'inactive') r.recorder.stop();
    await Promise.race([r.stopped, sleep(2000)]);
    await Promise.race([r.queue.idle(), sleep(5000)]);
    this.stopRun();
  }

  // ---- devices -----------------------------------------------------------------------------

  /** Lists the video inputs and opens the remembered (or first) one; says plainly what is missing. */
  async prepare(): Promise<void> {
    this.problem = this.capabilityProblem();
    if (this.problem) return;
    if (this.stream && this.streamLive()) {
      await this.listDevices();
      return;
    }
    await this.listDevices();
    const wanted = findDevice(this.devices, { label: this.host.captureDevice(), deviceId: this.deviceId });
    const target = wanted ?? this.devices[0] ?? null;
    if (!target && this.devices.length === 0) {
      this.problem = noDevice();
      return;
    }
    this.previewOnly = true;
    await this.acquire(target?.deviceId ?? null);
  }

  private capabilityProblem(): CaptureProblem | null {
    if (!this.supported) {
      return {
        kind: 'unsupported',
        title: 'This window cannot use cameras',
        message: this.host.desktop()
          ? 'The desktop app could not reach the media devices of this computer.'
          : 'This browser does not offer cameras to the page (they are only offered on a secure page such as http://127.0.0.1). Use the desktop app, or a current Chromium, Chrome, Edge or Firefox.',
      };
    }
    if (!this.mimeType) {
      return {
        kind: 'no-recorder',
        title: 'This window cannot record video',
        message:
          typeof MediaRecorder === 'undefined'
            ? 'MediaRecorder is missing here. Use the desktop app, or a current Chromium, Chrome, Edge or Firefox.'
            : 'The browser cannot write WebM or Matroska video. Use the desktop app, or a current Chromium, Chrome, Edge or Firefox.',
      };
    }
    return null;
  }

  async listDevices(): Promise<void> {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      this.devices = all.filter((d) => d.kind === 'videoinput').map((d) => ({ deviceId: d.deviceId, label: d.label }));
    } catch (err) {
      this.devices = [];
      this.problem = { kind: 'failed', title: 'The devices could not be listed', message: errorMessage(err) };
    }
  }

  /** Opens a device and shows its picture; the stream is what a recording captures. */
  async acquire(deviceId: string | null): Promise<boolean> {
    this.problem = this.capabilityProblem();
    if (this.problem) return false;
    this.acquiring = true;
    try {
      const stream = await navigator.mediaDevices.getUserMedia(captureConstraints(deviceId));
      this.setStream(stream);
      // Names are only given once the page may use cameras: list again.
      await this.listDevices();
      const id = stream.getVideoTracks()[0]?.getSettings().deviceId ?? deviceId;
      this.deviceId = id ?? null;
      this.problem = null;
      return true;
    } catch (err) {
      const name = err instanceof DOMException || err instanceof Error ? err.name : '';
      this.problem = this.describeError(captureErrorKind(name), err);
      return false;
    } finally {
      this.acquiring = false;
    }
  }

  private describeError(kind: ReturnType<typeof captureErrorKind>, err: unknown): CaptureProblem {
    switch (kind) {
      case 'denied':
        return {
          kind,
          title: 'Permission to use the camera was refused',
          message: this.host.desktop()
            ? 'Opscope was not allowed to open the capture device. Check the operating system’s camera privacy settings for Opscope, then look again.'
            : 'The browser refused access to the camera. Allow camera access for this page (the camera icon in the address bar), then look again.',
        };
      case 'no-device':
        return noDevice();
      case 'busy':
        return {
          kind,
          title: 'The device could not be opened',
          message: 'It is in use by another program (or another window), or it stopped responding. Close the other program, or unplug and plug the device back in, then look again.',
        };
      default:
        return { kind, title: 'The device could not be opened', message: errorMessage(err) };
    }
  }

  /** Picks another device in the list: its picture replaces the current one (not while it is being recorded). */
  async choose(deviceId: string): Promise<void> {
    if (deviceId === this.deviceId && this.streamLive()) return;
    if (this.local.capturingRun !== null) return;
    this.releaseStream();
    this.previewOnly = !this.active;
    await this.acquire(deviceId);
  }

  private async acquireRemembered(fallbackLabel: string): Promise<boolean> {
    if (this.capabilityProblem()) {
      this.problem = this.capabilityProblem();
      return false;
    }
    await this.listDevices();
    const d = findDevice(this.devices, { label: this.host.captureDevice() || fallbackLabel, deviceId: this.deviceId });
    if (!d) {
      this.problem = noDevice();
      return false;
    }
    return this.acquire(d.deviceId);
  }

  private setStream(stream: MediaStream) {
    this.releaseStream();
    this.stream = stream;
    this.trackLost = false;
    const track = stream.getVideoTracks()[0];
    if (track) {
      const ended = () => this.onTrackEnded(stream);
      track.addEventListener('ended', ended);
      this.trackOff = () => track.removeEventListener('ended', ended);
    }
    this.decide();
  }

  private releaseStream() {
    this.trackOff?.();
    this.trackOff = null;
    const s = this.stream;
    this.stream = null;
    s?.getTracks().forEach((t) => t.stop());
  }

  private streamLive(): boolean {
    const t = this.stream?.getVideoTracks()[0];
    return !!t && t.readyState === 'live' && !this.trackLost;
  }

  /** The device went away (unplugged): the run ends, the recording waits for it. */
  private onTrackEnded(stream: MediaStream) {
    if (stream !== this.stream) return;
    this.trackLost = true;
    this.stopRun();
    const a = this.active;
    if (a && this.owner) {
      this.local.lostRun = a.run;
      void this.reportLost(a, `${a.sourceLabel} was disconnected.`);
    }
    this.decide();
  }

  private async onDeviceChange() {
    if (this.dialog) await this.listDevices();
    const a = this.active;
    if (!a || !this.owner || !this.trackLost || this.acquiring) return;
    await this.listDevices();
    const d = findDevice(this.devices, { label: this.host.captureDevice() || a.sourceLabel, deviceId: this.deviceId });
    if (d) await this.resumeCapture(d.deviceId);
  }

  /** Resume: open the device again (or another one) and ask for a new run. */
  async resumeCapture(deviceId?: string): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.budget.reset();
    this.local.resumeAskedAt = null;
    this.local.refusedRun = null;
    if (!this.owner) {
      await this.takeOver();
      return;
    }
    const ok = deviceId ? await this.acquire(deviceId) : await this.acquireRemembered(a.sourceLabel);
    if (ok && deviceId) {
      const label = this.deviceLabel;
      if (label) await this.host.rememberDevice(label);
    }
    this.decide();
  }

  // ---- the dialog, start and stop ----------------------------------------------------------

  showDialog(mode: RecordDialogMode = { kind: 'start' }): void {
    if (mode.kind !== 'switch' && this.active) {
      void this.host.openCase(this.active.caseId);
      this.mode = 'live';
      return;
    }
    this.dialog = mode;
    this.name = defaultRecordingName(Date.now());
    void this.prepare();
  }

  closeDialog(): void {
    const mode = this.dialog;
    this.dialog = null;
    // A preview opened only for the dialog lets go of the device; so does one looked at to
    // replace a lost device, when it was not chosen.
    if (mode?.kind === 'switch' && this.active?.state === 'waiting') this.releaseStream();
    else if (mode?.kind !== 'switch' && !this.active && this.previewOnly) this.releaseStream();
  }

  async start(): Promise<void> {
    const mode = this.dialog;
    const mimeType = this.mimeType;
    if (!mode || mode.kind === 'switch' || !this.stream || !mimeType || this.starting) return;
    const label = this.deviceLabel || 'Capture device';
    const seconds = this.segmentSeconds;
    this.starting = true;
    try {
      const frameRate = this.stream.getVideoTracks()[0]?.getSettings().frameRate;
      const r = await this.api.call('recording.start', {
        source: { capture: { label, mimeType, ...(frameRate && frameRate >= 1 && frameRate <= 240 ? { frameRate } : {}) } },
        segmentSeconds: seconds,
        ...(mode.kind === 'continue' ? { caseId: mode.caseId } : { name: this.name.trim() || defaultRecordingName(Date.now()) }),
      });
      this.previewOnly = false;
      this.owner = true;
      this.otherWindow = false;
      this.local = { owner: true, baseRun: 0, capturingRun: null, refusedRun: null, lostRun: null, resumeAskedAt: null, trackLive: this.streamLive() };
      this.budget.reset();
      this.warnings = [];
      sessionStorage.setItem(OWNER_KEY, r.recordingId);
      this.channel?.postMessage({ type: 'taken', recordingId: r.recordingId } satisfies ChannelMessage);
      if (mode.kind === 'continue') this.interrupted = this.interrupted.filter((x) => x.caseId !== mode.caseId);
      this.mode = 'live';
      this.dialog = null;
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
    if (!a || !this.stream) return;
    this.dialog = null;
    this.previewOnly = false;
    const label = this.deviceLabel;
    if (label) await this.host.rememberDevice(label);
    if (a.state === 'recording' && this.local.capturingRun !== null) {
      // Going on with another device mid-run: that run ends, a fresh one starts.
      this.stopRun();
      this.local.lostRun = a.run;
      await this.reportLost(a, `Switched to ${label || 'another device'}.`);
    }
    // The chosen device's stream is open already: ask for a new run with it.
    this.budget.reset();
    this.local.resumeAskedAt = null;
    this.local.refusedRun = null;
    if (!this.owner) await this.takeOver();
    else this.decide();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.confirmStop = false;
    this.stopping = true;
    try {
      await this.flushRun();
      const ended = await this.api.call('recording.stop', {});
      if (ended) this.onEnded(ended);
      else this.clear();
    } catch (err) {
      this.toasts.error('Could not stop the recording', err);
    } finally {
      this.stopping = false;
    }
  }

  // ---- interrupted recordings --------------------------------------------------------------

  dismissInterrupted(recordingId: string): void {
    this.dismissed = [...this.dismissed, recordingId].slice(-50);
    localStorage.setItem(DISMISSED_KEY, JSON.stringify(this.dismissed));
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
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.channel?.close();
  }
}

function noDevice(): CaptureProblem {
  return {
    kind: 'no-device',
    title: 'No camera or capture device found',
    message: 'Connect the capture card (or camera) that carries the endoscope picture, then look again.',
  };
}

function readDismissed(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
