import { ipcMain, type BrowserWindow } from 'electron';
import { OpscopeError, serializeError } from '../core/errors.js';
import type { AppHost } from '../host/app-host.js';
import { isTrustedSender } from '../core/security/origins.js';

export const CALL_CHANNEL = 'opscope:call';
export const EVENT_CHANNEL = 'opscope:event';

/**
 * The Electron transport of the contract: one handler for every call, checking the sender frame
 * before the router validates the payload; events forwarded to the window.
 */
export function registerIpc(host: AppHost, window: () => BrowserWindow | null): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, name: unknown, input: unknown) => {
    try {
      if (!isTrustedSender(event.senderFrame)) throw new OpscopeError('invalid-input', 'Refused: call from an untrusted frame.');
      return { ok: true, value: await host.call(name as string, input, { transport: 'electron' }) };
    } catch (err) {
      return { ok: false, error: serializeError(err) };
    }
  });
  const off = host.bus.subscribe((event, payload) => {
    const w = window();
    if (w && !w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, { event, payload });
  });
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    off();
  };
}

