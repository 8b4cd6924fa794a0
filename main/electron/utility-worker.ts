import { utilityProcess } from 'electron';
import type { WorkerToHost } from '../core/worker-protocol.js';
import type { WorkerHandle, WorkerLauncher } from '../host/workers/worker-supervisor.js';
import { workerEnv } from '../host/workers/node-worker.js';

/** In the desktop app each worker (media, model) is an Electron utility process. */
export function utilityWorkerLauncher(entry: string, serviceName = 'Opscope media worker'): WorkerLauncher {
  return (start = {}): WorkerHandle => {
    const child = utilityProcess.fork(entry, [], { serviceName, stdio: 'inherit', env: workerEnv(start) });
    return {
      send: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', (m: unknown) => l(m as WorkerToHost)),
      onExit: (l) => child.on('exit', (code: number) => l({ code, signal: null })),
      kill: () => {
        child.kill();
      },
      get pid() {
        return child.pid;
      },
    };
  };
}
