/*
 * The `record` part of the benchmark: a minute of the bench recording replayed in real time into
 * the operating-room recorder (short H.264 segments, each added to the case and indexed while the
 * recording goes on), measured from outside the way a live feed would feel it:
 *
 *   - whether the recorder keeps up: the media seconds it closes per wall second, from the
 *     segment files' close times; a live source loses what a recorder slower than realtime cannot
 *     take, so frames lost = max(0, 1 - speed) x frames. The frames in the segments are counted
 *     too (what ffmpeg itself dropped or duplicated).
 *   - CPU-seconds per recorded second of every process involved (the recorder's ffmpeg, the
 *     recording worker, the media worker with its ffmpeg children, this host process), read from
 *     /proc (Linux only), against the same minute encoded by ffmpeg alone with the same arguments
 *     but not paced (encoding only).
 *   - for each second of the minute, the delay from the moment happening (replay start + t) to the
 *     index covering it; the segment length is the floor (a moment is not on disk before its
 *     segment closes).
 *   - that "covered" means answerable: the scout is asked about the recorded part mid-recording,
 *     and again once the recording is indexed (IoU against the generated event when the minute
 *     holds one).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { chanceIoU, temporalIoU } from '../../main/core/eval/metrics.js';
import type { AppHost } from '../../main/host/app-host.js';
import { inputPath, runFfmpeg, runFfprobe } from '../../main/node/ffmpeg/run.js';
import { pickH264Encoder } from '../../main/node/record/encoders.js';
import { recordArgs } from '../../main/node/record/segment-recorder.js';
import { testHost } from '../support/host.js';

export interface RecordBenchOptions {
  /** The bench recording; `from` and `seconds` pick the minute that is replayed. */
  video: string;
  from: number;
  seconds: number;
  fps: number;
  segmentSeconds: number;
  /** A generated event inside the minute (minute time), asked about; null when it holds none. */
  event: { kind: string; start: number; end: number } | null;
  question: string;
  /** A scratch folder (removed by the caller). */
  home: string;
  log: (line: string) => void;
}

export interface AskFigures {
  state: string;
  ms: number;
  /** Seconds of the case the run was given (recorded so far) and how much of it was indexed. */
  caseSeconds: number;
  indexedSeconds: number;
  evidence: { start: number; end: number } | null;
  /** Every evidence item lies within [0, caseSeconds]. */
  within: boolean;
  iou: number | null;
  chance: number | null;
}

export interface CpuFigures {
  /** CPU-seconds over the recording, from just before it starts until its last segment is indexed. */
  recorderFfmpeg: number;
  recordWorker: number;
  mediaWorker: number;
  host: number;
  total: number;
  /** Wall seconds of that window. */
  wall: number;
  /** The recorder's ffmpeg as sampled from its own /proc entry while it ran (a cross-check). */
  recorderSampled: number;
  /** CPU-seconds the whole machine was busy over the window: more than `total` means others ran too. */
  machine: number;
}

export interface RecordFigures {
  encoder: string;
  segmentSeconds: number;
  segments: number;
  recordedSeconds: number;
  /** Media seconds per wall second while recording (slope of segment close times, the last one left out). */
  speed: number;
  /** Recorded seconds over the wall time from ffmpeg's start to the last segment's close. */
  endToEndSpeed: number;
  /** Seconds each segment closed after its last moment happened: first, smallest and largest before the last, last. */
  lag: { first: number; min: number; max: number; last: number };
  frames: { source: number; written: number; expected: number };
  /** What a live source would have lost to a recorder slower than realtime. */
  framesLostLive: number;
  cpu: CpuFigures | null;
  /** Encode only; `others` is the CPU-seconds other processes used meanwhile. */
  baseline: { cpu: number | null; wall: number; mediaSeconds: number; encoder: string; others: number | null };
  cores: number;
  /** Per recorded second: wall seconds from the moment happening to the index covering it. */
  delays: number[];
  midAsk: AskFigures | null;
  finalAsk: AskFigures | null;
  /** CPU-seconds of the final ask on its own (host and media worker), to read the total against. */
  askCpu: number | null;
}

