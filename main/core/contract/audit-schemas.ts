/* The audit log on the wire: who did what to which item, and when. */

import { z } from 'zod';

export const AuditEntry = z.object({
  id: z.number().int().positive(),
  /** ISO time the change was made. */
  at: z.string(),
  /** The reviewer's name, "user" when none was set, or "system" for what the app did by itself. */
  actor: z.string(),
  /** e.g. "feedback.add", "export.clip", "settings.change", "case.delete". */
  action: z.string(),
  /** The id of what was changed (a case, an evidence item), when there is one. */
  subject: z.string().nullable(),
  /** One line for a person: what changed. */
  summary: z.string(),
  /** The recorded detail (secrets already redacted). */
  detail: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z.object({
  entries: z.array(AuditEntry),
  /** Pass as `before` for the next (older) page; null at the oldest entry. */
  next: z.number().int().positive().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

export const AuditExportResult = z.object({ out: z.string(), count: z.number().int().nonnegative() });
export type AuditExportResult = z.infer<typeof AuditExportResult>;
