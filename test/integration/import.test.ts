import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempHome } from '../support/cli.js';
import { over4GiB, syntheticVideo, truncatedMp4, unknownCodecAvi } from '../support/media.js';
import { unprivileged } from '../support/unprivileged.js';

interface ImportJson {
  caseId: string | null;
  name: string | null;
  duration: number;
  parts: { path: string; duration: number; width: number; height: number; fps: number; codec: string }[];
  errors: { path: string; message: string }[];
  files: { path: string; caseId: string; outcome: string }[];
}

const small = { duration: 6, width: 320, height: 180, fps: 25, events: [] as never[] };

describe('opscope import: parts, bad input, duplicates', () => {
  let home: string;
  let dir: string;
  let partA: string;
  let partB: string;

  beforeAll(async () => {
    home = tempHome();
    dir = join(home, 'recordings');
    mkdirSync(dir);
    const a = await syntheticVideo({ ...small, seed: 1 });
    const b = await syntheticVideo({ ...small, seed: 2, duration: 4 });
    // Natural order: "part 2" comes before "part 10" although it sorts after it as text.
    partA = join(dir, 'Lap chole part 2.mp4');
    partB = join(dir, 'Lap chole part 10.mp4');
    copyFileSync(a, partA);
    copyFileSync(b, partB);
  }, 300_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const db = () => new Database(join(home, 'data', 'opscope.db'), { readonly: true });

  it('makes one case of the parts and gives every bad file its own error', async () => {
    const notVideo = join(dir, 'notes.mp4');
    writeFileSync(notVideo, 'Post-op notes, not a video.\n'.repeat(50));
    const empty = join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    const truncated = await truncatedMp4(dir);
    const unknown = join(dir, 'old recorder.avi');
    copyFileSync(await unknownCodecAvi(), unknown);
    const missing = join(dir, 'does not exist.mp4');
    const folder = join(dir, 'a folder.mp4');
    mkdirSync(folder);

    const r = await runCli(
      ['import', partB, notVideo, partA, empty, truncated, unknown, missing, folder, '--json', '--no-index'],
      { home: join(home, 'data') },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = json<ImportJson>(r);
    expect(out.caseId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(out.name).toBe('Lap chole');
    expect(out.parts.map((p) => p.path)).toEqual([partA, partB]);
    expect(out.parts[0]).toMatchObject({ width: 320, height: 180, codec: 'h264' });
    expect(out.parts[0]!.fps).toBeCloseTo(25, 1);
    expect(out.duration).toBeCloseTo(10, 0);
    const errorFor = (p: string) => out.errors.find((e) => e.path === p)?.message ?? '(no error)';
    expect(errorFor(notVideo)).toMatch(/not a video file/);
    expect(errorFor(empty)).toMatch(/empty \(0 bytes\)/);
    expect(errorFor(truncated)).toMatch(/incomplete recording.*moov/);
    expect(errorFor(unknown)).toMatch(/codec/);
    expect(errorFor(missing)).toMatch(/not found/);
    expect(errorFor(folder)).toMatch(/folder/);
    expect(out.errors).toHaveLength(6);

    const d = db();
    expect(d.prepare('SELECT count(*) AS n FROM cases').get()).toEqual({ n: 1 });
    expect(d.prepare('SELECT count(*) AS n FROM parts').get()).toEqual({ n: 2 });
    d.close();
  });

  it('imports nothing and exits 1 when every file is bad, leaving no case behind', async () => {
    const bad = join(dir, 'bad.mov');
    writeFileSync(bad, Buffer.alloc(4096, 7));
    const r = await runCli(['import', bad, '--json'], { home: join(home, 'data') });
    expect(r.code).toBe(1);
    const out = json<ImportJson>(r);
    expect(out.caseId).toBeNull();
    expect(out.errors).toHaveLength(1);
    const d = db();
    expect(d.prepare('SELECT count(*) AS n FROM cases').get()).toEqual({ n: 1 });
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
    d.close();
  });

  it('dedupes a re-import and relinks a recording that was moved', async () => {
    const again = json<ImportJson>(await runCli(['import', partA, '--json', '--no-index'], { home: join(home, 'data') }));
    expect(again.files).toEqual([expect.objectContaining({ path: partA, outcome: 'duplicate' })]);
    const moved = join(dir, 'moved', 'renamed part.mp4');
    mkdirSync(join(dir, 'moved'));
    renameSync(partB, moved);
    const r = await runCli(['import', moved, '--json', '--no-index'], { home: join(home, 'data') });
    expect(r.code).toBe(0);
    const out = json<ImportJson>(r);
    expect(out.files).toEqual([expect.objectContaining({ path: moved, outcome: 'relinked', caseId: again.files[0]!.caseId })]);
    expect(out.parts.map((p) => p.path)).toEqual([partA, moved]);
    const d = db();
    expect(d.prepare('SELECT count(*) AS n FROM parts').get()).toEqual({ n: 2 });
    d.close();
  });

  it('takes names with spaces, quotes, unicode and a leading dash, and files over 4 GiB', async () => {
    const odd = join(dir, `-op "bleed" 'case' 胆囊 ü.mp4`);
    copyFileSync(await syntheticVideo({ ...small, seed: 3 }), odd);
    const big = await over4GiB(dir, await syntheticVideo({ ...small, seed: 4 }));
    const r = await runCli(['import', odd, big, '--separate', '--json', '--no-index'], { home: join(home, 'data') });
    expect(r.code, r.stderr).toBe(0);
    const out = json<ImportJson & { cases: { caseId: string }[] }>(r);
    expect(out.errors).toEqual([]);
    expect(out.cases).toHaveLength(2);
    const d = db();
    const rows = d.prepare('SELECT path, size FROM parts WHERE path IN (?, ?)').all(odd, big) as { path: string; size: number }[];
    expect(rows.find((x) => x.path === big)?.size).toBeGreaterThan(4 * 1024 ** 3);
    expect(rows.find((x) => x.path === odd)).toBeDefined();
    d.close();
  });

  it('reports an unreadable file by name and imports the rest', async (ctx) => {
    const locked = join(dir, 'locked.mp4');
    copyFileSync(await syntheticVideo({ ...small, seed: 5 }), locked);
    const other = join(dir, 'other.mp4');
    copyFileSync(await syntheticVideo({ ...small, seed: 6 }), other);
    chmodSync(locked, 0o000);
    if (process.platform === 'win32') ctx.skip('Windows files are not made unreadable by mode bits');
    // Root reads everything: the command runs as someone it refuses.
    const as = unprivileged();
    if ('skip' in as) return ctx.skip(as.skip);
    const data = join(home, 'data-unpriv');
    mkdirSync(data, { recursive: true });
    chmodSync(home, 0o755);
    chmodSync(dir, 0o777);
    chmodSync(data, 0o777);
    chmodSync(other, 0o644);
    const r = await runCli(['import', locked, other, '--separate', '--json', '--no-index'], {
      home: data,
      cwd: home,
      as,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = json<ImportJson>(r);
    expect(out.errors).toEqual([{ path: locked, message: expect.stringMatching(/locked\.mp4 cannot be read \(permission denied\)/) }]);
    expect(out.files.map((f) => f.path)).toEqual([other]);
    expect(existsSync(join(data, 'opscope.db'))).toBe(true);
  });
});
