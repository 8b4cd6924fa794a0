import { basename } from 'node:path';
import { OpscopeError } from '../../core/errors.js';
import { trackOptions } from '../../core/deid/text-regions.js';
import { frameFeatures } from '../../core/signals/index.js';
import type { RgbFrame } from '../../core/signals/types.js';
import type {
  JobProgress, OcrDeviceInfo, OcrFrameParams, OcrRangeParams, OcrRangeResult, OcrText, OutOfBodyFramesParams,
} from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { explainMediaFailure } from '../media/errors.js';
import { readFrameText } from './ocr-engine.js';

interface Ctx {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** The frame an accurate seek lands on, at the recording's displayed size, as RGB24. */
export async function decodeFrame(path: string, seek: number, source: { width: number; height: number }, signal: AbortSignal): Promise<RgbFrame> {
  const bytes = source.width * source.height * 3;
  const { stdout } = await runFfmpeg(
    [
      '-v', 'error',
      '-ss', Math.max(0, seek).toFixed(6),
      '-i', inputPath(path),
      '-an', '-sn', '-dn',
      '-map', '0:v:0', '-frames:v', '1', '-vsync', 'passthrough',
      '-vf', `scale=${source.width}:${source.height}:flags=bicubic`,
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ],
    { timeoutMs: 60_000, signal, purpose: `reading a frame of ${basename(path)}`, maxStdoutBytes: bytes },
  );
  if (stdout.length < bytes) throw new OpscopeError('tool-failed', `ffmpeg returned no frame at ${seek.toFixed(3)} s of ${basename(path)}.`);
  return { width: source.width, height: source.height, data: new Uint8Array(stdout.buffer, stdout.byteOffset, bytes) };
}

export async function ocrFrame(p: OcrFrameParams, ctx: Ctx): Promise<{ texts: OcrText[]; info: OcrDeviceInfo; width: number; height: number }> {
  let frame: RgbFrame;
  try {
    frame = await decodeFrame(p.path, p.seek, p.source, ctx.signal);
  } catch (err) {
    throw explainMediaFailure(err, basename(p.path));
  }
  const { texts, info } = await readFrameText(frame, { device: p.device, signal: ctx.signal });
  return { texts, info, width: frame.width, height: frame.height };
}

/**
 * Reads every sampled frame. The next frame is decoded while the current one is read: decoding
 * runs in ffmpeg's process, reading in this one. Unread lines are kept: a mask must not depend
 * on the recogniser being able to read what it hides.
 */
export async function ocrRange(p: OcrRangeParams, ctx: Ctx): Promise<OcrRangeResult> {
  const began = Date.now();
  const out: OcrRangeResult['samples'] = [];
  let info: OcrDeviceInfo | null = null;
  const known: OcrText[] = [];
  const decode = (k: number) => {
    const s = p.samples[k]!;
    const job = decodeFrame(p.path, s.seek, p.source, ctx.signal);
    // Settled later; a failure is reported when the frame is wanted.
    job.catch(() => undefined);
    return job;
  };
  let next = p.samples.length > 0 ? decode(0) : null;
  try {
    for (let k = 0; k < p.samples.length; k++) {
      if (ctx.signal.aborted) throw new OpscopeError('canceled', 'Canceled while reading text.');
      const frame = await next!;
      next = k + 1 < p.samples.length ? decode(k + 1) : null;
      const r = await readFrameText(frame, { device: p.device, signal: ctx.signal, keepUnread: true, known, tolerance: trackOptions(frame.height).tolerance });
      info = r.info;
      for (const t of r.texts) if (!known.some((k) => k.box.every((v, i) => v === t.box[i]))) known.push(t);
      out.push({ time: p.samples[k]!.time, texts: r.texts });
      ctx.progress({ fraction: (k + 1) / p.samples.length, stage: 'Looking for burned-in text' });
    }
  } catch (err) {
    throw err instanceof OpscopeError && (err.code === 'canceled' || err.code === 'unavailable') ? err : explainMediaFailure(err, basename(p.path));
  }
  return { samples: out, info: info ?? { device: 'none', fallbacks: [], loadMs: 0 }, ms: Date.now() - began };
}

/**
 * The out-of-body score of each of `frames` consecutive frames from the seek point, measured the
 * way the index measures keyframes (same size, same field-of-view mask), so the index's threshold
 * applies to single frames.
 */
export async function outOfBodyFrames(p: OutOfBodyFramesParams, ctx: Ctx): Promise<{ scores: Float32Array }> {
  const { width, height } = p.analysis;
  const bytes = width * height * 3;
  const scores = new Float32Array(p.frames);
  let k = 0;
  let pending: Buffer = Buffer.alloc(0);
  try {
    await runFfmpeg(
      [
        '-v', 'error',
        '-ss', Math.max(0, p.seek).toFixed(6),
        '-i', inputPath(p.path),
        '-an', '-sn', '-dn',
        '-map', '0:v:0', '-frames:v', String(p.frames), '-vsync', 'passthrough',
        '-vf', `scale=${width}:${height}:flags=area`,
        '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
      ],
      {
        timeoutMs: Math.max(60_000, p.frames * 200),
        idleTimeoutMs: 60_000,
        signal: ctx.signal,
        purpose: `checking frames of ${basename(p.path)} for out-of-body views`,
        // Streamed: a long span at full rate never sits in memory whole.
        onStdout: (chunk) => {
          pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
          while (pending.length >= bytes && k < p.frames) {
            const data = new Uint8Array(pending.buffer, pending.byteOffset, bytes);
            scores[k++] = frameFeatures({ width, height, data }, p.analysis.mask).outOfBody;
            pending = pending.subarray(bytes);
          }
          if (k % 30 === 0) ctx.progress({ fraction: k / Math.max(1, p.frames), stage: 'Checking for out-of-body frames' });
        },
      },
    );
  } catch (err) {
    throw explainMediaFailure(err, basename(p.path));
  }
  // Frames past the end of the recording (none decoded) count as unknown, not as inside.
  for (let i = k; i < p.frames; i++) scores[i] = Number.NaN;
  return { scores };
}
