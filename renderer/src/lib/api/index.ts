import type { OpscopeApi } from '../../../../main/core/contract/api.js';
import { WsClient } from './ws-client.js';

declare global {
  interface Window {
    /** Put there by the desktop app's preload; absent in a browser. */
    opscope?: OpscopeApi;
  }
}

/** The desktop app's bridge when there is one, else the WebSocket transport to the Node host. */
export function createApi(): { api: OpscopeApi; ws: WsClient | null } {
  if (window.opscope) return { api: window.opscope, ws: null };
  const ws = new WsClient();
  return { api: ws, ws };
}

/** A message a person can read, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}

export function errorCode(err: unknown): string | null {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return null;
}
