import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportPreview } from '../../main/core/contract/export-schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { readFrameText } from '../../main/worker/ocr/ocr-engine.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { decodeRgb, syntheticVideo } from '../support/media.js';

/**
 * A tower's patient banner burned into the top-left corner, and the camera pulled out of the
 * patient from 6 s to 8.5 s (keyframes every 2 s, so the index's track sees it at 6 and 8).
 */
const W = 960;
const H = 540;
const FPS = 25;
const SPEC = {
  duration: 12, width: W, height: H, fps: FPS, gop: 2, seed: 91, audio: true, creationTime: '2024-05-02T10:00:00Z',
  overlayText: 'PATIENT: JANE ROE  MRN 4471932',
  events: [{ kind: 'out-of-body' as const, start: 6, end: 8.5 }],
};
/** The clip: case 1 s to 11 s, so clip time t is case time 1 + t. */
const START = 1;
const END = 11;
const OOB = { start: 6, end: 8.5 };
// The name and the record number identify; the overlay's label word does not (the manifest itself
// says "inside the patient view").
const IDENTIFYING = /JANE|\bROE\b|4471|1932/i;

type Box = [number, number, number, number];

interface Manifest {
  source: { fileName: string | null }[];
  deidentification: {
    applied: boolean;
    textMasks: {
      style: string;
      regions: { box: Box; source: string; wholeRange: boolean; caseStart: number; caseEnd: number; clipStart: number; clipEnd: number }[];
      removedByReviewer: { box: Box }[];
    };
    outOfBody: { treatment: string; spans: { caseStart: number; caseEnd: number; clipStart: number; clipEnd: number }[] };
    audio: string;
    metadata: string;
  };
}

/** The frame an accurate seek lands on, as gray. */
async function grayAt(file: string, seek: number): Promise<Uint8Array> {
  const { stdout } = await runFfmpeg(
    ['-v', 'error', '-ss', seek.toFixed(6), '-i', inputPath(file), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
    { timeoutMs: 30_000 },
  );
  return new Uint8Array(stdout);
}

async function rgbAt(file: string, seek: number) {
  const { stdout } = await runFfmpeg(
    ['-v', 'error', '-ss', seek.toFixed(6), '-i', inputPath(file), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { timeoutMs: 30_000 },
  );
  return { width: W, height: H, data: new Uint8Array(stdout) };
}

/** Seeks that land on the k-th frame of the clip and on the same frame of the source. */
const clipSeek = (t: number) => Math.round(t * FPS - 0.5) / FPS;
const sourceSeek = (t: number) => START + clipSeek(t);

const inBox = (x: number, y: number, b: Box) => x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[3];

/** Mean absolute difference over the pixels inside (or outside) the boxes. */
function diff(a: Uint8Array, b: Uint8Array, boxes: Box[], inside: boolean): number {
  let s = 0;
  let n = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (boxes.some((bx) => inBox(x, y, bx)) !== inside) continue;
      s += Math.abs(a[y * W + x]! - b[y * W + x]!);
      n++;
    }
  }
  return s / Math.max(1, n);
}

/**
 * High-frequency energy: mean absolute Laplacian of the picture (or of a box of it) at a scale
 * of `k` pixels — the generated room is already out of focus, so fine differences are mostly
 * coding noise — leaving out pixels near or inside `except` (the burned-in text is most
 * of a frame's sharp edges).
 */
function detail(g: Uint8Array, box: Box = [0, 0, W, H], except: Box[] = [], k = 16): number {
  const near = except.map((b): Box => [b[0] - k, b[1] - k, b[2] + 2 * k, b[3] + 2 * k]);
  let s = 0;
  let n = 0;
  for (let y = Math.max(k, box[1]); y < Math.min(H - k, box[1] + box[3]); y++) {
    for (let x = Math.max(k, box[0]); x < Math.min(W - k, box[0] + box[2]); x++) {
      if (near.some((b) => inBox(x, y, b))) continue;
      const i = y * W + x;
      s += Math.abs(4 * g[i]! - g[i - k]! - g[i + k]! - g[i - k * W]! - g[i + k * W]!);
      n++;
    }
  }
  return s / Math.max(1, n);
}

async function textOf(frame: { width: number; height: number; data: Uint8Array }): Promise<string> {
  const { texts } = await readFrameText(frame);
  return texts.map((t) => t.text).join(' | ');
}

