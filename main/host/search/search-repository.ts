/*
 * The library's words (migration 009's library_text, an FTS5 table kept by triggers): questions,
 * answers, review comments and bookmark labels, with where each one happens in its case.
 */

import { readable, type ReadableDB, type WritableDB } from '../store/db.js';

export type TextKind = 'question' | 'answer' | 'comment' | 'bookmark';

export interface TextMatch {
  caseId: string;
  kind: TextKind;
  refId: string;
  /** The text around the match, the matched words in [brackets]. */
  snippet: string;
  /** Case seconds: the evidence windows, or the bookmark's moment (start = end). */
  moments: { start: number; end: number }[];
}

export class LibraryTextStore {
  /** Searching only reads: the connection as queries see it. */
  private readonly db: ReadableDB;

  constructor(db: WritableDB) {
    this.db = readable(db);
  }

  /** Best matches first (FTS5's bm25); `fts` is an FTS5 query (see ftsQuery). */
  match(fts: string, limit: number): TextMatch[] {
    const rows = this.db
      .prepare(
        `SELECT case_id, kind, ref_id, snippet(library_text, 0, '[', ']', '…', 16) AS snippet
         FROM library_text WHERE library_text MATCH ? ORDER BY bm25(library_text) LIMIT ?`,
      )
      .all(fts, limit) as { case_id: string; kind: TextKind; ref_id: string; snippet: string }[];
    return rows.map((r) => ({ caseId: r.case_id, kind: r.kind, refId: r.ref_id, snippet: r.snippet, moments: this.momentsOf(r.kind, r.ref_id) }));
  }

  private momentsOf(kind: TextKind, refId: string): { start: number; end: number }[] {
    type W = { start: number; end: number };
    switch (kind) {
      case 'question':
        // The evidence of the question's latest run.
        return this.db
          .prepare(
            `SELECT COALESCE(e.corrected_start, e.start_s) AS start, COALESCE(e.corrected_end, e.end_s) AS end FROM evidence e
             WHERE e.run_id = (SELECT id FROM runs WHERE question_id = ? ORDER BY started_at DESC LIMIT 1) ORDER BY e.rank LIMIT 5`,
          )
          .all(refId) as W[];
      case 'answer':
        return this.db
          .prepare('SELECT COALESCE(corrected_start, start_s) AS start, COALESCE(corrected_end, end_s) AS end FROM evidence WHERE run_id = ? ORDER BY rank LIMIT 5')
          .all(refId) as W[];
      case 'comment':
        // The window as that review saw it: its own correction, else the item's.
        return this.db
          .prepare(
            `SELECT COALESCE(f.start_s, e.corrected_start, e.start_s) AS start, COALESCE(f.end_s, e.corrected_end, e.end_s) AS end
             FROM feedback f JOIN evidence e ON e.id = f.evidence_id WHERE f.id = ?`,
          )
          .all(refId) as W[];
      case 'bookmark':
        return this.db.prepare('SELECT time AS start, time AS end FROM bookmarks WHERE id = ?').all(refId) as W[];
    }
  }
}
