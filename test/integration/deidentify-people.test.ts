import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { ssdFaces, type FaceBox } from '../support/face-detector.js';
import { MEDIA_CACHE, decodeRgb, rgbFrames, syntheticVideo } from '../support/media.js';
import { PEOPLE_PHOTO } from '../support/people-video.js';

/*
 * A real photograph of people (face-api's demo picture) passing through an endoscope-like
 * recording: tissue, then the room from 1.5 s to 3.5 s (the picture sliding slowly right), then
 * tissue again. One face wears a drawn surgical mask over its lower half.
 */
const W = 960;
const H = 540;
const FPS = 25;
const DURATION = 5;
const ROOM = { start: 1.5, end: 3.5 };
/** The picture is 1000x563, drawn at x = -20 + 10 (t - 1.5), y = -10. */
const PHOTO_SIZE = { width: 1000, height: 563 };
const photoX = (t: number) => Math.round(-20 + 10 * (t - ROOM.start));

type Box = [number, number, number, number];

interface PeopleManifest {
  style: string;
  note?: string;
  framesRead: number;
  detectors: { models: string; backend: string } | null;
  masks: { box: Box; source: string; found: string[]; caseStart: number; caseEnd: number; clipStart: number; clipEnd: number; insidePatientView: boolean }[];
  insidePatientView: { frames: number; note: string | null };
}

const inBox = (x: number, y: number, b: Box) => x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[3];

/** Mean absolute difference (all channels) over the pixels inside or outside the boxes. */
function diff(a: Uint8Array, b: Uint8Array, boxes: Box[], inside: boolean, only?: Box): number {
  let s = 0;
  let n = 0;
  for (let y = 0; y < H; y += 2) {
    for (let x = 0; x < W; x += 2) {
      if (only && !inBox(x, y, only)) continue;
      if (boxes.some((bx) => inBox(x, y, bx)) !== inside) continue;
      const i = (y * W + x) * 3;
      s += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
      n += 3;
    }
  }
  return s / Math.max(1, n);
}

