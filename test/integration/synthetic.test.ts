import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpscopeError } from '../../main/core/errors.js';
import {
  decodeFrameCode,
  demoSpec,
  generateSyntheticVideo,
  type SyntheticSpec,
} from '../../main/node/synthetic/index.js';
import { decodeFrames, frameStats, meanAbsDiff, probe, videoPackets, type FrameStats } from '../support/synthetic-frames.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opscope-synthetic-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const W = 320;
const H = 240;

describe('frame code', () => {
  it('reads back the index of every frame of a constant-rate clip', async () => {
    const file = join(dir, 'cfr.mp4');
    // NTSC rate: timestamps that are not whole milliseconds are where rounding slips show.
    await generateSyntheticVideo(file, { duration: 3, width: W, height: H, fps: 29.97, gop: 1, events: [], frameCode: true, seed: 7 });
    const frames = await decodeFrames(file, W, H);
    expect(frames).toHaveLength(90);
    expect(frames.map((f) => decodeFrameCode(f, W, H))).toEqual(frames.map((_, i) => i));

    const info = await probe(file);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect([video.width, video.height]).toEqual([W, H]);
    expect(Number(info.format.duration)).toBeCloseTo(3, 1);
    const keys = (await videoPackets(file)).filter((p) => p.key).map((p) => Math.round((p.pts * 30000) / 1001));
    expect(keys).toEqual([0, 30, 60]);
  });

  it('reads back presentation order in a variable-frame-rate clip', async () => {
    const file = join(dir, 'vfr.mkv');
    // 2 s segments alternate between 20 and 10 fps: 40 + 20 + 40 frames.
    await generateSyntheticVideo(file, {
      duration: 6, width: W, height: H, fps: 20, gop: 1, events: [], frameCode: true, variableFrameRate: true, container: 'mkv',
      quality: 'fast',
    });
    const packets = await videoPackets(file);
    expect(packets).toHaveLength(100);
    const steps = packets.slice(1).map((p, i) => Math.round((p.pts - packets[i]!.pts) * 1000));
    expect(new Set(steps)).toEqual(new Set([50, 100]));
    // Keyframes follow the clock, not the frame count.
    expect(packets.filter((p) => p.key).map((p) => p.pts)).toEqual([0, 1, 2, 3, 4, 5]);

    const frames = await decodeFrames(file, W, H);
    expect(frames.map((f) => decodeFrameCode(f, W, H))).toEqual(packets.map((_, i) => i));
  });

  it('finds no code where there is none', () => {
    expect(decodeFrameCode(new Uint8Array(W * H * 3), W, H)).toBeNull();
    expect(decodeFrameCode(new Uint8Array(W * H * 3).fill(255), W, H)).toBeNull();
    expect(decodeFrameCode(new Uint8Array(10), W, H)).toBeNull();
  });
});

