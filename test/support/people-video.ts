/*
 * Test footage with people in it: a real photograph (face-api's demo picture, shipped in the npm
 * package) shown as the room between endoscope-like generated tissue, sliding slowly right so the
 * people move between the frames read. Cached like the other generated media.
 */
import { existsSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { MEDIA_CACHE, syntheticVideo } from './media.js';

const require = createRequire(import.meta.url);
export const PEOPLE_PHOTO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');

export interface PeopleVideo {
  duration: number;
  width: number;
  height: number;
  fps: number;
  /** Case seconds showing the room. */
  room: { start: number; end: number };
  /** Extra filters drawn on the photograph (at 1000x563) before it is shown, e.g. a surgical mask. */
  photoFilter?: string;
}

export async function peopleVideo(v: PeopleVideo): Promise<string> {
  const tissue = await syntheticVideo({ duration: v.duration, width: v.width, height: v.height, fps: v.fps, gop: 1, seed: 15, events: [] });
  const photo = { width: Math.round(v.width * 1.0417), height: Math.round(v.height * 1.0426) };
  const key = [v.duration, v.width, v.height, v.fps, v.room.start, v.room.end, v.photoFilter ?? ''].join('_').replace(/[^A-Za-z0-9_.-]/g, '');
  const out = join(MEDIA_CACHE, `people-${key}-v2.mp4`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp.mp4`;
  await runFfmpeg(
    [
      '-v', 'error', '-y', '-i', inputPath(tissue), '-loop', '1', '-framerate', String(v.fps), '-i', inputPath(PEOPLE_PHOTO),
      '-filter_complex',
      `[1:v]scale=${photo.width}:${photo.height}${v.photoFilter ? `,${v.photoFilter}` : ''},format=yuv420p[p];` +
        `[0:v][p]overlay=x='-20+10*(t-${v.room.start})':y=-10:enable='between(t,${v.room.start},${v.room.end - 0.001})':shortest=1,format=yuv420p[v]`,
      '-map', '[v]', '-t', String(v.duration), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-g', String(v.fps), '-an', tmp,
    ],
    { timeoutMs: 300_000 },
  );
  renameSync(tmp, out);
  return out;
}
