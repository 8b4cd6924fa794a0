import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameIndexAt } from '../../main/core/case-time.js';
import type { ExportBatchResult, ExportProgress, ExportResult } from '../../main/core/contract/export-schemas.js';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { ExportService, type ExportClipRequest } from '../../main/host/export/export-service.js';
import { inputPath, runFfmpeg, runFfprobe } from '../../main/node/ffmpeg/run.js';
import { captionFontFile } from '../../main/node/fonts.js';
import { decodeFrameCode } from '../../main/node/synthetic/index.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { frameTimestamps, syntheticVideo } from '../support/media.js';
import { rawDb } from '../support/raw-db.js';

/** Part A: 25 fps with sound and a creation time; part B: 30 fps, silent. Both carry frame codes. */
const SPEC_A = {
  duration: 12, width: 640, height: 360, fps: 25, gop: 2, events: [], frameCode: true, seed: 81, audio: true,
  creationTime: '2024-05-02T10:00:00Z',
};
const SPEC_B = { duration: 8, width: 640, height: 360, fps: 30, gop: 2, events: [], frameCode: true, seed: 82 };
/** Bigger, for stream copy against re-encoding and for canceling mid-way. */
const SPEC_C = { duration: 24, width: 1280, height: 720, fps: 30, gop: 2, events: [], seed: 83 };

const QUESTION = 'When does the bleeding start?';
const CLAIM = 'Blood fills the field from the lower left.';

async function ffprobeJson(file: string): Promise<{
  format: { duration: string; tags?: Record<string, string> };
  streams: { codec_type: string; duration?: string; tags?: Record<string, string> }[];
}> {
  const { stdout } = await runFfprobe(
    ['-v', 'error', '-show_entries', 'format=duration:format_tags:stream=codec_type,duration:stream_tags', '-of', 'json', inputPath(file)],
    { timeoutMs: 30_000 },
  );
  return JSON.parse(stdout.toString()) as never;
}

/** Every frame of a file as RGB24 (small clips only). */
async function allFrames(file: string, width: number, height: number): Promise<Uint8Array[]> {
  const { stdout } = await runFfmpeg(['-v', 'error', '-i', inputPath(file), '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    timeoutMs: 60_000,
  });
  const size = width * height * 3;
  const out: Uint8Array[] = [];
  for (let o = 0; o + size <= stdout.length; o += size) out.push(new Uint8Array(stdout.buffer, stdout.byteOffset + o, size));
  return out;
}

/** One frame as gray, with ffmpeg's accurate seek. */
async function grayAt(file: string, seek: number): Promise<Uint8Array> {
  const { stdout } = await runFfmpeg(
    ['-v', 'error', '-ss', seek.toFixed(6), '-i', inputPath(file), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
    { timeoutMs: 30_000 },
  );
  return new Uint8Array(stdout);
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += Math.abs(a[i]! - b[i]!);
  return s / Math.max(1, to - from);
}

const codes = (frames: Uint8Array[], w: number, h: number) => frames.map((f) => decodeFrameCode(f, w, h));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);

/** A question, a run and its evidence, as the agent store keeps them. */
function addEvidence(host: AppHost, caseId: string, items: { start: number; end: number; frames: number[]; claim: string; corrected?: [number, number] }[]): string[] {
  const db = rawDb(host.store);
  const tag = Math.random().toString(36).slice(2, 10);
  const conv = `conv${tag}`;
  const q = `ques${tag}`;
  const run = `run0${tag}`;
  db.prepare('INSERT INTO conversations (id, case_id, created_at) VALUES (?, ?, ?)').run(conv, caseId, new Date().toISOString());
  db.prepare('INSERT INTO questions (id, conversation_id, ord, text, asked_at) VALUES (?, ?, 0, ?, ?)').run(q, conv, QUESTION, new Date().toISOString());
  db.prepare(
    `INSERT INTO runs (id, question_id, state, backend, budget_json, duration, started_at, answer) VALUES (?, ?, 'answered', 'scout', '{}', 20, 0, ?)`,
  ).run(run, q, 'Bleeding starts at 00:00:03.');
  return items.map((e, i) => {
    const id = `${run}-e${i + 1}`;
    db.prepare('INSERT INTO evidence (id, run_id, rank, start_s, end_s, frames_json, claim) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      id, run, i + 1, e.start, e.end, JSON.stringify(e.frames), e.claim,
    );
    if (e.corrected) {
      db.prepare("UPDATE evidence SET status = 'adjusted', corrected_start = ?, corrected_end = ? WHERE id = ?").run(e.corrected[0], e.corrected[1], id);
    }
    return id;
  });
}

