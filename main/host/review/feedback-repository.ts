/*
 * Clinician feedback on evidence (migration 003). Reviews are appended, never changed: the latest
 * row of an item is its current review. Every review is written durably (synchronous=FULL) with
 * its audit entry in the same transaction, so an acknowledged review survives a crash right after.
 */

import type {
  Feedback, ReviewCounts, ReviewFilter, ReviewItem, ReviewStatus, Verdict,
} from '../../core/contract/feedback-schemas.js';
import { COMMENT_MAX, REVIEWER_MAX } from '../../core/contract/feedback-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { formatClock } from '../../core/time-format.js';
import { newId } from '../../node/ids.js';
import type { EvidenceRow } from '../agent/agent-rows.js';
import { durably, Repository, type WritableDB } from '../store/db.js';

export interface NewFeedback {
  evidenceId: string;
  verdict: Verdict;
  start?: number | null;
  end?: number | null;
  comment?: string | null;
  /** Required here; the host fills it from the settings when the user gave none. */
  reviewer: string;
}

/** Row shape of `feedback` as SQLite returns it. */
export interface FeedbackRow {
  seq: number;
  id: string;
  evidence_id: string;
  verdict: Verdict;
  start_s: number | null;
  end_s: number | null;
  comment: string | null;
  reviewer: string;
  created_at: string;
}

/** An evidence item with where it comes from and its latest review (f_* null when unreviewed). */
export interface ReviewedEvidenceRow extends Pick<EvidenceRow, 'run_id' | 'rank' | 'start_s' | 'end_s' | 'frames_json' | 'claim'> {
  evidence_id: string;
  backend: string;
  model: string | null;
  answer: string | null;
  question_id: string;
  question: string;
  asked_at: string;
  conversation_id: string;
  case_id: string;
  case_name: string;
  f_seq: number | null;
  f_id: string | null;
  f_verdict: Verdict | null;
  f_start: number | null;
  f_end: number | null;
  f_comment: string | null;
  f_reviewer: string | null;
  f_created_at: string | null;
}

/** Case durations may be float sums of part durations; a window ending "at the end" is inside. */
const EPSILON = 1e-6;

const FILTERS: Record<ReviewFilter, string> = {
  all: '1',
  unreviewed: 'f.seq IS NULL',
  flagged: "f.verdict = 'incorrect'",
  confirmed: "f.verdict IN ('correct', 'adjusted')",
};

/**
 * The latest review of an evidence item, found through the (evidence_id, seq) index: grouping the
 * whole feedback table instead made every list as slow as the store is large.
 */
const LATEST_SEQ = 'SELECT MAX(seq) FROM feedback WHERE evidence_id = e.id';

const REVIEWED_EVIDENCE = `
  SELECT e.id AS evidence_id, e.run_id, e.rank, e.start_s, e.end_s, e.frames_json, e.claim,
         r.backend, r.model, r.answer,
         q.id AS question_id, q.text AS question, q.asked_at,
         c.id AS conversation_id, k.id AS case_id, k.name AS case_name,
         f.seq AS f_seq, f.id AS f_id, f.verdict AS f_verdict, f.start_s AS f_start, f.end_s AS f_end,
         f.comment AS f_comment, f.reviewer AS f_reviewer, f.created_at AS f_created_at
  FROM evidence e
  JOIN runs r ON r.id = e.run_id
  JOIN questions q ON q.id = r.question_id
  JOIN conversations c ON c.id = q.conversation_id
  JOIN cases k ON k.id = c.case_id
  LEFT JOIN feedback f ON f.seq = (${LATEST_SEQ})`;

const ORDER = 'ORDER BY k.created_at DESC, k.id, c.created_at, c.id, q.ord, r.started_at, r.id, e.rank';

export function statusOf(verdict: Verdict | null): ReviewStatus {
  if (verdict === null) return 'unreviewed';
  return verdict === 'incorrect' ? 'flagged' : 'confirmed';
}

const isoNow = () => new Date().toISOString();

