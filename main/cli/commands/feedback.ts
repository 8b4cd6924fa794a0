import { parseArgs } from 'node:util';
import { ReviewFilter, Verdict, type Feedback, type ReviewItem } from '../../core/contract/feedback-schemas.js';
import { formatClock, parseTime } from '../../core/time-format.js';
import { openHost } from '../context.js';
import { printTable } from '../output.js';
import { USAGE, UsageError } from '../usage.js';

/**
 * Clinician review of evidence from a shell:
 *   opscope feedback <evidenceId> --verdict correct|incorrect|adjusted [--start S --end E] [--note TEXT]
 *   opscope feedback --history <evidenceId>
 *   opscope feedback --list unreviewed|flagged|confirmed|all [--case ID]
 * Windows are case time, in seconds or HH:MM:SS(.mmm).
 */
export async function feedbackCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      verdict: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      note: { type: 'string' },
      reviewer: { type: 'string' },
      history: { type: 'boolean', default: false },
      list: { type: 'string' },
      case: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const usage = () => new UsageError(`usage: ${USAGE.feedback}`);
  const out = (text: string) => void process.stdout.write(text);

  if (values.list !== undefined) {
    if (positionals.length > 0 || values.verdict !== undefined || values.history) throw usage();
    const filter = ReviewFilter.safeParse(values.list);
    if (!filter.success) throw new UsageError(`--list takes one of ${ReviewFilter.options.join(', ')}, not "${values.list}".`);
    const host = openHost();
    try {
      const items = await host.call('feedback.list', { filter: filter.data, ...(values.case ? { caseId: values.case } : {}) });
      if (values.json) out(`${JSON.stringify(items)}\n`);
      else if (items.length === 0) out(`No ${filter.data === 'all' ? '' : `${filter.data} `}evidence items.\n`);
      else printTable([['EVIDENCE', 'CASE', 'STATUS', 'WINDOW', 'CLAIM'], ...items.map(listRow)]);
      return 0;
    } finally {
      await host.close();
    }
  }

  const [evidenceId, ...extra] = positionals;
  if (!evidenceId || extra.length > 0) throw usage();

  if (values.history) {
    if (values.verdict !== undefined) throw usage();
    const host = openHost();
    try {
      const rows = await host.call('feedback.history', { evidenceId });
      if (values.json) out(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) out(`${evidenceId} has not been reviewed yet.\n`);
      else printTable([['WHEN', 'REVIEWER', 'VERDICT', 'WINDOW', 'COMMENT'], ...rows.map(historyRow)]);
      return 0;
    } finally {
      await host.close();
    }
  }

  const verdict = Verdict.safeParse(values.verdict);
  if (!verdict.success) throw new UsageError(`--verdict must be one of ${Verdict.options.join(', ')}.\nusage: ${USAGE.feedback}`);
  const start = values.start === undefined ? undefined : time('--start', values.start);
  const end = values.end === undefined ? undefined : time('--end', values.end);
  if (verdict.data === 'adjusted' && (start === undefined || end === undefined)) {
    throw new UsageError('--verdict adjusted needs the corrected window: --start S --end E (seconds or HH:MM:SS.mmm).');
  }
  if (verdict.data !== 'adjusted' && (start !== undefined || end !== undefined)) {
    throw new UsageError(`--start and --end go with --verdict adjusted, not ${verdict.data}.`);
  }
  const host = openHost();
  try {
    const row = await host.call('feedback.add', {
      evidenceId,
      verdict: verdict.data,
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
      ...(values.note !== undefined ? { comment: values.note } : {}),
      ...(values.reviewer !== undefined ? { reviewer: values.reviewer } : {}),
    });
    if (values.json) out(`${JSON.stringify(row)}\n`);
    else out(`${row.evidenceId}: ${describe(row)}, by ${row.reviewer} at ${row.createdAt}\n`);
    return 0;
  } finally {
    await host.close();
  }
}

function time(flag: string, text: string): number {
  const t = parseTime(text);
  if (t === null || t < 0) throw new UsageError(`${flag} "${text}" is not a time: use seconds (754.5) or HH:MM:SS.mmm.`);
  return t;
}

const windowText = (start: number, end: number) => `${formatClock(start)}-${formatClock(end)}`;

function describe(f: Feedback): string {
  return f.verdict === 'adjusted' && f.start !== null && f.end !== null ? `adjusted to ${windowText(f.start, f.end)}` : f.verdict;
}

function historyRow(f: Feedback): string[] {
  const window = f.start !== null && f.end !== null ? windowText(f.start, f.end) : '';
  return [f.createdAt.slice(0, 19).replace('T', ' '), f.reviewer, f.verdict, window, oneLine(f.comment ?? '')];
}

function listRow(i: ReviewItem): string[] {
  const status = i.review ? `${i.status} (${describe(i.review)})` : i.status;
  return [i.evidenceId, i.caseName, status, windowText(i.predicted.start, i.predicted.end), oneLine(i.claim)];
}

const oneLine = (s: string, max = 60) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
