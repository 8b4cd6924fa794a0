/*
 * The picture index in the store (migration 009): embedded keyframes per part and the chunks
 * done. Vectors are read back in bulk as packed arrays (the sketches of whole cases for a scan,
 * full vectors by row id for the few candidates).
 */

import type { WritableDB } from '../store/db.js';
import type { Quantised } from '../../core/similar/embedding-codec.js';

export interface PictureRow {
  time: number;
  vector: Quantised;
  sketch: Quantised;
}

/** Every embedded keyframe of some parts, packed: row i is at i * sketchDim in `sketches`. */
export interface PackedSketches {
  ids: Float64Array;
  partIds: string[];
  /** Part seconds. */
  times: Float64Array;
  sketches: Int8Array;
  scales: Float32Array;
  dim: number;
}

const bytes = (a: Int8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const int8 = (b: Buffer) => new Int8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

export class PictureIndexStore {
  constructor(private readonly db: WritableDB) {}

  /** Chunks of the part embedded with `model` (chunks of another model are removed with their frames). */
  chunksDone(partId: string, model: string): Set<number> {
    const rows = this.db.prepare('SELECT chunk, model FROM picture_chunks WHERE part_id = ?').all(partId) as { chunk: number; model: string }[];
    if (rows.some((r) => r.model !== model)) {
      this.clearPart(partId);
      return new Set();
    }
    return new Set(rows.map((r) => r.chunk));
  }

  /** One chunk's keyframes and the chunk marked done, in one transaction (a crash keeps both or neither). */
  saveChunk(partId: string, chunk: number, model: string, from: number, to: number, rows: readonly PictureRow[]): void {
    const del = this.db.prepare('DELETE FROM picture_frames WHERE part_id = ? AND time >= ? AND time < ?');
    const ins = this.db.prepare('INSERT INTO picture_frames (part_id, time, scale, vector, sketch_scale, sketch) VALUES (?, ?, ?, ?, ?, ?)');
    const mark = this.db.prepare('INSERT OR REPLACE INTO picture_chunks (part_id, chunk, model, frames) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      del.run(partId, from - 1e-6, to - 1e-6);
      for (const r of rows) ins.run(partId, r.time, r.vector.scale, bytes(r.vector.q), r.sketch.scale, bytes(r.sketch.q));
      mark.run(partId, chunk, model, rows.length);
    })();
  }

  clearPart(partId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM picture_frames WHERE part_id = ?').run(partId);
      this.db.prepare('DELETE FROM picture_chunks WHERE part_id = ?').run(partId);
    })();
  }

  /** Frames and model of each part that has any. */
  summary(partIds: readonly string[]): Map<string, { frames: number; chunks: number; model: string }> {
    const out = new Map<string, { frames: number; chunks: number; model: string }>();
    const stmt = this.db.prepare('SELECT COUNT(*) AS chunks, COALESCE(SUM(frames), 0) AS frames, MIN(model) AS model FROM picture_chunks WHERE part_id = ?');
    for (const id of partIds) {
      const r = stmt.get(id) as { chunks: number; frames: number; model: string | null };
      if (r.chunks > 0 && r.model) out.set(id, { frames: r.frames, chunks: r.chunks, model: r.model });
    }
    return out;
  }

  /**
   * Per case, a string that changes whenever a part comes or goes or a chunk of pictures is stored
   * or cleared (a replaced chunk row gets a new rowid), by this process or another: one statement
   * for the whole library, so a query can tell cheaply which cases to read again.
   */
  versions(): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT p.case_id, COUNT(DISTINCT p.id), COUNT(k.part_id), COALESCE(SUM(k.frames), 0), COALESCE(MAX(k.rowid), 0)
         FROM parts p LEFT JOIN picture_chunks k ON k.part_id = p.id GROUP BY p.case_id`,
      )
      .raw(true)
      .all() as [string, number, number, number, number][];
    return new Map(rows.map(([caseId, ...v]) => [caseId, v.join(':')]));
  }

  /** The sketches of the parts' keyframes in time order within each part, parts in the given order. */
  sketches(partIds: readonly string[], dim: number): PackedSketches {
    const stmt = this.db.prepare('SELECT id, time, sketch_scale, sketch FROM picture_frames WHERE part_id = ? ORDER BY time').raw(true);
    const rows: { part: string; r: [number, number, number, Buffer] }[] = [];
    for (const part of partIds) for (const r of stmt.all(part) as [number, number, number, Buffer][]) rows.push({ part, r });
    const n = rows.length;
    const out: PackedSketches = {
      ids: new Float64Array(n),
      partIds: new Array<string>(n),
      times: new Float64Array(n),
      sketches: new Int8Array(n * dim),
      scales: new Float32Array(n),
      dim,
    };
    rows.forEach(({ part, r }, i) => {
      out.ids[i] = r[0];
      out.partIds[i] = part;
      out.times[i] = r[1];
      out.scales[i] = r[2];
      const b = r[3];
      out.sketches.set(new Int8Array(b.buffer, b.byteOffset, Math.min(dim, b.byteLength)), i * dim);
    });
    return out;
  }

  /** Full vectors by row id, read in one statement (a query asks for hundreds). */
  vectors(ids: readonly number[]): Map<number, Quantised> {
    const out = new Map<number, Quantised>();
    const stmt = this.db.prepare('SELECT id, scale, vector FROM picture_frames WHERE id IN (SELECT value FROM json_each(?))').raw(true);
    for (const r of stmt.all(JSON.stringify(ids)) as [number, number, Buffer][]) out.set(r[0], { q: int8(r[2]), scale: r[1] });
    return out;
  }
}
