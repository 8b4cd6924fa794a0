import { errorMessage } from '../../api/index.js';
import { captureConstraints, captureErrorKind, chooseMimeType } from '../../recording/capture.js';
import { findDevice, type VideoDevice } from '../../recording/devices.js';
import { capabilityProblem, noDevice, openProblem, type CaptureProblem } from '../../recording/problems.js';

export interface DeviceEvents {
  /** The window is the desktop app (camera permission is then the operating system's). */
  desktop(): boolean;
  /** A stream was opened: a recording waiting for one may go on. */
  streamOpened(): void;
  /** The open stream's video track ended (unplugged); `trackLost` is set. */
  trackEnded(): void;
}

/**
 * The window's video inputs and the stream of the chosen one: shown as the preview and the live
 * picture, and what a recording captures. Says plainly what keeps the window from capturing.
 */
export class CaptureDevices {
  list = $state.raw<VideoDevice[]>([]);
  deviceId = $state<string | null>(null);
  stream = $state.raw<MediaStream | null>(null);
  /** The stream's video track ended (unplugged) and no new one was acquired since. */
  trackLost = $state(false);
  problem = $state<CaptureProblem | null>(null);
  acquiring = $state(false);
  /** The recorder's type for this window, chosen once. */
  readonly mimeType: string | null;
  readonly supported: boolean;
  /** The chosen device's name ('' while the browser hides names). */
  label = $derived(this.list.find((d) => d.deviceId === this.deviceId)?.label ?? '');

  private trackOff: (() => void) | null = null;

  constructor(private readonly events: DeviceEvents) {
    this.supported = typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
    this.mimeType = typeof MediaRecorder === 'undefined' ? null : chooseMimeType((t) => MediaRecorder.isTypeSupported(t));
  }

  capabilityProblem(): CaptureProblem | null {
    return capabilityProblem({ cameras: this.supported, recorder: typeof MediaRecorder !== 'undefined', mimeType: this.mimeType, desktop: this.events.desktop() });
  }

  /** The stream's video track is live. */
  live(): boolean {
    const t = this.stream?.getVideoTracks()[0];
    return !!t && t.readyState === 'live' && !this.trackLost;
  }

  /** The device remembered as `label` (or the one chosen before), among those listed. */
  find(label: string): VideoDevice | null {
    return findDevice(this.list, { label, deviceId: this.deviceId });
  }

  async listDevices(): Promise<void> {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      this.list = all.filter((d) => d.kind === 'videoinput').map((d) => ({ deviceId: d.deviceId, label: d.label }));
    } catch (err) {
      this.list = [];
      this.problem = { kind: 'failed', title: 'The devices could not be listed', message: errorMessage(err) };
    }
  }

  /**
   * Lists the video inputs for the record dialog; the device to open for its preview (the
   * remembered one, else the first), or null when the open stream is live already or there is
   * nothing to open (`problem` says why).
   */
  async previewTarget(remembered: string): Promise<{ deviceId: string } | null> {
    this.problem = this.capabilityProblem();
    if (this.problem) return null;
    const open = this.stream !== null && this.live();
    await this.listDevices();
    if (open) return null;
    const target = this.find(remembered) ?? this.list[0] ?? null;
    if (!target) {
      this.problem = noDevice();
      return null;
    }
    return { deviceId: target.deviceId };
  }

  /** Opens a device and shows its picture; false (with the problem said) when it cannot be opened. */
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
      this.problem = openProblem(captureErrorKind(name), this.events.desktop(), errorMessage(err));
      return false;
    } finally {
      this.acquiring = false;
    }
  }

  /** Opens the device remembered as `label` again (after a reload, or when it is back). */
  async acquireRemembered(label: string): Promise<boolean> {
    const problem = this.capabilityProblem();
    if (problem) {
      this.problem = problem;
      return false;
    }
    await this.listDevices();
    const d = this.find(label);
    if (!d) {
      this.problem = noDevice();
      return false;
    }
    return this.acquire(d.deviceId);
  }

  /** Lets go of the device. */
  release(): void {
    this.trackOff?.();
    this.trackOff = null;
    const s = this.stream;
    this.stream = null;
    s?.getTracks().forEach((t) => t.stop());
  }

  private setStream(stream: MediaStream) {
    this.release();
    this.stream = stream;
    this.trackLost = false;
    const track = stream.getVideoTracks()[0];
    if (track) {
      const ended = () => this.onTrackEnded(stream);
      track.addEventListener('ended', ended);
      this.trackOff = () => track.removeEventListener('ended', ended);
    }
    this.events.streamOpened();
  }

  private onTrackEnded(stream: MediaStream) {
    if (stream !== this.stream) return;
    this.trackLost = true;
    this.events.trackEnded();
  }
}
