import { parseArgs } from 'node:util';
import type { CaseDetail, ImportResult } from '../../core/contract/schemas.js';
import { USAGE } from '../usage.js';
import { openHost, UsageError } from '../context.js';
import { duration, Progress } from '../output.js';


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
  const off = host.bus.subscribe((name, payload) => {
    if (name === 'import.progress') {
      const p = payload as { done: number; total: number };
      progress.update('Reading recordings', p.done / p.total);
    } else if (name === 'index.progress') {
      const p = payload as { status: { progress: number; stage: string } };
      progress.update('Indexing', p.status.progress, p.status.stage);
    }
  });
  try {
    const results = (await host.call('cases.import', {
      paths: positionals,
      ...(values.name ? { name: values.name } : {}),
      mode: values.separate ? 'case-per-file' : 'one-case',
      index: !values['no-index'],
    })) as ImportResult[];
    const caseIds = [...new Set(results.flatMap((r) => (r.caseId ? [r.caseId] : r.files.map((f) => f.caseId))))];
    if (!values['no-index']) for (const id of caseIds) await host.indexer.whenIdle(id);
    progress.done();
    const details = caseIds.map((id) => host.call('cases.get', { caseId: id })) as Promise<unknown>[];
    const cases = (await Promise.all(details)) as CaseDetail[];
    const errors = results.flatMap((r) => r.errors);
    const imported = results.flatMap((r) => r.files);
    if (values.json) {
      const main = cases[0];
      const out = {
        caseId: main?.id ?? null,
        name: main?.name ?? null,
        duration: main?.duration ?? 0,
        parts: (main?.parts ?? []).map((p) => ({
          path: p.path, duration: p.duration, width: p.width, height: p.height, fps: round(p.fps), codec: p.codec,
        })),
        errors: errors.map((e) => ({ path: e.path, message: e.message })),
        files: imported.map((f) => ({ path: f.path, caseId: f.caseId, outcome: f.outcome })),
        index: main?.index ?? null,
        ...(cases.length > 1 ? { cases: cases.map((c) => ({ caseId: c.id, name: c.name, duration: c.duration })) } : {}),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
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
    off();
    await host.close();
  }
}

function round(n: number) {
  return Math.round(n * 1000) / 1000;
}
