import { FrameService } from '../host/frames/frame-service.js';
import { Store } from '../host/store/store.js';
import { WorkerSupervisor } from '../host/workers/worker-supervisor.js';
import { withToolContext } from '../node/ffmpeg/command-log.js';
import { DataLayout, resolveDataDir } from '../node/paths.js';
import { inProcessWorkerLauncher } from './in-process-worker.js';

/**
 * Just what `opscope frame` needs: the store and the frame service, its two jobs run right here
 * (no job loop, no other job's code loaded). One frame per process: a warm decoder would only
 * add its start to this one frame, so the frame is an exact seek in one ffmpeg writing the PNG.
 * A frame is often scripted in a loop, and the whole host would add its start-up to every call.
 */
export function openFrames(): { frames: FrameService; close(): Promise<void> } {
  const layout = new DataLayout(resolveDataDir());
  const store = new Store(layout.database);
  // Never started: the jobs below do not go through it.
  const worker = new WorkerSupervisor(inProcessWorkerLauncher(), 'media worker', { dataDir: layout.root });
  const logged = <T>(job: string, fn: () => Promise<T>) => withToolContext({ job, log: layout.ffmpegLog }, fn);
  const frames = new FrameService(store, worker, layout, {
    packets: async (p, signal) => logged('packets', async () => (await import('../worker/media/packets.js')).scanPackets(p.path, p.startTime, signal)),
    frame: async (p, signal) => {
      const { extractFrame } = await import('../worker/media/frame.js');
      const { frame: _warm, ...exact } = p;
      return logged('frame', () => extractFrame(exact, signal));
    },
  });
  return {
    frames,
    close: async () => {
      await worker.stop();
      store.close();
    },
  };
}
