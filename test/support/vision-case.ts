import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AgentBackend } from '../../main/core/agent/engine/types.js';
import { defaultAgentWiring } from '../../main/host/agent/agent-wiring.js';
import type { AppHost } from '../../main/host/app-host.js';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { syntheticVideo } from './media.js';
import { TISSUE_CLIP, sharedData } from './shared-data.js';

/*
 * A case for the vision model: footage inside a patient, then a real photograph of people (a
 * room) held for a few seconds, and a backend that looks at both as a model would.
 */

const require = createRequire(import.meta.url);
const PHOTO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');

/** A real photograph of people held for `seconds`, as a recording in `dir`. */
export async function photoVideo(dir: string, seconds: number): Promise<string> {
  const out = join(dir, 'room.mp4');
  await runFfmpeg(
    ['-v', 'error', '-y', '-loop', '1', '-i', inputPath(PHOTO), '-t', String(seconds), '-r', '10', '-vf', 'scale=1280:-2,format=yuv420p', '-c:v', 'libx264', '-g', '10', out],
    { timeoutMs: 60_000 },
  );
  return out;
}

/** The real tissue clip when the shared test data is there, else generated endoscope-like footage. */
export async function tissueVideo(): Promise<string> {
  return sharedData(TISSUE_CLIP) ?? syntheticVideo({ duration: 4, width: 640, height: 360, fps: 10, gop: 10, events: [], seed: 77 });
}

/**
 * A backend that looks the way a model does: a crop over the whole case, then the last moment at
 * full size, then an answer. What the frames carry is the tools' doing, not the backend's.
 */
export function looker(): AgentBackend {
  return {
    name: 'looker',
    async next(ctx) {
      if (ctx.steps.length === 0) return { kind: 'tool', thought: 'Look over the whole case.', call: { name: 'crop_video', arguments: { start: 0, end: ctx.duration, frames: 8 } } };
      if (ctx.steps.length === 1) return { kind: 'tool', thought: 'Look closer at the end.', call: { name: 'get_frame', arguments: { time: ctx.duration - 0.5 } } };
      return { kind: 'answer', thought: 'Done.', answer: { text: 'Looked at the case.', evidence: [] } };
    },
  };
}

/** The host's own agent wiring (its tools, with the detector) plus the looker backend. */
export async function wireLooker(host: AppHost): Promise<void> {
  const wiring = defaultAgentWiring(host);
  await host.wireAgent({ ...wiring, backends: { ...wiring.backends, looker } });
}
