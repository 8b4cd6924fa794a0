import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { OpscopeApi } from '../main/core/contract/api.js';
import { isCallName } from '../main/core/contract/calls.js';
import { CALL_CHANNEL, EVENT_CHANNEL, RUN_PORT_CHANNEL } from '../main/core/contract/ipc-channels.js';
import { isEventName } from '../main/core/contract/events.js';
import { deserializeError, type SerializedError } from '../main/core/errors.js';

/**
 * Exposes exactly the contract to the sandboxed page as `window.opscope`: calls by name (only
 * names the contract knows), event subscriptions, media URLs and the real path of a dropped file.
 */
type Reply = { ok: true; value: unknown } | { ok: false; error: SerializedError };

const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(EVENT_CHANNEL, (_e, message: { event: string; payload: unknown }) => {
  listeners.get(message.event)?.forEach((l) => l(message.payload));
});
// Each agent run streams over its own port; its events reach the same `agent.event` listeners.
ipcRenderer.on(RUN_PORT_CHANNEL, (e) => {
  const port = e.ports[0];
  if (!port) return;
  port.onmessage = (m: MessageEvent) => {
    listeners.get('agent.event')?.forEach((l) => l(m.data));
    if ((m.data as { event?: { type?: string } } | null)?.event?.type === 'run-ended') port.close();
  };
  port.start();
});

const api: OpscopeApi = {
  transport: 'electron',
  async call(name, input) {
    if (!isCallName(name)) throw new Error(`Unknown call ${String(name)}`);
    const reply = (await ipcRenderer.invoke(CALL_CHANNEL, name, input)) as Reply;
    if (!reply.ok) throw deserializeError(reply.error);
    return reply.value as never;
  },
  on(name, listener) {
    if (!isEventName(name)) throw new Error(`Unknown event ${String(name)}`);
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  },
  mediaUrl: (path) => `app-media://media${path}`,
  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file as File) || null;
    } catch {
      return null;
    }
  },
};

contextBridge.exposeInMainWorld('opscope', api);