describe('de-identified teaching clips', () => {
  let home: string;
  let data: string;
  let source: string;
  let caseId: string;
  let host: AppHost | null = null;
  let mrnBox: Box;

  beforeAll(async () => {
    home = tempHome('opscope-deid-');
    data = join(home, 'data');
    source = await syntheticVideo(SPEC);
    const imported = await runCli(['import', source, '--json'], { home: data });
    expect(imported.code, imported.stderr).toBe(0);
    caseId = json<{ caseId: string }>(imported).caseId;
  }, 600_000);

  afterAll(async () => {
    await host?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('opscope ocr reads the burned-in name and number, with boxes in source pixels', async () => {
    const r = await runCli(['ocr', caseId, '2', '--json'], { home: data });
    expect(r.code, r.stderr).toBe(0);
    const lines = json<{ text: string; box: Box; score: number }[]>(r);
    for (const l of lines) expect(Object.keys(l)).toEqual(['text', 'box', 'score']);
    const all = lines.map((l) => l.text).join(' ');
    expect(all).toContain('JANE ROE');
    expect(all).toContain('4471932');
    const mrn = lines.find((l) => l.text.includes('4471932'))!;
    expect(mrn.score).toBeGreaterThan(0.8);
    // The banner sits top-left, drawn 3-4% of the height in from the corner.
    expect(mrn.box[1]).toBeLessThan(40);
    expect(mrn.box[0] + mrn.box[2]).toBeLessThan(W / 2);
    mrnBox = mrn.box;

    const human = await runCli(['ocr', caseId, '00:00:02'], { home: data });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Frame at 00:00:02\.000 \(960x540\), read on cpu: \d lines?/);
    const usage = await runCli(['ocr', caseId], { home: data });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: opscope ocr/);
  }, 300_000);

  it('masks the text and blurs the out-of-body span, and nothing else; the manifest lists every mask', async () => {
    const out = join(home, 'deid.mp4');
    const r = await runCli(
      ['export', caseId, '--start', String(START), '--end', String(END), '--out', out, '--captions', 'none', '--deidentify', '--people', 'none', '--json'],
      { home: data },
    );
    // People masks are tested on real photographs (deidentify-people.test.ts); here only the text
    // and the out-of-body span are, so a false person on the generated tissue stays out of it.
    expect(r.code, r.stderr).toBe(0);
    const j = json<{ output: string; manifest: string; stills: string[] }>(r);
    const m = JSON.parse(readFileSync(j.manifest, 'utf8')) as Manifest;
    const d = m.deidentification;
    expect(d.applied).toBe(true);
    expect(d.audio).toBe('dropped');
    expect(d.metadata).toBe('stripped');
    expect(m.source[0]!.fileName).toBeNull();
    // What was read is not written down: the manifest travels with the clip.
    expect(readFileSync(j.manifest, 'utf8')).not.toMatch(IDENTIFYING);
    expect(d.textMasks.style).toBe('blur');
    expect(d.textMasks.regions.length).toBeGreaterThanOrEqual(1);
    for (const g of d.textMasks.regions) {
      expect(g).toMatchObject({ source: 'ocr', wholeRange: true, caseStart: START, caseEnd: END, clipStart: 0, clipEnd: END - START });
      expect(g.box[1]).toBeLessThan(40);
    }
    expect(d.outOfBody.treatment).toBe('blur');
    expect(d.outOfBody.spans).toHaveLength(1);
    const span = d.outOfBody.spans[0]!;
    // Frame edges: the event's last frame starts at 8.48 s and lasts until 8.52 s.
    expect(Math.abs(span.caseStart - OOB.start)).toBeLessThanOrEqual(1 / FPS + 1e-3);
    expect(Math.abs(span.caseEnd - OOB.end)).toBeLessThanOrEqual(1 / FPS + 1e-3);
    expect(span.clipStart).toBeCloseTo(span.caseStart - START, 3);

    const boxes = d.textMasks.regions.map((g) => g.box);
    // Inside the body: the picture is the source's up to re-encoding, except inside the masks.
    for (const t of [0.5, 2.5, 4.5, 8.2, 9.5]) {
      const a = await grayAt(j.output, clipSeek(t));
      const b = await grayAt(source, sourceSeek(t));
      expect(diff(a, b, boxes, false), `outside the masks at clip ${t} s`).toBeLessThan(2.5);
      expect(diff(a, b, boxes, true), `inside the masks at clip ${t} s`).toBeGreaterThan(8);
      // Nothing but the out-of-body span is blurred.
      expect(detail(a, undefined, boxes) / detail(b, undefined, boxes), `detail at clip ${t} s`).toBeGreaterThan(0.85);
    }
    // Outside the body: heavily blurred, from its first frame to its last.
    for (const t of [OOB.start - START + 0.06, 6, OOB.end - START - 0.06]) {
      const a = await grayAt(j.output, clipSeek(t));
      const b = await grayAt(source, sourceSeek(t));
      expect(detail(a, undefined, boxes) / detail(b, undefined, boxes), `detail at clip ${t} s`).toBeLessThan(0.3);
    }

    // The same OCR reads nothing identifying in the clip, nor in its stills.
    for (const t of [0.5, 3, 5.5, 9]) expect(await textOf(await rgbAt(j.output, clipSeek(t)))).not.toMatch(IDENTIFYING);
    expect(j.stills).toHaveLength(3);
    for (const still of j.stills) expect(await textOf(await decodeRgb(still))).not.toMatch(IDENTIFYING);
    // ... and neither does `opscope ocr` on the clip imported as a case.
    const clipCase = json<{ caseId: string }>(await runCli(['import', j.output, '--json', '--no-index'], { home: data })).caseId;
    const again = await runCli(['ocr', clipCase, '1', '--json'], { home: data });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(IDENTIFYING);
  }, 600_000);

  it('previews the masks for the dialog, with a reviewer adding and taking out rectangles', async () => {
    host = testHost(home);
    const manual: Box = [600, 300, 120, 80];
    const p = (await host.call('export.preview', {
      caseId, start: START, end: END, deidentify: { add: [manual], remove: [mrnBox] },
    })) as ExportPreview;
    const texts = p.regions.flatMap((g) => g.texts).join(' ');
    expect(texts).toContain('JANE ROE');
    expect(texts).toContain('4471932');
    const mrn = p.regions.filter((g) => g.texts.some((t) => t.includes('4471932')));
    expect(mrn.length).toBeGreaterThan(0);
    expect(mrn.every((g) => g.removed)).toBe(true);
    expect(p.regions.find((g) => g.source === 'manual')).toMatchObject({ box: manual, removed: false, start: START, end: END });
    expect(p.outOfBody).toHaveLength(1);
    expect(p.outOfBody[0]!.start).toBeCloseTo(OOB.start, 2);
    expect(p.still).not.toBeNull();
    expect(p.still!.time).toBeGreaterThan(START);
    expect(p.samples).toBe(11);
    expect(p.ocr?.device).toBe('cpu');
  }, 300_000);

  it('exports with a hand-drawn box added and a found one taken out (solid boxes)', async () => {
    const out = join(home, 'deid-manual.mp4');
    const manual: Box = [600, 300, 120, 80];
    const r = await runCli(
      [
        'export', caseId, '--start', String(START), '--end', String(END), '--out', out, '--captions', 'none', '--json',
        '--deidentify', '--mask', 'box', '--out-of-body', 'card', '--mask-add', manual.join(','), '--mask-remove', mrnBox.join(','),
      ],
      { home: data },
    );
    expect(r.code, r.stderr).toBe(0);
    const j = json<{ output: string; manifest: string }>(r);
    const d = (JSON.parse(readFileSync(j.manifest, 'utf8')) as Manifest).deidentification;
    expect(d.textMasks.style).toBe('box');
    expect(d.textMasks.regions.filter((g) => g.source === 'manual').map((g) => g.box)).toEqual([manual]);
    expect(d.textMasks.removedByReviewer.length).toBeGreaterThan(0);
    expect(d.outOfBody.treatment).toBe('card');

    const a = await grayAt(j.output, clipSeek(2.5));
    const b = await grayAt(source, sourceSeek(2.5));
    // The hand-drawn rectangle is a solid black box; the tissue there is not.
    expect(detail(b, manual, [], 2)).toBeGreaterThan(2);
    let sum = 0;
    for (let y = manual[1] + 2; y < manual[1] + manual[3] - 2; y++) for (let x = manual[0] + 2; x < manual[0] + manual[2] - 2; x++) sum += a[y * W + x]!;
    expect(sum / ((manual[2] - 4) * (manual[3] - 4))).toBeLessThan(24);
    // The number taken out of the masks is readable again; the name is still hidden.
    const read = await textOf(await rgbAt(j.output, clipSeek(2.5)));
    expect(read).toContain('4471932');
    expect(read).not.toMatch(/JANE|ROE/);
    // The out-of-body span is a flat card (its words in the middle).
    const card = await grayAt(j.output, clipSeek(6));
    expect(detail(card, [20, 60, W / 2, H / 4])).toBeLessThan(0.5);
    expect(detail(await grayAt(source, sourceSeek(6)), [20, 60, W / 2, H / 4])).toBeGreaterThan(2);
  }, 600_000);

  it('refuses what a de-identified clip cannot be', async () => {
    const out = join(home, 'refused.mp4');
    const base = ['export', caseId, '--start', '1', '--end', '3', '--out', out, '--deidentify'];
    const copy = await runCli([...base, '--stream-copy'], { home: data });
    expect(copy.code).toBe(1);
    expect(copy.stderr).toMatch(/needs re-encoding/);
    const audio = await runCli([...base, '--keep-audio'], { home: data });
    expect(audio.code).toBe(1);
    expect(audio.stderr).toMatch(/no sound/);
    const lone = await runCli(['export', caseId, '--start', '1', '--end', '3', '--out', out, '--mask', 'box'], { home: data });
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/need --deidentify/);
    const bad = await runCli([...base, '--mask-add', '1,2,3'], { home: data });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a rectangle/);
  }, 120_000);
});
