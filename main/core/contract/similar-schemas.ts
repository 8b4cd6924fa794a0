/*
 * The picture index (embeddings of each case's keyframes), finding the moments that look like a
 * frame or a box drawn on it, and searching the library by events and words. Times are case
 * seconds; boxes are [x, y, width, height] in the recording's displayed pixels.
 */

import { z } from 'zod';
import { CaseSeconds, Id } from './schemas.js';

export const PictureIndexState = z.enum(['none', 'pending', 'running', 'done', 'failed', 'canceled']);
export type PictureIndexState = z.infer<typeof PictureIndexState>;

export const PictureIndexStatus = z.object({
  caseId: Id,
  /** none: never built; done: every indexed part has its pictures (parts still being indexed follow). */
  state: PictureIndexState,
  progress: z.number().min(0).max(1),
  /** Keyframes embedded so far. */
  frames: z.number().int().nonnegative(),
  parts: z.number().int().nonnegative(),
  partsDone: z.number().int().nonnegative(),
  message: z.string().nullable(),
  model: z.string().nullable(),
});
export type PictureIndexStatus = z.infer<typeof PictureIndexStatus>;

export const SimilarBox = z.tuple([z.number().finite().nonnegative(), z.number().finite().nonnegative(), z.number().finite().positive(), z.number().finite().positive()]);
export type SimilarBox = z.infer<typeof SimilarBox>;

export const SimilarFindInput = z.object({
  caseId: Id,
  time: CaseSeconds,
  /** Only this part of the frame is the question. */
  box: SimilarBox.optional(),
  /** This case only, or every case of the library. */
  scope: z.enum(['case', 'all']).default('case'),
  limit: z.number().int().min(1).max(100).default(10),
}).strict();

export const SimilarMoment = z.object({
  caseId: Id,
  caseName: z.string(),
  /** The window: from the first similar keyframe to the keyframe after the last one. */
  start: CaseSeconds,
  end: CaseSeconds,
  /** Cosine similarity of the best keyframe in the window (1: the same picture). */
  score: z.number(),
  /** The most similar moment inside the window. */
  time: CaseSeconds,
});
export type SimilarMoment = z.infer<typeof SimilarMoment>;

export const SimilarResult = z.object({
  /** Best first; the window the question was asked from is left out. */
  moments: z.array(SimilarMoment),
  searched: z.object({ cases: z.number().int(), frames: z.number().int(), ms: z.number() }),
  /** Cases in scope whose picture index is not built (yet): they were not searched. */
  missing: z.array(z.object({ caseId: Id, caseName: z.string(), state: PictureIndexState })),
  model: z.string(),
});
export type SimilarResult = z.infer<typeof SimilarResult>;

export const LibraryMomentKind = z.enum(['bleeding', 'smoke', 'outOfBody', 'idle', 'question', 'answer', 'comment', 'bookmark']);
export type LibraryMomentKind = z.infer<typeof LibraryMomentKind>;

export const LibraryMoment = z.object({
  kind: LibraryMomentKind,
  start: CaseSeconds,
  end: CaseSeconds,
  /** The words found, with the match in [brackets]; null for events. */
  text: z.string().nullable(),
});
export type LibraryMoment = z.infer<typeof LibraryMoment>;

export const LibrarySearchInput = z.object({ query: z.string().trim().min(1).max(500), limit: z.number().int().min(1).max(500).default(50) }).strict();

const Comparison = z.enum(['>', '>=', '<', '<=', '=']);

export const LibrarySearchResult = z.object({
  /** How the query was read: events with their conditions, and the words looked up. */
  understood: z.object({
    events: z.array(z.object({
      event: z.enum(['bleeding', 'smoke', 'outOfBody', 'idle']),
      duration: z.object({ op: Comparison, seconds: z.number() }).optional(),
      count: z.object({ op: Comparison, n: z.number() }).optional(),
    })),
    words: z.string(),
  }),
  cases: z.array(z.object({
    caseId: Id,
    caseName: z.string(),
    /** Question, answer, comment and bookmark matches (with a time when they have one) and event episodes, in time order. */
    moments: z.array(LibraryMoment),
    /** Text matches without a moment of their own (a question whose run gave no evidence). */
    texts: z.array(z.object({ kind: LibraryMomentKind, text: z.string() })),
  })),
  /** Cases not searched by events because they are not indexed yet. */
  unindexed: z.array(z.object({ caseId: Id, caseName: z.string() })),
});
export type LibrarySearchResult = z.infer<typeof LibrarySearchResult>;
