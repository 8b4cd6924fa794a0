import { AppHost } from '../host/app-host.js';
import { FrameService } from '../host/frame-service.js';
import { Store } from '../host/store/store.js';
import { WorkerSupervisor } from '../host/worker-supervisor.js';
import { DataLayout } from '../node/paths.js';
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

/**
 * Just what `opscope frame` needs: the store, a worker and the frame service. A frame is often
 * scripted in a loop, and the whole host would add its start-up to every call.
 */
export function openFrames(): { frames: FrameService; close(): Promise<void> } {
  const layout = new DataLayout(resolveDataDir());
  const store = new Store(layout.database);
  const worker = new WorkerSupervisor(inProcessWorkerLauncher());
  return {
    frames: new FrameService(store, worker, layout),
    close: async () => {
      await worker.stop();
      store.close();
    },
  };
}

export { UsageError } from './usage.js';
