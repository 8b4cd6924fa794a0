import { describe, expect, it, vi } from 'vitest';
import type { WorkerToHost } from '../../../../main/core/worker-protocol.js';
import type { JobContext } from '../../../../main/worker/jobs/index.js';
import { inProcessWorkerLauncher } from '../../../../main/cli/in-process-worker.js';
import { WorkerSupervisor } from '../../../../main/host/workers/worker-supervisor.js';

// The job table the in-process worker imports with its first job, replaced by jobs that behave
// as some real ones can: one fails with its own error when it is stopped, one reports progress
// as fast as it can.
vi.mock('../../../../main/worker/jobs/index.js', () => ({
  handlers: {
    inspect: (_p: unknown, ctx: JobContext) =>
      new Promise((_resolve, reject) => {
        ctx.partial('started');
        ctx.signal.addEventListener('abort', () => reject(new Error('stream ended before the header')));
      }),
    proxy: async (_p: unknown, ctx: JobContext) => {
      const until = Date.now() + 500;
      let i = 0;
      while (Date.now() < until) {
        ctx.progress({ fraction: Math.min(0.99, i++ / 1e5) });
        await new Promise((r) => setImmediate(r));
      }
      ctx.progress({ fraction: 0.995, stage: 'last' });
      return { out: 'x' };
    },
  },
}));

describe('the in-process worker (one-shot CLI commands)', () => {
  it('reports a job stopped by the host as canceled, not as the error the stop caused', async () => {
    const worker = new WorkerSupervisor(inProcessWorkerLauncher());
    const stop = new AbortController();
    const job = worker.run('inspect', { path: 'a.mp4' }, { signal: stop.signal, onPartial: () => stop.abort() });
    await expect(job).rejects.toMatchObject({ code: 'canceled' });
    await worker.stop();
  });

  it('throttles progress to about 20 messages a second, and still sends the last one', async () => {
    const handle = inProcessWorkerLauncher()();
    const got: WorkerToHost[] = [];
    handle.onMessage((m) => got.push(m));
    handle.send({ type: 'run', id: 1, kind: 'proxy', params: {} });
    await vi.waitFor(() => expect(got.some((m) => m.type === 'result')).toBe(true), { timeout: 5_000 });
    const progress = got.filter((m) => m.type === 'progress');
    expect(progress.length).toBeLessThanOrEqual(15);
    expect(progress.at(-1)).toEqual({ type: 'progress', id: 1, progress: { fraction: 0.995, stage: 'last' } });
    handle.kill();
  });
});
