import { FrameService, type FrameJobs, type FrameStore } from '../host/frames/frame-service.js';
import { openPartReader } from '../host/store/part-reads.js';
import type { Store } from '../host/store/store.js';
import { withToolContext } from '../node/ffmpeg/command-log.js';
import { DataLayout, resolveDataDir } from '../node/paths.js';

/**
 * Just what `opscope frame` needs: the frame service on a read-only connection to the store, its
 * two jobs run right here. A frame is often scripted in a loop, and a Node start is already
 * about half the time it may take: the whole host, the worker's job loop, every repository of
 * the store and the contract's schemas would add a third more to every call.
 * One frame per process: a warm decoder would only add its start to this one frame, so the
 * frame is an exact seek in one ffmpeg writing the PNG.
 * The writable Store is opened only where the read-only reader cannot serve: a data folder not
 * made yet or of another schema version (the Store migrates it, or says it is too new), or a
 * part whose packets were never scanned (the scan is saved).
 */
export async function openFrames(): Promise<{ frames: FrameService; close(): Promise<void> }> {
  const layout = new DataLayout(resolveDataDir());
  const openStore = async () => new (await import('../host/store/store.js')).Store(layout.database);
  const reader = openPartReader(layout.database);
  let store: FrameStore & { close(): void };
  if (reader) {
    let writer: Store | null = null;
    store = {
      getCase: (id) => reader.getCase(id),
      partsOf: (id) => reader.partsOf(id),
      getPart: (id) => reader.getPart(id),
      packetScan: (id) => reader.packetScan(id),
      frameTimes: (id) => reader.frameTimes(id),
      savePacketScan: async (id, scan) => {
        writer ??= await openStore();
        writer.savePacketScan(id, scan);
      },
      close: () => {
        writer?.close();
        reader.close();
      },
    };
  } else {
    store = await openStore();
  }
  const logged = <T>(job: string, fn: () => Promise<T>) => withToolContext({ job, log: layout.ffmpegLog }, fn);
  const jobs: FrameJobs = {
    packets: (p, signal) => logged('packets', async () => (await import('../worker/media/packets.js')).scanPackets(p.path, p.startTime, signal)),
    frame: (p, signal) =>
      logged('frame', async () => {
        const { extractFrame } = await import('../worker/media/frame.js');
        const { frame: _warm, ...exact } = p;
        return extractFrame(exact, signal);
      }),
  };
  return {
    frames: new FrameService(store, jobs, layout),
    close: async () => store.close(),
  };
}
