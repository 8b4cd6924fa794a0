import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../support/cli.js';
import { opscopeInProcess as opscope } from '../support/in-process-cli.js';
import { importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { recurringSceneCase } from '../support/picture-scenes.js';
import { TISSUE_CLIP, sharedData } from '../support/shared-data.js';

/*
 * The picture index of a short generated case in which a scene of the real tissue clip comes
 * back: 0-6 s generated endoscope video, 6-10 s the tissue (top-left of the frame), 10-16 s
 * generated again, 16-20 s the tissue again, cropped elsewhere and recoloured, 20-24 s generated.
 * Asked from 7 s, the recurring scene at 16-20 s must come first; the moment asked from is not
 * an answer. Keyframes every 2 s.
 */

const clip = sharedData(TISSUE_CLIP);

describe.skipIf(!clip)('the picture index and finding similar moments', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  let other: string;

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home, { inProcess: true });
    const video = await recurringSceneCase(clip!);
    caseId = await importCase(host, [video]);
    // A second case of generated video only: searched with --all-cases, never the best answer.
    other = await importCase(host, [await syntheticVideo({ duration: 12, width: 640, height: 360, fps: 25, gop: 2, seed: 8, events: [] })]);
  }, 300_000);

  afterAll(async () => {
    await host?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('says a case has no picture index before it is built', async () => {
    expect((await host.call('similar.status', { caseId })).state).toBe('none');
    await expect(host.call('similar.find', { caseId, time: 7 })).rejects.toThrow(/no picture index yet/);
  });

  it('builds the index with progress, one embedding per keyframe, stored quantised', async () => {
    const progress: number[] = [];
    const off = host.bus.on('similar.progress', ({ caseId: id, status }) => id === caseId && progress.push(status.progress));
    await host.call('similar.build', { caseId });
    const status = await host.call('similar.wait', { caseId });
    off();
    expect(status.state).toBe('done');
    // Keyframes at 0, 2, ..., 22 s.
    expect(status.frames).toBe(12);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThan(1);
    const packed = host.store.pictures.sketches(host.store.partsOf(caseId).map((p) => p.id), 160);
    expect(Array.from(packed.times)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
    expect(host.store.pictures.vectors([packed.ids[0]!]).get(packed.ids[0]!)!.q).toBeInstanceOf(Int8Array);
  }, 300_000);

  it('finds the recurring tissue scene first, as one window, and not the moment asked from', async () => {
    const r = await host.call('similar.find', { caseId, time: 7, limit: 5 });
    const best = r.moments[0]!;
    expect(best.caseId).toBe(caseId);
    expect(best.start).toBeGreaterThanOrEqual(16);
    expect(best.end).toBeLessThanOrEqual(20);
    expect(best.time).toBeGreaterThanOrEqual(16);
    expect(best.time).toBeLessThan(20);
    expect(r.moments.some((m) => m.start <= 7 && m.end > 7)).toBe(false);
    for (let i = 1; i < r.moments.length; i++) expect(r.moments[i]!.score).toBeLessThanOrEqual(r.moments[i - 1]!.score);
  }, 120_000);

  it('lists only keyframes that stand out, however long the list may be', async () => {
    // Asking for more moments than the case has keyframes must not merge everything into one.
    const r = await host.call('similar.find', { caseId, time: 7, limit: 50 });
    expect(r.moments[0]!.start).toBeGreaterThanOrEqual(16);
    expect(r.moments.every((m) => m.end - m.start < 12)).toBe(true);
  }, 120_000);

  it('finds it from a box drawn around part of the tissue too', async () => {
    const r = await host.call('similar.find', { caseId, time: 9, box: [80, 40, 400, 260], limit: 3 });
    expect(r.moments[0]!.time).toBeGreaterThanOrEqual(16);
    expect(r.moments[0]!.time).toBeLessThan(20);
  }, 120_000);

  it('opscope similar prints the windows as JSON, and builds a missing index first', async () => {
    const data = join(home, 'data');
    const r = await opscope(['similar', caseId, '00:00:07', '--json', '--limit', '3'], data);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { caseId: string; start: number; end: number; score: number; time: number }[];
    expect(Object.keys(rows[0]!).sort()).toEqual(['caseId', 'end', 'score', 'start', 'time']);
    expect(rows[0]!.time).toBeGreaterThanOrEqual(16);

    const all = await opscope(['similar', other, '3', '--all-cases', '--json'], data);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/no picture index yet; building it now/);
    const found = JSON.parse(all.stdout) as { caseId: string; start: number; end: number }[];
    expect(Array.isArray(found)).toBe(true);
    // The other case's own seconds around 3 s are the moment asked from, never an answer.
    expect(found.some((m) => m.caseId === other && m.start <= 3 && m.end > 3)).toBe(false);
    expect((await host.call('similar.status', { caseId: other })).state).toBe('done');

    // Across the library, the recurring scene is still the best answer to 7 s.
    const lib = await opscope(['similar', caseId, '7', '--all-cases', '--json'], data);
    expect(lib.code, lib.stderr).toBe(0);
    const best = (JSON.parse(lib.stdout) as { caseId: string; time: number }[])[0]!;
    expect(best.caseId).toBe(caseId);
    expect(best.time).toBeGreaterThanOrEqual(16);

    const bad = await opscope(['similar', caseId, '7', '--box', '1,2,3'], data);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--box takes X,Y,W,H/);
  }, 300_000);
});
