import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { ssdFaces } from '../support/face-detector.js';
import { MEDIA_CACHE, rgbFrames } from '../support/media.js';
import { PEOPLE_PHOTO } from '../support/people-video.js';

/*
 * A room shot that holds still, then people step in: a plain room (flat walls, a lamp, a table)
 * unchanged for 4.5 s, then a real photograph of people (face-api's demo picture) appearing at once
 * and staying. The frames of the still stretch look alike, so most are passed over by the models;
 * the people must be masked all the same, from the read before they came in.
 */
const W = 960;
const H = 540;
const FPS = 10;
const DURATION = 8;
const ENTER = 4.5;

interface Manifest {
  deidentification: {
    people: { framesRead: number; framesSampled: number; masks: { box: number[]; caseStart: number; caseEnd: number }[] };
    textMasks: { framesRead: number; framesSampled: number };
  };
}

describe('people stepping into a still room', () => {
  let home: string;
  let data: string;
  let source: string;
  let caseId: string;

  beforeAll(async () => {
    home = tempHome('opscope-deid-still-');
    data = join(home, 'data');
    source = join(MEDIA_CACHE, `still-room-${W}x${H}-${ENTER}-v1.mp4`);
    if (!existsSync(source)) {
      const tmp = `${source}.tmp.mp4`;
      await runFfmpeg(
        [
          '-v', 'error', '-y',
          '-f', 'lavfi', '-i', `color=c=0x5d6b72:s=${W}x${H}:r=${FPS}:d=${DURATION}`,
          '-loop', '1', '-framerate', String(FPS), '-i', inputPath(PEOPLE_PHOTO),
          '-filter_complex',
          '[0:v]drawbox=x=0:y=380:w=960:h=160:color=0x3b3a36:t=fill,drawbox=x=120:y=300:w=300:h=90:color=0x9aa3a8:t=fill,' +
            'drawbox=x=700:y=40:w=120:h=60:color=0xe8e4c8:t=fill[room];' +
            `[1:v]scale=640:360,format=yuv420p[p];[room][p]overlay=x=160:y=100:enable='gte(t,${ENTER})':shortest=1,format=yuv420p[v]`,
          '-map', '[v]', '-t', String(DURATION), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', String(FPS * 2), '-an', tmp,
        ],
        { timeoutMs: 300_000 },
      );
      renameSync(tmp, source);
    }
    const imported = await runCli(['import', source, '--json'], { home: data });
    expect(imported.code, imported.stderr).toBe(0);
    caseId = json<{ caseId: string }>(imported).caseId;
  }, 600_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('the people are in the source after they step in, and not before (the test means something)', async () => {
    const frames = await rgbFrames(source, W, H);
    expect((await ssdFaces({ width: W, height: H, data: frames[Math.round(ENTER * FPS) + 2]! })).length).toBeGreaterThanOrEqual(3);
    expect(await ssdFaces({ width: W, height: H, data: frames[Math.round(2 * FPS)]! })).toEqual([]);
  }, 120_000);

  it('passes over the still frames, yet masks the people from the read before they came in', async () => {
    const out = join(home, 'room.mp4');
    const r = await runCli(
      ['export', caseId, '--start', '0', '--end', String(DURATION), '--out', out, '--captions', 'none', '--deidentify', '--out-of-body', 'none', '--json'],
      { home: data },
    );
    expect(r.code, r.stderr).toBe(0);
    const j = json<{ output: string; manifest: string }>(r);
    const m = JSON.parse(readFileSync(j.manifest, 'utf8')) as Manifest;
    const people = m.deidentification.people;
    // One frame a second sampled; the still seconds before the people came in were not read.
    expect(people.framesSampled).toBeGreaterThanOrEqual(DURATION);
    expect(people.framesRead).toBeLessThan(people.framesSampled);
    expect(m.deidentification.textMasks.framesRead).toBe(people.framesRead);
    // Masked from a read at or before the moment they came in, to the end.
    expect(people.masks.length).toBeGreaterThan(0);
    expect(Math.min(...people.masks.map((k) => k.caseStart))).toBeLessThanOrEqual(ENTER);
    expect(Math.max(...people.masks.map((k) => k.caseEnd))).toBeGreaterThanOrEqual(DURATION - 0.11);
    const found: string[] = [];
    for (const [k, f] of (await rgbFrames(j.output, W, H)).entries()) {
      const faces = await ssdFaces({ width: W, height: H, data: f });
      if (faces.length) found.push(`frame ${k} (${(k / FPS).toFixed(1)} s): ${faces.map((x) => x.score.toFixed(2)).join(', ')}`);
    }
    expect(found).toEqual([]);
  }, 1_200_000);
});
