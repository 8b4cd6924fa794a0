import { AppHost } from '../host/app-host.js';
import { nodeWorkerLauncher } from '../host/workers/node-worker.js';
import { resolveDataDir } from '../node/paths.js';
import { inProcessWorkerLauncher } from './in-process-worker.js';

/** A host for one CLI command, on the same data directory the desktop app uses. */
export function openHost(opts: { separateWorker?: boolean; resumeIndexing?: boolean } = {}): AppHost {
  const host = new AppHost({
    dataDir: resolveDataDir(),
    launcher: opts.separateWorker ? nodeWorkerLauncher() : inProcessWorkerLauncher(),
    transport: 'cli',
    resumeIndexing: opts.resumeIndexing ?? false,
  });
  reportRecovery(host);
  return host;
}

/** A database restored from a backup at start is said once, on stderr, whatever the command. */
export function reportRecovery(host: AppHost): void {
  const r = host.info().storeRecovery;
  if (r) process.stderr.write(`opscope: ${r.message}
  damaged file kept at: ${r.movedTo}
`);
}

export { UsageError } from './usage.js';
