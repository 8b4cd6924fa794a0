import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { connect, migrate, type WritableDB, type OpenOptions } from './db.js';

/*
 * Automatic backups of the database and recovery from them. A backup is taken with SQLite's
 * online backup (better-sqlite3's db.backup()), so the app keeps working while it runs; the
 * newest few are kept. On open, a damaged database is moved aside (never deleted) and the
 * newest backup that passes an integrity check takes its place.
 */

export interface BackupPolicy {
  dir: string;
  /** How many backups are kept (newest first). */
  keep: number;
  /** A backup older than this is due. */
  maxAgeMs: number;
}

export const DEFAULT_KEEP = 7;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** What the user is told after the database was found damaged. */
export interface StoreRecovery {
  at: string;
  /** Why the database was taken for damaged (SQLite's words). */
  reason: string;
  /** Where the damaged file now is. */
  movedTo: string;
  /** The backup that was restored, or null when there was none that was sound. */
  restoredFrom: string | null;
  /** When that backup was taken. */
  backupAt: string | null;
  message: string;
}

const NAME = /^opscope-(\d{8}T\d{6}\d{3}Z)\.db$/;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

function parseStamp(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!) : Number.NaN;
}

/** The backups in `dir`, newest first. Unfinished ones (".partial") are not backups. */
export function listBackups(dir: string): { file: string; at: number }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, m: NAME.exec(name) }))
    .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null)
    .map((e) => ({ file: join(dir, e.name), at: parseStamp(e.m[1]!) }))
    .filter((b) => Number.isFinite(b.at))
    .sort((a, b) => b.at - a.at);
}

export function backupDue(policy: BackupPolicy, now = Date.now()): boolean {
  const newest = listBackups(policy.dir)[0];
  return !newest || now - newest.at >= policy.maxAgeMs;
}

/** Takes one backup now and drops the oldest beyond `keep`; returns its file. */
export async function backupNow(db: WritableDB, policy: BackupPolicy, now = new Date()): Promise<string> {
  mkdirSync(policy.dir, { recursive: true });
  const file = join(policy.dir, `opscope-${stamp(now)}.db`);
  const partial = `${file}.partial`;
  try {
    await db.backup(partial);
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  for (const old of listBackups(policy.dir).slice(Math.max(1, policy.keep))) rmSync(old.file, { force: true });
  return file;
}

/** Runs at most one backup at a time; the store's owner waits for it before closing. */
export class Backups {
  private running: Promise<string | null> | null = null;
  lastError: string | null = null;

  constructor(
    private readonly db: WritableDB,
    readonly policy: BackupPolicy,
  ) {}

  /** Starts a backup when one is due (or `force`); resolves with its file, or null when none was taken. */
  maybe(force = false, now = new Date()): Promise<string | null> {
    if (this.running) return this.running;
    if (!force && !backupDue(this.policy, now.getTime())) return Promise.resolve(null);
    const p = backupNow(this.db, this.policy, now)
      .then((file) => {
        this.lastError = null;
        return file;
      })
      .catch((err: unknown) => {
        // A failed backup must not stop the app; the next start or timer tries again.
        this.lastError = err instanceof Error ? err.message : String(err);
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    this.running = p;
    return p;
  }

  async idle(): Promise<void> {
    await this.running;
  }
}

const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

function isCorruption(err: unknown): boolean {
  return CORRUPT.test(String((err as { code?: unknown } | null)?.code ?? ''));
}

/** Null when the database passes SQLite's integrity check, else what the check said. */
export function integrityProblem(db: WritableDB): string | null {
  const rows = db.pragma('integrity_check(5)') as { integrity_check: string }[];
  const said = rows.map((r) => r.integrity_check);
  return said.length === 1 && said[0] === 'ok' ? null : said.join('; ');
}

function sound(file: string, opts: OpenOptions): boolean {
  let db: WritableDB | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
    return integrityProblem(db) === null;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/** Renames the database and its WAL and shared-memory files aside; returns the new name of the database. */
function moveAside(file: string, now: Date): string {
  const moved = `${file}.damaged-${stamp(now)}`;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, moved + suffix);
  return moved;
}

export interface OpenedStore {
  db: WritableDB;
  recovery: StoreRecovery | null;
  /** Migrations applied to an existing database on this open. */
  migrated: number;
}

/**
 * Opens the store's database, checking it first when backups are kept: a database that fails the
 * integrity check, or that SQLite refuses as corrupt or not a database, is replaced by the newest
 * sound backup (or a new empty one when there is none) after being moved aside.
 */
export function openChecked(file: string, opts: OpenOptions, backupsDir: string, now = new Date()): OpenedStore {
  const existed = existsSync(file) && statSync(file).size > 0;
  let reason: string | null = null;
  let db: WritableDB | null = null;
  try {
    db = connect(file, opts);
    if (existed) reason = integrityProblem(db);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    reason = (err as Error).message;
  }
  let recovery: StoreRecovery | null = null;
  if (reason !== null) {
    db?.close();
    const movedTo = moveAside(file, now);
    const backup = listBackups(backupsDir).find((b) => sound(b.file, opts)) ?? null;
    if (backup) copyFileSync(backup.file, file);
    db = connect(file, opts);
    const backupAt = backup ? new Date(backup.at).toISOString() : null;
    recovery = {
      at: now.toISOString(),
      reason,
      movedTo,
      restoredFrom: backup?.file ?? null,
      backupAt,
      message: backup
        ? `The Opscope database was damaged (${reason}). It was moved aside to ${basename(movedTo)} and the automatic backup of ` +
          `${backupAt} was restored: work done after that time is not in it.`
        : `The Opscope database was damaged (${reason}) and no sound backup was found. It was moved aside to ${basename(movedTo)} ` +
          'and Opscope started with an empty library; the damaged file is kept.',
    };
  }
  const migrated = opts.readonly ? 0 : migrate(db!);
  return { db: db!, recovery, migrated: existed ? migrated : 0 };
}
