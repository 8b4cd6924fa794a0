/*
 * The `pictureEmbed` job (model worker): picture embeddings of a part's keyframes for the picture
 * index, or of one frame (or a box of it) for a query. ffmpeg decodes keyframes only and shrinks
 * them to the model's square on the way out, so a 1080p hour costs little to read; the next batch
 * is decoded while the current one is embedded.
 */

import { basename } from 'node:path';
import { OpscopeError } from '../../core/errors.js';
import type { RgbFrame } from '../../core/signals/types.js';
import type { JobProgress, PictureEmbedParams, PictureEmbedResult } from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { decoderOptions } from '../media/keyframes.js';
import { explainMediaFailure } from '../media/errors.js';
import { EMBED_BATCH, pictureEmbedder, type PictureEmbedder } from './embedder.js';

interface Ctx {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

async function loadEmbedder(): Promise<PictureEmbedder> {
  try {
    return await pictureEmbedder();
  } catch (err) {
    throw new OpscopeError('unavailable', `The picture model could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function packed(vectors: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => out.set(v, i * dim));
  return out;
}

/** One frame at `seek` (part seconds), the box alone when given, squeezed to the model's square. */
async function oneFrame(p: Extract<PictureEmbedParams['frames'], { kind: 'at' }>, path: string, side: number, signal: AbortSignal): Promise<RgbFrame> {
  const bytes = side * side * 3;
  const crop = p.box ? `crop=${Math.max(2, Math.round(p.box[2]))}:${Math.max(2, Math.round(p.box[3]))}:${Math.round(p.box[0])}:${Math.round(p.box[1])},` : '';
  try {
    const { stdout } = await runFfmpeg(
      ['-v', 'error', '-ss', Math.max(0, p.seek).toFixed(6), '-i', inputPath(path), '-an', '-sn', '-dn', '-map', '0:v:0', '-frames:v', '1', '-vf', `${crop}scale=${side}:${side}:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { timeoutMs: 60_000, signal, purpose: `reading a frame of ${basename(path)} for the picture index`, maxStdoutBytes: bytes },
    );
    if (stdout.length < bytes) throw new OpscopeError('tool-failed', `ffmpeg returned no picture from ${basename(path)} at ${p.seek.toFixed(3)} s.`);
    return { width: side, height: side, data: new Uint8Array(stdout.subarray(0, bytes)) };
  } catch (err) {
    throw explainMediaFailure(err, basename(path));
  }
}

export async function pictureEmbed(p: PictureEmbedParams, ctx: Ctx): Promise<PictureEmbedResult> {
  const began = Date.now();
  const embedder = await loadEmbedder();
  const { side, dim, model } = embedder.info;
  if (p.frames.kind === 'at') {
    const frame = await oneFrame(p.frames, p.path, side, ctx.signal);
    const [v] = await embedder.embed([frame]);
    return { times: Float64Array.of(p.frames.seek), vectors: v!, dim, model, ms: Date.now() - began };
  }

  const { from, to, spacing } = p.frames;
  const span = Math.max(0.001, to - from);
  const bytes = side * side * 3;
  const times: number[] = [];
  const pending: RgbFrame[] = [];
  const vectors: Float32Array[] = [];
  let carry: Buffer = Buffer.alloc(0);
  let work: Promise<void> = Promise.resolve();
  let failed: unknown = null;
  const flush = (all: boolean) => {
    while (pending.length >= EMBED_BATCH || (all && pending.length > 0)) {
      const batch = pending.splice(0, EMBED_BATCH);
      work = work.then(async () => {
        if (failed || ctx.signal.aborted) return;
        try {
          vectors.push(...(await embedder.embed(batch)));
          const t = times[Math.min(times.length, vectors.length) - 1] ?? from;
          ctx.progress({ fraction: Math.min(1, Math.max(0, (t - from) / span)), stage: 'Building the picture index' });
        } catch (err) {
          failed = err;
        }
      });
    }
  };
  const graph = `select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,${Math.max(0.001, spacing - 0.05).toFixed(3)}),showinfo,scale=${side}:${side}:flags=area,format=rgb24`;
  try {
    await runFfmpeg(
      [
        '-loglevel', 'info', '-nostats',
        ...decoderOptions(p.codec, p.sourceWidth, p.denseSampling),
        '-ss', from.toFixed(6), '-t', span.toFixed(6), '-i', inputPath(p.path),
        '-an', '-sn', '-dn', '-map', '0:v:0', '-vf', graph, '-vsync', 'passthrough', '-f', 'rawvideo', 'pipe:1',
      ],
      {
        timeoutMs: Math.max(120_000, span * 4000),
        idleTimeoutMs: 120_000,
        signal: ctx.signal,
        purpose: `building the picture index of ${basename(p.path)}`,
        onStdout: (chunk) => {
          carry = carry.length ? Buffer.concat([carry, chunk]) : chunk;
          while (carry.length >= bytes) {
            pending.push({ width: side, height: side, data: new Uint8Array(carry.subarray(0, bytes)) });
            carry = carry.subarray(bytes);
          }
          flush(false);
        },
        onStderrLine: (line) => {
          if (!line.startsWith('[Parsed_showinfo')) return;
          const m = /pts_time:\s*(-?[\d.]+)/.exec(line);
          if (m) times.push(from + Number(m[1]));
        },
      },
    );
  } catch (err) {
    throw explainMediaFailure(err, basename(p.path));
  }
  flush(true);
  await work;
  if (failed) throw failed;
  if (ctx.signal.aborted) throw new OpscopeError('canceled', 'Canceled while building the picture index.');
  const n = Math.min(times.length, vectors.length);
  // Keyframes at a chunk's far edge belong to the next chunk (it starts there).
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (times[i]! >= from - 1e-6 && (p.frames.last || times[i]! < to - 1e-6)) keep.push(i);
  return {
    times: Float64Array.from(keep, (i) => times[i]!),
    vectors: packed(keep.map((i) => vectors[i]!), dim),
    dim,
    model,
    ms: Date.now() - began,
  };
}
