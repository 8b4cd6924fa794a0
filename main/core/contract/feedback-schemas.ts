/*
 * Clinician feedback on evidence: the review vocabulary, stored reviews, the review list and the
 * training-set lines exported from it. Times are case seconds.
 */

import { z } from 'zod';
import { CaseSeconds, Id } from './schemas.js';

/** correct: the window shows what the claim says; incorrect: it does not; adjusted: it does, in a corrected window. */
export const Verdict = z.enum(['correct', 'incorrect', 'adjusted']);
export type Verdict = z.infer<typeof Verdict>;

/** Where an item stands: no review yet, flagged (latest verdict incorrect), confirmed (correct or adjusted). */
export const ReviewStatus = z.enum(['unreviewed', 'flagged', 'confirmed']);
export type ReviewStatus = z.infer<typeof ReviewStatus>;

export const ReviewFilter = z.enum([...ReviewStatus.options, 'all']);
export type ReviewFilter = z.infer<typeof ReviewFilter>;

/** The longest reviewer name and comment accepted. */
export const REVIEWER_MAX = 120;
export const COMMENT_MAX = 4000;

/** One stored review. Never changed: a new review is a new row. */
export const Feedback = z.object({
  id: Id,
  evidenceId: Id,
  caseId: Id,
  verdict: Verdict,
  /** The corrected window, for 'adjusted' only. */
  start: CaseSeconds.nullable(),
  end: CaseSeconds.nullable(),
  comment: z.string().nullable(),
  reviewer: z.string(),
  createdAt: z.string(),
});
export type Feedback = z.infer<typeof Feedback>;

/** Input of `feedback.add`. Without a reviewer, the reviewer name in the settings is used. */
export const FeedbackInput = z
  .object({
    evidenceId: Id,
    verdict: Verdict,
    start: CaseSeconds.nullable().optional(),
    end: CaseSeconds.nullable().optional(),
    comment: z.string().max(COMMENT_MAX).nullable().optional(),
    reviewer: z.string().trim().max(REVIEWER_MAX).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const hasStart = v.start !== undefined && v.start !== null;
    const hasEnd = v.end !== undefined && v.end !== null;
    if (v.verdict === 'adjusted') {
      if (!hasStart || !hasEnd) ctx.addIssue({ code: 'custom', path: ['start'], message: 'an adjusted window needs both start and end' });
      else if (v.start! >= v.end!) ctx.addIssue({ code: 'custom', path: ['end'], message: 'the window must start before it ends' });
    } else if (hasStart || hasEnd) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: `a window is given only with the verdict "adjusted", not "${v.verdict}"` });
    }
  });
export type FeedbackInput = z.input<typeof FeedbackInput>;

const Window = z.object({ start: CaseSeconds, end: CaseSeconds });

/** An evidence item as the review list shows it: where it comes from, what it claims, its latest review. */
export const ReviewItem = z.object({
  evidenceId: Id,
  caseId: Id,
  caseName: z.string(),
  conversationId: Id,
  questionId: Id,
  question: z.string(),
  askedAt: z.string(),
  runId: z.string(),
  answer: z.string().nullable(),
  backend: z.object({ name: z.string(), model: z.string().nullable() }),
  rank: z.number().int().positive(),
  claim: z.string(),
  predicted: Window.extend({ frames: z.array(CaseSeconds) }),
  status: ReviewStatus,
  review: Feedback.nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

/** Review progress of one case (every case, zeros included). */
export const ReviewCounts = z.object({
  caseId: Id,
  caseName: z.string(),
  unreviewed: z.number().int().nonnegative(),
  flagged: z.number().int().nonnegative(),
  confirmed: z.number().int().nonnegative(),
});
export type ReviewCounts = z.infer<typeof ReviewCounts>;

export const TRAINING_FORMAT = 'opscope-feedback/1';

/** A case-time window cut at part boundaries: `part` indexes `recording.parts`, times from that part's start. */
const PartSegment = z.object({ part: z.number().int().nonnegative(), start: z.number(), end: z.number() });
const MappedWindow = Window.extend({ segments: z.array(PartSegment) });

/** One line of the training-set export: one reviewed evidence item with its latest review. */
export const TrainingExample = z.object({
  format: z.literal(TRAINING_FORMAT),
  caseId: Id,
  conversationId: Id,
  runId: z.string(),
  evidenceId: Id,
  question: z.string(),
  answer: z.string().nullable(),
  backend: z.string(),
  model: z.string().nullable(),
  claim: z.string(),
  rank: z.number().int().positive(),
  predicted: MappedWindow.extend({
    frames: z.array(z.object({ time: CaseSeconds, part: z.number().int().nonnegative(), offset: z.number() })),
  }),
  verdict: Verdict,
  /** The window the clinician accepts: the adjusted one, the predicted one when correct, null when incorrect. */
  corrected: MappedWindow.nullable(),
  comment: z.string().nullable(),
  reviewer: z.string(),
  reviewedAt: z.string(),
  recording: z.object({
    duration: z.number().nonnegative(),
    parts: z.array(
      z.object({
        index: z.number().int().nonnegative(),
        fingerprint: z.string(),
        fileName: z.string(),
        caseStart: CaseSeconds,
        duration: z.number().nonnegative(),
      }),
    ),
  }),
});
export type TrainingExample = z.infer<typeof TrainingExample>;

export const TrainingSetResult = z.object({ out: z.string(), count: z.number().int().nonnegative() });
export type TrainingSetResult = z.infer<typeof TrainingSetResult>;
