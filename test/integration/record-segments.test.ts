import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { playbackFor, summarizeProbe } from '../../main/core/media-info.js';
import { tool } from '../../main/node/ffmpeg/locate.js';
import { inputPath, runFfmpeg, runFfprobe } from '../../main/node/ffmpeg/run.js';
import { LIBX264 } from '../../main/node/record/encoders.js';
import { processInfo, stopOrphanRecorder } from '../../main/node/record/orphans.js';
import { isSegmentIntact, salvagedPath, salvageSegment, scanMp4 } from '../../main/node/record/salvage.js';
import { recordArgs, recordSegments, SEGMENT_LIST, type ClosedSegment, type H264Encoder } from '../../main/node/record/segment-recorder.js';
import { ffmpegVideo } from '../support/media.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function probe(file: string) {
  const { stdout } = await runFfprobe(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', inputPath(file)], { timeoutMs: 30_000 });
  return summarizeProbe(stdout.toString('utf8'), file);
}

/** Decodes every frame; the lines ffmpeg prints at -v error (none for a clean file). */
async function decodeErrors(file: string): Promise<string[]> {
  const { stderrTail } = await runFfmpeg(['-v', 'error', '-i', inputPath(file), '-f', 'null', '-'], { timeoutMs: 60_000 });
  return stderrTail;
}

const listed = (folder: string) =>
  existsSync(join(folder, SEGMENT_LIST)) ? readFileSync(join(folder, SEGMENT_LIST), 'utf8').split('\n').filter(Boolean).length : 0;


