import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { OpscopeError } from '../../core/errors.js';
import type { ClosedSegment, RecordOptions, RecordSource } from '../../core/worker-protocol.js';
import { inputPath, runTool } from '../ffmpeg/run.js';

export type { ClosedSegment, RecordOptions, RecordSource };

export const SEGMENT_LIST = 'segments.csv';
export const SEGMENT_EXT = '.ts';
const OPEN_ENDED_MS = 24 * 3600_000;
const POLL_MS = 250;

/** Video capture devices this machine shows (Linux only: /dev/video*). */
export function videoDevices(): string[] {
  if (process.platform !== 'linux') return [];
  try {
    return readdirSync('/dev')
      .filter((n) => /^video\d+$/.test(n))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
      .map((n) => `/dev/${n}`);
  } catch {
    return [];
  }
}

/** The capture device a user named ("/dev/video0", "video0" or "0"), or an error that lists the devices there are. */
export function resolveDevice(name: string): string {
  if (process.platform !== 'linux') {
    throw new OpscopeError('unavailable', `Recording from a capture device is not available on ${process.platform} yet; use a replay file instead.`);
  }
  const devices = videoDevices();
  const wanted = /^\d+$/.test(name) ? `/dev/video${name}` : name.startsWith('/dev/') ? name : `/dev/${name}`;
  if (devices.includes(wanted)) return wanted;
  const list = devices.length ? `Devices found: ${devices.join(', ')}.` : 'No video capture devices were found (/dev/video*).';
  throw new OpscopeError('not-found', `There is no capture device "${name}". ${list}`);
}

function inputArgs(source: RecordSource): string[] {
  // -re paces a file at its own frame rate, so a replay arrives as a live feed would.
  if (source.kind === 'replay') return ['-re', '-i', inputPath(source.path)];
  return ['-f', 'v4l2', '-i', source.device];
}

/** The ffmpeg arguments: H.264 in MPEG-TS segments, each opening on a keyframe with its own timestamps from 0. */
export function recordArgs(opts: RecordOptions): string[] {
  const s = opts.segmentSeconds;
  // A "%" in the folder would be read as part of the segment number pattern.
  const pattern = join(opts.folder.replace(/%/g, '%%'), `seg-%05d${SEGMENT_EXT}`);
  return [
    '-v', 'error', '-progress', 'pipe:2',
    ...inputArgs(opts.source),
    ...(opts.durationS ? ['-t', String(opts.durationS)] : []),
    '-map', '0:v:0', '-an',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    '-force_key_frames', `expr:gte(t,n_forced*${s})`, '-sc_threshold', '0',
    '-f', 'segment', '-segment_time', String(s), '-segment_format', 'mpegts', '-reset_timestamps', '1',
    '-segment_list', inputPath(join(opts.folder, SEGMENT_LIST)), '-segment_list_type', 'csv',
    inputPath(pattern),
  ];
}

/** Closed segments ffmpeg has listed so far (it writes a line when it closes one). */
export async function listedSegments(folder: string): Promise<ClosedSegment[]> {
  const text = await readFile(join(folder, SEGMENT_LIST), 'utf8').catch(() => '');
  const out: ClosedSegment[] = [];
  for (const line of text.split('\n')) {
    // Only whole lines: the last one may still be being written.
    if (!line.trim() || !text.includes(`${line}\n`)) continue;
    const cells = line.split(',');
    const end = Number(cells.pop());
    const start = Number(cells.pop());
    const name = basename(cells.join(',').replace(/^"|"$/g, ''));
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    out.push({ index: out.length, file: join(folder, name), start, end });
  }
  return out;
}

/**
 * Records a live source into short self-contained segments, reporting each as soon as it is
 * closed, so a crash loses at most the segment being written. `finish` ends the recording
 * cleanly (the segment being written is closed and reported); `signal` kills it.
 */
export async function recordSegments(
  opts: RecordOptions,
  ctx: { signal?: AbortSignal; finish?: AbortSignal; onSegment(segment: ClosedSegment): void; onProgress?(seconds: number): void },
): Promise<{ segments: ClosedSegment[] }> {
  let reported = 0;
  const report = async () => {
    const listed = await listedSegments(opts.folder);
    for (; reported < listed.length; reported++) ctx.onSegment(listed[reported]!);
    return listed;
  };
  let polling = Promise.resolve<unknown>(undefined);
  const timer = setInterval(() => {
    polling = polling.then(report);
  }, POLL_MS);
  try {
    // Not runFfmpeg: that adds -nostdin, and a clean stop is "q" on stdin.
    await runTool('ffmpeg', ['-hide_banner', ...recordArgs(opts)], {
      timeoutMs: opts.durationS ? opts.durationS * 1000 + 120_000 : OPEN_ENDED_MS,
      idleTimeoutMs: 60_000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.finish ? { finish: ctx.finish } : {}),
      onProgress: (p) => ctx.onProgress?.(p.outTime),
      purpose: 'recording',
    });
  } finally {
    clearInterval(timer);
    await polling.catch(() => undefined);
  }
  return { segments: await report() };
}
