import { parseArgs } from 'node:util';
import { USAGE } from '../usage.js';
import { openHost, UsageError } from '../context.js';
import { duration, Progress } from '../output.js';
import { importJson } from '../import-output.js';


export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'no-index': { type: 'boolean', default: false },
      separate: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError(`usage: ${USAGE.import}`);
  const host = openHost();
  const progress = new Progress();
  const offImport = host.bus.on('import.progress', (p) => progress.update('Reading recordings', p.done / p.total));
  const offIndex = host.bus.on('index.progress', (p) => progress.update('Indexing', p.status.progress, p.status.stage));
  try {
    const results = await host.call('cases.import', {
      paths: positionals,
      ...(values.name ? { name: values.name } : {}),
      mode: values.separate ? 'case-per-file' : 'one-case',
      index: !values['no-index'],
    });
    const caseIds = [...new Set(results.flatMap((r) => (r.caseId ? [r.caseId] : r.files.map((f) => f.caseId))))];
    if (!values['no-index']) for (const caseId of caseIds) await host.call('index.wait', { caseId });
    progress.done();
    const cases = await Promise.all(caseIds.map((caseId) => host.call('cases.get', { caseId })));
    const errors = results.flatMap((r) => r.errors);
    const imported = results.flatMap((r) => r.files);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(importJson(cases, results))}\n`);
    } else {
      for (const c of cases) {
        process.stdout.write(`${c.id}  ${c.name}  ${duration(c.duration)}  ${c.parts.length} part(s)  index: ${c.index.state}\n`);
        if (c.index.message) process.stdout.write(`  ${c.index.message}\n`);
      }
      for (const f of imported.filter((f) => f.outcome !== 'imported')) {
        process.stdout.write(`${f.outcome === 'duplicate' ? 'already in the library' : 'found again (relinked)'}: ${f.path}\n`);
      }
      for (const e of errors) process.stderr.write(`error: ${e.path}: ${e.message}\n`);
    }
    return imported.length > 0 ? 0 : 1;
  } finally {
    offImport();
    offIndex();
    await host.close();
  }
}