// ---- CPU time from /proc (Linux)

const onLinux = process.platform === 'linux';

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

interface ProcTimes {
  ppid: number;
  /** utime + stime, in ticks. */
  self: number;
  /** cutime + cstime: the children it has waited for, in ticks. */
  reaped: number;
}

function procTimes(pid: number | 'self'): ProcTimes | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name; field N of proc(5) is at index N - 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), self: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/**
 * CPU ticks of a process (`self`) and of everything it started (`children`): live descendants'
 * own time plus what each process has reaped. A child that ends moves from the first into the
 * second, so differences between two readings count every process exactly once.
 */
function treeTicks(root: number): { self: number; children: number } {
  const all = new Map<number, ProcTimes>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const t = procTimes(pid);
    if (t) all.set(pid, t);
  }
  const kids = new Map<number, number[]>();
  for (const [pid, t] of all) kids.set(t.ppid, [...(kids.get(t.ppid) ?? []), pid]);
  const top = all.get(root);
  if (!top) return { self: 0, children: 0 };
  let children = top.reaped;
  const stack = [...(kids.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    const t = all.get(pid)!;
    children += t.self + t.reaped;
    stack.push(...(kids.get(pid) ?? []));
  }
  return { self: top.self, children };
}

/** CPU ticks the whole machine has spent busy (all processes, ours and anyone else's). */
function machineBusyTicks(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    return total - (cpu[3] ?? 0) - (cpu[4] ?? 0);
  } catch {
    return 0;
  }
}

interface CpuSnapshot {
  at: number;
  machine: number;
  hostMicros: number;
  media: { self: number; children: number };
  record: { self: number; children: number };
}

function snapshot(host: AppHost): CpuSnapshot {
  const u = process.cpuUsage();
  return {
    at: Date.now(),
    machine: machineBusyTicks(),
    hostMicros: u.user + u.system,
    media: treeTicks(host.worker.pid ?? -1),
    record: treeTicks(host.recordWorker.pid ?? -1),
  };
}

// ---- helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

async function videoPackets(path: string): Promise<number> {
  const { stdout } = await runFfprobe(
    ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', inputPath(path)],
    { timeoutMs: 60_000, purpose: 'counting frames' },
  );
  return Number.parseInt(stdout.toString('utf8').trim(), 10) || 0;
}

/** Seconds at the start of the case whose parts are all indexed. */
function indexedSeconds(host: AppHost, caseId: string): number {
  const done = new Set(host.store.indexStates(caseId).filter((s) => s.state === 'done').map((s) => s.part_id));
  let covered = 0;
  for (const p of host.store.partsOf(caseId)) {
    if (!done.has(p.id)) break;
    covered += Math.max(0, p.duration);
  }
  return covered;
}

async function ask(host: AppHost, caseId: string, question: string, truth: RecordBenchOptions['event']): Promise<AskFigures> {
  const indexed = indexedSeconds(host, caseId);
  const a0 = Date.now();
  const { runId } = (await host.call('agent.ask', { caseId, question })) as { runId: string };
  const done = await host.agent.whenDone(runId);
  const ms = Date.now() - a0;
  const given = done.record.duration;
  const items = done.record.evidence;
  const first = [...items].sort((a, b) => a.rank - b.rank)[0];
  const evidence = first ? { start: first.start, end: first.end } : null;
  const within = items.length > 0 && items.every((e) => e.start >= 0 && e.end <= given + 0.01);
  // Scored against the part of the event recorded when asked.
  const seen = truth && truth.start < given ? { start: truth.start, end: Math.min(truth.end, given) } : null;
  const scorable = seen && evidence && evidence.end > evidence.start;
  return {
    state: done.state,
    ms,
    caseSeconds: given,
    indexedSeconds: indexed,
    evidence,
    within,
    iou: scorable ? temporalIoU([evidence.start, evidence.end], [seen.start, seen.end]) : null,
    chance: seen ? chanceIoU([[seen.start, seen.end]], given) : null,
  };
}

// ---- the part

