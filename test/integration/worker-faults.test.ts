import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../fixtures/cli.js';
import { importCase, testHost } from '../fixtures/host.js';
import { syntheticVideo } from '../fixtures/media.js';

const SPEC = { duration: 240, width: 480, height: 270, fps: 25, gop: 2, events: [], seed: 21 };

async function until<T>(fn: () => T | undefined | null | false, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('index survives a worker crash and an interruption', () => {
  let home: string;
  let host: AppHost;
  let video: string;

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home);
    video = await syntheticVideo(SPEC);
  }, 600_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('marks the job failed with the reason when the worker is killed, and a retry completes', async () => {
    const caseId = await importCase(host, [video], false);
    host.indexer.enqueue(caseId);
    const partId = host.store.partsOf(caseId)[0]!.id;
    await until(() => host.store.indexStates(caseId)[0]?.stage.startsWith('Reading'));
    const pid = await until(() => host.worker.pid);
    process.kill(pid, 'SIGKILL');
    await host.indexer.whenIdle(caseId);
    const failed = (await host.call('cases.get', { caseId })) as CaseDetail;
    expect(failed.index.state).toBe('failed');
    expect(failed.index.message).toMatch(/media worker stopped unexpectedly \(signal SIGKILL\)/);
    // The host itself is fine: calls still work.
    expect(((await host.call('cases.list', {})) as unknown[]).length).toBe(1);

    host.indexer.enqueue(caseId);
    await host.indexer.whenIdle(caseId);
    const done = (await host.call('cases.get', { caseId })) as CaseDetail;
    expect(done.index.state).toBe('done');
    expect(host.store.tracks(partId).size).toBe(6);
    expect(host.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('resumes an interrupted index without redoing finished chunks', async () => {
    const [r] = (await host.call('cases.import', { paths: [video], index: false })) as { files: { caseId: string }[] }[];
    const caseId = r!.files[0]!.caseId;
    // Same recording: rebuild its index from scratch by resetting it.
    const partId = host.store.partsOf(caseId)[0]!.id;
    host.store.resetPartIndex(partId);
    host.store.setIndexState(partId, 'pending', 0, 'Waiting');
    const calls: number[] = [];
    const run = host.worker.run.bind(host.worker);
    host.worker.run = ((kind, params, opts) => {
      if (kind === 'indexChunk') calls.push((params as { from: number }).from);
      return run(kind, params, opts);
    }) as typeof host.worker.run;

    host.indexer.enqueue(caseId);
    await until(() => host.store.chunks(partId).length >= 1);
    host.indexer.cancel(caseId);
    await host.indexer.whenIdle(caseId);
    expect(((await host.call('cases.get', { caseId })) as CaseDetail).index.state).toBe('canceled');
    const kept = host.store.chunks(partId).map((c) => c.from_s);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    const firstRun = calls.length;

    host.indexer.enqueue(caseId);
    await host.indexer.whenIdle(caseId);
    expect(((await host.call('cases.get', { caseId })) as CaseDetail).index.state).toBe('done');
    const secondRun = calls.slice(firstRun);
    for (const from of kept) expect(secondRun).not.toContain(from);
    host.worker.run = run;
  });
});
