import { HostToWorkerSchema } from '../core/worker-protocol.js';
import { setProcessCommandLog } from '../node/ffmpeg/command-log.js';
import { DataLayout } from '../node/paths.js';
import { connectToHost } from './channel.js';
import { handlers } from './jobs/index.js';
import { JobLoop } from './job-loop.js';

/**
 * The worker: everything heavy (ffprobe, ffmpeg, analysis, model inference) runs here so the
 * host stays responsive. The host starts it three times: the media worker, the model worker (a
 * model's blocking session never delays a frame) and the recording worker (a crash of either never
 * interrupts a live recording). It never writes the database; results go back to the host, which
 * persists them.
 */
const host = connectToHost();
// The host names its data folder: the worker's ffmpeg command lines go to the same log as its own.
if (process.env.OPSCOPE_HOME) setProcessCommandLog(new DataLayout(process.env.OPSCOPE_HOME).ffmpegLog);
const jobs = new JobLoop({ send: (m) => host.send(m), loadHandlers: () => handlers });

host.onMessage((raw) => {
  const parsed = HostToWorkerSchema.safeParse(raw);
  if (parsed.success) jobs.receive(parsed.data);
});

process.on('uncaughtException', (err) => {
  console.error('worker: uncaught exception', err);
  process.exit(70);
});

host.send({ type: 'ready', pid: process.pid });