describe('events', () => {
  const fps = 12;
  const spec: SyntheticSpec = {
    duration: 13,
    width: W,
    height: H,
    fps,
    seed: 11,
    overlayText: 'PATIENT: JANE ROE  MRN 4471932',
    events: [
      { kind: 'bleeding', start: 2, end: 5 },
      { kind: 'smoke', start: 5.5, end: 7.5 },
      { kind: 'idle', start: 8, end: 10 },
      { kind: 'out-of-body', start: 10.5, end: 12 },
    ],
  };
  let frames: Uint8Array[] = [];
  let stats: FrameStats[] = [];
  const at = (t: number) => Math.round(t * fps);
  const mean = (from: number, to: number, key: keyof FrameStats) => {
    const s = stats.slice(at(from), at(to));
    return s.reduce((a, x) => a + x[key], 0) / s.length;
  };

  beforeAll(async () => {
    const file = join(dir, 'events.mp4');
    await generateSyntheticVideo(file, spec);
    frames = await decodeFrames(file, W, H);
    stats = frames.map((f) => frameStats(f, W, H));
  });

  it('has one frame per tick', () => {
    expect(frames).toHaveLength(13 * fps);
  });

  it('bleeding: dark saturated red appears at start, grows, and is gone at end', () => {
    const normal = mean(0, 2, 'blood');
    const first = stats[at(2)]!.blood;
    const peak = stats[at(5) - 1]!.blood;
    expect(stats[at(2) - 1]!.blood).toBeLessThan(normal + 0.005);
    expect(first).toBeGreaterThan(normal + 0.015);
    expect(peak).toBeGreaterThan(first + 0.05);
    // At least about 15% of the round view (which is 56% of a 4:3 frame).
    expect(peak).toBeGreaterThan(0.08);
    expect(stats[at(5)]!.blood).toBeLessThan(normal + 0.005);
  });

  it('smoke: lower saturation and contrast, brighter, only inside the window', () => {
    const sat = mean(0.5, 1.5, 'saturation');
    const con = mean(0.5, 1.5, 'contrast');
    const bri = mean(0.5, 1.5, 'brightness');
    expect(mean(5.5, 7.5, 'saturation')).toBeLessThan(sat * 0.75);
    expect(mean(5.5, 7.5, 'contrast')).toBeLessThan(con * 0.85);
    expect(mean(5.5, 7.5, 'brightness')).toBeGreaterThan(bri + 15);
    expect(stats[at(5.5) - 1]!.saturation).toBeGreaterThan(sat * 0.85);
    expect(stats[at(5.5)]!.saturation).toBeLessThan(sat * 0.8);
    expect(stats[at(7.5)]!.saturation).toBeGreaterThan(sat * 0.85);
  });

  it('idle: consecutive frames are identical but for codec noise; outside they move', () => {
    const diffs = (from: number, to: number) =>
      frames.slice(at(from) + 1, at(to)).map((f, i) => meanAbsDiff(frames[at(from) + i]!, f, W));
    const moving = diffs(0.5, 2).sort((a, b) => a - b);
    const still = diffs(8, 10);
    // Outside idle nearly every pair differs (an encoder may skip the odd sub-pixel step).
    expect(moving[Math.floor(moving.length / 2)]).toBeGreaterThan(0.5);
    expect(moving.filter((d) => d > 0.2).length).toBeGreaterThanOrEqual(moving.length - 2);
    expect(Math.max(...still)).toBeLessThan(0.3);
    // Motion resumes right at the end of the window.
    expect(meanAbsDiff(frames[at(10) - 1]!, frames[at(10) + 1]!, W)).toBeGreaterThan(0.5);
  });

  it('out-of-body: no red tissue and no round border, exactly inside the window', () => {
    const red = mean(0, 2, 'red');
    expect(red).toBeGreaterThan(0.2);
    expect(stats[at(10.5) - 1]!.red).toBeGreaterThan(red * 0.5);
    expect(stats[at(10.5)]!.red).toBeLessThan(red * 0.1);
    expect(stats[at(12) - 1]!.red).toBeLessThan(red * 0.1);
    expect(stats[at(12)]!.red).toBeGreaterThan(red * 0.5);
    expect(mean(0, 2, 'corner')).toBeLessThan(8);
    expect(mean(10.5, 12, 'corner')).toBeGreaterThan(15);
  });

  it('burns the overlay text in the top-left corner', () => {
    const f = frames[0]!;
    let white = 0;
    for (let y = 0; y < 20; y++) for (let x = 0; x < 160; x++) if (f[(y * W + x) * 3]! > 200) white++;
    expect(white).toBeGreaterThan(40);
  });
});

