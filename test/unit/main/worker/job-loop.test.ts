import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpscopeError } from '../../../../main/core/errors.js';
import type { WorkerToHost } from '../../../../main/core/worker-protocol.js';
import type { JobContext } from '../../../../main/worker/jobs/index.js';
import { JobLoop, type JobHandlers } from '../../../../main/worker/job-loop.js';
import { currentToolContext } from '../../../../main/node/ffmpeg/command-log.js';

type Handler = (params: unknown, ctx: JobContext) => Promise<unknown>;

/** A loop whose only job kind, `inspect`, runs `handler`; every message it sends is kept. */
function loopWith(handler: Handler, opts: { commandLog?: string } = {}) {
  const sent: WorkerToHost[] = [];
  const loads = { count: 0 };
  const loop = new JobLoop({
    send: (m) => sent.push(m),
    loadHandlers: () => {
      loads.count++;
      return { inspect: handler } as unknown as JobHandlers;
    },
    ...opts,
  });
  const ended = (id: number) =>
    vi.waitFor(() => {
      const m = sent.find((s) => (s.type === 'result' || s.type === 'error') && s.id === id);
      if (!m) throw new Error(`job ${id} has not ended`);
      return m;
    });
  return { loop, sent, loads, ended };
}

const run = (id: number, params: unknown = {}) => ({ type: 'run' as const, id, kind: 'inspect' as const, params });

afterEach(() => {
  vi.useRealTimers();
});

