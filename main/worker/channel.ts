import type { WorkerToHost } from '../core/worker-protocol.js';

/** Electron's utilityProcess exposes `process.parentPort`; a forked Node child uses process IPC. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export interface HostChannel {
  send(message: WorkerToHost): void;
  onMessage(listener: (message: unknown) => void): void;
}

export function connectToHost(): HostChannel {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
    };
  }
  if (!process.send) throw new Error('The media worker must be started by the Opscope host.');
  // Nobody left to work for: the host exited or was killed.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (m) => {
      process.send!(m);
    },
    onMessage: (l) => {
      process.on('message', l);
    },
  };
}
