/*
 * A damaged database file: detected on open, moved aside (never deleted), replaced by the newest
 * sound automatic backup, and said to the user (app.info for the window's banner, stderr for
 * the command line). Also the backups themselves: online, daily, rotated.
 */
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppHost } from '../../main/host/app-host.js';
import { Backups, backupDue, DAY_MS, listBackups } from '../../main/host/store/backup.js';
import { Store } from '../../main/host/store/store.js';
import { migrations } from '../../main/host/store/migrations/index.js';
import { runCli, tempHome } from '../support/cli.js';
import { fakePart } from '../support/feedback.js';
import { rawDb } from '../support/raw-db.js';

const noWorker = () => {
  throw new Error('no worker in this test');
};

function host(dataDir: string): AppHost {
  return new AppHost({ dataDir, transport: 'cli', launcher: noWorker });
}

function addCases(h: AppHost, n: number, prefix: string): void {
  for (let i = 0; i < n; i++) h.store.createCase(`${prefix} ${i} ${'x'.repeat(200)}`, [fakePart(`${prefix}-${i}-a.mp4`, 600), fakePart(`${prefix}-${i}-b.mp4`, 300)]);
}

/** Random bytes over a stretch in the middle of the file, page-aligned, as a failing disk would leave. */
function damageMiddle(file: string, bytes = 16 * 1024): void {
  const size = statSync(file).size;
  const at = Math.floor(size / 2 / 4096) * 4096;
  const junk = Buffer.alloc(bytes);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    junk[i] = x >>> 24;
  }
  const fd = openSync(file, 'r+');
  writeSync(fd, junk, 0, bytes, at);
  closeSync(fd);
}

describe('a damaged database is restored from the automatic backup', () => {
  let home: string;
  let dataDir: string;
  beforeEach(() => {
    home = tempHome('opscope-recovery-');
    dataDir = join(home, 'data');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('keeps a backup at start, detects damage, moves the file aside and restores the newest sound backup', async () => {
    let h = host(dataDir);
    await h.store.backups!.idle();
    expect(listBackups(join(dataDir, 'backups'))).toHaveLength(1);
    addCases(h, 300, 'kept');
    // The next day's backup holds these cases.
    expect(await h.store.backups!.maybe(true)).toMatch(/opscope-\d{8}T\d{9}Z\.db$/);
    addCases(h, 5, 'lost');
    await h.close();

    const db = join(dataDir, 'opscope.db');
    const size = statSync(db).size;
    damageMiddle(db);
    h = host(dataDir);
    try {
      const info = h.info();
      expect(info.storeRecovery).toMatchObject({ restoredFrom: expect.stringContaining('backups'), message: expect.stringMatching(/damaged.*backup of .* was restored/) });
      expect(h.store.listCases()).toHaveLength(300);
      expect(h.store.integrityCheck().integrity).toBe('ok');
      // The damaged file is kept, whole, beside the database.
      const moved = info.storeRecovery!.movedTo;
      expect(existsSync(moved)).toBe(true);
      expect(statSync(moved).size).toBe(size);
      expect(rawDb(h.store).prepare("SELECT actor, detail_json FROM audit_log WHERE action = 'store.recover'").all()).toHaveLength(1);
      // And the window's banner reads it from app.info.
      expect(await h.call('app.info', {})).toMatchObject({ storeRecovery: { movedTo: moved } });
    } finally {
      await h.close();
    }
    // Next start: nothing to say.
    h = host(dataDir);
    expect(h.info().storeRecovery).toBeNull();
    await h.close();
  });

  it('a file that is not a database at all is recovered the same way; the command line says so', async () => {
    let h = host(dataDir);
    addCases(h, 3, 'case');
    await h.store.backups!.maybe(true);
    await h.close();
    const fd = openSync(join(dataDir, 'opscope.db'), 'r+');
    writeSync(fd, Buffer.from('this is not an SQLite header at all, sorry'), 0, 42, 0);
    closeSync(fd);
    const r = await runCli(['cases', '--json'], { home: dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/opscope: The Opscope database was damaged \(.*\)\. It was moved aside to opscope\.db\.damaged-/);
    expect(r.stderr).toMatch(/damaged file kept at: .*opscope\.db\.damaged-/);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(3);
    h = host(dataDir);
    expect(h.store.listCases()).toHaveLength(3);
    await h.close();
  }, 120_000);

  it('without a sound backup it starts empty, keeps the damaged file and says so', async () => {
    let h = host(dataDir);
    addCases(h, 300, 'case');
    await h.close();
    // The only backup (taken at the first start) is damaged too.
    for (const b of listBackups(join(dataDir, 'backups'))) damageMiddle(b.file, 4096 * 4);
    const fd = openSync(join(dataDir, 'opscope.db'), 'r+');
    writeSync(fd, Buffer.alloc(100, 0xff), 0, 100, 0);
    closeSync(fd);
    h = host(dataDir);
    try {
      expect(h.info().storeRecovery).toMatchObject({ restoredFrom: null, message: expect.stringMatching(/no sound backup was found/) });
      expect(h.store.listCases()).toHaveLength(0);
      expect(readdirSync(dataDir).filter((f) => f.startsWith('opscope.db.damaged-'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('automatic backups', () => {
  let home: string;
  beforeEach(() => {
    home = tempHome('opscope-backup-');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('are due once a day, keep the newest seven, and are complete databases', async () => {
    const store = new Store(join(home, 'opscope.db'));
    store.createCase('One', [fakePart('a.mp4', 10)]);
    const dir = join(home, 'backups');
    const backups = new Backups(rawDb(store), { dir, keep: 7, maxAgeMs: DAY_MS });
    const t0 = Date.UTC(2026, 0, 1, 8);
    expect(await backups.maybe(false, new Date(t0))).not.toBeNull();
    expect(backupDue(backups.policy, t0 + DAY_MS - 1)).toBe(false);
    expect(await backups.maybe(false, new Date(t0 + 3_600_000))).toBeNull();
    for (let day = 1; day <= 9; day++) expect(await backups.maybe(false, new Date(t0 + day * DAY_MS))).not.toBeNull();
    const kept = listBackups(dir);
    expect(kept).toHaveLength(7);
    expect(kept[0]!.at).toBe(t0 + 9 * DAY_MS);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    const copy = new Database(kept[0]!.file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT name FROM cases').all()).toEqual([{ name: 'One' }]);
    copy.close();
    store.close();
  });

  it('are taken after the schema is migrated', async () => {
    const file = join(home, 'opscope.db');
    // A database of an older version: only the first two migrations applied.
    const old = new Database(file);
    for (const m of migrations.slice(0, 2)) old.exec(m.sql);
    old.pragma('user_version = 2');
    old.close();
    const dir = join(home, 'backups');
    const store = new Store(file, { backups: { dir } });
    await store.backups!.idle();
    expect(listBackups(dir)).toHaveLength(1);
    expect(rawDb(store).pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    store.close();
  });
});
