import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoov } from '../../main/core/frame-sample-table.js';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { decodeFrameCode } from '../../main/node/synthetic/index.js';
import { extractFrame, lastFrameSource } from '../../main/worker/media/frame.js';
import { NotWarm, WarmDecoders, sampleTable } from '../../main/worker/media/warm-decoder.js';
import { importCase, testHost } from '../support/host.js';
import { decodeRgb, frameTimestamps, syntheticVideo } from '../support/media.js';

/** The frame ffmpeg's own accurate seek gives at the middle between frame i-1 and frame i. */
async function accurate(file: string, times: number[], i: number): Promise<Uint8Array> {
  const seek = i === 0 ? 0 : (times[i - 1]! + times[i]!) / 2;
  const { stdout } = await runFfmpeg(
    ['-v', 'error', '-ss', seek.toFixed(6), '-i', inputPath(file), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { timeoutMs: 60_000 },
  );
  return new Uint8Array(stdout);
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k]! - b[k]!));
  return d;
}

function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d += Math.abs(a[k]! - b[k]!);
  return d / a.length;
}

/** Forward, backward, within one GOP, across GOPs, the first and the last frames, in that mixed order. */
function order(n: number, gop: number): number[] {
  const raw = [0, 1, 2, 3, gop - 1, gop, gop + 1, 3 * gop + 7, 3 * gop + 8, gop + 2, Math.floor(n / 2), n - 2, n - 1, 5, n - 1, 0, 2 * gop - 1];
  return raw.filter((i) => i >= 0 && i < n);
}

