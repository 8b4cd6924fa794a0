/*
 * Bookmarks of cases (migration 005). A bookmark's number is not stored: it is its place in time
 * order within its case, computed when read. Every change is written durably (synchronous=FULL)
 * with its audit entry in the same transaction: a moment marked during an operation must survive
 * a crash right after.
 */

import { BOOKMARK_LABEL_MAX, type Bookmark } from '../../core/contract/bookmark-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { newId } from '../../node/ids.js';
import { durably, Repository, type WritableDB } from '../store/db.js';
import type { AuditFn } from './feedback-repository.js';

/** Row shape of `bookmarks` as SQLite returns it, with the computed number. */
export interface BookmarkRow {
  id: string;
  case_id: string;
  time: number;
  label: string | null;
  created_at: string;
  created_by: string | null;
  number: number;
}

export interface NewBookmark {
  caseId: string;
  time: number;
  label?: string | null | undefined;
  /** Who set it (the reviewer name), or null when nobody is named. */
  createdBy: string | null;
}

export interface BookmarkChange {
  /** Null removes the label. */
  label: string | null;
  time?: number | undefined;
}

/** Ties in time keep the order the bookmarks were made in. */
const ORDER = 'time, created_at, id';

const NUMBERED = `
  SELECT id, case_id, time, label, created_at, created_by,
         ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY ${ORDER}) AS number
  FROM bookmarks WHERE case_id = ?`;

function cleanLabel(label: string | null | undefined): string | null {
  const t = label?.trim() ?? '';
  if (t.length > BOOKMARK_LABEL_MAX) throw new OpscopeError('invalid-input', `A bookmark label is at most ${BOOKMARK_LABEL_MAX} characters.`);
  return t === '' ? null : t;
}

function checkTime(time: number): void {
  if (!Number.isFinite(time) || time < 0) throw new OpscopeError('invalid-input', 'A bookmark time must be a case time of 0 s or more.');
}

export function bookmarkOf(r: BookmarkRow): Bookmark {
  return { bookmarkId: r.id, caseId: r.case_id, time: r.time, label: r.label, number: r.number, createdAt: r.created_at };
}

export class BookmarkStore extends Repository {
  /** `audit` writes an audit_log row (Store.audit); it runs inside the change's transaction. */
  constructor(
    db: WritableDB,
    private readonly audit: AuditFn,
  ) {
    super(db);
  }

  /** Adds a bookmark to a case; the caller has checked the time against the case's length. */
  add(input: NewBookmark): Bookmark {
    checkTime(input.time);
    const label = cleanLabel(input.label);
    return durably(this.db, () => {
      this.requireCase(input.caseId);
      const id = newId();
      this.db
        .prepare('INSERT INTO bookmarks (id, case_id, time, label, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, input.caseId, input.time, label, new Date().toISOString(), input.createdBy);
      this.audit(input.createdBy ?? 'user', 'bookmark.add', id, { caseId: input.caseId, time: input.time, label });
      return this.require(id);
    });
  }

  /** The case's bookmarks in time order, numbered from 1. */
  list(caseId: string): Bookmark[] {
    return (this.read.prepare(`${NUMBERED} ORDER BY ${ORDER}`).all(caseId) as BookmarkRow[]).map(bookmarkOf);
  }

  get(bookmarkId: string): Bookmark | null {
    const row = this.read.prepare('SELECT case_id FROM bookmarks WHERE id = ?').get(bookmarkId) as { case_id: string } | undefined;
    if (!row) return null;
    const found = this.read.prepare(`SELECT * FROM (${NUMBERED}) WHERE id = ?`).get(row.case_id, bookmarkId) as BookmarkRow | undefined;
    return found ? bookmarkOf(found) : null;
  }

  /** Changes the label and, when given, the time; the caller has checked the time. */
  update(bookmarkId: string, change: BookmarkChange, actor: string): Bookmark {
    if (change.time !== undefined) checkTime(change.time);
    const label = cleanLabel(change.label);
    return durably(this.db, () => {
      const before = this.require(bookmarkId);
      const time = change.time ?? before.time;
      this.db.prepare('UPDATE bookmarks SET label = ?, time = ? WHERE id = ?').run(label, time, bookmarkId);
      this.audit(actor, 'bookmark.update', bookmarkId, {
        caseId: before.caseId, time, label, ...(time !== before.time ? { from: before.time } : {}),
      });
      return this.require(bookmarkId);
    });
  }

  /** Deletes a bookmark; returns what it was. */
  delete(bookmarkId: string, actor: string): Bookmark {
    return durably(this.db, () => {
      const before = this.require(bookmarkId);
      this.db.prepare('DELETE FROM bookmarks WHERE id = ?').run(bookmarkId);
      this.audit(actor, 'bookmark.delete', bookmarkId, { caseId: before.caseId, time: before.time, label: before.label });
      return before;
    });
  }

  private require(bookmarkId: string): Bookmark {
    const b = this.get(bookmarkId);
    if (!b) throw new OpscopeError('not-found', 'There is no such bookmark (it or its case may have been deleted).');
    return b;
  }

  private requireCase(caseId: string): void {
    if (!this.read.prepare('SELECT 1 FROM cases WHERE id = ?').get(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
  }
}
