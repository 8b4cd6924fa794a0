import { parseArgs } from 'node:util';
import type { Bookmark } from '../../core/contract/bookmark-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { formatTime, parseTime } from '../../core/time-format.js';
import { openHost } from '../context.js';
import { printTable } from '../output.js';
import { USAGE, UsageError } from '../usage.js';

/**
 * Bookmarks from a shell:
 *   opscope bookmark add <caseId> [--at TIME] [--label TEXT] [--json]
 *   opscope bookmark list <caseId> [--json]
 *   opscope bookmark delete <bookmarkId> [--json]
 * TIME is case time, in seconds or HH:MM:SS(.mmm); without it, the moment being recorded now.
 */
export async function bookmarkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      at: { type: 'string' },
      label: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const usage = () => new UsageError(`usage: ${USAGE.bookmark}`);
  const out = (text: string) => void process.stdout.write(text);
  const [action, id, ...extra] = positionals;
  if (!action || !id || extra.length > 0) throw usage();

  if (action === 'add') {
    const time = values.at === undefined ? undefined : parseAt(values.at);
    const host = openHost();
    try {
      let row: Bookmark;
      try {
        row = await host.call('bookmarks.add', {
          caseId: id,
          ...(time !== undefined ? { time } : {}),
          ...(values.label !== undefined ? { label: values.label } : {}),
        });
      } catch (err) {
        // The recording, if any, runs in another process: "now" is known there, not here.
        if (time === undefined && err instanceof OpscopeError && err.code === 'invalid-input') {
          throw new OpscopeError(err.code, `${err.message} Use --at TIME.`);
        }
        throw err;
      }
      if (values.json) out(`${JSON.stringify(row)}\n`);
      else out(`Bookmark ${row.number} at ${clock(row.time)}${row.label ? ` "${row.label}"` : ''} (${row.bookmarkId})\n`);
      return 0;
    } finally {
      await host.close();
    }
  }

  if (values.at !== undefined || values.label !== undefined) throw usage();

  if (action === 'list') {
    const host = openHost();
    try {
      const rows = await host.call('bookmarks.list', { caseId: id });
      if (values.json) out(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) out('No bookmarks in this case.\n');
      else printTable([['#', 'TIME', 'LABEL', 'ID'], ...rows.map((b) => [String(b.number), clock(b.time), b.label ?? '', b.bookmarkId])]);
      return 0;
    } finally {
      await host.close();
    }
  }

  if (action === 'delete') {
    const host = openHost();
    try {
      await host.call('bookmarks.delete', { bookmarkId: id });
      if (values.json) out(`${JSON.stringify({ ok: true, bookmarkId: id })}\n`);
      else out(`Deleted bookmark ${id}.\n`);
      return 0;
    } finally {
      await host.close();
    }
  }

  throw usage();
}

function parseAt(text: string): number {
  const t = parseTime(text);
  if (t === null || t < 0) throw new UsageError(`--at "${text}" is not a time: use seconds (754.5) or HH:MM:SS.mmm.`);
  return t;
}

/** "12:03", or "12:03.500" when the bookmark is not on a whole second. */
function clock(t: number): string {
  return formatTime(t, { millis: Math.abs(t - Math.round(t)) > 0.0005 });
}
