import { parseArgs } from 'node:util';
import { formatClock, parseTime } from '../../core/time-format.js';
import type { AppHost } from '../../host/app-host.js';
import { openHost } from '../context.js';
import { USAGE, UsageError } from '../usage.js';

export interface OcrDeps {
  openHost?: () => AppHost;
  stdout?: (text: string) => void;
}

/**
 * `opscope ocr`: the burned-in text of the frame on screen at a case time. With --json, stdout is
 * exactly [{"text", "box": [x, y, w, h], "score"}], boxes in the recording's pixels.
 */
export async function ocrCommand(argv: string[], deps: OcrDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const [caseId, when, ...extra] = positionals;
  if (!caseId || when === undefined || extra.length > 0) throw new UsageError(`usage: ${USAGE.ocr}`);
  const t = parseTime(when);
  if (t === null || t < 0) throw new UsageError(`"${when}" is not a time: use seconds (754.5) or HH:MM:SS.mmm.`);
  const stdout = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const host = (deps.openHost ?? openHost)();
  try {
    const r = await host.call('frames.text', { caseId, time: t });
    const lines = r.texts;
    if (values.json) {
      stdout(`${JSON.stringify(lines)}\n`);
      return 0;
    }
    const head = `Frame at ${formatClock(r.time)} (${r.width}x${r.height}), read on ${r.device}: ${lines.length === 0 ? 'no text found.' : `${lines.length} line${lines.length === 1 ? '' : 's'}`}`;
    stdout(`${[head, ...lines.map((l) => `  [${l.box.join(', ')}]  ${l.score.toFixed(2)}  ${l.text}`)].join('\n')}\n`);
    return 0;
  } finally {
    await host.close();
  }
}