export type AuditFn = (actor: string, action: string, subject: string | null, detail: unknown) => void;

export class FeedbackStore extends Repository {
  /** `audit` writes an audit_log row (Store.audit); it runs inside the review's transaction. */
  constructor(
    db: WritableDB,
    private readonly audit: AuditFn,
  ) {
    super(db);
  }

  /**
   * Appends a review after checking it against the evidence and its case: an adjusted window must
   * lie inside the case and start before it ends; other verdicts carry no window. Returns the row.
   */
  add(input: NewFeedback): Feedback {
    const reviewer = input.reviewer.trim();
    if (!reviewer) throw new OpscopeError('invalid-input', 'A review needs a reviewer name.');
    if (reviewer.length > REVIEWER_MAX) throw new OpscopeError('invalid-input', `The reviewer name is longer than ${REVIEWER_MAX} characters.`);
    const comment = input.comment?.trim() ? input.comment.trim() : null;
    if (comment !== null && comment.length > COMMENT_MAX) throw new OpscopeError('invalid-input', `The comment is longer than ${COMMENT_MAX} characters.`);
    const start = input.start ?? null;
    const end = input.end ?? null;

    return durably(this.db, () => {
      const where = this.evidenceCase(input.evidenceId);
      if (input.verdict === 'adjusted') {
        if (start === null || end === null) throw new OpscopeError('invalid-input', 'An adjusted review needs the corrected window: a start and an end.');
        if (!Number.isFinite(start) || !Number.isFinite(end)) throw new OpscopeError('invalid-input', 'The corrected window must be finite times.');
        if (start >= end) throw new OpscopeError('invalid-input', `The corrected window must start before it ends (got ${formatClock(start)} to ${formatClock(end)}).`);
        if (start < 0 || end > where.duration + EPSILON) {
          throw new OpscopeError(
            'invalid-input',
            `The corrected window ${formatClock(start)} to ${formatClock(end)} is outside the case, which runs from 00:00:00.000 to ${formatClock(where.duration)}.`,
          );
        }
      } else if (start !== null || end !== null) {
        throw new OpscopeError('invalid-input', `A corrected window is given only with the verdict "adjusted", not "${input.verdict}".`);
      }
      const row: Omit<FeedbackRow, 'seq'> = {
        id: newId(),
        evidence_id: input.evidenceId,
        verdict: input.verdict,
        start_s: input.verdict === 'adjusted' ? start : null,
        end_s: input.verdict === 'adjusted' ? end : null,
        comment,
        reviewer,
        created_at: isoNow(),
      };
      this.db
        .prepare(
          `INSERT INTO feedback (id, evidence_id, verdict, start_s, end_s, comment, reviewer, created_at)
           VALUES (@id, @evidence_id, @verdict, @start_s, @end_s, @comment, @reviewer, @created_at)`,
        )
        .run(row);
      this.audit(reviewer, 'feedback.add', input.evidenceId, {
        feedbackId: row.id, caseId: where.caseId, verdict: row.verdict, start: row.start_s, end: row.end_s,
      });
      return feedbackOf(row, where.caseId);
    });
  }

  /** Every review of an item, newest first. */
  history(evidenceId: string): Feedback[] {
    const { caseId } = this.evidenceCase(evidenceId);
    const rows = this.read.prepare('SELECT * FROM feedback WHERE evidence_id = ? ORDER BY seq DESC').all(evidenceId) as FeedbackRow[];
    return rows.map((r) => feedbackOf(r, caseId));
  }

  /** Evidence items of every case (or one), each with its latest review, in the order they were asked. */
  list(filter: ReviewFilter = 'all', caseId?: string): ReviewItem[] {
    return this.rows(filter, caseId).map(reviewItemOf);
  }

