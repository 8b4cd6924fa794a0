import { OpscopeError, serializeError } from '../core/errors.js';
import { HostToWorkerSchema, type JobKind } from '../core/worker-protocol.js';
import { connectToHost } from './channel.js';
import { handlers } from './jobs/index.js';
import { JobInputs } from './job-inputs.js';

/**
 * The worker: everything heavy (ffprobe, ffmpeg, analysis, model inference) runs here so the
 * host stays responsive. The host starts it three times: the media worker, the model worker (a
 * model's blocking session never delays a frame) and the recording worker (a crash of either never
 * interrupts a live recording). It never writes the database; results go back to the host, which
 * persists them.
 */
const host = connectToHost();
const running = new Map<number, AbortController>();
const inputs = new JobInputs();

host.onMessage((raw) => {
  const parsed = HostToWorkerSchema.safeParse(raw);
  if (!parsed.success) return;
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  if (msg.type === 'input') {
    if (running.has(msg.id)) inputs.feed(msg.id, msg.data);
    return;
  }
  const controller = new AbortController();
  running.set(msg.id, controller);
  const handler = handlers[msg.kind as JobKind] as (p: unknown, ctx: Parameters<(typeof handlers)['inspect']>[1]) => Promise<unknown>;
  let lastProgress = 0;
  void handler(msg.params, {
    signal: controller.signal,
    progress: (progress) => {
      // At most ~20 progress messages a second per job.
      const now = Date.now();
      if (now - lastProgress < 50 && progress.fraction < 1) return;
      lastProgress = now;
      host.send({ type: 'progress', id: msg.id, progress });
    },
    partial: (data) => host.send({ type: 'partial', id: msg.id, data }),
    input: () => inputs.of(msg.id),
  })
    .then((value) => host.send({ type: 'result', id: msg.id, value }))
    .catch((err: unknown) => {
      const e = controller.signal.aborted && !(err instanceof OpscopeError && err.code === 'canceled')
        ? new OpscopeError('canceled', 'Canceled.')
        : err;
      host.send({ type: 'error', id: msg.id, error: serializeError(e) });
    })
    .finally(() => {
      running.delete(msg.id);
      inputs.close(msg.id);
    });
});

process.on('uncaughtException', (err) => {
  console.error('worker: uncaught exception', err);
  process.exit(70);
});

host.send({ type: 'ready', pid: process.pid });
