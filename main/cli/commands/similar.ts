import { parseArgs } from 'node:util';
import type { SimilarBox } from '../../core/contract/similar-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { formatTime, parseTime } from '../../core/time-format.js';
import type { AppHost } from '../../host/app-host.js';
import { openHost } from '../context.js';
import { printTable } from '../output.js';
import { USAGE, UsageError } from '../usage.js';

/**
 * The moments that look like a frame of a case:
 *   opscope similar <caseId> <seconds|HH:MM:SS> [--box X,Y,W,H] [--all-cases] [--limit N] [--json]
 * A case without its picture index is told so and the index is built first (after indexing the
 * case, when that is not done either).
 */
export async function similarCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      box: { type: 'string' },
      'all-cases': { type: 'boolean', default: false },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [caseId, when, ...extra] = positionals;
  if (!caseId || when === undefined || extra.length > 0) throw new UsageError(`usage: ${USAGE.similar}`);
  const time = parseTime(when);
  if (time === null || time < 0) throw new UsageError(`"${when}" is not a time: use seconds (754.5) or HH:MM:SS.`);
  const box = values.box === undefined ? undefined : parseBox(values.box);
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit takes a whole number from 1 to 100.');

  const host = openHost();
  try {
    await ensurePictureIndex(host, caseId);
    const r = await host.call('similar.find', { caseId, time, ...(box ? { box } : {}), scope: values['all-cases'] ? 'all' : 'case', limit });
    for (const m of r.missing) process.stderr.write(`opscope: "${m.caseName}" has no picture index yet (${m.state}); it was not searched.\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(r.moments.map((m) => ({ caseId: m.caseId, start: m.start, end: m.end, score: m.score, time: m.time })))}\n`);
    } else if (r.moments.length === 0) {
      process.stdout.write(`Nothing else looks like ${formatTime(time)} (${r.searched.frames} keyframes of ${r.searched.cases} case(s) searched).\n`);
    } else {
      printTable([
        ['case', 'window', 'most alike at', 'score'],
        ...r.moments.map((m) => [m.caseName, `${formatTime(m.start)}–${formatTime(m.end)}`, formatTime(m.time), m.score.toFixed(3)]),
      ]);
    }
    return 0;
  } finally {
    await host.close();
  }
}

function parseBox(text: string): SimilarBox {
  const n = text.split(',').map((s) => Number(s.trim()));
  if (n.length !== 4 || n.some((v) => !Number.isFinite(v) || v < 0) || n[2]! <= 0 || n[3]! <= 0) {
    throw new UsageError(`--box takes X,Y,W,H in the recording's pixels (width and height above 0), not "${text}".`);
  }
  return [n[0]!, n[1]!, n[2]!, n[3]!];
}

/** Indexes the case and builds its picture index when either is missing, saying so on stderr. */
async function ensurePictureIndex(host: AppHost, caseId: string): Promise<void> {
  let status = await host.call('similar.status', { caseId });
  if (status.state === 'done') return;
  const index = await host.call('index.wait', { caseId });
  if (index.state !== 'done') {
    process.stderr.write('opscope: the case is not indexed yet; indexing it first.\n');
    await host.call('index.start', { caseId });
    const after = await host.call('index.wait', { caseId });
    if (after.state !== 'done') throw new OpscopeError('unavailable', `The case could not be indexed: ${after.message ?? after.stage}.`);
  }
  process.stderr.write(
    status.frames === 0
      ? 'opscope: the case has no picture index yet; building it now (embeddings of its keyframes, once).\n'
      : `opscope: the case's picture index is not complete (${status.partsDone} of ${status.parts} parts); finishing it now.\n`,
  );
  let last = -1;
  const off = host.bus.on('similar.progress', ({ caseId: id, status: s }) => {
    if (id !== caseId || !process.stderr.isTTY) return;
    const pct = Math.floor(s.progress * 100);
    if (pct !== last) process.stderr.write(`\r  ${pct}%`);
    last = pct;
  });
  try {
    await host.call('similar.build', { caseId });
    status = await host.call('similar.wait', { caseId });
  } finally {
    off();
    if (last >= 0) process.stderr.write('\n');
  }
  if (status.state !== 'done') throw new OpscopeError('unavailable', `The picture index could not be built: ${status.message ?? status.state}.`);
}
