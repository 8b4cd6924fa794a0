import type { WorkerToHost } from '../core/worker-protocol.js';
import type { WorkerHandle, WorkerLauncher } from '../host/workers/worker-supervisor.js';
import { DataLayout } from '../node/paths.js';
import { JobLoop } from '../worker/job-loop.js';

/**
 * For one-shot CLI commands the worker's jobs run in the CLI process itself: there is no UI to
 * keep responsive, and it saves starting a second process. Same protocol and job loop as a real
 * worker; messages arrive on a microtask, as they would from another process.
 */
export function inProcessWorkerLauncher(): WorkerLauncher {
  return (start = {}): WorkerHandle => {
    const listeners: ((m: WorkerToHost) => void)[] = [];
    const exitListeners: ((e: { code: number | null; signal: string | null }) => void)[] = [];
    const deliver = (m: WorkerToHost) => queueMicrotask(() => listeners.forEach((l) => l(m)));
    const jobs = new JobLoop({
      send: deliver,
      // The job code is loaded with the first job: a command that needs none does not pay for it.
      loadHandlers: async () => (await import('../worker/jobs/index.js')).handlers,
      ...(start.dataDir ? { commandLog: new DataLayout(start.dataDir).ffmpegLog } : {}),
    });
    deliver({ type: 'ready', pid: process.pid });
    return {
      send: (msg) => jobs.receive(msg),
      onMessage: (l) => listeners.push(l),
      onExit: (l) => exitListeners.push(l),
      // There is no process to end: stopping aborts the running jobs and reports a clean exit.
      kill: () => {
        jobs.abortAll();
        queueMicrotask(() => exitListeners.forEach((l) => l({ code: 0, signal: null })));
      },
      pid: process.pid,
    };
  };
}
