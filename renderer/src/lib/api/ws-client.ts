import type { CallInput, CallName, CallOutput } from '../../../../main/core/contract/calls.js';
import type { CallRequest, CallResponse, EventMessage, OpscopeApi } from '../../../../main/core/contract/api.js';
import type { EventName, EventPayload } from '../../../../main/core/contract/events.js';
import { OpscopeError, type ErrorCode } from '../../../../main/core/errors.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionInfo {
  state: ConnectionState;
  /** Failed attempts since the connection was last open. */
  attempts: number;
  /** When the next attempt starts (ms since epoch), while reconnecting. */
  nextAttemptAt: number | null;
  /** The connection was open at least once (a later drop is a lost connection, not a slow start). */
  everOpen: boolean;
}

interface Pending {
  name: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Queued {
  request: CallRequest;
  pending: Pending;
  timer: ReturnType<typeof setTimeout>;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
/** A call made while the socket is (re)connecting waits this long for it before failing. */
const QUEUE_TIMEOUT_MS = 15_000;

export interface WsClientOptions {
  url?: string;
  /** Injected for tests; the browser's WebSocket otherwise. */
  WebSocketImpl?: typeof WebSocket;
}

/**
 * The browser transport of the contract: one WebSocket to the Node host (`/ws`, authenticated
 * by the cookie the host set when the page was opened with its token). Requests carry an id and
 * are answered by id; events arrive unasked. The socket reconnects with backoff; calls that were
 * in flight when it dropped fail with a readable reason, calls made meanwhile wait for it.
 */
export class WsClient implements OpscopeApi {
  readonly transport = 'web' as const;
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Queued[] = [];
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly connectionListeners = new Set<(info: ConnectionInfo) => void>();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private info: ConnectionInfo = { state: 'connecting', attempts: 0, nextAttemptAt: null, everOpen: false };
  private readonly url: string;
  private readonly WS: typeof WebSocket;

  constructor(opts: WsClientOptions = {}) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = opts.url ?? `${proto}//${location.host}/ws`;
    this.WS = opts.WebSocketImpl ?? WebSocket;
    this.connect();
  }

  get connection(): ConnectionInfo {
    return this.info;
  }

  onConnection(listener: (info: ConnectionInfo) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.info);
    return () => this.connectionListeners.delete(listener);
  }

  /** Skips the backoff wait and tries at once. */
  reconnectNow(): void {
    if (this.info.state === 'open' || this.closed) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.close();
  }

  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    return new Promise<CallOutput<K>>((resolve, reject) => {
      const request: CallRequest = { id: this.nextId++, name, input: input ?? {} };
      const pending: Pending = { name, resolve: resolve as (v: unknown) => void, reject };
      if (this.socket && this.socket.readyState === this.WS.OPEN) {
        this.pending.set(request.id, pending);
        this.socket.send(JSON.stringify(request));
        return;
      }
      if (this.info.state === 'reconnecting') {
        // The connection was lost: say so at once rather than leave the user waiting.
        reject(
          new OpscopeError(
            'unavailable',
            `Not connected to the Opscope server (${describeCall(name)}): the connection was lost and is being restored. Try again when the banner at the top is gone.`,
          ),
        );
        return;
      }
      // Still starting up: wait for the first connection a little while.
      const timer = setTimeout(() => {
        const i = this.queue.findIndex((q) => q.request.id === request.id);
        if (i >= 0) this.queue.splice(i, 1);
        reject(
          new OpscopeError(
            'unavailable',
            `Cannot reach the Opscope server (${describeCall(name)}). Check that \`opscope serve\` is still running.`,
          ),
        );
      }, QUEUE_TIMEOUT_MS);
      this.queue.push({ request, pending, timer });
    });
  }

  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  mediaUrl(path: string): string {
    return `/media${path}`;
  }

  pathForFile(): string | null {
    return null;
  }

  private setInfo(patch: Partial<ConnectionInfo>) {
    this.info = { ...this.info, ...patch };
    for (const l of this.connectionListeners) l(this.info);
  }

  private connect() {
    if (this.closed) return;
    let ws: WebSocket;
    try {
      ws = new this.WS(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = ws;
    ws.onopen = () => {
      this.setInfo({ state: 'open', attempts: 0, nextAttemptAt: null, everOpen: true });
      for (const q of this.queue.splice(0)) {
        clearTimeout(q.timer);
        this.pending.set(q.request.id, q.pending);
        ws.send(JSON.stringify(q.request));
      }
    };
    ws.onmessage = (e: MessageEvent) => this.receive(e.data);
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.failInFlight();
      this.scheduleReconnect();
    };
    // An error is always followed by close; the close handler does the work.
    ws.onerror = () => undefined;
  }

  private failInFlight() {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(
        new OpscopeError(
          'unavailable',
          `The connection to the Opscope server was lost while ${describeCall(p.name)}. It is reconnecting; try again in a moment.`,
        ),
      );
    }
  }

  private scheduleReconnect() {
    if (this.closed) return;
    const attempts = this.info.attempts + 1;
    const delay = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
    this.setInfo({ state: this.info.everOpen ? 'reconnecting' : 'connecting', attempts, nextAttemptAt: Date.now() + delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private receive(data: unknown) {
    if (typeof data !== 'string') return;
    let msg: CallResponse | EventMessage;
    try {
      msg = JSON.parse(data) as CallResponse | EventMessage;
    } catch {
      return;
    }
    if ('event' in msg) {
      this.listeners.get(msg.event)?.forEach((l) => {
        try {
          l(msg.payload);
        } catch (err) {
          console.error(`listener for ${msg.event} failed`, err);
        }
      });
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new OpscopeError(msg.error.code as ErrorCode, msg.error.message, msg.error.detail));
  }
}

const CALL_PURPOSE: Record<string, string> = {
  'cases.import': 'importing recordings',
  'demo.create': 'generating the demo case',
  'frames.get': 'extracting a frame',
  'cases.frameTimes': 'reading frame timestamps',
};

function describeCall(name: string): string {
  return CALL_PURPOSE[name] ?? `calling ${name}`;
}
