import { serializeError } from '../core/errors.js';
import type { HostToWorker, JobKind, WorkerToHost } from '../core/worker-protocol.js';
import type { WorkerHandle, WorkerLauncher } from '../host/workers/worker-supervisor.js';
import type { JobContext } from '../worker/jobs/index.js';
import { JobInputs } from '../worker/job-inputs.js';

/**
 * For one-shot CLI commands the worker's jobs run in the CLI process itself: there is no UI to
 * keep responsive, and it saves starting a second process. Same protocol as a real worker.
 */
export function inProcessWorkerLauncher(): WorkerLauncher {
  return (): WorkerHandle => {
    const listeners: ((m: WorkerToHost) => void)[] = [];
    const exitListeners: ((e: { code: number | null; signal: string | null }) => void)[] = [];
    const controllers = new Map<number, AbortController>();
    const inputs = new JobInputs();
    const deliver = (m: WorkerToHost) => queueMicrotask(() => listeners.forEach((l) => l(m)));
    deliver({ type: 'ready', pid: process.pid });
    return {
      send(msg: HostToWorker) {
        if (msg.type === 'cancel') {
          controllers.get(msg.id)?.abort();
          return;
        }
        if (msg.type === 'input') {
          if (controllers.has(msg.id)) inputs.feed(msg.id, msg.data);
          return;
        }
        const c = new AbortController();
        controllers.set(msg.id, c);
        // The job code is loaded with the first job: a command that needs none does not pay for it.
        import('../worker/jobs/index.js')
          .then(({ handlers }) => {
            const handler = handlers[msg.kind as JobKind] as (p: unknown, ctx: JobContext) => Promise<unknown>;
            return handler(msg.params, {
              signal: c.signal,
              progress: (progress) => deliver({ type: 'progress', id: msg.id, progress }),
              partial: (data) => deliver({ type: 'partial', id: msg.id, data }),
              input: () => inputs.of(msg.id),
            });
          })
          .then((value) => deliver({ type: 'result', id: msg.id, value }))
          .catch((err: unknown) => deliver({ type: 'error', id: msg.id, error: serializeError(err) }))
          .finally(() => {
            controllers.delete(msg.id);
            inputs.close(msg.id);
          });
      },
      onMessage: (l) => listeners.push(l),
      onExit: (l) => exitListeners.push(l),
      // There is no process to end: stopping aborts the running jobs and reports a clean exit.
      kill: () => {
        controllers.forEach((c) => c.abort());
        queueMicrotask(() => exitListeners.forEach((l) => l({ code: 0, signal: null })));
      },
      pid: process.pid,
    };
  };
}
