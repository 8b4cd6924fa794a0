import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipSegment, ExportClipParams, SegmentMasks } from '../../main/core/clip-job.js';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { exportClip } from '../../main/worker/media/clip-export.js';
import { ffmpegVideo, frameTimestamps, rgbFrames } from '../support/media.js';

/*
 * Blur masks showing for part of a segment are worked from a decode of their own window instead
 * of on every frame of the segment. The picture must not change for it: the clip is compared
 * frame by frame with the same export worked the old way, on a recording with B-frames, a
 * variable frame rate and keyframes 2 s apart, cut from a frame that is not a keyframe.
 */
const W = 320;
const H = 240;

type Box = [number, number, number, number];

async function md5s(file: string): Promise<string[]> {
  const { stdout } = await runFfmpeg(['-v', 'error', '-i', inputPath(file), '-f', 'framemd5', '-'], { timeoutMs: 120_000 });
  return stdout.toString().split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').at(-1)!.trim());
}

/** Mean absolute difference inside a box. */
function boxDiff(a: Uint8Array, b: Uint8Array, [x0, y0, w, h]: Box): number {
  let s = 0;
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) for (let c = 0; c < 3; c++) s += Math.abs(a[(y * W + x) * 3 + c]! - b[(y * W + x) * 3 + c]!);
  return s / (w * h * 3);
}

describe('blur masks worked from their own windows', () => {
  let dir: string;
  let source: string;
  let times: number[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-mask-windows-'));
    // Frames 40 ms apart with every third one 13 ms late: a variable rate, B-frames (x264's default).
    source = await ffmpegVideo('mask-windows-vfr-v2.mp4', [
      '-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=25:d=14`,
      '-vf', "settb=1/12800,setpts='(N/25+0.013*eq(mod(N,3),1))/TB'", '-vsync', 'vfr', '-r', '1000',
      '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-bf', '2', '-pix_fmt', 'yuv420p',
    ]);
    times = await frameTimestamps(source);
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(name: string, ...segments: ClipSegment[]): Promise<string> {
    const out = join(dir, name);
    const p: ExportClipParams = {
      segments, out, format: 'mp4', mode: 'accurate', size: { width: W, height: H }, fps: 25, uniformRate: false,
      captions: { cues: [], burn: false }, clock: null, keepAudio: false, keepMetadata: false, titleCard: null,
      deidentify: { mask: 'blur', outOfBody: 'blur', people: 'blur', cardText: '' },
    };
    await exportClip(p, { signal: new AbortController().signal, progress: () => undefined });
    return out;
  }

  it('gives the same picture, frame for frame, as working every mask on every frame', async () => {
    // From frame 37 (not a keyframe) to frame 320; masks in segment seconds from frame 37.
    const i0 = 37;
    const i1 = 320;
    const first = times[i0]!;
    const local = (i: number) => times[i]! - first;
    const person: Box = [40, 40, 120, 100];
    const text: Box = [60, 60, 120, 40];
    const masks: SegmentMasks = {
      width: W,
      height: H,
      // A mask showing all through stays on the segment's picture; the short ones get windows.
      regions: [{ box: [10, 200, 100, 30], from: 0, to: local(i1) }, { box: text, from: local(200), to: local(236) }],
      // The second person stays to the segment's end: its window must not lengthen the clip.
      people: [{ box: person, from: local(60), to: local(101) }, { box: [200, 20, 100, 100], from: local(300), to: local(i1) }],
      outOfBody: [],
    };
    const segment: ClipSegment = { path: source, from: (times[i0 - 1]! + times[i0]!) / 2, to: (times[i1 - 1]! + times[i1]!) / 2, hasAudio: false, masks };
    const everyFrame = await run('every-frame.mp4', segment);
    const windowed = await run('windowed.mp4', { ...segment, first, last: times[i1 - 1]! });
    const [a, b] = await Promise.all([md5s(everyFrame), md5s(windowed)]);
    expect(b.length).toBe(i1 - i0);
    expect(b).toEqual(a);

    // And the masks sit on exactly their frames. Before a span the encoder has settled on the
    // picture; right after one it is still rebuilding the detail, so that frame is only well
    // below a masked one.
    const [src, out] = await Promise.all([rgbFrames(source, W, H), rgbFrames(windowed, W, H)]);
    const d = (box: Box, i: number) => boxDiff(out[i - i0]!, src[i]!, box);
    for (const [box, start, end] of [[person, 60, 101], [text, 200, 236]] as const) {
      expect(d(box, start - 1), `before ${start}`).toBeLessThan(6);
      expect(d(box, start), `at ${start}`).toBeGreaterThan(20);
      expect(d(box, end - 1), `at ${end - 1}`).toBeGreaterThan(20);
      expect(d(box, end), `after ${end - 1}`).toBeLessThan(d(box, end - 1) / 3);
    }
  }, 300_000);

  it('gives each segment of a clip its own windows, in a title-less cut of two ranges', async () => {
    // Two ranges of the recording back to back, each with a short mask of its own: the windows
    // are inputs after both segments', and each must come from its own range.
    const cut = (i0: number, i1: number, maskFrom: number, maskTo: number): ClipSegment => {
      const first = times[i0]!;
      return {
        path: source, from: (times[i0 - 1]! + times[i0]!) / 2, to: (times[i1 - 1]! + times[i1]!) / 2, first, last: times[i1 - 1]!, hasAudio: false,
        masks: { width: W, height: H, regions: [], outOfBody: [], people: [{ box: [40, 40, 120, 100], from: times[maskFrom]! - first, to: times[maskTo]! - first }] },
      };
    };
    const a = cut(20, 140, 30, 60);
    const b = cut(200, 320, 250, 270);
    const strip = ({ first: _f, last: _l, ...rest }: ClipSegment): ClipSegment => rest;
    const [windowed, everyFrame] = await Promise.all([run('two-windowed.mp4', a, b), run('two-every-frame.mp4', strip(a), strip(b))]);
    const [x, y] = await Promise.all([md5s(windowed), md5s(everyFrame)]);
    expect(x.length).toBe(240);
    expect(x).toEqual(y);
  }, 300_000);
});
