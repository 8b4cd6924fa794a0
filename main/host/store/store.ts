import type { IndexState, IndexStatus, RecordingGap, Settings, ViewState } from '../../core/contract/schemas.js';
import type { PacketScan } from '../../core/media-info.js';
import { newId } from '../../node/ids.js';
import { redactSecrets } from '../../core/secrets.js';
import { AgentStore } from '../agent/agent-repository.js';
import { Backups, DAY_MS, DEFAULT_KEEP, openChecked, type StoreRecovery } from './backup.js';
import { durably, openDatabase, readable, type OpenOptions, type ReadableDB, type WritableDB } from './db.js';
import { readCase, readFrameTimes, readPacketScan, readPart, readPartsOf } from './part-reads.js';
import { BookmarkStore } from '../review/bookmark-repository.js';
import { PictureIndexStore } from '../similar/similar-repository.js';
import { LibraryTextStore } from '../search/search-repository.js';
import { FeedbackStore } from '../review/feedback-repository.js';
import { AuditLog } from '../audit/audit-repository.js';
import { DicomRecords } from '../pacs/dicom-repository.js';
import { openTestDoor } from './test-door.js';
import type { CaseRow, IndexStateRow, PartRow } from './rows.js';

export type NewPart = Omit<PartRow, 'id' | 'case_id' | 'ord' | 'created_at'>;

export interface ChunkRow {
  part_id: string;
  chunk: number;
  from_s: number;
  to_s: number;
  samples_json: string;
  thumbs_json: string;
}

/**
 * Bumped when the index algorithm changes, so old indexes are rebuilt. 2: low frame rates read
 * frame by frame, and packet sizes left out of motion at a variable frame rate.
 */
export const INDEX_VERSION = 2;

const now = () => new Date().toISOString();

const INSERT_PART = `INSERT INTO parts (
  id, case_id, ord, path, file_name, size, mtime_ms, fingerprint, duration, start_time, width, height, fps, vfr,
  codec, container, rotation, has_audio, keyframe_interval, creation_time, playback, probe_json, created_at
) VALUES (
  @id, @case_id, @ord, @path, @file_name, @size, @mtime_ms, @fingerprint, @duration, @start_time, @width, @height,
  @fps, @vfr, @codec, @container, @rotation, @has_audio, @keyframe_interval, @creation_time, @playback,
  @probe_json, @created_at
)`;

export type RecordingState = 'running' | 'stopped' | 'interrupted';

export interface RecordingRow {
  id: string;
  case_id: string;
  folder: string;
  state: RecordingState;
  started_at: string;
  ended_at: string | null;
  pid: number | null;
  ffmpeg_pid: number | null;
  source_json: string;
}

function f32(buf: Buffer): Float32Array {
  const copy = new Uint8Array(buf);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}
const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * The only writer of the database. Every multi-row change is one transaction, so a crash never
 * leaves half a case behind.
 */
export class Store {
  /** The one writable connection. Private: services change the database through the store's methods. */
  readonly #db: WritableDB;
  /** The same connection for queries: it cannot write (see readable in db.ts). */
  readonly #read: ReadableDB;
  /** Conversations, questions, runs, steps and evidence. */
  readonly agent: AgentStore;
  /** Clinician reviews of evidence (append-only, written durably). */
  readonly feedback: FeedbackStore;
  /** Moments clinicians marked in cases (written durably). */
  readonly bookmarks: BookmarkStore;
  /** The picture index: embedded keyframes of each part (migration 009). */
  readonly pictures: PictureIndexStore;
  /** The library's words for search (FTS5, kept by triggers). */
  readonly libraryText: LibraryTextStore;
  /** The DICOM instances parts were read from, and the patients of cases. */
  readonly dicom: DicomRecords;
  /** The audit log, read back (written by `audit`). */
  readonly auditLog: AuditLog;

  /** Automatic backups, when the owner asked for them (the app does; tests mostly do not). */
  readonly backups: Backups | null = null;
  /** Set when the database was found damaged on open and replaced (see backup.ts). */
  readonly recovery: StoreRecovery | null = null;