  /**
   * Every case's review progress; cases without evidence have zeros. Read from the status the
   * evidence row mirrors (trigger feedback_current), so it costs one pass over the evidence.
   */
  counts(): ReviewCounts[] {
    return this.read
      .prepare(
        `SELECT k.id AS caseId, k.name AS caseName,
           COALESCE(SUM(x.status = 'unreviewed'), 0) AS unreviewed,
           COALESCE(SUM(x.status = 'incorrect'), 0) AS flagged,
           COALESCE(SUM(x.status IN ('correct', 'adjusted')), 0) AS confirmed
         FROM cases k
         LEFT JOIN (
           SELECT c.case_id, e.status
           FROM evidence e
           JOIN runs r ON r.id = e.run_id
           JOIN questions q ON q.id = r.question_id
           JOIN conversations c ON c.id = q.conversation_id
         ) x ON x.case_id = k.id
         GROUP BY k.id
         ORDER BY k.created_at DESC, k.id`,
      )
      .all() as ReviewCounts[];
  }

  /** Reviewed items (latest review each) for the training-set export, in list order. */
  reviewedRows(caseId?: string): ReviewedEvidenceRow[] {
    return this.rows('all', caseId).filter((r) => r.f_seq !== null);
  }

  /** The raw rows behind `list`. */
  rows(filter: ReviewFilter, caseId?: string): ReviewedEvidenceRow[] {
    // Two statements rather than "@caseId IS NULL OR ...", which keeps SQLite off the case index.
    const where = caseId === undefined ? FILTERS[filter] : `c.case_id = @caseId AND ${FILTERS[filter]}`;
    return this.read.prepare(`${REVIEWED_EVIDENCE} WHERE ${where} ${ORDER}`).all(caseId === undefined ? {} : { caseId }) as ReviewedEvidenceRow[];
  }

  /** The case an evidence item belongs to and that case's duration (sum of its parts). */
  private evidenceCase(evidenceId: string): { caseId: string; duration: number } {
    const row = this.read
      .prepare(
        `SELECT c.case_id AS caseId, (SELECT COALESCE(SUM(p.duration), 0) FROM parts p WHERE p.case_id = c.case_id) AS duration
         FROM evidence e JOIN runs r ON r.id = e.run_id JOIN questions q ON q.id = r.question_id
         JOIN conversations c ON c.id = q.conversation_id WHERE e.id = ?`,
      )
      .get(evidenceId) as { caseId: string; duration: number } | undefined;
    if (!row) throw new OpscopeError('not-found', `There is no evidence item "${evidenceId}" (its case may have been deleted).`);
    return row;
  }
}

function feedbackOf(r: Omit<FeedbackRow, 'seq'>, caseId: string): Feedback {
  return {
    id: r.id,
    evidenceId: r.evidence_id,
    caseId,
    verdict: r.verdict,
    start: r.start_s,
    end: r.end_s,
    comment: r.comment,
    reviewer: r.reviewer,
    createdAt: r.created_at,
  };
}

/** The latest review of a row from `rows`, or null when unreviewed. */
export function latestReview(r: ReviewedEvidenceRow): Feedback | null {
  if (r.f_id === null || r.f_verdict === null) return null;
  return feedbackOf(
    {
      id: r.f_id, evidence_id: r.evidence_id, verdict: r.f_verdict, start_s: r.f_start, end_s: r.f_end,
      comment: r.f_comment, reviewer: r.f_reviewer ?? '', created_at: r.f_created_at ?? '',
    },
    r.case_id,
  );
}

function reviewItemOf(r: ReviewedEvidenceRow): ReviewItem {
  const review = latestReview(r);
  return {
    evidenceId: r.evidence_id,
    caseId: r.case_id,
    caseName: r.case_name,
    conversationId: r.conversation_id,
    questionId: r.question_id,
    question: r.question,
    askedAt: r.asked_at,
    runId: r.run_id,
    answer: r.answer,
    backend: { name: r.backend, model: r.model },
    rank: r.rank,
    claim: r.claim,
    predicted: { start: r.start_s, end: r.end_s, frames: JSON.parse(r.frames_json) as number[] },
    status: statusOf(review?.verdict ?? null),
    review,
  };
}
