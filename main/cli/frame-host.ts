import { FrameService } from '../host/frames/frame-service.js';
import { Store } from '../host/store/store.js';
import { WorkerSupervisor } from '../host/workers/worker-supervisor.js';
import { DataLayout, resolveDataDir } from '../node/paths.js';
import { inProcessWorkerLauncher } from './in-process-worker.js';

/**
 * Just what `opscope frame` needs: the store, a worker and the frame service. A frame is often
 * scripted in a loop, and the whole host would add its start-up to every call.
 */
export function openFrames(): { frames: FrameService; close(): Promise<void> } {
  const layout = new DataLayout(resolveDataDir());
  const store = new Store(layout.database);
  const worker = new WorkerSupervisor(inProcessWorkerLauncher(), 'media worker', { dataDir: layout.root });
  return {
    frames: new FrameService(store, worker, layout),
    close: async () => {
      await worker.stop();
      store.close();
    },
  };
}
