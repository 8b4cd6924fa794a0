/*
 * Bookmarks: moments a clinician marks in a case (one key or one button, often while the case is
 * being recorded) and later asks about ("what happened after the second bookmark?"). Times are
 * case seconds. A bookmark's number is its place in time order within its case, from 1.
 */

import { z } from 'zod';
import { CaseSeconds, Id } from './schemas.js';

/** The longest label accepted. */
export const BOOKMARK_LABEL_MAX = 200;

/** A label as typed: trimmed; an empty one is no label. */
const Label = z.string().trim().max(BOOKMARK_LABEL_MAX);

export const Bookmark = z.object({
  bookmarkId: Id,
  caseId: Id,
  time: CaseSeconds,
  label: z.string().nullable(),
  /** 1-based place in time order within the case; changes when an earlier one is added, moved or deleted. */
  number: z.number().int().positive(),
  createdAt: z.string(),
});
export type Bookmark = z.infer<typeof Bookmark>;

/** Input of `bookmarks.add`. Without `time`, the live edge of the case being recorded ("now"). */
export const BookmarkAddInput = z
  .object({
    caseId: Id,
    time: CaseSeconds.optional(),
    label: Label.optional(),
  })
  .strict();
export type BookmarkAddInput = z.input<typeof BookmarkAddInput>;

/** Input of `bookmarks.update`: the label (null removes it) and, optionally, a new time. */
export const BookmarkUpdateInput = z
  .object({
    bookmarkId: Id,
    label: Label.nullable(),
    time: CaseSeconds.optional(),
  })
  .strict();
export type BookmarkUpdateInput = z.input<typeof BookmarkUpdateInput>;
