/*
 * A clip given as frame images (a benchmark's sampled frames) made into a recording: the images,
 * in order, at `fps`, as an H.264 MP4. Frame i is shown from i / fps, so the clip's seconds are
 * the seconds its annotations use. The pictures keep their size (odd sizes are padded by a pixel
 * on the right and bottom, which H.264 needs), so boxes in the frames' pixels still fit.
 */

import { readFile } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { Readable } from 'node:stream';
import { OpscopeError } from '../../core/errors.js';
import type { EncodeFramesParams } from '../../core/worker-protocol.js';
import { runFfmpeg } from '../../node/ffmpeg/run.js';
import { writeWhole } from '../../node/whole-file.js';

const FAMILIES: Record<string, string> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.bmp': 'bmp', '.webp': 'webp' };

export async function encodeFrameSequence(
  p: EncodeFramesParams,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<{ out: string; frames: number }> {
  if (p.frames.length === 0) throw new OpscopeError('invalid-input', 'A clip needs at least one frame.');
  if (!(p.fps > 0) || !Number.isFinite(p.fps)) throw new OpscopeError('invalid-input', `The frame rate ${p.fps} is not a positive number.`);
  const families = new Set(p.frames.map((f) => FAMILIES[extname(f).toLowerCase()] ?? extname(f).toLowerCase()));
  const family = [...families][0]!;
  if (families.size > 1 || !Object.values(FAMILIES).includes(family)) {
    throw new OpscopeError(
      'unsupported-media',
      `The frames must be images of one kind (PNG, JPEG, BMP or WebP); found ${[...families].join(', ') || 'no extension'}.`,
    );
  }
  // Read one at a time into ffmpeg's pipe: a clip of thousands of frames is never all in memory.
  let readError: unknown = null;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const frames = p.frames;
  const input = Readable.from(
    (async function* () {
      for (const file of frames) yield await readFile(file);
    })(),
  );
  input.on('error', (err) => {
    readError = err;
    stop.abort();
  });
  const gop = Math.max(1, Math.round(p.fps));
  try {
    await writeWhole(p.out, async (tmp) => {
      await runFfmpeg(
        [
          '-v', 'error', '-progress', 'pipe:2', '-nostats',
          '-framerate', String(p.fps), '-f', 'image2pipe', '-i', 'pipe:0',
          '-vf', "pad='ceil(iw/2)*2':'ceil(ih/2)*2',format=yuv420p",
          // A keyframe about every second: the index and exact seeks need them.
          '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', String(gop), '-keyint_min', '1',
          '-an', '-movflags', '+faststart', '-f', 'mp4', '-y', tmp,
        ],
        {
          timeoutMs: Math.max(10 * 60_000, frames.length * 2_000),
          idleTimeoutMs: 120_000,
          signal: stop.signal,
          stdin: input,
          purpose: `encoding ${frames.length} frames of ${basename(dirname(frames[0]!))}`,
          onProgress: (pr) => onProgress(Math.min(1, pr.frame / frames.length)),
        },
      );
    });
    return { out: p.out, frames: frames.length };
  } catch (err) {
    if (readError) {
      const e = readError as NodeJS.ErrnoException;
      throw new OpscopeError(e.code === 'ENOENT' ? 'not-found' : 'unavailable', `A frame could not be read: ${e.message}`);
    }
    if (signal.aborted) throw new OpscopeError('canceled', 'Canceled while encoding the frames.');
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    input.destroy();
  }
}