describe('the worker job loop', () => {
  it('sends at most one progress message per 50 ms of a job, always the last one, before the result', async () => {
    vi.useFakeTimers();
    let finish!: () => void;
    const { loop, sent, ended } = loopWith(
      (_p, ctx) =>
        new Promise((resolve) => {
          // 1000 reports over one second, then a last one that is not the end of a stage.
          let i = 0;
          const tick = setInterval(() => {
            ctx.progress({ fraction: Math.min(0.999, i++ / 1000) });
            if (i === 1000) {
              clearInterval(tick);
              ctx.progress({ fraction: 0.9995, stage: 'last' });
              finish = () => resolve('done');
            }
          }, 1);
        }),
    );
    loop.receive(run(1));
    await vi.advanceTimersByTimeAsync(1001);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    vi.useRealTimers();
    await ended(1);
    const progress = sent.filter((m) => m.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(15);
    expect(progress.length).toBeLessThanOrEqual(22);
    // The last report arrives, and before the result.
    const lastIndex = sent.findIndex((m) => m.type === 'progress' && m.progress.stage === 'last');
    expect(lastIndex).toBeGreaterThan(-1);
    expect(sent.findIndex((m) => m.type === 'result')).toBeGreaterThan(lastIndex);
    expect(sent.filter((m) => m.type === 'result')).toEqual([{ type: 'result', id: 1, value: 'done' }]);
  });

  it('sends a stage end (fraction 1) at once, even inside the throttle window', async () => {
    const { loop, sent, ended } = loopWith(async (_p, ctx) => {
      ctx.progress({ fraction: 0.5 });
      ctx.progress({ fraction: 1, stage: 'a' });
      ctx.progress({ fraction: 1, stage: 'b' });
      return null;
    });
    loop.receive(run(1));
    await ended(1);
    expect(sent.filter((m) => m.type === 'progress').map((m) => m.type === 'progress' && m.progress)).toEqual([
      { fraction: 0.5 },
      { fraction: 1, stage: 'a' },
      { fraction: 1, stage: 'b' },
    ]);
  });

  it('reports a canceled job as canceled, whatever error its handler threw', async () => {
    let started = false;
    const { loop, ended } = loopWith(
      (_p, ctx) =>
        new Promise((_resolve, reject) => {
          started = true;
          ctx.signal.addEventListener('abort', () => reject(new Error('pipe closed')));
        }),
    );
    loop.receive(run(7));
    await vi.waitFor(() => expect(started).toBe(true));
    loop.receive({ type: 'cancel', id: 7 });
    expect(await ended(7)).toEqual({ type: 'error', id: 7, error: { code: 'canceled', message: 'Canceled.' } });
  });

  it('still starts a job canceled while its code was loading, with its signal aborted and its input kept', async () => {
    // A recording's cancel means "finish": what the host sent before is still recorded.
    const { loop, ended } = loopWith(async (_p, ctx) => {
      const chunks: Buffer[] = [];
      for await (const c of ctx.input()) chunks.push(c as Buffer);
      return { aborted: ctx.signal.aborted, bytes: [...Buffer.concat(chunks)] };
    });
    loop.receive(run(8));
    loop.receive({ type: 'input', id: 8, data: new Uint8Array([5, 6]) });
    loop.receive({ type: 'cancel', id: 8 });
    loop.receive({ type: 'input', id: 8, data: null });
    expect(await ended(8)).toEqual({ type: 'result', id: 8, value: { aborted: true, bytes: [5, 6] } });
  });

  it("keeps a handler's own canceled error, with its message", async () => {
    let started = false;
    const { loop, ended } = loopWith(
      (_p, ctx) =>
        new Promise((_resolve, reject) => {
          started = true;
          ctx.signal.addEventListener('abort', () => reject(new OpscopeError('canceled', 'Canceled while reading x.mp4.')));
        }),
    );
    loop.receive(run(2));
    await vi.waitFor(() => expect(started).toBe(true));
    loop.receive({ type: 'cancel', id: 2 });
    expect(await ended(2)).toEqual({ type: 'error', id: 2, error: { code: 'canceled', message: 'Canceled while reading x.mp4.' } });
  });

  it('serializes errors: an OpscopeError keeps code, message and detail; anything else is internal', async () => {
    const { loop, ended } = loopWith(async (p) => {
      if ((p as { n: number }).n === 1) throw new OpscopeError('tool-failed', 'ffprobe failed', 'the last lines');
      if ((p as { n: number }).n === 2) throw new TypeError('x is undefined');
      throw 'a string';
    });
    loop.receive(run(1, { n: 1 }));
    loop.receive(run(2, { n: 2 }));
    loop.receive(run(3, { n: 3 }));
    expect(await ended(1)).toEqual({ type: 'error', id: 1, error: { code: 'tool-failed', message: 'ffprobe failed', detail: 'the last lines' } });
    expect(await ended(2)).toEqual({ type: 'error', id: 2, error: { code: 'internal', message: 'x is undefined' } });
    expect(await ended(3)).toEqual({ type: 'error', id: 3, error: { code: 'internal', message: 'a string' } });
  });

  it("feeds a job's input stream in order, ignores input for jobs not running, and drops the stream at the end", async () => {
    const { loop, ended } = loopWith(async (_p, ctx) => {
      const chunks: Buffer[] = [];
      for await (const c of ctx.input()) chunks.push(c as Buffer);
      return [...Buffer.concat(chunks)];
    });
    loop.receive({ type: 'input', id: 9, data: new Uint8Array([9]) });
    loop.receive(run(1));
    loop.receive({ type: 'input', id: 1, data: new Uint8Array([1, 2]) });
    loop.receive({ type: 'input', id: 1, data: new Uint8Array([3]) });
    loop.receive({ type: 'input', id: 1, data: null });
    expect(await ended(1)).toEqual({ type: 'result', id: 1, value: [1, 2, 3] });
    expect(loop.size).toBe(0);
    // After the end: neither a throw nor a stream kept alive.
    expect(() => loop.receive({ type: 'input', id: 1, data: new Uint8Array([4]) })).not.toThrow();
  });

  it('streams partials in order and loads the handlers once, with the first job', async () => {
    const { loop, sent, loads, ended } = loopWith(async (p, ctx) => {
      ctx.partial({ n: (p as { n: number }).n, piece: 1 });
      ctx.partial({ n: (p as { n: number }).n, piece: 2 });
      return 'ok';
    });
    expect(loads.count).toBe(0);
    loop.receive(run(1, { n: 1 }));
    loop.receive(run(2, { n: 2 }));
    await ended(1);
    await ended(2);
    expect(loads.count).toBe(1);
    expect(sent.filter((m) => m.type === 'partial' && m.id === 1).map((m) => m.type === 'partial' && m.data)).toEqual([
      { n: 1, piece: 1 },
      { n: 1, piece: 2 },
    ]);
  });

  it('fails a job, not the loop, when the job code cannot be loaded', async () => {
    const sent: WorkerToHost[] = [];
    const loop = new JobLoop({ send: (m) => sent.push(m), loadHandlers: () => Promise.reject(new Error('cannot find module')) });
    loop.receive(run(1));
    await vi.waitFor(() => expect(sent).toEqual([{ type: 'error', id: 1, error: { code: 'internal', message: 'cannot find module' } }]));
  });

  it('runs each job with its kind and id (and the given log) as the context of the tools it starts', async () => {
    const { loop, ended } = loopWith(async () => currentToolContext(), { commandLog: '/data/logs/ffmpeg.log' });
    loop.receive(run(4));
    expect(await ended(4)).toEqual({ type: 'result', id: 4, value: { job: 'inspect#4', log: '/data/logs/ffmpeg.log' } });
  });
});
