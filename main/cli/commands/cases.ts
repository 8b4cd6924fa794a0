import { parseArgs } from 'node:util';
import { openHost } from '../context.js';
import { duration, printTable } from '../output.js';

export async function casesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const host = openHost();
  try {
    const cases = await host.call('cases.list', {});
    const counts = new Map((await host.call('feedback.counts', {})).map((c) => [c.caseId, c]));
    const reviews = (id: string) => {
      const c = counts.get(id);
      return { unreviewed: c?.unreviewed ?? 0, flagged: c?.flagged ?? 0, confirmed: c?.confirmed ?? 0 };
    };
    const reviewText = (id: string) => {
      const r = reviews(id);
      return r.unreviewed + r.flagged + r.confirmed === 0 ? '-' : `${r.unreviewed} open, ${r.flagged} flagged, ${r.confirmed} ok`;
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(cases.map((c) => ({ caseId: c.id, name: c.name, duration: c.duration, parts: c.partCount, index: c.index.state, createdAt: c.createdAt, missingParts: c.missingParts, reviews: reviews(c.id) })))}\n`);
    } else if (cases.length === 0) {
      process.stdout.write('No cases yet. Import a recording with: opscope import <file...>\n');
    } else {
      printTable([
        ['ID', 'NAME', 'DURATION', 'PARTS', 'INDEX', 'CREATED', 'REVIEW'],
        ...cases.map((c) => [c.id, c.name, duration(c.duration), String(c.partCount), c.index.state, c.createdAt.slice(0, 16).replace('T', ' '), reviewText(c.id)]),
      ]);
    }
    return 0;
  } finally {
    await host.close();
  }
}
