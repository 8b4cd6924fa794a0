import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  TRAINING_FORMAT,
  type Feedback, type FeedbackInput, type ReviewCounts, type ReviewFilter, type ReviewItem, type TrainingExample,
  type TrainingSetResult,
} from '../../core/contract/feedback-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import type { EventBus } from '../event-bus.js';
import type { SettingsService } from '../settings/settings-service.js';
import { latestReview, type ReviewedEvidenceRow } from './feedback-repository.js';
import { timelineOf } from '../cases/case-model.js';
import type { PartRow } from '../store/rows.js';
import type { Store } from '../store/store.js';

export const NO_REVIEWER_MESSAGE =
  'Who is reviewing? Set your name once in Settings (Reviewer name) or with `opscope settings set reviewerName="Your Name"`, ' +
  'or give it with this review (--reviewer NAME).';

export interface TrainingSetRequest {
  out: string;
  caseId?: string | undefined;
  overwrite?: boolean | undefined;
  /** Base of a relative `out` (the CLI's working folder); without it `out` must be absolute. */
  cwd?: string | undefined;
}

/** Clinician feedback on evidence: reviews, the review list and the training-set export. */
export class FeedbackService {
  constructor(
    private readonly store: Store,
    private readonly settings: SettingsService,
    private readonly bus: EventBus,
  ) {}

  /** Stores a review; without a reviewer the settings' reviewer name is used. */
  add(input: Omit<FeedbackInput, 'reviewer'> & { reviewer?: string | undefined }): Feedback {
    const reviewer = input.reviewer?.trim() || this.settings.get().reviewerName.trim();
    if (!reviewer) throw new OpscopeError('invalid-input', NO_REVIEWER_MESSAGE);
    const row = this.store.feedback.add({
      evidenceId: input.evidenceId,
      verdict: input.verdict,
      start: input.start ?? null,
      end: input.end ?? null,
      comment: input.comment ?? null,
      reviewer,
    });
    this.bus.emit('feedback.changed', { caseId: row.caseId, evidenceId: row.evidenceId });
    return row;
  }

  history(evidenceId: string): Feedback[] {
    return this.store.feedback.history(evidenceId);
  }

  list(filter: ReviewFilter, caseId?: string): ReviewItem[] {
    if (caseId !== undefined) this.requireCase(caseId);
    return this.store.feedback.list(filter, caseId);
  }

  counts(): ReviewCounts[] {
    return this.store.feedback.counts();
  }

  /** Every reviewed evidence item (of one case or all), one JSON line each, written whole or not at all. */
  async exportTrainingSet(req: TrainingSetRequest): Promise<TrainingSetResult> {
    if (req.caseId !== undefined) this.requireCase(req.caseId);
    let out = req.out;
    if (!isAbsolute(out)) {
      if (req.cwd === undefined) throw new OpscopeError('invalid-input', `Give the full path of the file to write, not "${out}".`);
      out = resolve(req.cwd, out);
    }
    const rows = this.store.feedback.reviewedRows(req.caseId);
    const parts = new Map<string, PartRow[]>();
    const lines: string[] = [];
    for (const row of rows) {
      let caseParts = parts.get(row.case_id);
      if (!caseParts) parts.set(row.case_id, (caseParts = this.store.partsOf(row.case_id)));
      const example = trainingExample(row, caseParts);
      if (example) lines.push(`${JSON.stringify(example)}\n`);
    }
    await writeFileWhole(out, lines.join(''), req.overwrite ?? false);
    return { out, count: lines.length };
  }

  private requireCase(caseId: string): void {
    if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
  }
}

/**
 * One training-set line: a reviewed evidence item with its latest review, and where its windows
 * lie in the recording files. Null for an item without a review.
 */
export function trainingExample(row: ReviewedEvidenceRow, parts: readonly PartRow[]): TrainingExample | null {
  const review = latestReview(row);
  if (!review) return null;
  const timeline = timelineOf(parts);
  const mapped = (start: number, end: number) => ({
    start,
    end,
    segments: parts.length === 0 ? [] : timeline.split(start, end).map((s) => ({ part: s.index, start: s.from, end: s.to })),
  });
  const frames = JSON.parse(row.frames_json) as number[];
  const corrected =
    review.verdict === 'adjusted' && review.start !== null && review.end !== null
      ? mapped(review.start, review.end)
      : review.verdict === 'correct'
        ? mapped(row.start_s, row.end_s)
        : null;
  return {
    format: TRAINING_FORMAT,
    caseId: row.case_id,
    conversationId: row.conversation_id,
    runId: row.run_id,
    evidenceId: row.evidence_id,
    question: row.question,
    answer: row.answer,
    backend: row.backend,
    model: row.model,
    claim: row.claim,
    rank: row.rank,
    predicted: {
      ...mapped(row.start_s, row.end_s),
      frames: parts.length === 0 ? [] : frames.map((time) => {
        const at = timeline.locate(time);
        return { time, part: at.index, offset: at.offset };
      }),
    },
    verdict: review.verdict,
    corrected,
    comment: review.comment,
    reviewer: review.reviewer,
    reviewedAt: review.createdAt,
    recording: {
      duration: timeline.duration,
      // The file name only, never the full path: folder names on OR recorders and shared drives
      // often carry the patient's name, record number or date, and a training set travels. The
      // fingerprint identifies the file wherever it has been copied to.
      parts: parts.map((p, i) => ({
        index: i,
        fingerprint: p.fingerprint,
        fileName: p.file_name,
        caseStart: timeline.starts[i]!,
        duration: p.duration,
      })),
    },
  };
}

function fsError(err: unknown, dir: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return new OpscopeError('unavailable', `Cannot write in ${dir}: permission denied.`);
  if (code === 'EROFS') return new OpscopeError('unavailable', `Cannot write in ${dir}: it is on a read-only file system.`);
  if (code === 'ENOSPC') return new OpscopeError('unavailable', `Cannot write in ${dir}: the disk is full.`);
  if (code === 'ENOENT') return new OpscopeError('not-found', `The folder ${dir} does not exist.`);
  return err;
}

/**
 * Writes `text` to `out` through a temporary file in the same folder, flushed and then renamed:
 * readers see the old file or the whole new one, and a failure leaves nothing behind. An existing
 * file is replaced only with `overwrite`.
 */
export async function writeFileWhole(out: string, text: string, overwrite: boolean): Promise<void> {
  const dir = dirname(out);
  const folder = await stat(dir).catch((err: unknown) => {
    throw fsError(err, dir);
  });
  if (!folder.isDirectory()) throw new OpscopeError('invalid-input', `${dir} is not a folder.`);
  const exists = async () => {
    const st = await stat(out).catch(() => null);
    if (st?.isDirectory()) throw new OpscopeError('invalid-input', `${out} is a folder; give the name of a file to write in it.`);
    if (st && !overwrite) throw new OpscopeError('conflict', `${out} already exists. Choose another name, or overwrite it (--force).`);
  };
  await exists();
  const tmp = join(dir, `.${basename(out)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx');
    created = true;
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    // Checked again: the file may have appeared while this one was written.
    await exists();
    await rename(tmp, out);
    created = false;
  } catch (err) {
    if (created) await rm(tmp, { force: true });
    throw fsError(err, dir);
  }
}
