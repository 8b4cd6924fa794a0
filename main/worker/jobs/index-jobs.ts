import type { ChunkSample, JobParams, JobResult } from '../../core/worker-protocol.js';
import { buildTracks, estimateFieldOfView, featuresToJSON, featuresFromJSON, frameFeatures } from '../../core/signals/index.js';
import type { RgbFrame } from '../../core/signals/index.js';
import { keyframePass, sampleFrame } from '../media/keyframes.js';
import type { JobContext } from './index.js';

export async function estimateFov(p: JobParams<'fov'>, ctx: JobContext): Promise<JobResult<'fov'>> {
  const frames: RgbFrame[] = [];
  let done = 0;
  // Two decoders at a time: the machine's cores are shared with everything else.
  const queue = [...p.times];
  const work = async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
      const data = await sampleFrame(p.path, p.codec, p.analysis.width * 8, t, p.analysis, ctx.signal).catch(() => null);
      if (data) frames.push({ width: p.analysis.width, height: p.analysis.height, data });
      ctx.progress({ fraction: ++done / p.times.length, stage: 'Finding the field of view' });
    }
  };
  await Promise.all([work(), work()]);
  const mask = estimateFieldOfView(frames.length ? frames : []);
  return { mask, width: p.analysis.width, height: p.analysis.height };
}

export async function indexChunk(p: JobParams<'indexChunk'>, ctx: JobContext): Promise<JobResult<'indexChunk'>> {
  const samples: ChunkSample[] = [];
  const last = p.to >= p.duration - 1e-6;
  const { thumbFiles, thumbTimes } = await keyframePass({
    path: p.path,
    codec: p.codec,
    sourceWidth: p.analysis.width * 8,
    from: p.from,
    to: p.to,
    analysis: p.analysis,
    thumbs: p.thumbs,
    thumbDir: p.thumbDir,
    thumbPrefix: p.thumbPrefix,
    denseSampling: p.denseSampling,
    signal: ctx.signal,
    onProgress: (fraction) => ctx.progress({ fraction, stage: 'Reading keyframes' }),
    onFrame: (time, data) => {
      // Chunks overlap by a frame at their edges; each time belongs to exactly one chunk.
      if (time < p.from - 1e-6 || (!last && time >= p.to - 1e-6)) return;
      const f = frameFeatures({ width: p.analysis.width, height: p.analysis.height, data }, p.mask);
      samples.push({ time, features: featuresToJSON(f) });
    },
  });
  return { samples, thumbs: { files: thumbFiles, times: thumbTimes } };
}

export function computeTracks(p: JobParams<'tracks'>): JobResult<'tracks'> {
  const samples = p.samples
    .map((s) => ({ time: s.time, features: featuresFromJSON(s.features) }))
    .sort((a, b) => a.time - b.time);
  const packets = Array.from(p.packetTimes, (time, i) => ({ time, size: p.packetSizes[i]!, key: p.packetKeys[i] === 1 }));
  const raw = buildTracks(samples, packets, p.duration);
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(raw)) if (v instanceof Float32Array) out[k] = v;
  return out;
}
