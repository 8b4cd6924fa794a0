import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail, CaseTracks, ImportResult } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { demoSpec } from '../../main/node/synthetic/index.js';
import { tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';

/** The first-run loop a newcomer sees: generate the demo, import it, index it, find its events. */
describe('the demo case', () => {
  let home: string;
  let host: AppHost;
  let result: ImportResult;
  const progress: number[] = [];

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home);
    host.bus.subscribe(({ name, payload }) => {
      if (name === 'demo.progress') progress.push((payload as { progress: number }).progress);
    });
    result = (await host.call('demo.create', {})) as ImportResult;
    if (result.caseId) await host.indexer.whenIdle(result.caseId);
  }, 900_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('is generated with progress, imported as one case and indexed', async () => {
    expect(result.errors).toEqual([]);
    expect(result.caseId).toBeTruthy();
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(1);
    const detail = (await host.call('cases.get', { caseId: result.caseId! })) as CaseDetail;
    expect(detail.name).toBe('Demo case (generated)');
    expect(detail.duration).toBeCloseTo(demoSpec().duration, 0);
    expect(detail.index.state).toBe('done');
  });

  it('shows its scripted events on the signal tracks', async () => {
    const tracks = (await host.call('cases.tracks', { caseId: result.caseId! })) as CaseTracks;
    const values = (name: string) => tracks.tracks.find((t) => t.name === name)!.values;
    const events = demoSpec().events;
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const inside = (v: number[], kind: string) =>
      avg(events.filter((e) => e.kind === kind).flatMap((e) => v.slice(Math.ceil(e.start) + 2, Math.floor(e.end) - 1)));
    const quiet = (v: number[]) => avg(v.filter((_, s) => !events.some((e) => s >= e.start - 3 && s < e.end + 3)));
    for (const [track, kind] of [['blood', 'bleeding'], ['haze', 'smoke'], ['outOfBody', 'out-of-body']] as const) {
      const v = values(track);
      expect(inside(v, kind), `${track} during ${kind} vs elsewhere`).toBeGreaterThan(quiet(v) + 0.3);
    }
    const motion = values('motion');
    expect(inside(motion, 'idle')).toBeLessThan(quiet(motion) - 0.2);
  });

  it('is not generated twice', async () => {
    const again = (await host.call('demo.create', {})) as ImportResult;
    expect(again.caseId).toBeNull();
    expect(again.files.map((f) => f.outcome)).toEqual(['duplicate']);
  });
});