describe('warm decoder', () => {
  let dir: string;
  let bframes: string;
  let vfr: string;
  let plain: string;
  let hevc: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-warm-'));
    // 'normal' quality H.264 has B-frames (-bf 2); 'fast' has none.
    bframes = await syntheticVideo({ duration: 10, width: 320, height: 240, fps: 25, gop: 2, events: [], frameCode: true, seed: 31 });
    vfr = await syntheticVideo({ duration: 10, width: 320, height: 240, fps: 30, gop: 2, events: [], frameCode: true, variableFrameRate: true, seed: 32 });
    plain = await syntheticVideo({ duration: 8, width: 320, height: 240, fps: 30, gop: 2, events: [], frameCode: true, quality: 'fast', seed: 33 });
    hevc = await syntheticVideo({ duration: 4, width: 320, height: 240, fps: 25, gop: 2, events: [], frameCode: true, codec: 'hevc', seed: 34 });
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the sample table the way ffprobe counts the frames', async () => {
    for (const file of [bframes, vfr, plain]) {
      const e = await sampleTable(file);
      if ('unsupported' in e) throw new Error(e.unsupported);
      const pts = await frameTimestamps(file);
      const t = e.table;
      expect(t.byPresentation.length).toBe(pts.length);
      const first = t.pts[t.byPresentation[0]!]!;
      t.byPresentation.forEach((s, k) => expect(Math.abs((t.pts[s]! - first) / t.timescale - (pts[k]! - pts[0]!))).toBeLessThan(1e-3));
    }
    const b = await sampleTable(bframes);
    expect('table' in b && b.table.reorderDepth).toBeGreaterThan(0);
    expect(parseMoov(new Uint8Array(16))).toEqual({ unsupported: 'no video track' });
  });

  for (const [label, file] of [['B-frames', () => bframes], ['variable frame rate', () => vfr], ['no B-frames', () => plain]] as const) {
    it(`gives exactly the frame of ffmpeg's accurate seek (${label})`, async () => {
      const decoders = new WarmDecoders({ decoders: 2, idleMs: 60_000 });
      try {
        const path = file();
        const times = (await frameTimestamps(path)).map((t, _, all) => t - all[0]!);
        const gop = label === 'B-frames' ? 50 : 60;
        for (const i of order(times.length, gop)) {
          const f = await decoders.frame(path, i, { count: times.length, first: 0, time: times[i]! }, dir);
          expect(decodeFrameCode(f.rgb, f.width, f.height), `${label}: frame ${i}`).toBe(i);
          expect(maxDiff(f.rgb, await accurate(path, times, i)), `${label}: pixels of frame ${i}`).toBeLessThanOrEqual(1);
        }
        expect(decoders.open).toBeLessThanOrEqual(1);
      } finally {
        decoders.closeAll();
      }
    }, 300_000);
  }

  it('gives in a host the frame on screen at a case time of several parts, as ffmpeg\'s accurate seek of that part', async () => {
    // In-process worker: its warm decoders are this process's, so the test sees which path gave each frame.
    const host = testHost(dir, { inProcess: true });
    try {
      const files = [bframes, vfr, plain];
      const caseId = await importCase(host, files, false);
      const detail = await host.call('cases.get', { caseId });
      // Parts go by file name: whatever their order, each is one of the three kinds.
      expect([...detail.parts.map((p) => p.path)].sort()).toEqual([...files].sort());
      for (const [k, part] of detail.parts.entries()) {
        const file = part.path;
        const times = (await frameTimestamps(file)).map((t, _, all) => t - all[0]!);
        const n = times.length;
        // The first and last frames of each part (the boundaries between parts), within a GOP, and back.
        for (const i of [0, 1, 37, n - 1, 12]) {
          const next = i + 1 < n ? times[i + 1]! : part.duration;
          const ref = await host.frames.get(caseId, part.caseStart + times[i]! + 0.25 * (next - times[i]!));
          expect(lastFrameSource.warm, `part ${k} frame ${i}: ${lastFrameSource.reason ?? ''}`).toBe(true);
          expect([ref.partId, ref.frameIndex]).toEqual([part.id, i]);
          expect(ref.time).toBeCloseTo(part.caseStart + times[i]!, 6);
          const png = await decodeRgb(ref.file);
          expect(decodeFrameCode(png.data, png.width, png.height), `part ${k} frame ${i}`).toBe(i);
          expect(maxDiff(png.data, await accurate(file, times, i)), `pixels of part ${k} frame ${i}`).toBeLessThanOrEqual(1);
        }
      }
    } finally {
      await host.close();
    }
  }, 300_000);

  it('keeps at most its number of decoders open and closes them when idle', async () => {
    const decoders = new WarmDecoders({ decoders: 1, idleMs: 400 });
    try {
      const a = (await frameTimestamps(plain)).map((t, _, all) => t - all[0]!);
      const b = (await frameTimestamps(bframes)).map((t, _, all) => t - all[0]!);
      await decoders.frame(plain, 10, { count: a.length, first: 0, time: a[10]! }, dir);
      expect(decoders.open).toBe(1);
      const f = await decoders.frame(bframes, 30, { count: b.length, first: 0, time: b[30]! }, dir);
      expect(decodeFrameCode(f.rgb, f.width, f.height)).toBe(30);
      expect(decoders.open).toBe(1);
      // Two parts asked at once with room for one decoder: each request still gets its frame.
      const both = await Promise.all([
        decoders.frame(plain, 100, { count: a.length, first: 0, time: a[100]! }, dir),
        decoders.frame(bframes, 120, { count: b.length, first: 0, time: b[120]! }, dir),
        decoders.frame(plain, 40, { count: a.length, first: 0, time: a[40]! }, dir),
      ]);
      expect(both.map((x) => decodeFrameCode(x.rgb, x.width, x.height))).toEqual([100, 120, 40]);
      expect(decoders.open).toBeLessThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 900));
      expect(decoders.open).toBe(0);
      // A closed part opens again.
      const g = await decoders.frame(plain, 11, { count: a.length, first: 0, time: a[11]! }, dir);
      expect(decodeFrameCode(g.rgb, g.width, g.height)).toBe(11);
    } finally {
      decoders.closeAll();
    }
  }, 120_000);

  it('refuses a frame table that is not the file\'s, and a codec it does not decode', async () => {
    const decoders = new WarmDecoders();
    try {
      const a = (await frameTimestamps(plain)).map((t, _, all) => t - all[0]!);
      await expect(decoders.frame(plain, 3, { count: a.length + 1, first: 0, time: a[3]! }, dir)).rejects.toBeInstanceOf(NotWarm);
      await expect(decoders.frame(plain, 3, { count: a.length, first: 0, time: a[3]! + 0.02 }, dir)).rejects.toBeInstanceOf(NotWarm);
      const h = (await frameTimestamps(hevc)).map((t, _, all) => t - all[0]!);
      await expect(decoders.frame(hevc, 3, { count: h.length, first: 0, time: h[3]! }, dir)).rejects.toThrow(/codec hev1|codec hvc1/);
    } finally {
      decoders.closeAll();
    }
  }, 60_000);

  it('writes JPEG and PNG from the warm decoder, and the same frame by an exact seek where it cannot', async () => {
    const times = (await frameTimestamps(bframes)).map((t, _, all) => t - all[0]!);
    const i = 77;
    const want = await accurate(bframes, times, i);
    const seek = (times[i - 1]! + times[i]!) / 2;
    const frame = { index: i, time: times[i]!, first: 0, count: times.length };
    const png = join(dir, 'f.png');
    await extractFrame({ path: bframes, seek, out: png, format: 'png', frame });
    expect(lastFrameSource).toEqual({ warm: true, reason: null });
    expect(maxDiff((await decodeRgb(png)).data, want)).toBeLessThanOrEqual(1);
    const jpg = join(dir, 'f.jpg');
    const size = await extractFrame({ path: bframes, seek, out: jpg, format: 'jpeg', frame });
    expect(size).toEqual({ width: 320, height: 240 });
    expect(lastFrameSource.warm).toBe(true);
    const decoded = await decodeRgb(jpg);
    expect(decodeFrameCode(decoded.data, decoded.width, decoded.height)).toBe(i);
    expect(meanDiff(decoded.data, want)).toBeLessThan(4);

    const h = (await frameTimestamps(hevc)).map((t, _, all) => t - all[0]!);
    const out = join(dir, 'h.png');
    await extractFrame({ path: hevc, seek: (h[40]! + h[41]!) / 2, out, frame: { index: 41, time: h[41]!, first: 0, count: h.length } });
    expect(lastFrameSource.warm).toBe(false);
    expect(lastFrameSource.reason).toMatch(/codec/);
    const rgb = await decodeRgb(out);
    expect(decodeFrameCode(rgb.data, rgb.width, rgb.height)).toBe(41);
  }, 120_000);
});
