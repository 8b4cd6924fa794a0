import type { CallInput, CallName, CallOutput } from './calls.js';
import type { EventName, EventPayload } from './events.js';

/**
 * What the renderer sees as `window.opscope`, identical over Electron IPC and the Node host's
 * WebSocket. Media paths from the contract (e.g. a frame's `src`) become loadable URLs through
 * `mediaUrl`.
 */
export interface OpscopeApi {
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
  mediaUrl(path: string): string;
  /** Real path of a dropped file; null where the platform does not expose it (browsers). */
  pathForFile(file: unknown): string | null;
  readonly transport: 'electron' | 'web';
}

/** The wire format shared by both transports. */
export interface CallRequest {
  id: number;
  name: string;
  input: unknown;
}
export type CallResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string; detail?: string } };
export interface EventMessage {
  event: string;
  payload: unknown;
}
