import { basename, dirname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { OpscopeError } from '../../core/errors.js';
import type { FrameFormat, FrameTimingParams } from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { pngSize } from '../../node/png.js';
import { writeWhole } from '../../node/whole-file.js';
import { explainMediaFailure } from './errors.js';

/** ffmpeg's JPEG scale (2 best .. 31): about quality 90. */
const JPEG_Q = 3;

export interface FrameRequest {
  path: string;
  /** Part seconds between the wanted frame's timestamp and the previous one. */
  seek: number;
  out: string;
  format?: FrameFormat;
  frame?: FrameTimingParams;
}

/** Where the last frame came from: a warm decoder, or a new ffmpeg and why (tests and the bench read it). */
export const lastFrameSource: { warm: boolean; reason: string | null } = { warm: false, reason: null };

/**
 * Writes the frame shown at the request's time at full resolution, as PNG (a file a user keeps)
 * or JPEG (a frame looked at in the app). A warm decoder gives it when the file allows one (see
 * warm-decoder.ts); otherwise a new ffmpeg seeks accurately between the frame's timestamp and
 * the previous one, so that it lands on exactly that frame.
 */
export async function extractFrame(p: FrameRequest, signal?: AbortSignal): Promise<{ width: number; height: number }> {
  const format = p.format ?? 'png';
  let size = { width: 0, height: 0 };
  try {
    await writeWhole(p.out, async (tmp) => {
      size = await frameInto(p, tmp, format, signal);
    });
    return size;
  } catch (err) {
    throw explainMediaFailure(err, basename(p.path));
  }
}

async function frameInto(p: FrameRequest, tmp: string, format: FrameFormat, signal?: AbortSignal): Promise<{ width: number; height: number }> {
  if (p.frame) {
    // Loaded here: `opscope frame` takes the exact seek below and should not pay for them.
    const [{ NotWarm, warmDecoders }, { encodeRaw }] = await Promise.all([import('./warm-decoder.js'), import('./frame-encode.js')]);
    try {
      const raw = await warmDecoders.frame(p.path, p.frame.index, p.frame, dirname(p.out));
      if (signal?.aborted) throw new OpscopeError('canceled', 'Canceled.');
      await writeFile(tmp, await encodeRaw(raw, format));
      lastFrameSource.warm = true;
      lastFrameSource.reason = null;
      return { width: raw.width, height: raw.height };
    } catch (err) {
      if (err instanceof OpscopeError) throw err;
      // The file does not allow a warm decoder, or the decoder failed (its run is in the
      // ffmpeg command log): the exact seek below gives the same frame.
      lastFrameSource.reason = err instanceof NotWarm ? err.message : `the warm decoder failed: ${(err as Error).message}`;
    }
  } else {
    lastFrameSource.reason = 'no frame table given';
  }
  lastFrameSource.warm = false;
  return seekFrame(p.path, p.seek, tmp, format, signal);
}

async function seekFrame(path: string, seek: number, out: string, format: FrameFormat, signal?: AbortSignal) {
  await runFfmpeg(
    [
      '-v', 'error',
      // One decoder thread: from a keyframe to one frame, more threads measured slower (their
      // start-up outweighs the handful of frames each gets).
      '-threads', '1',
      '-ss', Math.max(0, seek).toFixed(6),
      '-i', inputPath(path),
      '-an', '-sn', '-dn',
      '-map', '0:v:0', '-frames:v', '1', '-vsync', 'passthrough',
      // Fast PNG: still lossless, a fraction of the default encode time at 1080p. The "up"
      // predictor leaves the deflate less to do: a smaller file sooner (about 7 ms at 1080p).
      ...(format === 'png' ? ['-c:v', 'png', '-compression_level', '1', '-pred', 'up', '-pix_fmt', 'rgb24'] : ['-c:v', 'mjpeg', '-q:v', String(JPEG_Q), '-pix_fmt', 'yuvj420p']),
      '-f', 'image2', '-y', out,
    ],
    { timeoutMs: 60_000, signal, purpose: `extracting a frame from ${basename(path)}` },
  );
  if (format === 'jpeg') return jpegSizeOf(out);
  const size = await pngSize(out);
  if (!size) throw new OpscopeError('tool-failed', 'ffmpeg wrote an unreadable frame.');
  return size;
}

async function jpegSizeOf(file: string): Promise<{ width: number; height: number }> {
  const { jpegSize } = await import('./frame-encode.js');
  const size = await jpegSize(file);
  if (!size) throw new OpscopeError('tool-failed', 'ffmpeg wrote an unreadable frame.');
  return size;
}
