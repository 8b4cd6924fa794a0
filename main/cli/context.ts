import { AppHost } from '../host/app-host.js';
import { nodeWorkerLauncher } from '../host/node-worker.js';
import { resolveDataDir } from '../node/paths.js';
import { inProcessWorkerLauncher } from './in-process-worker.js';

/** A host for one CLI command, on the same data directory the desktop app uses. */
export function openHost(opts: { separateWorker?: boolean; resumeIndexing?: boolean } = {}): AppHost {
  return new AppHost({
    dataDir: resolveDataDir(),
    launcher: opts.separateWorker ? nodeWorkerLauncher() : inProcessWorkerLauncher(),
    transport: 'cli',
    resumeIndexing: opts.resumeIndexing ?? false,
  });
}

export { UsageError } from './usage.js';
