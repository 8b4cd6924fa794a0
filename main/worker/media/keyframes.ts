import { basename } from 'node:path';
import { mkdir, readdir } from 'node:fs/promises';
import type { AnalysisGeometry, ThumbGeometry } from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { explainMediaFailure } from './errors.js';

/** Codecs whose decoders can skip work by decoding at 1/2, 1/4 or 1/8 size. */
const LOWRES_CODECS = new Set(['mjpeg', 'mpeg1video', 'mpeg2video', 'mpeg4', 'h263', 'msmpeg4v3']);

export function decoderOptions(codec: string, width: number, denseSampling: boolean): string[] {
  // One decoder thread: indexing runs two decoders side by side (one per core), and frame
  // threads only add their set-up and hand-offs to each keyframe (measured a quarter more CPU).
  const args: string[] = ['-threads', '1'];
  // Decoding only keyframes is what makes indexing fast; with sparse keyframes every frame is
  // decoded and sampled once a second instead.
  if (!denseSampling) args.push('-skip_frame', 'nokey');
  if (LOWRES_CODECS.has(codec)) {
    let k = 0;
    while (k < 3 && width / 2 ** (k + 1) >= 320) k++;
    if (k > 0) args.push('-lowres', String(k));
  }
  return args;
}

function minSpacing(seconds: number): string {
  return `select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,${seconds.toFixed(3)})`;
}

export interface KeyframePassOptions {
  path: string;
  codec: string;
  sourceWidth: number;
  from: number;
  to: number;
  analysis: AnalysisGeometry;
  thumbs: ThumbGeometry;
  thumbDir: string;
  thumbPrefix: string;
  denseSampling: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  onFrame: (time: number, rgb: Uint8Array) => void;
}

export interface KeyframePassResult {
  frames: number;
  thumbFiles: string[];
  thumbTimes: number[];
}

/**
 * One ffmpeg pass over [from, to): small RGB frames for analysis on stdout and thumbnail sheets
 * written by ffmpeg's tile filter, with each frame's real timestamp read from showinfo.
 */
export async function keyframePass(o: KeyframePassOptions): Promise<KeyframePassResult> {
  const name = basename(o.path);
  await mkdir(o.thumbDir, { recursive: true });
  const frameBytes = o.analysis.width * o.analysis.height * 3;
  const span = Math.max(0.001, o.to - o.from);
  const graph = [
    `[0:v:0]${minSpacing(o.denseSampling ? 0.999 : 0.45)},split[s1][s2]`,
    `[s1]scale=${o.analysis.width}:${o.analysis.height}:flags=area,format=rgb24,showinfo@an[a]`,
    // showinfo checksums every plane it sees: on the thumbnail, not on the full-size frame (the
    // timestamp is the same; at 1080p this was a third of the pass).
    `[s2]${minSpacing(Math.max(0.001, o.thumbs.interval - 0.05))},` +
      `scale=${o.thumbs.width}:${o.thumbs.height}:flags=bilinear,showinfo@th,tile=${o.thumbs.columns}x${o.thumbs.rows}[t]`,
  ].join(';');
  const pattern = `${o.thumbDir}/${o.thumbPrefix}-%04d.jpg`;
  const args = [
    '-loglevel', 'info', '-nostats',
    ...decoderOptions(o.codec, o.sourceWidth, o.denseSampling),
    '-ss', o.from.toFixed(6), '-t', span.toFixed(6),
    '-i', inputPath(o.path),
    '-an', '-sn', '-dn',
    '-filter_complex', graph,
    '-map', '[a]', '-vsync', 'passthrough', '-f', 'rawvideo', 'pipe:1',
    '-map', '[t]', '-vsync', 'passthrough', '-start_number', '0', '-q:v', '5', '-f', 'image2', '-y', pattern,
  ];

  const analysisTimes: number[] = [];
  const pendingFrames: Uint8Array[] = [];
  const thumbTimes: number[] = [];
  let delivered = 0;
  let carry: Buffer = Buffer.alloc(0);
  const deliver = () => {
    while (pendingFrames.length && delivered < analysisTimes.length) {
      const t = analysisTimes[delivered]!;
      o.onFrame(t, pendingFrames.shift()!);
      delivered++;
      o.onProgress?.(Math.min(1, Math.max(0, (t - o.from) / span)));
    }
  };
  const ptsOf = (line: string): number | null => {
    const m = /pts_time:\s*(-?[\d.]+)/.exec(line);
    return m ? o.from + Number(m[1]) : null;
  };
  try {
    await runFfmpeg(args, {
      timeoutMs: Math.max(120_000, span * 2000),
      idleTimeoutMs: 120_000,
      signal: o.signal,
      purpose: `indexing ${name}`,
      onStdout: (chunk) => {
        carry = carry.length ? Buffer.concat([carry, chunk]) : chunk;
        while (carry.length >= frameBytes) {
          pendingFrames.push(new Uint8Array(carry.subarray(0, frameBytes)));
          carry = carry.subarray(frameBytes);
        }
        deliver();
      },
      onStderrLine: (line) => {
        if (line.startsWith('[showinfo@an')) {
          const t = ptsOf(line);
          if (t !== null) analysisTimes.push(t);
          deliver();
        } else if (line.startsWith('[showinfo@th')) {
          const t = ptsOf(line);
          if (t !== null) thumbTimes.push(t);
        }
      },
    });
  } catch (err) {
    throw explainMediaFailure(err, name);
  }
  deliver();
  const thumbFiles = (await readdir(o.thumbDir))
    .filter((f) => f.startsWith(`${o.thumbPrefix}-`) && f.endsWith('.jpg'))
    .sort()
    .map((f) => `${o.thumbDir}/${f}`);
  return { frames: delivered, thumbFiles, thumbTimes };
}

/** One small RGB frame at (or just after) `time`, decoding a single keyframe. */
export async function sampleFrame(
  path: string,
  codec: string,
  sourceWidth: number,
  time: number,
  analysis: AnalysisGeometry,
  signal?: AbortSignal,
): Promise<Uint8Array | null> {
  const { stdout } = await runFfmpeg(
    [
      '-v', 'error',
      ...decoderOptions(codec, sourceWidth, false),
      '-ss', Math.max(0, time).toFixed(6),
      '-i', inputPath(path),
      '-an', '-sn', '-dn', '-frames:v', '1',
      '-vf', `scale=${analysis.width}:${analysis.height}:flags=area,format=rgb24`,
      '-f', 'rawvideo', 'pipe:1',
    ],
    { timeoutMs: 60_000, signal, purpose: `sampling ${basename(path)}`, maxStdoutBytes: analysis.width * analysis.height * 3 * 2 },
  );
  const bytes = analysis.width * analysis.height * 3;
  return stdout.length >= bytes ? new Uint8Array(stdout.subarray(0, bytes)) : null;
}
