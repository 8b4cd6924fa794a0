import { existsSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelBox } from '../../main/core/agent/frame-label.js';
import { spreadTimes } from '../../main/core/agent/frame-plan.js';
import { frameIndexAt } from '../../main/core/case-time.js';
import { mediaPath } from '../../main/core/contract/media-paths.js';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import { formatClock } from '../../main/core/time-format.js';
import { createAgentTools, MODEL_FRAME_SIZE } from '../../main/host/agent/agent-tools.js';
import type { AppHost } from '../../main/host/app-host.js';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { decodeFrameCode } from '../../main/node/synthetic/index.js';
import type { AgentTools, FrameRef } from '../../main/core/agent/engine/types.js';
import { tempHome } from '../support/cli.js';
import { readLabel } from '../support/frame-label.js';
import { importCase, testHost } from '../support/host.js';
import { decodeRgb, frameTimestamps, syntheticVideo } from '../support/media.js';

const BLEEDING = { kind: 'bleeding' as const, start: 8, end: 14 };
/** Part A is larger than a model frame, so crops are scaled and get_frame is not. */
const SPEC_A = { duration: 20, width: 1280, height: 720, fps: 25, gop: 1, events: [BLEEDING], frameCode: true, seed: 41 };
const SPEC_B = { duration: 10, width: 640, height: 360, fps: 30, gop: 2, events: [], frameCode: true, seed: 42 };

const never = () => new AbortController().signal;

