import type { PacketScan } from '../../core/media-info.js';
import { connect, readable, type ReadableDB } from './db.js';
import { migrations } from './migrations/index.js';
import type { CaseRow, PartRow } from './rows.js';

/*
 * The store's reads of a case, its parts and their packet scans. The Store answers with these,
 * and so does a read-only connection for a one-shot command that needs nothing else (`opscope
 * frame`): the whole store loads every repository and the contract's schemas, which cost such a
 * command more than its own work.
 */

function f64(buf: Buffer): Float64Array {
  const copy = new Uint8Array(buf);
  return new Float64Array(copy.buffer, 0, copy.byteLength / 8);
}

function u32(buf: Buffer): Uint32Array {
  const copy = new Uint8Array(buf);
  return new Uint32Array(copy.buffer, 0, copy.byteLength / 4);
}

export function readCase(db: ReadableDB, caseId: string): CaseRow | undefined {
  return db.prepare('SELECT * FROM cases WHERE id = ?').get(caseId) as CaseRow | undefined;
}

export function readPartsOf(db: ReadableDB, caseId: string): PartRow[] {
  return db.prepare('SELECT * FROM parts WHERE case_id = ? ORDER BY ord').all(caseId) as PartRow[];
}

export function readPart(db: ReadableDB, partId: string): PartRow | undefined {
  return db.prepare('SELECT * FROM parts WHERE id = ?').get(partId) as PartRow | undefined;
}

export function readPacketScan(db: ReadableDB, partId: string): PacketScan | null {
  const r = db
    .prepare('SELECT frame_times, packet_times, packet_sizes, packet_keys FROM part_timing WHERE part_id = ?')
    .get(partId) as { frame_times: Buffer; packet_times: Buffer; packet_sizes: Buffer; packet_keys: Buffer } | undefined;
  if (!r) return null;
  return {
    frameTimes: f64(r.frame_times),
    packetTimes: f64(r.packet_times),
    packetSizes: u32(r.packet_sizes),
    packetKeys: new Uint8Array(r.packet_keys),
  };
}

export function readFrameTimes(db: ReadableDB, partId: string): Float64Array | null {
  const r = db.prepare('SELECT frame_times FROM part_timing WHERE part_id = ?').get(partId) as { frame_times: Buffer } | undefined;
  return r ? f64(r.frame_times) : null;
}

/** The reads above on a connection that cannot write. */
export interface PartReader {
  getCase(caseId: string): CaseRow | undefined;
  partsOf(caseId: string): PartRow[];
  getPart(partId: string): PartRow | undefined;
  packetScan(partId: string): PacketScan | null;
  frameTimes(partId: string): Float64Array | null;
  close(): void;
}

/**
 * A read-only connection to the store's file, or null where only the Store may open it: no file
 * yet, or a schema other than this version's (the Store migrates it, or says it is too new).
 */
export function openPartReader(file: string): PartReader | null {
  let db: ReturnType<typeof connect> | null = null;
  try {
    db = connect(file, { readonly: true });
    if (db.pragma('user_version', { simple: true }) !== migrations.at(-1)?.version) throw new Error('not this version\'s schema');
  } catch {
    db?.close();
    return null;
  }
  const conn = db;
  const read = readable(db);
  return {
    getCase: (id) => readCase(read, id),
    partsOf: (id) => readPartsOf(read, id),
    getPart: (id) => readPart(read, id),
    packetScan: (id) => readPacketScan(read, id),
    frameTimes: (id) => readFrameTimes(read, id),
    close: () => conn.close(),
  };
}
