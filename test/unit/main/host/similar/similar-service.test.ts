import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEmbedding, type StoredEmbedding } from '../../../../../main/core/similar/embedding-codec.js';
import { PICTURE_MODEL } from '../../../../../main/core/similar/picture-model.js';
import { EventBus } from '../../../../../main/host/event-bus.js';
import { SimilarService } from '../../../../../main/host/similar/similar-service.js';
import { Store } from '../../../../../main/host/store/store.js';
import { WorkerSupervisor } from '../../../../../main/host/workers/worker-supervisor.js';
import { fakePart } from '../../../../support/feedback.js';

/*
 * Ranking over the picture index as the host does it, on embeddings written straight into a
 * store: consecutive similar keyframes are one window, windows come best first across cases, the
 * moment asked from is left out, a case without pictures is said to be missing, and keyframes
 * stored after a query (a build going on) are found by the next one.
 */

const DIM = 64;

function rng(seed: number) {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

const random = rng(5);
const scene = () => Float32Array.from({ length: DIM }, () => (random() < 0.4 ? random() : 0));
const near = (base: Float32Array, noise: number) => Float32Array.from(base, (v) => Math.max(0, v + (random() - 0.5) * noise));

let dir: string;
let store: Store;
let service: SimilarService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opscope-similar-'));
  store = new Store(join(dir, 'opscope.db'));
  // Ranking embeds nothing: no model worker is started.
  const modelWorker = new WorkerSupervisor(() => {
    throw new Error('no model worker in this test');
  });
  service = new SimilarService({ store, pictures: store.pictures, modelWorker, bus: new EventBus(), auto: false });
});

afterEach(async () => {
  await service.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A case of 300 keyframes 2 s apart: `at` maps keyframe indices to the scene shown there, noise elsewhere. */
function caseWith(name: string, at: Map<number, Float32Array>, pictures = true): { caseId: string; partId: string } {
  const { caseId, partIds } = store.createCase(name, [fakePart(`${name}.mp4`, 600)]);
  if (pictures) {
    const rows = Array.from({ length: 300 }, (_, k) => ({ time: k * 2, ...encodeEmbedding(at.has(k) ? near(at.get(k)!, 0.05) : scene()) }));
    store.pictures.saveChunk(partIds[0]!, 0, PICTURE_MODEL, 0, 600, rows);
  }
  return { caseId, partId: partIds[0]! };
}

const span = (from: number, to: number, s: Float32Array) => Array.from({ length: to - from + 1 }, (_, i) => [from + i, s] as const);

describe('SimilarService.rank', () => {
  it('merges consecutive similar keyframes into windows, best first across the library, and names cases without pictures', () => {
    const x = scene();
    const a = caseWith('a', new Map([...span(10, 14, x), ...span(100, 101, x)]));
    const b = caseWith('b', new Map(span(50, 52, x)));
    const c = caseWith('c', new Map(), false);
    const query: StoredEmbedding = encodeEmbedding(x);
    const r = service.rank(query, { caseId: a.caseId, time: null, scope: 'all', limit: 10 });
    // The scene's three stretches come first, each one window; what follows is noise scoring lower.
    const windows = r.moments.map((m) => [m.caseName, m.start, m.end]);
    expect(windows.slice(0, 3)).toEqual(expect.arrayContaining([['a', 20, 30], ['a', 200, 204], ['b', 100, 106]]));
    expect(r.moments[3]!.score).toBeLessThan(r.moments[2]!.score - 0.05);
    for (let i = 1; i < r.moments.length; i++) expect(r.moments[i]!.score).toBeLessThanOrEqual(r.moments[i - 1]!.score);
    for (const m of r.moments) expect(m.time).toBeGreaterThanOrEqual(m.start);
    expect(r.searched).toMatchObject({ cases: 2, frames: 600 });
    expect(r.missing).toEqual([{ caseId: c.caseId, caseName: 'c', state: 'none' }]);
    expect(b.caseId).not.toBe(a.caseId);
  });

  it('searches one case only when asked, leaving out the window the question came from', () => {
    const x = scene();
    const a = caseWith('a', new Map([...span(10, 14, x), ...span(100, 101, x)]));
    caseWith('b', new Map(span(50, 52, x)));
    const r = service.rank(encodeEmbedding(x), { caseId: a.caseId, time: 24, scope: 'case', limit: 10 });
    expect(r.moments.map((m) => [m.caseName, m.start, m.end])[0]).toEqual(['a', 200, 204]);
    expect(r.moments.every((m) => m.caseName === 'a' && (m.end <= 24 || m.start > 24))).toBe(true);
    expect(r.searched).toMatchObject({ cases: 1, frames: 300 });
  });

  it('finds keyframes stored after an earlier query, by another process too (the matrix it scans is rebuilt)', () => {
    const x = scene();
    const a = caseWith('a', new Map(span(10, 12, x)));
    const b = caseWith('b', new Map());
    const before = service.rank(encodeEmbedding(x), { caseId: a.caseId, time: null, scope: 'all', limit: 10 }).moments;
    expect([before[0]!.caseName, before[0]!.start, before[0]!.end]).toEqual(['a', 20, 26]);
    expect(before[1]!.score).toBeLessThan(before[0]!.score - 0.05);
    // A build embeds more of case b: its keyframes 200-202 now show the scene.
    const rows = Array.from({ length: 300 }, (_, k) => ({ time: k * 2, ...encodeEmbedding(k >= 200 && k <= 202 ? near(x, 0.05) : scene()) }));
    store.pictures.saveChunk(b.partId, 0, PICTURE_MODEL, 0, 600, rows);
    // Written behind the service's back, as a command building the index in another process does.
    const again = service.rank(encodeEmbedding(x), { caseId: a.caseId, time: null, scope: 'all', limit: 10 });
    expect(again.moments.map((m) => [m.caseName, m.start, m.end]).slice(0, 2)).toEqual(expect.arrayContaining([['a', 20, 26], ['b', 400, 406]]));
  });
});