/** A frame file scaled back to its recording's size, where the frame code's layout is defined. */
async function decodeAt(file: string, width: number, height: number): Promise<Uint8Array> {
  const { stdout } = await runFfmpeg(
    ['-v', 'error', '-i', inputPath(file), '-vf', `scale=${width}:${height}:flags=bicubic`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { timeoutMs: 30_000 },
  );
  return new Uint8Array(stdout);
}

async function bodyBytes(body: Readable | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (body) for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('agent tools on case time', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  let tools: AgentTools;
  let detail: CaseDetail;
  let ptsA: number[];
  let ptsB: number[];

  beforeAll(async () => {
    home = tempHome();
    const a = await syntheticVideo(SPEC_A);
    const b = await syntheticVideo(SPEC_B);
    host = testHost(home);
    caseId = await importCase(host, [a, b]);
    detail = (await host.call('cases.get', { caseId })) as CaseDetail;
    const rel = (p: number[]) => p.map((t) => t - p[0]!);
    ptsA = rel(await frameTimestamps(a));
    ptsB = rel(await frameTimestamps(b));
    tools = createAgentTools(host, caseId);
  }, 600_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  const durA = () => detail.parts[0]!.duration;
  /** Which part and frame index is on screen at a case time, from ffprobe's own timestamps. */
  const expected = (t: number) => (t < durA() ? { part: 0, index: frameIndexAt(ptsA, t) } : { part: 1, index: frameIndexAt(ptsB, t - durA()) });
  const fileOf = (ref: string) => {
    const r = host.media.resolve(mediaPath.agentFrame(ref));
    if (!r) throw new Error(`ref ${ref} does not resolve`);
    return r.file;
  };
  const decode = async (f: FrameRef) => decodeRgb(fileOf(f.ref));

  it('is indexed as two parts', () => {
    expect(detail.parts).toHaveLength(2);
    expect(detail.index.state).toBe('done');
  });

  it('crops across the part boundary, returning the frames on screen at evenly spread times', async () => {
    const start = durA() - 2;
    const end = durA() + 2;
    const crop = await tools.cropVideo(start, end, 8, never());
    expect(crop.frames).toHaveLength(8);
    expect(crop.samples.map((s) => s.time)).toEqual(crop.frames.map((f) => f.time));
    const wanted = spreadTimes(start, end, 8).map(expected);
    for (const [k, f] of crop.frames.entries()) {
      const rgb = await decode(f);
      const want = wanted[k]!;
      const [w, h] = want.part === 0 ? [SPEC_A.width, SPEC_A.height] : [SPEC_B.width, SPEC_B.height];
      expect(decodeFrameCode(await decodeAt(fileOf(f.ref), w, h), w, h), `frame ${k} at ${f.time}`).toBe(want.index);
      const partStart = want.part === 0 ? 0 : durA();
      const pts = want.part === 0 ? ptsA : ptsB;
      expect(f.time).toBeCloseTo(partStart + pts[want.index]!, 2);
      // Model-sized from the 720p part, unchanged from the smaller one.
      expect([rgb.width, rgb.height]).toEqual(want.part === 0 ? [MODEL_FRAME_SIZE, 432] : [640, 360]);
    }
    expect(Object.keys(crop.signals)).toContain('blood');
    expect(crop.signals.blood!.coverage).toBe(1);
  });

  it('draws the case time on the frame, small, in a corner, and nowhere else', async () => {
    const t = durA() + 3.21;
    const labelled = await tools.getFrame(t, never());
    const plain = await host.frames.get(caseId, t);
    const a = await decodeRgb(fileOf(labelled.ref));
    const b = await decodeRgb(plain.file);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    const text = formatClock(labelled.time);
    const box = labelBox(text, a.width, a.height);
    expect(readLabel(a, box, text.length)).toBe(text);
    let inside = 0;
    let outsideDiff = 0;
    for (let y = 0; y < a.height; y++) {
      for (let x = 0; x < a.width; x++) {
        const i = (y * a.width + x) * 3;
        const d = Math.abs(a.data[i]! - b.data[i]!) + Math.abs(a.data[i + 1]! - b.data[i + 1]!) + Math.abs(a.data[i + 2]! - b.data[i + 2]!);
        const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (inBox && d > 60) inside++;
        else if (!inBox) outsideDiff += d;
      }
    }
    expect(inside).toBeGreaterThan(100);
    // Same frame outside the label (colour conversion may differ by a rounding step).
    expect(outsideDiff / (a.width * a.height * 3)).toBeLessThan(1);
  });

  it('gives per-frame signals that show the bleeding inside its window and not outside', async () => {
    const inside = await tools.cropVideo(BLEEDING.start + 1, BLEEDING.end - 1, 6, never());
    const before = await tools.cropVideo(1, BLEEDING.start - 2, 6, never());
    const blood = (c: typeof inside) => c.samples.map((s) => s.blood);
    expect(Math.min(...blood(inside)), `inside ${blood(inside).join(' ')}`).toBeGreaterThan(0.5);
    expect(Math.max(...blood(before)), `before ${blood(before).join(' ')}`).toBeLessThan(0.3);
    for (const s of [...inside.samples, ...before.samples]) {
      for (const v of [s.blood, s.haze, s.outOfBody, s.brightness]) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(inside.signals.blood!.max!).toBeGreaterThan(0.5);
  });

  it('gets single frames frame-accurately at the recording’s full resolution, in either part', async () => {
    for (const t of [0, 0.04, 5.5, durA() - 0.01, durA(), durA() + 0.034, durA() + 7.77]) {
      const f = await tools.getFrame(t, never());
      const want = expected(t);
      const rgb = await decode(f);
      expect(decodeFrameCode(rgb.data, rgb.width, rgb.height), `at ${t}`).toBe(want.index);
      const size = want.part === 0 ? [1280, 720] : [640, 360];
      expect([f.width, f.height]).toEqual(size);
      expect([rgb.width, rgb.height]).toEqual(size);
    }
  });

  it('clamps times outside the case and refuses windows and times that are not there', async () => {
    const first = await tools.getFrame(-5, never());
    expect(first.time).toBe(0);
    expect(decodeFrameCode(...(await decode(first).then((r) => [r.data, r.width, r.height] as const)))).toBe(0);
    const last = await tools.getFrame(1e9, never());
    const lastRgb = await decode(last);
    expect(decodeFrameCode(lastRgb.data, lastRgb.width, lastRgb.height)).toBe(ptsB.length - 1);
    const clamped = await tools.cropVideo(-10, 1, 4, never());
    expect(clamped.frames.every((f) => f.time >= 0 && f.time < 1)).toBe(true);
    await expect(tools.cropVideo(detail.duration + 10, detail.duration + 20, 4, never())).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(tools.cropVideo(5, 4, 4, never())).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(tools.getFrame(Number.NaN, never())).rejects.toMatchObject({ code: 'invalid-input' });
    // A window shorter than the frames asked for gives each real frame once.
    const tiny = await tools.cropVideo(2, 2.1, 8, never());
    expect(new Set(tiny.frames.map((f) => f.ref)).size).toBe(tiny.frames.length);
    expect(tiny.frames.length).toBeLessThanOrEqual(3);
  });

  it('stops on cancel, leaves no half-written files and keeps working', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(tools.cropVideo(0, 10, 4, aborted.signal)).rejects.toMatchObject({ code: 'canceled' });
    const c = new AbortController();
    const started = performance.now();
    const run = tools.cropVideo(0.3, 19.3, 24, c.signal);
    setTimeout(() => c.abort(), 60);
    await expect(run).rejects.toMatchObject({ code: 'canceled' });
    expect(performance.now() - started).toBeLessThan(2000);
    const dir = host.layout.agentFramesDir(caseId, detail.parts[0]!.id);
    // The worker may still be unwinding a write it had started; give it a moment.
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.includes('.partial'))).toEqual([]);
    const again = await tools.cropVideo(0.3, 4.3, 2, never());
    expect(again.frames).toHaveLength(2);
  });

  it('gives an overview: storyboard over the whole case, track summaries and the per-second series', async () => {
    const o = await tools.overview(never());
    expect(o.frames).toHaveLength(12);
    const times = o.frames.map((f) => f.time);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(times[0]!).toBeLessThan(detail.duration / 12);
    expect(times[11]!).toBeGreaterThan(detail.duration * (11 / 12) - 1);
    for (const f of o.frames) expect(existsSync(fileOf(f.ref))).toBe(true);
    expect(o.series!.blood).toHaveLength(Math.ceil(detail.duration));
    const windows = o.tracks.blood!.windows;
    expect(windows.some((w) => w.start < BLEEDING.end && w.end > BLEEDING.start)).toBe(true);
    // Stored frames are reused: the same refs, quickly.
    const t0 = performance.now();
    const again = await tools.overview(never());
    expect(again.frames).toEqual(o.frames);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('serves refs by id with Range, and nothing outside the agent frames folder', async () => {
    const f = await tools.getFrame(3, never());
    const path = mediaPath.agentFrame(f.ref);
    const whole = host.media.respond(path, null);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('image/jpeg');
    const png = await bodyBytes(whole.body);
    const part = host.media.respond(path, 'bytes=0-99');
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 0-99/${png.length}`);
    expect((await bodyBytes(part.body)).equals(png.subarray(0, 100))).toBe(true);
    expect(host.media.respond(path, `bytes=${png.length + 10}-`).status).toBe(416);

    const partId = detail.parts[0]!.id;
    for (const bad of [
      `/agent-frame/${partId}/../../opscope.db`,
      `/agent-frame/${partId}/1-2-3.png`,
      `/agent-frame/${partId}/999999-768-1`,
      '/agent-frame/nosuchpart1/1-768-40',
      `/agent-frame/${partId}`,
    ]) {
      expect(host.media.respond(bad, null).status, bad).toBe(404);
    }
    // A link planted in the folder that leads out of it is refused, even to the data folder.
    const dir = host.layout.agentFramesDir(caseId, partId);
    mkdirSync(dir, { recursive: true });
    symlinkSync(host.layout.database, join(dir, '5-768-200.png'));
    expect(host.media.respond(`/agent-frame/${partId}/5-768-200`, null).status).toBe(404);
  });
});
