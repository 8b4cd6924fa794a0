import type { AuditEntry } from '../../core/contract/audit-schemas.js';
import { formatClock } from '../../core/time-format.js';
import type { ReadableDB } from '../store/db.js';

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail_json: string | null;
}

function parse(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A line a person can read for one entry; the detail keeps the rest. */
export function auditSummary(action: string, detail: unknown): string {
  const d = (detail ?? {}) as Record<string, unknown>;
  switch (action) {
    case 'feedback.add':
      return `Reviewed evidence: ${String(d.verdict ?? '')}${d.start !== null && d.start !== undefined ? ` (${String(d.start)}–${String(d.end)} s)` : ''}`;
    case 'export.clip': {
      const clips = list(detail) as { output?: { clip?: string } | string }[];
      const first = clips[0]?.output;
      const name = typeof first === 'string' ? first : first?.clip;
      return `Exported ${clips.length === 1 ? 'a clip' : `${clips.length} clips`}${name ? `: ${name}` : ''}`;
    }
    case 'feedback.exportTrainingSet':
      return `Exported ${String(d.count ?? 0)} reviews as a training set: ${String(d.out ?? '')}`;
    case 'audit.export':
      return `Exported the audit log (${String(d.count ?? 0)} entries): ${String(d.out ?? '')}`;
    case 'settings.change':
      return `Changed settings: ${Object.keys(d).join(', ')}`;
    case 'case.create':
      return `Imported a case: ${String(d.name ?? '')}`;
    case 'case.rename':
      return `Renamed a case to ${String(d.name ?? '')}`;
    case 'case.delete':
      return 'Deleted a case (its derived files; the recordings stay)';
    case 'case.reorder':
      return 'Reordered the parts of a case';
    case 'pacs.retrieve':
      return `Retrieved a study from the PACS at ${String(d.server ?? '')}: ${String(d.instances ?? 0)} instance(s), ${String(d.fetched ?? 0)} fetched`;
    case 'pacs.send':
      return `Sent a de-identified teaching clip to the PACS at ${String(d.server ?? '')}`;
    case 'patient.view':
      return "Showed a case's patient details";
    case 'part.relink':
      return `Found a moved recording again: ${String(d.path ?? '')}`;
    case 'bookmark.add':
    case 'bookmark.update':
    case 'bookmark.delete': {
      const verb = action === 'bookmark.add' ? 'Bookmarked' : action === 'bookmark.update' ? 'Changed a bookmark at' : 'Deleted the bookmark at';
      const at = typeof d.time === 'number' ? formatClock(d.time) : '?';
      return `${verb} ${at}${typeof d.label === 'string' && d.label ? ` (“${d.label}”)` : ''}`;
    }
    case 'recording.start':
      return 'Started recording into a case';
    case 'recording.interrupted':
      return `Recovered an interrupted recording: ${String(d.recovered ?? 0)} segments`;
    case 'store.recover':
      return `Database restored after damage${d.restoredFrom ? ' from a backup' : ''}`;
    default:
      return action;
  }
}

function entry(r: AuditRow): AuditEntry {
  const detail = parse(r.detail_json);
  return { id: r.id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, summary: auditSummary(r.action, detail), detail };
}

/** The audit log as read back: rows are written by `Store.audit`, inside the change they record. */
export class AuditLog {
  constructor(private readonly db: ReadableDB) {}

  /** Newest first, `limit` entries older than the entry `before`. */
  page(limit: number, before?: number): { entries: AuditEntry[]; next: number | null } {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit + 1) as AuditRow[];
    const entries = rows.slice(0, limit).map(entry);
    return { entries, next: rows.length > limit ? entries.at(-1)!.id : null };
  }

  /** Every entry, oldest first, read a row at a time. */
  *all(): Generator<AuditEntry> {
    for (const r of this.db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as IterableIterator<AuditRow>) yield entry(r);
  }
}
