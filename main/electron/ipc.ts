import { ipcMain, MessageChannelMain, type BrowserWindow } from 'electron';
import { CALL_CHANNEL, EVENT_CHANNEL, RUN_PORT_CHANNEL } from '../core/contract/ipc-channels.js';
import { OpscopeError, serializeError } from '../core/errors.js';
import type { AppHost } from '../host/app-host.js';
import { RunChannels } from '../host/agent/run-channels.js';
import { isTrustedSender } from '../core/security/origins.js';

/**
 * The Electron transport of the contract: one handler for every call, checking the sender frame
 * before the router validates the payload; events forwarded to the window, each agent run's over
 * its own MessagePort.
 */
export function registerIpc(host: AppHost, window: () => BrowserWindow | null): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, name: unknown, input: unknown) => {
    try {
      if (!isTrustedSender(event.senderFrame)) throw new OpscopeError('invalid-input', 'Refused: call from an untrusted frame.');
      return { ok: true, value: await host.callUntyped(name, input, { transport: 'electron' }) };
    } catch (err) {
      return { ok: false, error: serializeError(err) };
    }
  });
  const runs = new RunChannels((runId) => {
    const w = window();
    if (!w || w.isDestroyed()) return null;
    const { port1, port2 } = new MessageChannelMain();
    w.webContents.postMessage(RUN_PORT_CHANNEL, { runId }, [port2]);
    return { post: (payload) => port1.postMessage(payload), close: () => port1.close() };
  });
  let watched: BrowserWindow | null = null;
  const off = host.bus.subscribe((e) => {
    const w = window();
    if (!w || w.isDestroyed()) return;
    if (w !== watched) {
      watched = w;
      // A reloaded page has lost its ports: the runs still going get new ones.
      w.webContents.on('did-start-loading', () => runs.reset());
    }
    if (e.name === 'agent.event') runs.deliver(e.payload);
    else w.webContents.send(EVENT_CHANNEL, { event: e.name, payload: e.payload });
  });
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    off();
    runs.reset();
  };
}

