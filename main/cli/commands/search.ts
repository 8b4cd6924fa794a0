import { parseArgs } from 'node:util';
import { formatTime } from '../../core/time-format.js';
import { openHost } from '../context.js';
import { USAGE, UsageError } from '../usage.js';

const KIND_WORDS: Record<string, string> = {
  bleeding: 'bleeding', smoke: 'smoke', outOfBody: 'out of the body', idle: 'pause',
  question: 'question', answer: 'answer', comment: 'comment', bookmark: 'bookmark',
};

/**
 * Cases by what the index and the reviews know:
 *   opscope search "<query>" [--limit N] [--json]
 * e.g. "bleeding longer than 20 s", "out of the body more than twice", "clip applier".
 */
export async function searchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { limit: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const query = positionals.join(' ').trim();
  if (!query) throw new UsageError(`usage: ${USAGE.search}`);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit takes a whole number from 1 to 500.');
  const host = openHost();
  try {
    const r = await host.call('search.library', { query, limit });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return 0;
    }
    const events = r.understood.events.map((e) => {
      const cond = [e.duration ? `lasting ${e.duration.op} ${e.duration.seconds} s` : '', e.count ? `${e.count.op} ${e.count.n} times` : ''].filter(Boolean).join(', ');
      return `${KIND_WORDS[e.event]}${cond ? ` (${cond})` : ''}`;
    });
    process.stdout.write(`Looked for: ${[...events, r.understood.words ? `the words "${r.understood.words}"` : ''].filter(Boolean).join('; ')}\n`);
    for (const u of r.unindexed) process.stderr.write(`opscope: "${u.caseName}" is not indexed yet; its events were not searched.\n`);
    if (r.cases.length === 0) process.stdout.write('No case matches.\n');
    for (const c of r.cases) {
      process.stdout.write(`\n${c.caseName}  (${c.caseId})\n`);
      for (const m of c.moments) {
        const when = m.start === m.end ? formatTime(m.start) : `${formatTime(m.start)}–${formatTime(m.end)}`;
        process.stdout.write(`  ${when.padEnd(13)} ${KIND_WORDS[m.kind]}${m.text ? `: ${m.text}` : ''}\n`);
      }
      for (const t of c.texts) process.stdout.write(`  ${''.padEnd(13)} ${KIND_WORDS[t.kind]}: ${t.text}\n`);
    }
    return 0;
  } finally {
    await host.close();
  }
}