describe('recording into fragmented MP4 segments', () => {
  let root: string;
  let source: string;
  let firstSegment: string;
  const children: ChildProcess[] = [];

  /** ffmpeg recording as the app starts it, but in a process of its own that nothing here waits on. */
  const recorder = (folder: string) => {
    mkdirSync(folder, { recursive: true });
    const child = spawn(tool('ffmpeg').path, ['-hide_banner', ...recordArgs({ source: { kind: 'replay', path: source }, folder, segmentSeconds: 4 })], {
      stdio: 'ignore',
      detached: true,
    });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'opscope-record-segments-'));
    source = await ffmpegVideo('testsrc-640x360-10s.mp4', [
      '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    ]);
  });

  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes segments that are H.264, start at 0, last the segment length and play in the browser directly', async () => {
    const folder = join(root, 'whole');
    mkdirSync(folder);
    const segments: ClosedSegment[] = [];
    const starts: { pid: number; encoder: H264Encoder }[] = [];
    const out = await recordSegments(
      { source: { kind: 'replay', path: source }, folder, segmentSeconds: 4, durationS: 6 },
      { onSegment: (s) => segments.push(s), onStart: (pid, encoder) => starts.push({ pid, encoder }) },
    );
    expect(starts).toHaveLength(1);
    expect(starts[0]!.pid).toBeGreaterThan(0);
    expect(out.encoder.encoder).toBe(starts[0]!.encoder.encoder);
    expect(out.segments).toEqual(segments);
    expect(segments.map((s) => s.file.slice(folder.length + 1))).toEqual(['seg-00000.mp4', 'seg-00001.mp4']);
    expect(readdirSync(folder).sort()).toEqual(['seg-00000.mp4', 'seg-00001.mp4', SEGMENT_LIST]);

    const expected = [4, 2];
    for (const [i, seg] of segments.entries()) {
      const p = await probe(seg.file);
      expect(p.video.codec).toBe('h264');
      expect(p.container).toBe('mp4');
      expect(p.startTime).toBe(0);
      expect(Math.abs(p.duration - expected[i]!)).toBeLessThan(0.05);
      expect(playbackFor(p)).toBe('direct');
      const layout = (await scanMp4(seg.file))!;
      // Fragments of one second each, and the trailer of a cleanly closed file.
      expect(layout).toMatchObject({ complete: true, hasMoov: true, fragments: expected[i] });
      expect(layout.boxes.map((b) => b.type).slice(0, 3)).toEqual(['ftyp', 'moov', 'moof']);
      expect(layout.boxes.at(-1)!.type).toBe('mfra');
      expect(await isSegmentIntact(seg.file)).toBe(true);
      expect(await decodeErrors(seg.file)).toEqual([]);
      // An intact segment is its own salvage.
      expect(await salvageSegment(seg.file)).toEqual({ file: seg.file, duration: p.duration });
    }
    expect(segments[1]!.start).toBeCloseTo(4, 1);
    firstSegment = segments[0]!.file;
  }, 60_000);

  it('salvages the complete fragments of a segment cut at 70 % of its bytes, and nothing from a stump', async () => {
    const dir = join(root, 'cut');
    mkdirSync(dir);
    const cut = join(dir, 'seg-00000.mp4');
    copyFileSync(firstSegment, cut);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.7));
    const kept = (await scanMp4(cut))!;
    expect(kept.complete).toBe(false);
    expect(kept.fragments).toBeGreaterThanOrEqual(2);
    expect(kept.fragments).toBeLessThan(4);
    expect(await isSegmentIntact(cut)).toBe(false);

    const saved = await salvageSegment(cut);
    expect(saved).not.toBeNull();
    expect(saved!.file).toBe(salvagedPath(cut));
    expect(saved!.duration).toBeGreaterThan(1);
    // Exactly the kept one-second fragments: nothing of the cut one.
    expect(Math.abs(saved!.duration - kept.fragments)).toBeLessThan(0.05);
    const p = await probe(saved!.file);
    expect(p).toMatchObject({ container: 'mp4', startTime: 0, video: { codec: 'h264', width: 640, height: 360 } });
    expect(playbackFor(p)).toBe('direct');
    expect(await decodeErrors(saved!.file)).toEqual([]);
    expect(await isSegmentIntact(saved!.file)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['seg-00000.mp4', 'seg-00000.salvaged.mp4']);
    // The segment itself is left as it was; a second salvage reuses the first.
    expect(statSync(cut).size).toBe(Math.floor(statSync(firstSegment).size * 0.7));
    expect(await salvageSegment(cut)).toEqual(saved);

    const stump = join(dir, 'seg-00001.mp4');
    copyFileSync(firstSegment, stump);
    truncateSync(stump, 300);
    expect(await isSegmentIntact(stump)).toBe(false);
    expect(await salvageSegment(stump)).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(['seg-00000.mp4', 'seg-00000.salvaged.mp4', 'seg-00001.mp4']);
  }, 60_000);

  it('recovers what a recorder killed mid-segment wrote, to the last complete fragment', async () => {
    const folder = join(root, 'killed');
    const child = recorder(folder);
    const second = join(folder, 'seg-00001.mp4');
    await until('two fragments of the second segment', async () => listed(folder) >= 1 && existsSync(second) && ((await scanMp4(second))?.fragments ?? 0) >= 2);
    // Into the third fragment of the segment.
    await sleep(400);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(listed(folder)).toBe(1);
    const layout = (await scanMp4(second))!;
    expect(layout.fragments).toBeGreaterThanOrEqual(2);
    // No trailer: it never closed.
    expect(layout.boxes.some((b) => b.type === 'mfra')).toBe(false);

    const saved = await salvageSegment(second);
    expect(saved).not.toBeNull();
    expect(saved!.duration).toBeGreaterThan(1);
    expect(Math.abs(saved!.duration - layout.fragments)).toBeLessThan(0.05);
    expect((await probe(saved!.file)).startTime).toBe(0);
    expect(await decodeErrors(saved!.file)).toEqual([]);
  }, 60_000);

  it('stops an ffmpeg left recording only when it records into the folder, closing its segment', async () => {
    const folder = join(root, 'orphan');
    const child = recorder(folder);
    await new Promise((r) => child.once('spawn', r));
    const pid = child.pid!;
    await until('the first segment', () => listed(folder) >= 1);
    await sleep(1500);

    // Same program, another recording's folder: a reused pid must not be stopped.
    expect(await stopOrphanRecorder(pid, join(root, 'killed'), { graceMs: 500 })).toBe('not-ours');
    expect((await processInfo(pid)).running).toBe(true);

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    expect(await stopOrphanRecorder(pid, folder, { graceMs: 10_000 })).toBe('stopped');
    const how = await exited;
    expect(how.signal === null || how.signal === 'SIGTERM').toBe(true);
    expect((await processInfo(pid)).running).toBe(false);
    expect(await stopOrphanRecorder(pid, folder)).toBe('not-running');

    // ffmpeg closed the segment it was writing: listed, whole, playable.
    expect(listed(folder)).toBe(2);
    const last = join(folder, 'seg-00001.mp4');
    expect(await isSegmentIntact(last)).toBe(true);
    expect((await scanMp4(last))!.boxes.at(-1)!.type).toBe('mfra');
    const p = await probe(last);
    expect(p.duration).toBeGreaterThan(1);
    expect(await decodeErrors(last)).toEqual([]);
  }, 60_000);

  it('ends cleanly when asked, closing and reporting the segment being written', async () => {
    const folder = join(root, 'finish');
    mkdirSync(folder);
    const finish = new AbortController();
    const segments: ClosedSegment[] = [];
    const out = await recordSegments(
      { source: { kind: 'replay', path: source }, folder, segmentSeconds: 4 },
      {
        encoder: LIBX264,
        finish: finish.signal,
        onSegment: (s) => {
          segments.push(s);
          if (segments.length === 1) setTimeout(() => finish.abort(), 1500);
        },
      },
    );
    expect(out.encoder).toBe(LIBX264);
    expect(out.segments).toHaveLength(2);
    expect(segments).toEqual(out.segments);
    const last = out.segments[1]!.file;
    expect(await isSegmentIntact(last)).toBe(true);
    const d = (await probe(last)).duration;
    expect(d).toBeGreaterThan(1);
    expect(d).toBeLessThan(4);
  }, 60_000);

  it('falls back to libx264 when a hardware encoder fails before anything is recorded', async () => {
    const folder = join(root, 'fallback');
    mkdirSync(folder);
    const broken: H264Encoder = { encoder: 'h264_broken', args: ['-c:v', 'h264_no_such_encoder'], hardware: true, tried: [] };
    const starts: string[] = [];
    const out = await recordSegments(
      { source: { kind: 'replay', path: source }, folder, segmentSeconds: 2, durationS: 2 },
      { encoder: broken, onSegment: () => undefined, onStart: (_pid, enc) => starts.push(enc.encoder) },
    );
    expect(starts).toEqual(['h264_broken', 'libx264']);
    expect(out.encoder).toMatchObject({ encoder: 'libx264', hardware: false, tried: [{ encoder: 'h264_broken', why: expect.stringMatching(/h264_no_such_encoder/) }] });
    expect(out.segments).toHaveLength(1);
    expect(Math.abs((await probe(out.segments[0]!.file)).duration - 2)).toBeLessThan(0.05);
  }, 60_000);
});
