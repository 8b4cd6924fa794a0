import { existsSync } from 'node:fs';
import { serializeError } from '../../core/errors.js';
import { runFfmpeg, type RunOptions, type RunResult } from '../ffmpeg/run.js';

/** An H.264 encoder and the output arguments that select and configure it. */
export interface H264Encoder {
  encoder: string;
  /** Output-side ffmpeg arguments (codec, pixel format, rate control, upload filter). */
  args: string[];
  hardware: boolean;
  /** The encoders considered before this one, and why each was not used. */
  tried: { encoder: string; why: string }[];
}

/** Runs ffmpeg with these arguments (the `-hide_banner -nostdin` prefix is the runner's). */
export type FfmpegRunner = (args: readonly string[], opts: RunOptions) => Promise<RunResult>;

export interface EncoderProbeContext {
  /** Defaults to the app's ffmpeg; tests inject their own. */
  run?: FfmpegRunner;
  platform?: NodeJS.Platform;
  /** Whether a device node exists (the VAAPI render node); defaults to the file system. */
  exists?: (path: string) => boolean;
  signal?: AbortSignal;
}

/** The software fallback every ordinary ffmpeg build has: fast enough for 1080p30 live on two cores. */
export const LIBX264: H264Encoder = {
  encoder: 'libx264',
  // No keyframes at scene cuts: only the forced ones, so fragments stay even.
  args: ['-c:v', 'libx264', '-preset', 'veryfast', '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
  hardware: false,
  tried: [],
};

/** Hardware encoders get a bitrate target: their constant-quality modes differ between vendors and builds. */
const HW_BITRATE = '10M';
export const VAAPI_DEVICE = '/dev/dri/renderD128';

const HARDWARE: Record<string, string[]> = {
  h264_videotoolbox: ['-c:v', 'h264_videotoolbox', '-b:v', HW_BITRATE, '-pix_fmt', 'yuv420p'],
  // Forced keyframes become IDR frames, so every segment and fragment opens on one.
  h264_nvenc: ['-c:v', 'h264_nvenc', '-b:v', HW_BITRATE, '-forced-idr', '1', '-pix_fmt', 'yuv420p'],
  h264_qsv: ['-c:v', 'h264_qsv', '-b:v', HW_BITRATE, '-forced_idr', '1', '-pix_fmt', 'nv12'],
  h264_amf: ['-c:v', 'h264_amf', '-b:v', HW_BITRATE, '-pix_fmt', 'nv12'],
  // A global option may stand anywhere on the command line; frames are uploaded to the GPU.
  h264_vaapi: ['-vaapi_device', VAAPI_DEVICE, '-vf', 'format=nv12,hwupload', '-c:v', 'h264_vaapi', '-b:v', HW_BITRATE],
};

/** Hardware encoders worth trying here, most likely to work first. */
export function hardwareCandidates(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['h264_videotoolbox'];
  if (platform === 'win32') return ['h264_nvenc', 'h264_qsv', 'h264_amf'];
  if (platform === 'linux') return ['h264_nvenc', 'h264_qsv', 'h264_amf', 'h264_vaapi'];
  return [];
}

/**
 * Arguments that every recording encode uses whatever the encoder, so a probe that succeeds with
 * them proves the recording's settings too: no B-frames (a fragmented segment then starts at 0
 * without an edit list) and a keyframe at every `interval` seconds.
 */
export function commonEncodeArgs(keyframeInterval: number): string[] {
  return ['-bf', '0', '-force_key_frames', `expr:gte(t,n_forced*${keyframeInterval})`];
}

/** Names in `ffmpeg -encoders` output. */
export function parseEncoderList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*[VAS][.A-Z]{5}\s+(\S+)/.exec(line);
    if (m && m[1] !== '=') names.add(m[1]!);
  }
  return names;
}

const LIST_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 8_000;

/** A few tiny frames through the encoder with the recording's settings; the error says why it failed. */
export function probeArgs(enc: { args: string[] }): string[] {
  return [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-frames:v', '5', '-an',
    ...commonEncodeArgs(1), ...enc.args, '-f', 'null', '-',
  ];
}

function reason(err: unknown): string {
  const message = serializeError(err).message;
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}

/**
 * Finds the H.264 encoder to record with: the platform's hardware encoders that this ffmpeg
 * has, each proven by a short test encode, else libx264 (else OpenH264). Hardware encoding
 * leaves the CPU to the analysis running beside the recording.
 */
export async function detectH264Encoder(ctx: EncoderProbeContext = {}): Promise<H264Encoder> {
  const run = ctx.run ?? runFfmpeg;
  const platform = ctx.platform ?? process.platform;
  const exists = ctx.exists ?? existsSync;
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const { stdout } = await run(['-encoders'], { timeoutMs: LIST_TIMEOUT_MS, purpose: 'listing the encoders', ...signal });
  const available = parseEncoderList(stdout.toString('utf8'));
  const tried: H264Encoder['tried'] = [];
  for (const encoder of hardwareCandidates(platform)) {
    if (!available.has(encoder)) {
      tried.push({ encoder, why: 'not in this ffmpeg build' });
      continue;
    }
    if (encoder === 'h264_vaapi' && !exists(VAAPI_DEVICE)) {
      tried.push({ encoder, why: `no ${VAAPI_DEVICE}` });
      continue;
    }
    const args = HARDWARE[encoder]!;
    try {
      await run(probeArgs({ args }), { timeoutMs: PROBE_TIMEOUT_MS, purpose: `trying ${encoder}`, ...signal });
      return { encoder, args: [...args], hardware: true, tried };
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      tried.push({ encoder, why: reason(err) });
    }
  }
  if (!available.has('libx264') && available.has('libopenh264')) {
    tried.push({ encoder: 'libx264', why: 'not in this ffmpeg build' });
    return { encoder: 'libopenh264', args: ['-c:v', 'libopenh264', '-b:v', HW_BITRATE, '-pix_fmt', 'yuv420p'], hardware: false, tried };
  }
  // libx264 is the answer even when unlisted: the recording then fails with ffmpeg's own words.
  return { ...LIBX264, args: [...LIBX264.args], tried };
}

const picked = new WeakMap<FfmpegRunner, Promise<H264Encoder>>();

/**
 * `detectH264Encoder`, once per process (per runner): the answer cannot change while the app
 * runs. A failed or canceled detection is not kept.
 */
export function pickH264Encoder(ctx: EncoderProbeContext = {}): Promise<H264Encoder> {
  const key = ctx.run ?? runFfmpeg;
  let p = picked.get(key);
  if (!p) {
    p = detectH264Encoder(ctx);
    picked.set(key, p);
    const mine = p;
    p.catch(() => {
      if (picked.get(key) === mine) picked.delete(key);
    });
  }
  return p;
}

/** Forgets a hardware encoder that failed to start a real recording; libx264 is used from then on. */
export function demoteEncoder(failed: H264Encoder, why: string, run: FfmpegRunner = runFfmpeg): H264Encoder {
  const fallback: H264Encoder = { ...LIBX264, args: [...LIBX264.args], tried: [...failed.tried, { encoder: failed.encoder, why }] };
  picked.set(run, Promise.resolve(fallback));
  return fallback;
}