describe('people masked in de-identified clips', () => {
  let home: string;
  let data: string;
  let source: string;
  let caseId: string;
  let sourceFrames: Uint8Array[];
  /** The masked face, in the picture's pixels. */
  let maskedFace: FaceBox;

  beforeAll(async () => {
    home = tempHome('opscope-deid-people-');
    data = join(home, 'data');
    // The picture at its drawn size, its faces found by the independent detector, one given a mask.
    const { stdout } = await runFfmpeg(
      ['-v', 'error', '-i', inputPath(PEOPLE_PHOTO), '-vf', `scale=${PHOTO_SIZE.width}:${PHOTO_SIZE.height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { timeoutMs: 30_000 },
    );
    const faces = await ssdFaces({ ...PHOTO_SIZE, data: new Uint8Array(stdout) });
    expect(faces.length).toBeGreaterThanOrEqual(3);
    maskedFace = faces.sort((a, b) => a.box[0] - b.box[0])[0]!.box;
    const [fx, fy, fw, fh] = maskedFace;
    const tissue = await syntheticVideo({ duration: DURATION, width: W, height: H, fps: FPS, gop: 1, seed: 15, events: [] });
    source = join(MEDIA_CACHE, `people-${fx}-${fy}-v1.mp4`);
    if (!existsSync(source)) {
      const tmp = `${source}.tmp.mp4`;
      await runFfmpeg(
        [
          '-v', 'error', '-y', '-i', inputPath(tissue), '-loop', '1', '-framerate', String(FPS), '-i', inputPath(PEOPLE_PHOTO),
          '-filter_complex',
          `[1:v]scale=${PHOTO_SIZE.width}:${PHOTO_SIZE.height},` +
            `drawbox=x=${fx - 4}:y=${Math.round(fy + fh * 0.5)}:w=${fw + 8}:h=${Math.round(fh * 0.6)}:color=0x9ec9e0:t=fill,format=yuv420p[p];` +
            `[0:v][p]overlay=x='-20+10*(t-${ROOM.start})':y=-10:enable='between(t,${ROOM.start},${ROOM.end - 0.001})':shortest=1,format=yuv420p[v]`,
          '-map', '[v]', '-t', String(DURATION), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-g', String(FPS), '-an', tmp,
        ],
        { timeoutMs: 300_000 },
      );
      const { renameSync } = await import('node:fs');
      renameSync(tmp, source);
    }
    sourceFrames = await rgbFrames(source, W, H);
    const imported = await runCli(['import', source, '--json'], { home: data });
    expect(imported.code, imported.stderr).toBe(0);
    caseId = json<{ caseId: string }>(imported).caseId;
  }, 600_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  async function exportClip(name: string, extra: string[]) {
    const out = join(home, name);
    const r = await runCli(['export', caseId, '--start', '0', '--end', String(DURATION), '--out', out, '--captions', 'none', '--deidentify', '--json', ...extra], { home: data });
    expect(r.code, r.stderr).toBe(0);
    const j = json<{ output: string; manifest: string; stills: string[] }>(r);
    const manifest = JSON.parse(readFileSync(j.manifest, 'utf8')) as { deidentification: { people: PeopleManifest; outOfBody: { spans: unknown[] } } };
    return { ...j, people: manifest.deidentification.people, raw: readFileSync(j.manifest, 'utf8') };
  }

  /** Faces the independent detector finds in every frame of a clip and in its stills. */
  async function facesIn(clip: { output: string; stills: string[] }): Promise<string[]> {
    const found: string[] = [];
    for (const [k, f] of (await rgbFrames(clip.output, W, H)).entries()) {
      const faces = await ssdFaces({ width: W, height: H, data: f });
      if (faces.length) found.push(`frame ${k}: ${faces.map((x) => `${x.score.toFixed(2)} at ${x.box.join(',')}`).join('; ')}`);
    }
    for (const s of clip.stills) {
      const faces = await ssdFaces(await decodeRgb(s));
      if (faces.length) found.push(`still ${s}: ${faces.length}`);
    }
    return found;
  }

  it('the source shows faces to the independent detector (the test means something)', async () => {
    const k = Math.round(2.5 * FPS);
    expect((await ssdFaces({ width: W, height: H, data: sourceFrames[k]! })).length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('a default de-identified export leaves no face in any frame or still, and lists every person mask', async () => {
    const clip = await exportClip('default.mp4', []);
    expect(clip.people.style).toBe('blur');
    expect(clip.people.detectors?.backend).toBe('wasm');
    expect(clip.people.masks.length).toBeGreaterThan(0);
    for (const m of clip.people.masks) {
      expect(m.source).toBe('detector');
      expect(m.found.length).toBeGreaterThan(0);
      // Masked from the read before the room to the read after it (a weak read next to it may add one).
      expect(m.caseStart).toBeGreaterThanOrEqual(ROOM.start - 2.01);
      expect(m.caseEnd).toBeLessThanOrEqual(ROOM.end + 2.01);
      expect(m.clipStart).toBeCloseTo(m.caseStart, 3);
    }
    // Boxes, times and detectors only: no picture of anyone travels with the clip.
    expect(JSON.stringify(clip.people)).not.toMatch(/data:image|base64|\.png|\.jpe?g/i);
    for (const m of clip.people.masks) {
      expect(Object.keys(m).sort()).toEqual(['box', 'caseEnd', 'caseStart', 'clipEnd', 'clipStart', 'found', 'insidePatientView', 'partId', 'source']);
    }
    // The index did not call the room out of body here: the safety net masked it and says so.
    expect(clip.people.insidePatientView.frames).toBeGreaterThan(0);
    expect(clip.people.insidePatientView.note).toMatch(/^people found in \d+ frames? inside the patient view, masked all the same$/);
    expect(await facesIn(clip)).toEqual([]);
  }, 1_200_000);

  it('with --out-of-body none the room is kept and only the people in it are masked; the masked face too', async () => {
    const clip = await exportClip('room.mp4', ['--out-of-body', 'none']);
    expect(clip.people.masks.length).toBeGreaterThan(0);
    expect(await facesIn(clip)).toEqual([]);
    const frames = await rgbFrames(clip.output, W, H);
    for (const t of [1.7, 2.5, 3.3]) {
      const k = Math.round(t * FPS);
      const boxes = clip.people.masks.filter((m) => t >= m.caseStart && t < m.caseEnd).map((m) => m.box);
      expect(boxes.length, `masks at ${t} s`).toBeGreaterThan(0);
      // The room around the people is the room, up to re-encoding.
      expect(diff(frames[k]!, sourceFrames[k]!, boxes, false), `outside the people at ${t} s`).toBeLessThan(3);
      // The masked face (where the picture has slid to) is hidden all the same.
      const [fx, fy, fw, fh] = maskedFace;
      const face: Box = [fx + photoX(k / FPS), fy - 10, fw, Math.round(fh / 2)];
      expect(boxes.some((b) => b[0] <= face[0] && b[1] <= face[1] && b[0] + b[2] >= face[0] + face[2] && b[1] + b[3] >= face[1] + face[3]), `the masked face inside a mask at ${t} s`).toBe(true);
      expect(diff(frames[k]!, sourceFrames[k]!, [face], true, face), `inside the masked face at ${t} s`).toBeGreaterThan(8);
    }
    // The tissue before and after is untouched outside the masks reaching into it (a read away).
    for (const t of [0.3, 4.7]) {
      const k = Math.round(t * FPS);
      const boxes = clip.people.masks.filter((m) => t >= m.caseStart && t < m.caseEnd).map((m) => m.box);
      expect(diff(frames[k]!, sourceFrames[k]!, boxes, false)).toBeLessThan(3);
    }
  }, 1_200_000);

  it('refuses --people none unless the out-of-body frames are hidden, and the manifest says how', async () => {
    const refused = await runCli(
      ['export', caseId, '--start', '0', '--end', '2', '--out', join(home, 'refused.mp4'), '--deidentify', '--people', 'none', '--out-of-body', 'none'],
      { home: data },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/People can be left unmasked only when out-of-body frames are hidden/);
    const bad = await runCli(['export', caseId, '--start', '0', '--end', '2', '--out', join(home, 'bad.mp4'), '--deidentify', '--people', 'faces'], { home: data });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--people must be blur, box or none/);
    const clip = await exportClip('no-people.mp4', ['--people', 'none', '--out-of-body', 'card']);
    expect(clip.people.style).toBe('none');
    expect(clip.people.masks).toEqual([]);
    expect(clip.people.note).toMatch(/hidden by the out-of-body treatment \(card\)/);
  }, 600_000);
});
