/*
 * The `visionDetect` job: frames in (picture files or frames of a recording), detections out.
 * Frames are decoded by ffmpeg at no more than the detectors' working size, so a 4K recording
 * costs no more to look at than a 480p one; the next frame is decoded while the current one is
 * being looked at.
 */

import { basename } from 'node:path';
import { OpscopeError } from '../../core/errors.js';
import type { RgbFrame } from '../../core/signals/types.js';
import type { JobProgress, VisionDetectParams, VisionDetectResult, VisionFrameDetections, VisionImage } from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { pictureFileSize } from '../../node/image-size.js';
import { OBJECT_MIN_SCORE, visionRuntime, type Detection } from './runtime.js';

interface Ctx {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** Longest side frames are decoded at: what the detectors work at, with room to spare. */
const DECODE_SIDE = 640;

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

function decodeSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, DECODE_SIDE / Math.max(width, height));
  return { width: even(width * scale), height: even(height * scale) };
}

async function imageSize(file: string): Promise<{ width: number; height: number }> {
  const size = await pictureFileSize(file);
  if (!size) throw new OpscopeError('invalid-input', `${basename(file)} is neither a PNG nor a JPEG picture.`);
  return size;
}

async function decode(image: VisionImage, signal: AbortSignal): Promise<{ frame: RgbFrame; width: number; height: number }> {
  const full = image.kind === 'file' ? await imageSize(image.file) : image.source;
  const size = decodeSize(full.width, full.height);
  const bytes = size.width * size.height * 3;
  const input = image.kind === 'file' ? ['-i', inputPath(image.file)] : ['-ss', Math.max(0, image.seek).toFixed(6), '-i', inputPath(image.path)];
  const name = basename(image.kind === 'file' ? image.file : image.path);
  const { stdout } = await runFfmpeg(
    [
      '-v', 'error', ...input,
      '-an', '-sn', '-dn', '-map', '0:v:0', '-frames:v', '1',
      '-vf', `scale=${size.width}:${size.height}:flags=area`,
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ],
    { timeoutMs: 60_000, signal, purpose: `reading a frame of ${name} for the detectors`, maxStdoutBytes: bytes },
  );
  if (stdout.length < bytes) throw new OpscopeError('tool-failed', `ffmpeg returned no picture from ${name}.`);
  return { frame: { ...size, data: new Uint8Array(stdout.buffer, stdout.byteOffset, bytes) }, ...full };
}

/** Boxes found at the decoded size, in the picture's own pixels. */
function rescale(found: Detection[], from: RgbFrame, to: { width: number; height: number }): Detection[] {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return found.map((d) => ({ ...d, box: [Math.round(d.box[0] * sx), Math.round(d.box[1] * sy), Math.round(d.box[2] * sx), Math.round(d.box[3] * sy)] }));
}

export async function visionDetect(p: VisionDetectParams, ctx: Ctx): Promise<VisionDetectResult> {
  const began = Date.now();
  if (p.detect.length === 0) throw new OpscopeError('invalid-input', 'visionDetect needs at least one detector: objects or faces.');
  let vision;
  try {
    vision = await visionRuntime();
  } catch (err) {
    throw new OpscopeError('unavailable', `The vision models could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  const frames: VisionFrameDetections[] = [];
  const start = (k: number) => {
    const job = decode(p.images[k]!, ctx.signal);
    job.catch(() => undefined);
    return job;
  };
  let next = p.images.length > 0 ? start(0) : null;
  for (let k = 0; k < p.images.length; k++) {
    if (ctx.signal.aborted) throw new OpscopeError('canceled', 'Canceled while looking at frames.');
    const { frame, width, height } = await next!;
    next = k + 1 < p.images.length ? start(k + 1) : null;
    const t0 = Date.now();
    const objects = p.detect.includes('objects') ? await vision.detectObjects(frame, { minScore: p.minScore?.objects ?? OBJECT_MIN_SCORE }) : [];
    const faces = p.detect.includes('faces') ? await vision.detectFaces(frame, { minScore: p.minScore?.faces ?? 0.5 }) : [];
    frames.push({
      time: p.images[k]!.time,
      width,
      height,
      objects: rescale(objects, frame, { width, height }),
      faces: rescale(faces, frame, { width, height }),
      ms: Date.now() - t0,
    });
    ctx.progress({ fraction: (k + 1) / p.images.length, stage: 'Looking for people and objects' });
  }
  return { frames, info: vision.info, ms: Date.now() - began };
}
