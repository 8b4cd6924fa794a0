import { basename, dirname } from 'node:path';
import { mkdir, rename, rm } from 'node:fs/promises';
import { OpscopeError } from '../../core/errors.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { pngSize } from '../../node/png.js';
import { explainMediaFailure } from './errors.js';

/**
 * Writes the first frame at or after `seek` (part seconds) as a full-resolution PNG. The caller
 * picks `seek` between the wanted frame's timestamp and the previous one, so ffmpeg's accurate
 * seek lands on exactly that frame.
 */
export async function extractFrame(path: string, seek: number, out: string, signal?: AbortSignal) {
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp.png`;
  try {
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
        // Fast PNG: still lossless, a fraction of the default encode time at 1080p.
        '-c:v', 'png', '-compression_level', '1', '-pix_fmt', 'rgb24',
        '-f', 'image2', '-y', tmp,
      ],
      { timeoutMs: 60_000, signal, purpose: `extracting a frame from ${basename(path)}` },
    );
    const size = await pngSize(tmp);
    if (!size) throw new OpscopeError('tool-failed', 'ffmpeg wrote an unreadable frame.');
    await rename(tmp, out);
    return size;
  } catch (err) {
    await rm(tmp, { force: true });
    throw explainMediaFailure(err, basename(path));
  }
}
