import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations/index.js';

/**
 * The connection the store changes the database through. Only the `Store` holds one (it is private
 * to main/host/store/), and it hands it to its repositories; no service ever sees it.
 */
export type WritableDB = Database.Database;

/** A prepared statement that can only read: no `run`. */
export interface ReadStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/**
 * The connection as queries see it: statements that read, nothing else (no `run`, `exec`,
 * `transaction` or `pragma`). As in Signal Desktop's ReadableDB / WritableDB, a function that only
 * reads says so in its signature, and the compiler keeps it from writing.
 */
export interface ReadableDB {
  prepare(sql: string): ReadStatement;
}

/**
 * A read-only view of a writable connection. The type already forbids `run`; asking SQLite whether
 * each statement writes also stops SQL that would change the database through `get` or `all`
 * (an `INSERT … RETURNING`, say) at run time.
 */
export function readable(db: WritableDB): ReadableDB {
  return {
    prepare(sql: string): ReadStatement {
      const stmt = db.prepare(sql);
      if (!stmt.readonly) throw new Error(`A read-only query was asked to change the database: ${sql.trim().split('\n')[0]}`);
      // Only the reading methods, so that not even an untyped caller finds `run`.
      return { get: (...p) => stmt.get(...p), all: (...p) => stmt.all(...p), iterate: (...p) => stmt.iterate(...p) };
    },
  };
}

export interface OpenOptions {
  /** Path of a better_sqlite3.node built for the running runtime (Electron in development). */
  nativeBinding?: string;
  readonly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): WritableDB {
  const db = connect(file, opts);
  if (!opts.readonly) migrate(db);
  return db;
}

/** Opens the file with the store's pragmas, without migrating it. */
export function connect(file: string, opts: OpenOptions = {}): WritableDB {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, {
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    ...(opts.readonly ? { readonly: true } : {}),
  });
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; clinician feedback raises it to FULL.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Applies the migrations the file lacks; returns how many were applied. */
export function migrate(db: WritableDB): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(
      `This data folder was written by a newer version of Opscope (schema ${current}, this version knows ${latest}). Update Opscope to open it.`,
    );
  }
  let applied = 0;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied++;
  }
  return applied;
}

/**
 * What a feature's repository builds on: the store's connection, for changes, and its read-only
 * view, for queries (a query written against `read` cannot write, see `readable`).
 */
export abstract class Repository {
  protected readonly read: ReadableDB;

  constructor(protected readonly db: WritableDB) {
    this.read = readable(db);
  }
}

/** Runs `fn` in a transaction whose commit is flushed to disk before returning. */
export function durably<T>(db: WritableDB, fn: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(fn)();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}