  constructor(file: string, opts: OpenOptions & { backups?: { dir: string; keep?: number; maxAgeMs?: number } } = {}) {
    if (opts.backups && !opts.readonly) {
      const opened = openChecked(file, opts, opts.backups.dir);
      this.#db = opened.db;
      this.recovery = opened.recovery;
      this.backups = new Backups(this.#db, { dir: opts.backups.dir, keep: opts.backups.keep ?? DEFAULT_KEEP, maxAgeMs: opts.backups.maxAgeMs ?? DAY_MS });
      // A schema change is a moment worth a restore point.
      if (opened.migrated > 0) void this.backups.maybe(true);
    } else {
      this.#db = openDatabase(file, opts);
    }
    this.#read = readable(this.#db);
    this.agent = new AgentStore(this.#db);
    this.feedback = new FeedbackStore(this.#db, (actor, action, subject, detail) => this.audit(actor, action, subject, detail));
    this.bookmarks = new BookmarkStore(this.#db, (actor, action, subject, detail) => this.audit(actor, action, subject, detail));
    this.pictures = new PictureIndexStore(this.#db);
    this.libraryText = new LibraryTextStore(this.#db);
    this.dicom = new DicomRecords(this.#db);
    this.auditLog = new AuditLog(this.#read);
    if (!opts.readonly) this.agent.markInterrupted();
    if (this.recovery) {
      const { reason, movedTo, restoredFrom } = this.recovery;
      this.audit('system', 'store.recover', null, { reason, movedTo, restoredFrom });
    }
  }

  close(): void {
    this.agent.release();
    this.#db.close();
  }

  /** SQLite's own check of the file and of its foreign keys: 'ok' and none when the store is sound. */
  integrityCheck(): { integrity: string; foreignKeyProblems: number } {
    return {
      integrity: this.#db.pragma('integrity_check', { simple: true }) as string,
      foreignKeyProblems: (this.#db.pragma('foreign_key_check') as unknown[]).length,
    };
  }

  /** Many changes as one transaction (a bulk load): one commit instead of one per change. */
  inOneTransaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  static {
    // Tests that simulate an old schema or read rows directly get the connection through
    // test/support/raw-db.ts; lint keeps main/ from importing this door.
    openTestDoor((store) => store.#db);
  }

  // ---- cases and parts

  createCase(name: string, parts: NewPart[], opts: { isDemo?: boolean } = {}): { caseId: string; partIds: string[] } {
    const caseId = newId();
    const partIds: string[] = [];
    const t = now();
    const insertCase = this.#db.prepare(
      'INSERT INTO cases (id, name, created_at, updated_at, is_demo) VALUES (?, ?, ?, ?, ?)',
    );
    const insertPart = this.#db.prepare(INSERT_PART);
    const insertState = this.#db.prepare(
      'INSERT INTO index_state (part_id, state, progress, stage, message, version, updated_at) VALUES (?, ?, 0, ?, NULL, ?, ?)',
    );
    this.#db.transaction(() => {
      insertCase.run(caseId, name, t, t, opts.isDemo ? 1 : 0);
      parts.forEach((p, ord) => {
        const id = newId();
        partIds.push(id);
        insertPart.run({ ...p, id, case_id: caseId, ord, created_at: t });
        insertState.run(id, 'pending', 'Waiting to index', INDEX_VERSION, t);
      });
      this.audit('system', 'case.create', caseId, { name, parts: parts.length });
    })();
    return { caseId, partIds };
  }

  /** Parts added after the case's last part (a live recording's segments), in one transaction. */
  appendParts(caseId: string, parts: NewPart[]): string[] {
    const t = now();
    const ids: string[] = [];
    const insertPart = this.#db.prepare(INSERT_PART);
    const insertState = this.#db.prepare(
      'INSERT INTO index_state (part_id, state, progress, stage, message, version, updated_at) VALUES (?, ?, 0, ?, NULL, ?, ?)',
    );
    this.#db.transaction(() => {
      const { next } = this.#read.prepare('SELECT coalesce(max(ord) + 1, 0) AS next FROM parts WHERE case_id = ?').get(caseId) as { next: number };
      parts.forEach((p, i) => {
        const id = newId();
        ids.push(id);
        insertPart.run({ ...p, id, case_id: caseId, ord: next + i, created_at: t });
        insertState.run(id, 'pending', 'Waiting to index', INDEX_VERSION, t);
      });
      this.#db.prepare('UPDATE cases SET updated_at = ? WHERE id = ?').run(t, caseId);
    })();
    return ids;
  }

  // ---- live recordings

  addRecording(row: Omit<RecordingRow, 'ended_at' | 'state' | 'ffmpeg_pid'>): void {
    this.#db
      .prepare("INSERT INTO recordings (id, case_id, folder, state, started_at, pid, source_json) VALUES (@id, @case_id, @folder, 'running', @started_at, @pid, @source_json)")
      .run(row);
    this.audit('system', 'recording.start', row.case_id, { recordingId: row.id });
  }

  endRecording(id: string, state: Exclude<RecordingState, 'running'>): void {
    this.#db.prepare('UPDATE recordings SET state = ?, ended_at = ?, pid = NULL WHERE id = ?').run(state, now(), id);
  }

  /** The ffmpeg writing a recording's segments (null once it ended), stopped at the next start if a crash orphaned it. */
  setRecorderPid(id: string, pid: number | null): void {
    this.#db.prepare('UPDATE recordings SET ffmpeg_pid = ? WHERE id = ?').run(pid, id);
  }

  addGap(gap: { caseId: string; recordingId: string | null } & RecordingGap): void {
    this.#db
      .prepare('INSERT INTO recording_gaps (case_id, recording_id, at, seconds, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(gap.caseId, gap.recordingId, gap.at, gap.seconds, gap.reason, now());
  }

  gapsOf(caseId: string): RecordingGap[] {
    return this.#read.prepare('SELECT at, seconds, reason FROM recording_gaps WHERE case_id = ? ORDER BY at, id').all(caseId) as RecordingGap[];
  }

  recordingsIn(state: RecordingState): RecordingRow[] {
    return this.#read.prepare('SELECT * FROM recordings WHERE state = ? ORDER BY started_at').all(state) as RecordingRow[];
  }

  partPaths(caseId: string): Set<string> {
    return new Set((this.#read.prepare('SELECT path FROM parts WHERE case_id = ?').all(caseId) as { path: string }[]).map((r) => r.path));
  }

  listCases(): CaseRow[] {
    return this.#read.prepare('SELECT * FROM cases ORDER BY created_at DESC, id DESC').all() as CaseRow[];
  }

  getCase(caseId: string): CaseRow | undefined {
    return readCase(this.#read, caseId);
  }

  partsOf(caseId: string): PartRow[] {
    return readPartsOf(this.#read, caseId);
  }

  getPart(partId: string): PartRow | undefined {
    return readPart(this.#read, partId);
  }

  partsByFingerprint(fingerprint: string): PartRow[] {
    return this.#read.prepare('SELECT * FROM parts WHERE fingerprint = ?').all(fingerprint) as PartRow[];
  }

  relinkPart(partId: string, path: string, fileName: string, mtimeMs: number): void {
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE parts SET path = ?, file_name = ?, mtime_ms = ? WHERE id = ?').run(path, fileName, mtimeMs, partId);
      this.audit('system', 'part.relink', partId, { path });
    })();
  }

  updatePartTiming(partId: string, fields: { fps: number; vfr: boolean; keyframeInterval: number | null; duration: number }): void {
    this.#db
      .prepare('UPDATE parts SET fps = ?, vfr = ?, keyframe_interval = ?, duration = ? WHERE id = ?')
      .run(fields.fps, fields.vfr ? 1 : 0, fields.keyframeInterval, fields.duration, partId);
  }

  setPlayback(partId: string, playback: string): void {
    this.#db.prepare('UPDATE parts SET playback = ? WHERE id = ?').run(playback, partId);
  }

  renameCase(caseId: string, name: string): boolean {
    return this.#db.transaction(() => {
      const r = this.#db.prepare('UPDATE cases SET name = ?, updated_at = ? WHERE id = ?').run(name, now(), caseId);
      if (r.changes) this.audit('user', 'case.rename', caseId, { name });
      return r.changes > 0;
    })();
  }

  deleteCase(caseId: string): boolean {
    return this.#db.transaction(() => {
      const r = this.#db.prepare('DELETE FROM cases WHERE id = ?').run(caseId);
      if (r.changes) this.audit('user', 'case.delete', caseId, {});
      return r.changes > 0;
    })();
  }

  reorderParts(caseId: string, partIds: string[]): void {
    const set = this.#db.prepare('UPDATE parts SET ord = ? WHERE id = ? AND case_id = ?');
    this.#db.transaction(() => {
      partIds.forEach((id, i) => set.run(i, id, caseId));
      this.#db.prepare('UPDATE cases SET updated_at = ? WHERE id = ?').run(now(), caseId);
      this.audit('user', 'case.reorder', caseId, { partIds });
    })();
  }

  setView(caseId: string, view: ViewState): boolean {
    // Not an edit of the case; updated_at stays as it was.
    return this.#db.prepare('UPDATE cases SET view_json = ? WHERE id = ?').run(JSON.stringify(view), caseId).changes > 0;
  }

  // ---- index state

  /** A part indexed by an older version of the index reads as waiting to be indexed again. */
  indexStates(caseId: string): (IndexStateRow & { duration: number })[] {
    const rows = this.#read
      .prepare(
        `SELECT s.*, p.duration FROM index_state s JOIN parts p ON p.id = s.part_id WHERE p.case_id = ? ORDER BY p.ord`,
      )
      .all(caseId) as (IndexStateRow & { duration: number })[];
    return rows.map((r) => (r.state === 'done' && r.version !== INDEX_VERSION ? { ...r, state: 'pending', progress: 0, stage: 'Indexed by an older version; waiting to index again' } : r));
  }

  setIndexState(partId: string, state: IndexState, progress: number, stage: string, message: string | null = null): void {
    this.#db
      .prepare(
        `INSERT INTO index_state (part_id, state, progress, stage, message, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(part_id) DO UPDATE SET state = excluded.state, progress = excluded.progress, stage = excluded.stage,
           message = excluded.message, version = excluded.version, updated_at = excluded.updated_at`,
      )
      .run(partId, state, progress, stage, message, INDEX_VERSION, now());
  }

  /** Jobs the last process left running cannot still be running. */
  interruptedIndexCases(): string[] {
    const rows = this.#read
      .prepare(`SELECT DISTINCT p.case_id AS id FROM index_state s JOIN parts p ON p.id = s.part_id
                WHERE s.state IN ('running', 'pending') OR s.version <> ?`)
      .all(INDEX_VERSION) as { id: string }[];
    return rows.map((r) => r.id);
  }

  // ---- timing, chunks, tracks, thumbnails

  savePacketScan(partId: string, scan: PacketScan): void {
    this.#db
      .prepare(
        `INSERT INTO part_timing (part_id, frame_times, packet_times, packet_sizes, packet_keys) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(part_id) DO UPDATE SET frame_times = excluded.frame_times, packet_times = excluded.packet_times,
           packet_sizes = excluded.packet_sizes, packet_keys = excluded.packet_keys`,
      )
      .run(partId, bytes(scan.frameTimes), bytes(scan.packetTimes), bytes(scan.packetSizes), bytes(scan.packetKeys));
  }

  packetScan(partId: string): PacketScan | null {
    return readPacketScan(this.#read, partId);
  }

  frameTimes(partId: string): Float64Array | null {
    return readFrameTimes(this.#read, partId);
  }

  saveFov(partId: string, mask: Uint8Array, width: number, height: number): void {
    this.#db.prepare('UPDATE part_timing SET fov_mask = ?, fov_width = ?, fov_height = ? WHERE part_id = ?').run(bytes(mask), width, height, partId);
  }

  fov(partId: string): { mask: Uint8Array; width: number; height: number } | null {
    const r = this.#read.prepare('SELECT fov_mask, fov_width, fov_height FROM part_timing WHERE part_id = ?').get(partId) as
      | { fov_mask: Buffer | null; fov_width: number | null; fov_height: number | null }
      | undefined;
    if (!r?.fov_mask || !r.fov_width || !r.fov_height) return null;
    return { mask: new Uint8Array(r.fov_mask), width: r.fov_width, height: r.fov_height };
  }

  saveChunk(row: ChunkRow): void {
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO index_chunks (part_id, chunk, from_s, to_s, samples_json, thumbs_json)
         VALUES (@part_id, @chunk, @from_s, @to_s, @samples_json, @thumbs_json)`,
      )
      .run(row);
  }

  chunks(partId: string): ChunkRow[] {
    return this.#read.prepare('SELECT * FROM index_chunks WHERE part_id = ? ORDER BY chunk').all(partId) as ChunkRow[];
  }

  /** Final tracks and thumbnails replace the partial chunks in one transaction. */
  finishPartIndex(partId: string, tracks: Record<string, Float32Array>, thumbnailsMeta: unknown): void {
    const put = this.#db.prepare('INSERT OR REPLACE INTO tracks (part_id, name, rate, data) VALUES (?, ?, 1, ?)');
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM tracks WHERE part_id = ?').run(partId);
      for (const [name, values] of Object.entries(tracks)) put.run(partId, name, bytes(values));
      this.#db.prepare('INSERT OR REPLACE INTO thumbnails (part_id, meta_json) VALUES (?, ?)').run(partId, JSON.stringify(thumbnailsMeta));
      this.#db.prepare('DELETE FROM index_chunks WHERE part_id = ?').run(partId);
    })();
  }

  resetPartIndex(partId: string): void {
    this.#db.transaction(() => {
      for (const t of ['tracks', 'thumbnails', 'index_chunks']) this.#db.prepare(`DELETE FROM ${t} WHERE part_id = ?`).run(partId);
    })();
  }

  tracks(partId: string): Map<string, Float32Array> {
    const rows = this.#read.prepare('SELECT name, data FROM tracks WHERE part_id = ?').all(partId) as { name: string; data: Buffer }[];
    return new Map(rows.map((r) => [r.name, f32(r.data)]));
  }

  thumbnailsMeta<T>(partId: string): T | null {
    const r = this.#read.prepare('SELECT meta_json FROM thumbnails WHERE part_id = ?').get(partId) as { meta_json: string } | undefined;
    return r ? (JSON.parse(r.meta_json) as T) : null;
  }

  // ---- settings and audit

  settingsRaw(): Partial<Settings> {
    const rows = this.#read.prepare('SELECT key, value_json FROM settings').all() as { key: string; value_json: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value_json) as unknown])) as Partial<Settings>;
  }

  saveSettings(values: Partial<Settings>, actor: string): void {
    const put = this.#db.prepare('INSERT OR REPLACE INTO settings (key, value_json) VALUES (?, ?)');
    durably(this.#db, () => {
      for (const [k, v] of Object.entries(values)) put.run(k, JSON.stringify(v));
      this.audit(actor, 'settings.change', null, redactSecrets(values));
    });
  }

  audit(actor: string, action: string, subject: string | null, detail: unknown): void {
    this.#db
      .prepare('INSERT INTO audit_log (at, actor, action, subject, detail_json) VALUES (?, ?, ?, ?, ?)')
      .run(now(), actor, action, subject, JSON.stringify(detail ?? null));
  }
}

/**
 * The store as code that only reads sees it: queries, no method that changes the database. A
 * service typed with it cannot write, and the compiler says so (test/unit/main/host/store/).
 */
export type ReadableStore = Pick<
  Store,
  | 'listCases' | 'getCase' | 'partsOf' | 'getPart' | 'partsByFingerprint' | 'partPaths' | 'gapsOf' | 'recordingsIn'
  | 'indexStates' | 'interruptedIndexCases' | 'packetScan' | 'frameTimes' | 'fov' | 'chunks' | 'tracks' | 'thumbnailsMeta'
  | 'settingsRaw' | 'auditLog'
> & {
  readonly agent: Pick<AgentStore, 'conversations' | 'conversationCase' | 'runInfo' | 'history'>;
  readonly bookmarks: Pick<BookmarkStore, 'list' | 'get'>;
  readonly feedback: Pick<FeedbackStore, 'history' | 'list' | 'counts' | 'reviewedRows'>;
  readonly dicom: Pick<DicomRecords, 'partsOfCase' | 'caseOfSeries' | 'part' | 'casesOfStudy' | 'patientOf'>;
};

export function aggregateIndexStatus(rows: { state: string; progress: number; stage: string; message: string | null; duration: number }[]): IndexStatus {
  if (rows.length === 0) return { state: 'done', progress: 1, stage: 'Nothing to index' };
  const total = rows.reduce((s, r) => s + Math.max(r.duration, 1e-3), 0);
  const progress = Math.min(1, rows.reduce((s, r) => s + Math.max(r.duration, 1e-3) * (r.state === 'done' ? 1 : r.progress), 0) / total);
  const pick = (state: IndexState) => rows.find((r) => r.state === state);
  for (const state of ['running', 'failed', 'canceled', 'pending'] as const) {
    const r = pick(state);
    if (r) return { state, progress, stage: r.stage, ...(r.message ? { message: r.message } : {}) };
  }
  return { state: 'done', progress: 1, stage: 'Indexed' };
}
