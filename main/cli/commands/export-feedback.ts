import { parseArgs } from 'node:util';
import { openHost } from '../context.js';
import { USAGE, UsageError } from '../usage.js';

/** The clinicians' reviews as a training set: one JSON line per reviewed evidence item. */
export async function exportFeedbackCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      case: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.out || positionals.length > 0) throw new UsageError(`usage: ${USAGE['export-feedback']}`);
  const host = openHost();
  try {
    const result = await host.call('feedback.exportTrainingSet', {
      out: values.out,
      overwrite: values.force,
      ...(values.case ? { caseId: values.case } : {}),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result.count === 0) process.stdout.write(`${result.out}: no reviewed evidence yet, so the file is empty.\n`);
    else process.stdout.write(`${result.out}: ${result.count} reviewed evidence item${result.count === 1 ? '' : 's'}\n`);
    return 0;
  } finally {
    await host.close();
  }
}
