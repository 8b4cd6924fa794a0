import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportResult } from '../../core/contract/schemas.js';
import type { DataLayout } from '../../node/paths.js';
import type { EventBus } from '../event-bus.js';
import type { IndexService } from '../index/index-service.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';
import type { ImportService } from './import-service.js';

export interface DemoDeps {
  layout: DataLayout;
  worker: WorkerSupervisor;
  imports: ImportService;
  indexer: IndexService;
  bus: EventBus;
}

/** The first-run demo: a generated recording (made once, then reused), imported and indexed. */
export async function createDemo({ layout, worker, imports, indexer, bus }: DemoDeps, signal?: AbortSignal): Promise<ImportResult> {
  const out = join(layout.demo, 'opscope-demo.mp4');
  if (!existsSync(out)) {
    await mkdir(layout.demo, { recursive: true });
    await worker.run('demo', { out }, {
      ...(signal ? { signal } : {}),
      onProgress: (p) => bus.emit('demo.progress', { progress: p.fraction, stage: p.stage ?? 'Generating' }),
    });
  }
  const [result] = await imports.import({ paths: [out], name: 'Demo case (generated)', mode: 'one-case', isDemo: true }, signal);
  if (!result) throw new Error('The demo recording could not be imported.');
  const caseId = result.caseId ?? result.files[0]?.caseId;
  if (caseId) indexer.enqueue(caseId);
  bus.emit('demo.progress', { progress: 1, stage: 'Ready' });
  return result;
}
