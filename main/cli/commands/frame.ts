import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTime, formatClock } from '../../core/time-format.js';
import { USAGE } from '../usage.js';
import { openFrames } from '../frame-host.js';
import { UsageError } from '../usage.js';


export async function frameCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } },
  });
  const [caseId, when] = positionals;
  if (!caseId || when === undefined || !values.out) throw new UsageError(`usage: ${USAGE.frame}`);
  const t = parseTime(when);
  if (t === null || t < 0) throw new UsageError(`"${when}" is not a time: use seconds (754.5) or HH:MM:SS.mmm.`);
  const host = await openFrames();
  try {
    const out = resolve(values.out);
    const ref = await host.frames.get(caseId, t, undefined, out);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ out, caseId, requested: t, time: ref.time, partId: ref.partId, frameIndex: ref.frameIndex, width: ref.width, height: ref.height })}\n`);
    } else {
      process.stdout.write(`${out}  frame ${ref.frameIndex} at ${formatClock(ref.time)} (${ref.width}x${ref.height})\n`);
    }
    return 0;
  } finally {
    await host.close();
  }
}
