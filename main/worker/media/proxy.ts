import { basename } from 'node:path';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { writeWhole } from '../../node/whole-file.js';
import { explainMediaFailure } from './errors.js';

/**
 * A playable stand-in for a recording the player cannot decode (MPEG-2, MPEG-4 Part 2, MJPEG,
 * HEVC, or H.264 in a transport stream). Frames and exports still come from the original; the
 * proxy keeps the original's timestamps so case time means the same thing in both.
 */
export async function makeProxy(
  o: { path: string; out: string; remuxOnly: boolean; duration: number },
  signal?: AbortSignal,
  onProgress?: (fraction: number) => void,
): Promise<void> {
  const video = o.remuxOnly
    ? ['-c:v', 'copy']
    : [
        '-vf', "scale=-2:'min(720,ih)':flags=bicubic,format=yuv420p",
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
        // Keyframes every second keep scrubbing the proxy responsive.
        '-g', '30', '-keyint_min', '1',
      ];
  try {
    await writeWhole(o.out, async (tmp) => {
      await runFfmpeg(
        [
          '-v', 'error', '-progress', 'pipe:2', '-nostats',
          '-i', inputPath(o.path),
          '-map', '0:v:0', '-map', '0:a:0?', '-sn', '-dn',
          ...video,
          '-c:a', 'aac', '-b:a', '128k',
          '-vsync', 'passthrough',
          '-movflags', '+faststart',
          '-f', 'mp4', '-y', tmp,
        ],
        {
          timeoutMs: Math.max(10 * 60_000, o.duration * 10_000),
          idleTimeoutMs: 120_000,
          signal,
          purpose: `making a playable copy of ${basename(o.path)}`,
          onProgress: (p) => onProgress?.(o.duration > 0 ? Math.min(1, p.outTime / o.duration) : 0),
        },
      );
    });
  } catch (err) {
    throw explainMediaFailure(err, basename(o.path));
  }
}
