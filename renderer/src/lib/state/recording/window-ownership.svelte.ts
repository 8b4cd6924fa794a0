import { channelMessage, replyTo, type ChannelMessage } from '../../recording/ownership.js';

const OWNER_KEY = 'opscope.captureOwner';
const CHANNEL = 'opscope-capture';
/** How long a window waits for the owner of a recording to answer. */
const ASK_MS = 600;

export interface OwnershipEvents {
  /** The recording running now, or null. */
  recordingId(): string | null;
  /** Another window took the recording over: this one stops its run and lets go of the device. */
  letGo(): void;
}

/**
 * Which window feeds a capture recording. Windows of the app talk over a BroadcastChannel; the
 * window's session remembers that it fed the recording, so that it takes it back after a reload.
 */
export class WindowOwnership {
  /** This window feeds the recording. */
  owner = $state(false);
  /** Another window feeds the recording. */
  otherWindow = $state(false);

  private readonly channel: BroadcastChannel | null;

  constructor(private readonly events: OwnershipEvents) {
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
    this.channel?.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
  }

  /** This window fed the recording before it was reloaded. */
  fedBefore(recordingId: string): boolean {
    return sessionStorage.getItem(OWNER_KEY) === recordingId;
  }

  /** Whether another window answers that it feeds the recording. */
  askOwner(recordingId: string): Promise<boolean> {
    const ch = this.channel;
    if (!ch) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onMsg = (e: MessageEvent<unknown>) => {
        const m = channelMessage(e.data);
        if (m?.type === 'me' && m.recordingId === recordingId) done(true);
      };
      const done = (v: boolean) => {
        clearTimeout(timer);
        ch.removeEventListener('message', onMsg);
        resolve(v);
      };
      const timer = setTimeout(() => done(false), ASK_MS);
      ch.addEventListener('message', onMsg);
      this.post({ type: 'who', recordingId });
    });
  }

  /** This window feeds the recording from now on; the window that fed it lets go. */
  take(recordingId: string): void {
    this.post({ type: 'taken', recordingId });
    sessionStorage.setItem(OWNER_KEY, recordingId);
    this.otherWindow = false;
    this.owner = true;
  }

  /** No recording runs: no window feeds one. */
  reset(): void {
    this.owner = false;
    this.otherWindow = false;
    sessionStorage.removeItem(OWNER_KEY);
  }

  dispose(): void {
    this.channel?.close();
  }

  private onMessage(data: unknown) {
    const m = channelMessage(data);
    if (!m) return;
    const reply = replyTo(m, { recordingId: this.events.recordingId(), owner: this.owner });
    if (reply === 'say-me') this.post({ type: 'me', recordingId: m.recordingId });
    if (reply === 'let-go') {
      this.owner = false;
      this.otherWindow = true;
      this.events.letGo();
      sessionStorage.removeItem(OWNER_KEY);
    }
  }

  private post(m: ChannelMessage) {
    this.channel?.postMessage(m);
  }
}
