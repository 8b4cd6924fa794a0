import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { OpscopeError, serializeError } from '../../core/errors.js';
import type { ClosedSegment, RecordOptions, RecordSource } from '../../core/worker-protocol.js';
import { inputPath, runTool, ToolFailure } from '../ffmpeg/run.js';
import { commonEncodeArgs, demoteEncoder, LIBX264, pickH264Encoder, type H264Encoder } from './encoders.js';

export type { ClosedSegment, H264Encoder, RecordOptions, RecordSource };

export const SEGMENT_LIST = 'segments.csv';
/** Fragmented MP4: each segment plays on its own, in Chromium directly, and keeps its complete fragments when cut. */
export const SEGMENT_EXT = '.mp4';
/** Segment names are this (or the recording's prefix), a five-digit number and SEGMENT_EXT. */
export const SEGMENT_PREFIX = 'seg-';
/** The frame rate of a window capture whose device did not say. */
const DEFAULT_CAPTURE_FPS = 30;
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
  // A replay resumed after a restart starts where a live feed would be by then.
  if (source.kind === 'replay') return ['-re', ...(source.offset ? ['-ss', source.offset.toFixed(3)] : []), '-i', inputPath(source.path)];
  if (source.kind === 'device') return ['-f', 'v4l2', '-i', source.device];
  // A capture the app's window sends (WebM or Matroska from MediaRecorder), read from stdin.
  return ['-f', 'matroska', '-i', 'pipe:0'];
}

/**
 * Seconds between forced keyframes: the segment divided evenly into pieces of about a second,
 * so every segment boundary is a keyframe and every fragment about a second long.
 */
export function keyframeInterval(segmentSeconds: number): number {
  return segmentSeconds / Math.max(1, Math.round(segmentSeconds));
}

/**
 * Options of the MP4 muxer inside each segment: an empty moov first and a fragment (moof + mdat)
 * at each keyframe, at most `interval` long, so a segment cut mid-write keeps every fragment
 * written before the cut. Fragment offsets are relative to their own moof (default_base_moof).
 */
export function fragmentOptions(interval: number): string {
  return `movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=${Math.round(interval * 1e6)}`;
}

/**
 * The ffmpeg arguments: H.264 in fragmented MP4 segments of `segmentSeconds`, each opening on a
 * keyframe with its own timestamps from 0, made of fragments of about a second.
 */
export function recordArgs(opts: RecordOptions, encoder: H264Encoder = LIBX264): string[] {
  const s = opts.segmentSeconds;
  const interval = keyframeInterval(s);
  // A "%" in the folder or prefix would be read as part of the segment number pattern.
  const prefix = (opts.prefix ?? SEGMENT_PREFIX).replace(/%/g, '%%');
  const pattern = join(opts.folder.replace(/%/g, '%%'), `${prefix}%05d${SEGMENT_EXT}`);
  return [
    '-v', 'error', '-progress', 'pipe:2',
    ...inputArgs(opts.source),
    ...(opts.durationS ? ['-t', String(opts.durationS)] : []),
    '-map', '0:v:0', '-an',
    // A browser's stream carries capture-clock timestamps in milliseconds: written at the device's
    // rate, the segments have a frame rate players and the index can rely on.
    ...(opts.source.kind === 'stream' ? ['-vsync', 'cfr', '-r', String(opts.source.frameRate ?? DEFAULT_CAPTURE_FPS)] : []),
    ...commonEncodeArgs(interval),
    ...encoder.args,
    '-f', 'segment', '-segment_time', String(s), '-reset_timestamps', '1',
    '-segment_format', 'mp4', '-segment_format_options', fragmentOptions(interval),
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

export interface RecordContext {
  /** Kills the recording (the segment being written is cut). */
  signal?: AbortSignal;
  /** Ends the recording cleanly: the segment being written is closed and reported. */
  finish?: AbortSignal;
  onSegment(segment: ClosedSegment): void;
  onProgress?(seconds: number): void;
  /**
   * ffmpeg was started: its process id (to stop it after a crash of the app) and the encoder.
   * Called again only when a hardware encoder failed before anything was recorded and libx264
   * took over.
   */
  onStart?(pid: number, encoder: H264Encoder): void;
  /** The encoder to use; by default the one `pickH264Encoder` finds. */
  encoder?: H264Encoder;
  /** The stream of a `stream` source (what the app's window captures). */
  input?: Readable;
}

/**
 * Records a live source into short self-contained segments, reporting each as soon as it is
 * closed, so a crash loses at most the fragment being written. `finish` ends the recording
 * cleanly (the segment being written is closed and reported); `signal` kills it.
 */
export async function recordSegments(opts: RecordOptions, ctx: RecordContext): Promise<{ segments: ClosedSegment[]; encoder: H264Encoder }> {
  if (opts.source.kind === 'stream' && !ctx.input) {
    throw new OpscopeError('invalid-input', 'A stream source needs the stream: the recording job was given no input.');
  }
  let encoder = ctx.encoder ?? (await pickH264Encoder(ctx.signal ? { signal: ctx.signal } : {}));
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
    for (;;) {
      let recorded = false;
      const current = encoder;
      try {
        // Not runFfmpeg: that adds -nostdin, and a clean stop is "q" on stdin.
        await runTool('ffmpeg', ['-hide_banner', ...recordArgs(opts, current)], {
          timeoutMs: opts.durationS ? opts.durationS * 1000 + 120_000 : OPEN_ENDED_MS,
          idleTimeoutMs: 60_000,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          ...(ctx.finish ? { finish: ctx.finish } : {}),
          ...(opts.source.kind === 'stream' && ctx.input ? { stdin: ctx.input } : {}),
          onSpawn: (pid) => ctx.onStart?.(pid, current),
          onProgress: (p) => {
            if (p.outTime > 0) recorded = true;
            ctx.onProgress?.(p.outTime);
          },
          purpose: 'recording',
        });
        break;
      } catch (err) {
        // A hardware encoder that passed its test can still refuse the real feed (a session limit,
        // a frame size it does not take): libx264 takes over while nothing has been recorded.
        // Not for a stream: the failed attempt has read its start, which cannot be read again.
        const early = !recorded && reported === 0 && !ctx.signal?.aborted && !ctx.finish?.aborted && opts.source.kind !== 'stream';
        if (!current.hardware || !early || !(err instanceof ToolFailure)) throw err;
        const why = serializeError(err).message;
        encoder = ctx.encoder
          ? { ...LIBX264, args: [...LIBX264.args], tried: [...current.tried, { encoder: current.encoder, why }] }
          : demoteEncoder(current, why);
      }
    }
  } finally {
    clearInterval(timer);
    await polling.catch(() => undefined);
  }
  return { segments: await report(), encoder };
}
