/*
 * Damaged recordings: a test video with bits flipped, truncated at random offsets, zeroed or
 * overwritten in places (seeded, so a failure replays), imported and indexed. No hang (every
 * ffmpeg/ffprobe call has a time limit), no crash of the host, and for each file either a case
 * or a clear error naming what is wrong.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail, ImportResult } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { mulberry32 as random } from '../../main/core/random.js';

type Mutation = (data: Buffer, rnd: () => number) => Buffer;
const at = (rnd: () => number, n: number) => Math.floor(rnd() * n);

const MUTATIONS: [string, Mutation][] = [
  ['a few bit flips', (d, rnd) => {
    const out = Buffer.from(d);
    for (let i = 0; i < 8; i++) out[at(rnd, out.length)]! ^= 1 << at(rnd, 8);
    return out;
  }],
  ['many bit flips', (d, rnd) => {
    const out = Buffer.from(d);
    for (let i = 0; i < 400; i++) out[at(rnd, out.length)]! ^= 1 << at(rnd, 8);
    return out;
  }],
  ['bit flips in the headers', (d, rnd) => {
    const out = Buffer.from(d);
    for (let i = 0; i < 24; i++) out[at(rnd, Math.min(out.length, 4096))]! ^= 1 << at(rnd, 8);
    return out;
  }],
  ['truncated', (d, rnd) => d.subarray(0, 1 + at(rnd, d.length - 1))],
  ['truncated early', (d, rnd) => d.subarray(0, 1 + at(rnd, Math.min(d.length - 1, 2048)))],
  ['a zeroed stretch', (d, rnd) => {
    const out = Buffer.from(d);
    const from = at(rnd, out.length);
    out.fill(0, from, Math.min(out.length, from + 1 + at(rnd, 64 * 1024)));
    return out;
  }],
  ['random bytes over a stretch', (d, rnd) => {
    const out = Buffer.from(d);
    const from = at(rnd, out.length);
    for (let i = from; i < Math.min(out.length, from + 16 * 1024); i++) out[i] = at(rnd, 256);
    return out;
  }],
  ['a stretch repeated', (d, rnd) => {
    const from = at(rnd, d.length);
    const len = 1 + at(rnd, 32 * 1024);
    return Buffer.concat([d.subarray(0, from), d.subarray(from, from + len), d.subarray(from)]);
  }],
  ['all random bytes', (d, rnd) => Buffer.from(Array.from({ length: d.length }, () => at(rnd, 256)))],
  ['empty', () => Buffer.alloc(0)],
];

describe('importing damaged recordings', () => {
  let home: string;
  let host: AppHost;
  const files: { path: string; what: string }[] = [];

  beforeAll(async () => {
    home = tempHome('opscope-hostile-');
    host = testHost(home, { inProcess: true });
    const source = readFileSync(await syntheticVideo({ duration: 6, width: 320, height: 180, fps: 25, gop: 12, seed: 71, events: [] }));
    const dir = join(home, 'damaged');
    mkdirSync(dir, { recursive: true });
    for (const seed of [1, 2]) {
      const rnd = random(seed * 7919);
      for (const [what, mutate] of MUTATIONS) {
        const path = join(dir, `${what.replaceAll(' ', '-')}-${seed}.mp4`);
        writeFileSync(path, mutate(source, rnd));
        files.push({ path, what: `${what} (seed ${seed})` });
      }
    }
  }, 300_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('gives a case or a clear error for each file, indexes what it imported, and stays up', async () => {
    const results = (await host.call('cases.import', { paths: files.map((f) => f.path), mode: 'case-per-file', index: true })) as ImportResult[];
    const imported = new Set(results.flatMap((r) => r.files.map((f) => f.path)));
    const errors = new Map(results.flatMap((r) => r.errors.map((e) => [e.path, e] as const)));
    for (const f of files) {
      const e = errors.get(f.path);
      expect(imported.has(f.path) || e !== undefined, f.what).toBe(true);
      if (e) {
        expect(e.message, f.what).toMatch(/\w{3,}/);
        expect(e.message, f.what).not.toMatch(/undefined|\bat .*\.(js|ts):\d+|TypeError|ReferenceError/);
        expect(e.code, f.what).not.toBe('internal');
      }
    }
    const caseIds = [...new Set(results.flatMap((r) => r.files.map((f) => f.caseId)))];
    for (const caseId of caseIds) {
      await host.indexer.whenIdle(caseId);
      const d = (await host.call('cases.get', { caseId })) as CaseDetail;
      expect(['done', 'failed'], d.name).toContain(d.index.state);
      if (d.index.state === 'failed') expect(d.index.message ?? '', d.name).toMatch(/\w{3,}/);
    }
    // The host answers, and its store is sound.
    expect(((await host.call('cases.list', {})) as unknown[]).length).toBe(caseIds.length);
    expect(host.store.integrityCheck().integrity).toBe('ok');
    console.log(`damaged files: ${files.length}, imported ${imported.size}, refused ${errors.size}: ${[...new Set([...errors.values()].map((e) => e.code))].join(', ')}`);
  }, 600_000);
});
