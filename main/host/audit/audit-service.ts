import { isAbsolute, resolve } from 'node:path';
import type { AuditEntry, AuditExportResult, AuditPage } from '../../core/contract/audit-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { writeFileWhole } from '../review/feedback-service.js';
import type { Store } from '../store/store.js';

const CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'subject', 'summary', 'detail'] as const;

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // A leading = + - @ would run as a formula in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function auditCsv(entries: Iterable<AuditEntry>): { text: string; count: number } {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return { text: `${lines.join('\r\n')}\r\n`, count: lines.length - 1 };
}

export function auditJsonLines(entries: Iterable<AuditEntry>): { text: string; count: number } {
  const lines: string[] = [];
  for (const e of entries) lines.push(`${JSON.stringify(e)}\n`);
  return { text: lines.join(''), count: lines.length };
}

/** The audit log: read a page at a time, or written whole to a file of the user's choosing. */
export class AuditService {
  constructor(private readonly store: Store) {}

  list(limit: number, before?: number): AuditPage {
    return this.store.auditLog.page(limit, before);
  }

  /** CSV for a .csv file, else JSON Lines; never replaces a file unless asked. The export is itself audited. */
  async export(req: { out: string; overwrite: boolean; cwd?: string | undefined; actor: string }): Promise<AuditExportResult> {
    let out = req.out;
    if (!isAbsolute(out)) {
      if (req.cwd === undefined) throw new OpscopeError('invalid-input', `Give the full path of the file to write, not "${out}".`);
      out = resolve(req.cwd, out);
    }
    const entries = this.store.auditLog.all();
    const { text, count } = /\.csv$/i.test(out) ? auditCsv(entries) : auditJsonLines(entries);
    await writeFileWhole(out, text, req.overwrite);
    this.store.audit(req.actor, 'audit.export', null, { out, count });
    return { out, count };
  }
}
