import { parseArgs } from 'node:util';
import { openHost } from '../context.js';
import { printTable } from '../output.js';
import { USAGE, UsageError } from '../usage.js';

/** The audit log: the newest entries as a table or JSON, or the whole log written to a file. */
export async function auditCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
      limit: { type: 'string', default: '50' },
      force: { type: 'boolean', default: false },
    },
  });
  const limit = Number(values.limit);
  if (positionals.length > 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`usage: ${USAGE.audit}`);
  const host = openHost();
  try {
    if (values.out) {
      const r = await host.call('audit.export', { out: values.out, overwrite: values.force });
      process.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `${r.out}: ${r.count} audit entr${r.count === 1 ? 'y' : 'ies'}\n`);
      return 0;
    }
    const page = await host.call('audit.list', { limit });
    if (values.json) process.stdout.write(`${JSON.stringify(page.entries)}\n`);
    else if (page.entries.length === 0) process.stdout.write('The audit log is empty.\n');
    else {
      printTable([
        ['WHEN', 'WHO', 'WHAT', 'SUBJECT'],
        ...page.entries.map((e) => [e.at.slice(0, 19).replace('T', ' '), e.actor, e.summary, e.subject ?? '-']),
      ]);
      if (page.next !== null) process.stdout.write(`(newest ${page.entries.length}; --limit N for more, --out FILE for all)\n`);
    }
    return 0;
  } finally {
    await host.close();
  }
}