export async function benchRecord(o: RecordBenchOptions): Promise<RecordFigures> {
  const cores = availableParallelism();
  const ticks = clockTicks();
  o.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cores} cores`);

  // The minute to replay, cut on a keyframe by stream copy (the bench recording has one every 2 s).
  const clip = join(o.home, 'replay.mp4');
  await runFfmpeg(
    ['-v', 'error', '-ss', String(o.from), '-i', inputPath(o.video), '-t', String(o.seconds), '-map', '0:v:0', '-c', 'copy', '-an', inputPath(clip)],
    { timeoutMs: 120_000, purpose: 'cutting the minute to replay' },
  );
  const sourceFrames = await videoPackets(clip);

  const host = testHost(o.home);
  let result: Omit<RecordFigures, 'baseline'>;
  let closed = false;
  try {
    // Both workers up and settled before the first reading, so their start-up is not counted.
    host.worker.start();
    host.recordWorker.start();
    await until(() => host.worker.state === 'up' && host.recordWorker.state === 'up', 'the workers to start');
    await sleep(500);

    let t0: number | null = null;
    let encoder = '?';
    let caseId: string | null = null;
    const coverage: { at: number; seconds: number }[] = [];
    let covered = 0;
    let ffmpegPid: number | null = null;
    let ffmpegTicks = 0;
    let midAsk: Promise<AskFigures> | null = null;
    // Asked once some seconds of the event are indexed, while segments are still coming.
    const askAfter = o.event ? Math.min(o.event.start + 10, o.seconds - 2 * o.segmentSeconds) : 0.6 * o.seconds;

    const look = () => {
      if (!caseId) return;
      const now = indexedSeconds(host, caseId);
      if (now > covered) {
        covered = now;
        coverage.push({ at: Date.now(), seconds: now });
      }
      if (!midAsk && covered >= askAfter && covered < o.seconds - 0.05) {
        o.log(`  asking mid-recording, ${covered.toFixed(1)} s indexed: "${o.question}"`);
        const asked = { caseSeconds: 0, indexedSeconds: covered, evidence: null, within: false, iou: null, chance: null };
        midAsk = ask(host, caseId, o.question, o.event).catch((err: unknown) => ({ ...asked, state: `error: ${String(err)}`, ms: 0 }));
      }
    };
    const off = host.bus.subscribe(({ name, payload }) => {
      if (name === 'recording.state' && t0 === null) {
        const enc = (payload as { encoder: { name: string } | null }).encoder;
        if (enc) {
          t0 = Date.now();
          encoder = enc.name;
        }
      }
      if (name === 'index.progress') look();
    });
    const sampler = setInterval(() => {
      look();
      ffmpegPid ??= host.store.recordingsIn('running')[0]?.ffmpeg_pid ?? null;
      const t = ffmpegPid && onLinux ? procTimes(ffmpegPid) : null;
      if (t) ffmpegTicks = Math.max(ffmpegTicks, t.self);
    }, 100);

    const before = onLinux ? snapshot(host) : null;
    const started = await host.recorder.start({ source: { replay: clip }, segmentSeconds: o.segmentSeconds, duration: o.seconds, name: 'Bench recording' });
    caseId = started.caseId;
    const ended = await started.ended;
    if (ended.reason === 'failed') throw new Error(`the recording failed: ${ended.message ?? ''}`);
    await host.indexer.whenIdle(caseId);
    look();
    const after = onLinux ? snapshot(host) : null;
    clearInterval(sampler);
    off();
    const mid = midAsk ? await (midAsk as Promise<AskFigures>) : null;
    if (t0 === null) throw new Error('the recorder never reported its start');
    const start: number = t0;

    // Keeping up: segment k closes (its file's last write) when its last moment has been encoded.
    const parts = host.store.partsOf(caseId);
    let end = 0;
    const ends: number[] = [];
    const closes: number[] = [];
    for (const p of parts) {
      end += p.duration;
      ends.push(end);
      closes.push((statSync(p.path).mtimeMs - start) / 1000);
    }
    const recorded = end;
    const lags = closes.map((c, i) => c - ends[i]!);
    // The last segment closes when the input ends and the encoder is flushed, not at the pace of
    // the feed: the speed is fitted over the segments before it.
    const steady = parts.length >= 4 ? parts.length - 1 : parts.length;
    const speed = steady >= 3 ? 1 / slope(ends.slice(0, steady), closes.slice(0, steady)) : recorded / closes[closes.length - 1]!;
    const steadyLags = lags.slice(0, steady);
    let written = 0;
    for (const p of parts) written += await videoPackets(p.path);

    // Moment to answerable, for each whole second of the recording.
    const delays: number[] = [];
    for (let t = 1; t <= Math.floor(recorded + 0.05); t++) {
      const hit = coverage.find((c) => c.seconds >= t - 0.05);
      delays.push(hit ? (hit.at - (start + t * 1000)) / 1000 : Number.POSITIVE_INFINITY);
    }

    let cpu: CpuFigures | null = null;
    if (before && after) {
      const s = (n: number) => n / ticks;
      const recorderFfmpeg = s(after.record.children - before.record.children);
      const recordWorker = s(after.record.self - before.record.self);
      const mediaWorker = s(after.media.self + after.media.children - before.media.self - before.media.children);
      const hostCpu = (after.hostMicros - before.hostMicros) / 1e6;
      cpu = {
        recorderFfmpeg, recordWorker, mediaWorker, host: hostCpu,
        total: recorderFfmpeg + recordWorker + mediaWorker + hostCpu,
        wall: (after.at - before.at) / 1000,
        recorderSampled: s(ffmpegTicks),
        machine: s(after.machine - before.machine),
      };
    }

    // Asked again once all is indexed; its own CPU tells how much of the total one ask is.
    const a0 = onLinux ? snapshot(host) : null;
    const finalAsk = await ask(host, caseId, o.question, o.event);
    const a1 = onLinux ? snapshot(host) : null;
    const askCpu = a0 && a1
      ? (a1.hostMicros - a0.hostMicros) / 1e6 + (a1.media.self + a1.media.children - a0.media.self - a0.media.children) / ticks
      : null;

    result = {
      encoder,
      segmentSeconds: o.segmentSeconds,
      segments: parts.length,
      recordedSeconds: recorded,
      speed,
      endToEndSpeed: recorded / closes[closes.length - 1]!,
      lag: { first: lags[0]!, min: Math.min(...steadyLags), max: Math.max(...steadyLags), last: lags[lags.length - 1]! },
      frames: { source: sourceFrames, written, expected: Math.round(recorded * o.fps) },
      framesLostLive: Math.round(Math.max(0, 1 - speed) * sourceFrames),
      cpu,
      cores,
      delays,
      midAsk: mid,
      finalAsk,
      askCpu,
    };
    o.log(`  load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    await host.close();
    closed = true;
  } finally {
    if (!closed) await host.close();
  }

  // Baseline: the same minute, same encoder and arguments, encoded by ffmpeg alone as fast as it goes.
  const enc = await pickH264Encoder();
  const dir = join(o.home, 'encode-only');
  mkdirSync(dir, { recursive: true });
  const args = recordArgs({ source: { kind: 'replay', path: clip }, folder: dir, segmentSeconds: o.segmentSeconds, durationS: o.seconds }, enc)
    .filter((a) => a !== '-re');
  const c0 = onLinux ? procTimes('self') : null;
  const m0 = machineBusyTicks();
  const w0 = Date.now();
  await runFfmpeg(args, { timeoutMs: 600_000, purpose: 'the encode-only baseline' });
  const wall = (Date.now() - w0) / 1000;
  const c1 = onLinux ? procTimes('self') : null;
  const cpu = c0 && c1 ? (c1.reaped - c0.reaped) / ticks : null;
  return {
    ...result,
    baseline: {
      cpu, wall, mediaSeconds: o.seconds, encoder: enc.encoder,
      others: cpu !== null ? Math.max(0, (machineBusyTicks() - m0) / ticks - cpu) : null,
    },
  };
}

/** Median (and max) of the moment-to-answerable delays. */
export function delayStats(delays: number[]): { median: number; max: number } {
  return { median: median(delays), max: Math.max(...delays) };
}
