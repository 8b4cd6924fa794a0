import { fork } from 'node:child_process';
import type { WorkerToHost } from '../../core/worker-protocol.js';
import { workerEntryPath } from '../../node/bundle-paths.js';
import type { WorkerHandle, WorkerLauncher, WorkerStart } from './worker-supervisor.js';

/** The environment a worker process starts with: the host's, and the host's data folder. */
export function workerEnv(start: WorkerStart, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return start.dataDir ? { ...env, OPSCOPE_HOME: start.dataDir } : { ...env };
}

/** Under plain Node the worker is a forked child speaking the same protocol. */
export function nodeWorkerLauncher(entry = workerEntryPath()): WorkerLauncher {
  return (start = {}): WorkerHandle => {
    const child = fork(entry, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
      env: workerEnv(start),
    });
    // A send to a child that just died surfaces here; the exit handler reports it.
    child.on('error', () => undefined);
    return {
      send: (m) => {
        if (!child.connected) throw new Error('worker is not connected');
        child.send(m);
      },
      onMessage: (l) => child.on('message', (m) => l(m as WorkerToHost)),
      onExit: (l) => child.on('exit', (code, signal) => l({ code, signal })),
      kill: () => child.kill('SIGKILL'),
      get pid() {
        return child.pid;
      },
    };
  };
}