/** Mounts a small tmpfs (root only); null with the reason when this machine cannot. */
function mountTmpfs(dir: string, options: string): string | null {
  mkdirSync(dir, { recursive: true });
  if (process.platform !== 'linux') return 'tmpfs mounts exist only on Linux';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
  }
}

function unmount(dir: string) {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    // Not mounted.
  }
}

describe('teaching-clip export', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  let bigCase: string;
  let detail: CaseDetail;
  let ptsA: number[];
  let ptsB: number[];
  let fileA: string;
  let evidence: string[];
  const mounts: string[] = [];

  const base = (out: string, more: Partial<ExportClipRequest> = {}): ExportClipRequest => ({
    caseId, out, captions: 'vtt', streamCopy: false, keepAudio: false, keepMetadata: false, ...more,
  });
  const exportClip = async (req: ExportClipRequest) => (await host.exports.startClip(req)).done;
  const dirOf = (name: string) => {
    const d = join(home, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const durA = () => detail.parts[0]!.duration;

  beforeAll(async () => {
    home = tempHome('opscope-export-');
    fileA = await syntheticVideo(SPEC_A);
    const b = await syntheticVideo(SPEC_B);
    const c = await syntheticVideo(SPEC_C);
    host = testHost(home, { inProcess: true });
    caseId = await importCase(host, [fileA, b], false);
    bigCase = await importCase(host, [c], false);
    detail = (await host.call('cases.get', { caseId })) as CaseDetail;
    const rel = (p: number[]) => p.map((t) => t - p[0]!);
    ptsA = rel(await frameTimestamps(fileA));
    ptsB = rel(await frameTimestamps(b));
    evidence = addEvidence(host, caseId, [
      { start: 3.3, end: 6.1, frames: [4, 5.5], claim: CLAIM },
      { start: 9, end: 11, frames: [10], claim: 'Smoke clears.', corrected: [7, 8] },
    ]);
  }, 600_000);

  afterAll(async () => {
    for (const m of mounts) unmount(m);
    await host?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('exports an evidence item frame-accurately, with a VTT sidecar, stills and a manifest', async () => {
    const dir = dirOf("clips: it's [1], ok; yes");
    const out = join(dir, 'clip.mp4');
    const r = await exportClip(base(out, { evidenceId: evidence[0]! }));

    // Frames on screen from 3.3 up to (not including) 6.1, each exactly once.
    const i0 = frameIndexAt(ptsA, 3.3);
    const i1 = ptsA.findIndex((t) => t >= 6.1 - 1e-6) - 1;
    const frames = await allFrames(out, 640, 360);
    expect(codes(frames, 640, 360)).toEqual(range(i0, i1));
    expect(Math.abs(r.duration - (6.1 - 3.3))).toBeLessThanOrEqual(1 / 25 + 1e-3);
    const probe = await ffprobeJson(out);
    expect(Math.abs(Number(probe.format.duration) - (6.1 - 3.3))).toBeLessThanOrEqual(1 / 25 + 1e-3);
    expect(r.actual.start).toBeCloseTo(ptsA[i0]!, 3);

    // The first frame is the source frame at the start, pixel for pixel (up to re-encoding).
    const first = await grayAt(out, 0);
    const source = await grayAt(fileA, (ptsA[i0 - 1]! + ptsA[i0]!) / 2);
    expect(meanAbsDiff(first, source)).toBeLessThan(2.5);
    const neighbour = await grayAt(fileA, (ptsA[i0 + 5]! + ptsA[i0 + 6]!) / 2);
    expect(meanAbsDiff(first, neighbour)).toBeGreaterThan(meanAbsDiff(first, source));

    // No sound and no identifying tags by default, though the source has both.
    expect(probe.streams.map((s) => s.codec_type)).toEqual(['video']);
    const tags = JSON.stringify([probe.format.tags ?? {}, ...probe.streams.map((s) => s.tags ?? {})]).toLowerCase();
    for (const word of ['creation_time', 'encoder', 'location', 'make', 'model', 'com.apple']) expect(tags).not.toContain(word);
    const sourceProbe = await ffprobeJson(fileA);
    expect(sourceProbe.format.tags?.creation_time).toMatch(/^2024-05-02/);

    // WebVTT sidecar on the clip's timeline.
    expect(r.vtt).toBe(join(dir, 'clip.vtt'));
    const vtt = readFileSync(r.vtt!, 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    const end = `00:00:0${(r.actual.end - r.actual.start).toFixed(3)}`;
    expect(vtt).toContain(`00:00:00.000 --> ${end}\nQ: ${QUESTION}\nEvidence: ${CLAIM}`);
    // Case time 3.28 → the clock reads 00:00:03 until case second 4 (clip 0.72), then 00:00:04.
    const c0 = (4 - r.actual.start).toFixed(3);
    expect(vtt).toContain(`00:00:00.000 --> 00:00:0${c0} line:0 align:center\nCase time 00:00:03`);
    expect(vtt).toContain(`00:00:0${c0} --> 00:00:0${(5 - r.actual.start).toFixed(3)} line:0 align:center\nCase time 00:00:04`);

    // Stills: the evidence's key frames, at full resolution.
    expect(r.stills).toEqual([join(dir, 'clip-still-1.png'), join(dir, 'clip-still-2.png')]);
    const still = await allFrames(r.stills[1]!, 640, 360);
    expect(decodeFrameCode(still[0]!, 640, 360)).toBe(frameIndexAt(ptsA, 5.5));

    const manifest = JSON.parse(readFileSync(r.manifest, 'utf8')) as Record<string, unknown> & {
      source: { fileName: string; fingerprint: string; from: number; to: number }[];
      options: Record<string, unknown>;
      app: { version: string };
    };
    expect(manifest).toMatchObject({
      evidenceId: evidence[0], question: QUESTION, claim: CLAIM, verdict: null, mode: 'accurate', snappedToKeyframes: false,
      options: { captions: 'vtt', streamCopy: false, keepAudio: false, keepMetadata: false, titleCard: null },
      captions: { file: 'clip.vtt', burned: false },
    });
    expect(manifest.source).toEqual([
      expect.objectContaining({ fileName: detail.parts[0]!.fileName, fingerprint: detail.parts[0]!.fingerprint }),
    ]);
    expect(manifest.source[0]!.from).toBeCloseTo(ptsA[i0]!, 5);
    expect(manifest.app.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(readdirSync(dir).sort()).toEqual(['clip-still-1.png', 'clip-still-2.png', 'clip.json', 'clip.mp4', 'clip.vtt']);
  });

  it('keeps the sound and the metadata when asked', async () => {
    const dir = dirOf('keep');
    const r = await exportClip(base(join(dir, 'keep.mp4'), { start: 2, end: 4, keepAudio: true, keepMetadata: true, captions: 'none' }));
    const probe = await ffprobeJson(r.output);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(probe.format.tags?.creation_time).toMatch(/^2024-05-02T10:00:00/);
    const audio = probe.streams.find((s) => s.codec_type === 'audio')!;
    expect(Math.abs(Number(audio.duration) - 2)).toBeLessThan(0.1);
    expect(r.vtt).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(['keep-still-1.png', 'keep-still-2.png', 'keep-still-3.png', 'keep.json', 'keep.mp4']);
  });

  it('cuts across a part boundary: the right length, the end of one part then the start of the next', async () => {
    const dir = dirOf('boundary');
    const start = durA() - 1.5;
    const end = durA() + 1.5;
    const r = await exportClip(base(join(dir, 'b.mp4'), { start, end, keepAudio: true }));
    expect(Math.abs(r.duration - 3)).toBeLessThanOrEqual(1 / 25 + 1e-3);
    const frames = await allFrames(r.output, 640, 360);
    const got = codes(frames, 640, 360);
    const a0 = frameIndexAt(ptsA, durA() - 1.5);
    const b1 = ptsB.findIndex((t) => t >= 1.5 - 1e-6) - 1;
    expect(got).toEqual([...range(a0, ptsA.length - 1), ...range(0, b1)]);
    // Part B has no sound: the clip's sound runs on through it as silence.
    const probe = await ffprobeJson(r.output);
    const audio = probe.streams.find((s) => s.codec_type === 'audio');
    expect(Number(audio?.duration)).toBeGreaterThan(2.9);
    const manifest = JSON.parse(readFileSync(r.manifest, 'utf8')) as { source: { fileName: string; from: number; to: number }[] };
    expect(manifest.source.map((s) => s.fileName)).toEqual(detail.parts.map((p) => p.fileName));
    expect(manifest.source[1]!.from).toBe(0);
  });

  it('burns captions, a case clock and a title card into the picture', async () => {
    // A font in a folder whose name needs escaping in ffmpeg's filter syntax.
    const fonts = dirOf("fonts: it's [odd], isn't it; yes");
    const font = join(fonts, 'caption font.ttf');
    copyFileSync(captionFontFile(), font);
    process.env.OPSCOPE_CAPTION_FONT = font;
    try {
      const dir = dirOf('burn');
      const plain = await exportClip(base(join(dir, 'plain.mp4'), { evidenceId: evidence[0]!, captions: 'none' }));
      const burned = await exportClip(base(join(dir, 'burned.mp4'), { evidenceId: evidence[0]!, captions: 'burn' }));
      const a = await grayAt(plain.output, 1);
      const b = await grayAt(burned.output, 1);
      const w = 640;
      const rows = (y0: number, y1: number) => [y0 * w, y1 * w] as const;
      // Bottom band: the question and claim; top band: the clock; the middle is untouched.
      expect(meanAbsDiff(a, b, ...rows(290, 350))).toBeGreaterThan(8);
      let clock = 0;
      for (let y = 10; y < 40; y++) clock += meanAbsDiff(a, b, y * w, y * w + 120) / 30;
      expect(clock).toBeGreaterThan(8);
      expect(meanAbsDiff(a, b, ...rows(120, 240))).toBeLessThan(1.5);
      expect(readdirSync(dir).some((n) => n.endsWith('.vtt'))).toBe(false);

      const titled = await exportClip(base(join(dir, 'titled.mp4'), { start: 2, end: 4, captions: 'burn', titleCard: { text: 'Bleeding: early signs', seconds: 1.5 } }));
      expect(Math.abs(titled.duration - 3.5)).toBeLessThanOrEqual(1 / 25 + 1e-3);
      const card = await grayAt(titled.output, 0.5);
      const dark = card.filter((v) => v < 40).length / card.length;
      expect(dark).toBeGreaterThan(0.9);
      expect(card.some((v) => v > 200)).toBe(true);
    } finally {
      delete process.env.OPSCOPE_CAPTION_FONT;
    }
  });

  it('stream copy cuts at keyframes, says where, and is much faster', async () => {
    const dir = dirOf('copy');
    const req = { caseId: bigCase, start: 5.3, end: 16.7, captions: 'vtt' as const, streamCopy: false, keepAudio: false, keepMetadata: false };
    const t0 = performance.now();
    const accurate = await exportClip({ ...req, out: join(dir, 'accurate.mp4') });
    const tAccurate = performance.now() - t0;
    const t1 = performance.now();
    const copy = await exportClip({ ...req, streamCopy: true, out: join(dir, 'copy.mp4') });
    const tCopy = performance.now() - t1;
    expect(accurate.actual.start).toBeCloseTo(5.3, 1);
    expect(copy.mode).toBe('stream-copy');
    expect(copy.actual.start).toBeCloseTo(4, 3);
    expect(copy.actual.end).toBeCloseTo(18, 1);
    expect(copy.requested).toEqual({ start: 5.3, end: 16.7 });
    expect(Math.abs(copy.duration - 14)).toBeLessThan(0.1);
    const manifest = JSON.parse(readFileSync(copy.manifest, 'utf8')) as { snappedToKeyframes: boolean; caseRange: { actual: { start: number } } };
    expect(manifest.snappedToKeyframes).toBe(true);
    expect(manifest.caseRange.actual.start).toBeCloseTo(4, 3);
    // The VTT follows what the clip really holds.
    expect(readFileSync(copy.vtt!, 'utf8')).toContain('00:00:00.000 --> 00:00:01.000 line:0 align:center\nCase time 00:00:04');
    // Both include the stills (the same work); the clip itself is what differs.
    expect(tCopy * 2.5, `accurate ${tAccurate.toFixed(0)} ms, copy ${tCopy.toFixed(0)} ms`).toBeLessThan(tAccurate);
  }, 120_000);

  it('refuses bad input clearly and leaves nothing in the folder', async () => {
    const dir = dirOf('bad');
    const out = join(dir, 'x.mp4');
    const cases: [Partial<ExportClipRequest>, string, RegExp][] = [
      [{ start: 5, end: 5 }, 'invalid-input', /must be before the end/],
      [{ start: 6, end: 2 }, 'invalid-input', /must be before the end/],
      [{ start: 10, end: 500 }, 'invalid-input', /outside the case/],
      [{ evidenceId: 'nosuchevidence' }, 'not-found', /not part of this case/],
      [{ start: 1, end: 2, out: join(home, 'no such folder', 'x.mp4') }, 'not-found', /does not exist/],
      [{ start: 1, end: 2, out: join(dir, 'x.avi') }, 'invalid-input', /\.mp4, \.m4v or \.mov/],
      [{ start: 1, end: 2, streamCopy: true, captions: 'burn' }, 'invalid-input', /need re-encoding/],
    ];
    for (const [more, code, message] of cases) {
      await expect(exportClip(base(out, more)), JSON.stringify(more)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    }
    expect(readdirSync(dir)).toEqual([]);

    // An existing file is named and left alone, unless overwriting is asked for.
    writeFileSync(join(dir, 'x.json'), 'mine');
    await expect(exportClip(base(out, { start: 1, end: 2 }))).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(join(dir, 'x.json')) });
    expect(readdirSync(dir)).toEqual(['x.json']);
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe('mine');
    const r = await exportClip(base(out, { start: 1, end: 2, overwrite: true }));
    expect(JSON.parse(readFileSync(r.manifest, 'utf8'))).toMatchObject({ caseRange: { requested: { start: 1, end: 2 } } });
  });

  it('refuses a recording that went missing or changed since it was imported', async () => {
    const dir = dirOf('sources');
    const moved = join(dir, 'src', 'moved.mp4');
    const changed = join(dir, 'src', 'changed.mp4');
    mkdirSync(join(dir, 'src'));
    // Content of their own: a copy of a recording already imported would be taken for it.
    copyFileSync(await syntheticVideo({ ...SPEC_B, duration: 3, seed: 84 }), moved);
    copyFileSync(await syntheticVideo({ ...SPEC_B, duration: 3, seed: 85 }), changed);
    const movedCase = await importCase(host, [moved], false);
    const changedCase = await importCase(host, [changed], false);
    rmSync(moved);
    appendFileSync(changed, Buffer.from('tampered'));
    const outDir = dirOf('sources-out');
    await expect(exportClip({ ...base(join(outDir, 'm.mp4'), { start: 1, end: 2 }), caseId: movedCase })).rejects.toMatchObject({
      code: 'not-found', message: expect.stringMatching(/moved\.mp4 is missing/),
    });
    await expect(exportClip({ ...base(join(outDir, 'c.mp4'), { start: 1, end: 2 }), caseId: changedCase })).rejects.toMatchObject({
      code: 'conflict', message: expect.stringMatching(/changed\.mp4 has changed since it was imported/),
    });
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('refuses a read-only folder', async (ctx) => {
    const dir = join(home, 'readonly');
    const why = mountTmpfs(dir, 'ro,size=1m');
    if (why) ctx.skip(why);
    mounts.push(dir);
    await expect(exportClip(base(join(dir, 'x.mp4'), { start: 1, end: 2 }))).rejects.toMatchObject({
      code: 'unavailable', message: expect.stringMatching(/read-only/),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says the disk is full when ffmpeg runs out of space, and leaves nothing', async (ctx) => {
    const dir = join(home, 'tiny');
    const why = mountTmpfs(dir, 'size=96k');
    if (why) ctx.skip(why);
    mounts.push(dir);
    await expect(exportClip({ ...base(join(dir, 'x.mp4'), { start: 2, end: 14 }), caseId: bigCase })).rejects.toMatchObject({
      code: 'unavailable', message: expect.stringMatching(/disk is full/),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says the disk is full when a sidecar cannot be written, and leaves nothing', async () => {
    const dir = dirOf('full-writer');
    const failing = new ExportService(host.store, host.worker, host.frames, host.bus, {
      writeFile: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    });
    const job = await failing.startClip(base(join(dir, 'x.mp4'), { start: 1, end: 2 }));
    await expect(job.done).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/disk is full/) });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('cancels mid-export and leaves nothing', async () => {
    const dir = dirOf('cancel');
    const progress: ExportProgress[] = [];
    let exportId = '';
    const off = host.bus.subscribe(({ name, payload }) => {
      const p = payload as ExportProgress;
      if (name === 'export.progress' && p.exportId === exportId) {
        progress.push(p);
        if (p.fraction > 0.1) host.exports.cancel(exportId);
      }
    });
    const done: { error: { code: string } | null }[] = [];
    const offDone = host.bus.subscribe(({ name, payload }) => {
      if (name === 'export.done') done.push(payload as { error: { code: string } | null });
    });
    try {
      const job = await host.exports.startClip({ ...base(join(dir, 'x.mp4'), { start: 0, end: 24, captions: 'burn' }), caseId: bigCase });
      exportId = job.exportId;
      await expect(job.done).rejects.toMatchObject({ code: 'canceled' });
    } finally {
      off();
      offDone();
    }
    expect(progress.length).toBeGreaterThan(0);
    expect(done.at(-1)?.error?.code).toBe('canceled');
    expect(readdirSync(dir)).toEqual([]);
    expect(host.exports.cancel(exportId)).toBe(false);
  });

  it('exports several evidence items at once, numbered, with overall progress', async () => {
    const dir = dirOf('batch');
    const progress: ExportProgress[] = [];
    const off = host.bus.subscribe(({ name, payload }) => {
      if (name === 'export.progress') progress.push(payload as ExportProgress);
    });
    let batch: ExportBatchResult;
    try {
      const { exportId } = (await host.call('export.batch', { caseId, evidenceIds: evidence, outDir: dir })) as { exportId: string };
      batch = await new Promise<ExportBatchResult>((resolve, reject) => {
        const stop = host.bus.subscribe(({ name, payload }) => {
          const d = payload as { exportId: string; batch: ExportBatchResult | null; error: { message: string } | null };
          if (name !== 'export.done' || d.exportId !== exportId) return;
          stop();
          if (d.batch) resolve(d.batch);
          else reject(new Error(d.error?.message));
        });
      });
    } finally {
      off();
    }
    expect(batch.clips.map((c: ExportResult) => c.output)).toEqual([join(dir, 'clip-01.mp4'), join(dir, 'clip-02.mp4')]);
    // The second item was corrected by review to 7..8 s: its clip follows the correction.
    expect(Math.abs(batch.clips[1]!.duration - 1)).toBeLessThanOrEqual(1 / 25 + 1e-3);
    expect(progress.some((p) => p.item === 2 && p.items === 2)).toBe(true);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(readdirSync(dir).filter((n) => n.includes('.partial'))).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.startsWith('clip-01'))).toHaveLength(5);
  });

  it('writes the review the clip was cut under into its manifest', async () => {
    await host.call('feedback.add', { evidenceId: evidence[0]!, verdict: 'correct', reviewer: 'Dr. A. Meyer' });
    const dir = dirOf('reviewed');
    const r = await exportClip(base(join(dir, 'reviewed.mp4'), { evidenceId: evidence[0]!, captions: 'none' }));
    const manifest = JSON.parse(readFileSync(r.manifest, 'utf8')) as { verdict: unknown };
    expect(manifest.verdict).toEqual({ verdict: 'correct', reviewer: 'Dr. A. Meyer' });
  });
});

describe('opscope export', () => {
  let home: string;

  beforeAll(() => {
    home = tempHome('opscope-export-cli-');
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('prints exactly {output, manifest, duration, stills} with --json', async () => {
    const file = await syntheticVideo(SPEC_B);
    const data = join(home, 'data');
    const imported = json<{ caseId: string }>(await runCli(['import', file, '--json', '--no-index'], { home: data }));
    const outDir = join(home, 'out');
    mkdirSync(outDir);
    const r = await runCli(['export', imported.caseId, '--start', '00:00:01.5', '--end', '4', '--out', 'teach.mp4', '--json'], { home: data, cwd: outDir });
    expect(r.code, r.stderr).toBe(0);
    const j = json<{ output: string; manifest: string; duration: number; stills: string[] }>(r);
    expect(Object.keys(j)).toEqual(['output', 'manifest', 'duration', 'stills']);
    expect(j.output).toBe(join(outDir, 'teach.mp4'));
    expect(j.manifest).toBe(join(outDir, 'teach.json'));
    expect(j.stills).toHaveLength(3);
    expect(Math.abs(j.duration - 2.5)).toBeLessThanOrEqual(1 / 30 + 1e-3);
    for (const f of [j.output, j.manifest, ...j.stills]) expect(existsSync(f)).toBe(true);

    const again = await runCli(['export', imported.caseId, '--start', '1', '--end', '2', '--out', 'teach.mp4'], { home: data, cwd: outDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/teach\.mp4 already exists/);
    const usage = await runCli(['export', imported.caseId, '--out', 'x.mp4'], { home: data, cwd: outDir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: opscope export/);
  });
});