describe('codecs and containers', () => {
  const base: SyntheticSpec = { duration: 2, width: 160, height: 120, fps: 15, gop: 1, events: [{ kind: 'out-of-body', start: 0.6, end: 1.4 }] };
  const cases: Array<[SyntheticSpec['codec'], SyntheticSpec['container'], string, Partial<SyntheticSpec>]> = [
    ['h264', 'mov', 'h264', { audio: true, creationTime: '2024-05-01T08:30:00Z' }],
    ['hevc', 'mp4', 'hevc', {}],
    ['mpeg4', 'avi', 'mpeg4', { audio: true, border: 'none' }],
    ['mpeg2', 'ts', 'mpeg2video', { border: 'letterbox' }],
    ['mjpeg', 'mkv', 'mjpeg', {}],
    ['h264', 'ts', 'h264', { quality: 'fast' }],
  ];
  for (const [codec, container, name, extra] of cases) {
    it(`${codec} in ${container}`, async () => {
      const file = join(dir, `matrix-${codec}.${container}`);
      await generateSyntheticVideo(file, { ...base, ...extra, codec, container });
      const info = await probe(file);
      const video = info.streams.find((s) => s.codec_type === 'video');
      expect(video?.codec_name).toBe(name);
      expect(Number(info.format.duration)).toBeGreaterThan(1.8);
      expect(info.streams.some((s) => s.codec_type === 'audio')).toBe(extra.audio === true);
      if (extra.creationTime) expect(info.format.tags?.creation_time).toMatch(/^2024-05-01T08:30:00/);
      if (codec !== 'mjpeg') {
        // Fixed GOP: the out-of-body cut at 0.6 s adds no keyframe.
        const keys = (await videoPackets(file)).filter((p) => p.key).map((p) => Math.round(p.pts * 15));
        const first = keys[0]!;
        expect(keys.map((k) => k - first)).toEqual([0, 15]);
      }
    });
  }

  it('letterbox and no-border frames', async () => {
    const file = join(dir, 'matrix-mpeg2.ts');
    const [f] = await decodeFrames(file, 160, 120);
    // The letterbox bars are black, the corners of the picture between them are not.
    expect(frameStats(f!, 160, 120).corner).toBeGreaterThan(20);
    let top = 0;
    for (let i = 0; i < 160 * 8 * 3; i++) top += f![i]!;
    expect(top / (160 * 8 * 3)).toBeLessThan(8);
  });
});

describe('generation', () => {
  it('writes nothing when canceled', async () => {
    const file = join(dir, 'canceled.mp4');
    const ac = new AbortController();
    const run = generateSyntheticVideo(
      file,
      { duration: 120, width: 640, height: 360, fps: 30, events: [] },
      { signal: ac.signal, onProgress: (f) => f > 0 && ac.abort() },
    );
    setTimeout(() => ac.abort(), 3000);
    await expect(run).rejects.toMatchObject({ code: 'canceled' });
    expect(existsSync(file)).toBe(false);
    expect((await readdir(dir)).filter((n) => n.includes('canceled'))).toEqual([]);
  });

  it('rejects a bad spec before running anything', async () => {
    const file = join(dir, 'bad.mp4');
    const bad: SyntheticSpec[] = [
      { duration: 0, width: W, height: H, fps: 30, events: [] },
      { duration: 5, width: 321, height: H, fps: 30, events: [] },
      { duration: 5, width: W, height: H, fps: 30, events: [{ kind: 'smoke', start: 4, end: 6 }] },
      { duration: 5, width: W, height: H, fps: 30, events: [], codec: 'mjpeg', container: 'ts' },
      { duration: 5, width: W, height: H, fps: 30, events: [], variableFrameRate: true, container: 'avi' },
    ];
    for (const spec of bad) {
      const err = await generateSyntheticVideo(file, spec).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpscopeError);
      expect((err as OpscopeError).code).toBe('invalid-input');
    }
    expect(existsSync(file)).toBe(false);
  });

  it('offers a demo case with every kind of event, well separated', () => {
    const demo = demoSpec();
    expect(new Set(demo.events.map((e) => e.kind))).toEqual(new Set(['bleeding', 'smoke', 'idle', 'out-of-body']));
    const sorted = [...demo.events].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start - sorted[i - 1]!.end).toBeGreaterThanOrEqual(10);
    expect(demo.duration).toBeGreaterThanOrEqual(150);
  });
});
