import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { labelStrip } from '../../core/agent/frame-label.js';
import { fitLongestSide } from '../../core/agent/frame-plan.js';
import { OpscopeError } from '../../core/errors.js';
import { pool } from '../../core/pool.js';
import { frameFeatures } from '../../core/signals/index.js';
import { formatClock } from '../../core/time-format.js';
import type { AgentFramePass, AgentFrameResult, AgentFramesParams } from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { writeWhole } from '../../node/whole-file.js';
import { explainMediaFailure } from './errors.js';
import { labelledJpeg } from './frame-encode.js';
import { NotWarm, warmDecoders } from './warm-decoder.js';

/**
 * Two decoders at once, one thread each: on two cores that is what decodes fastest (a second
 * decoder thread on 1080p H.264 measured slower, not faster) without starving the rest of the app.
 */
const LANES = 2;
/** ffmpeg's JPEG scale (2 best .. 31): about quality 90, where a model reads fine detail. */
const JPEG_Q = 3;

interface Geometry {
  width: number;
  height: number;
  analysis: { width: number; height: number } | null;
}

function fixed(v: number): string {
  return v.toFixed(6);
}

/**
 * One decoder pass in one ffmpeg: a container seek to the pass's keyframe, decoding forward
 * (keyframes only in a 'key' pass), the wanted frames picked by their own timestamps, scaled,
 * labelled with their case time (the labels come in on stdin as images) and written as JPEG;
 * when features are wanted, the same frames at the index's analysis size come back raw on stdout,
 * unlabelled. Null when the decoder handed on fewer frames than asked (a keyframe the container
 * flags but the decoder does not treat as one).
 */
async function runPass(
  p: AgentFramesParams,
  g: Geometry,
  pass: AgentFramePass,
  signal: AbortSignal | undefined,
): Promise<AgentFrameResult[] | null> {
  const n = pass.frames.length;
  const strip = labelStrip(pass.frames.map((f) => formatClock(f.caseTime)), g.width, g.height);
  const select = pass.frames.map((f) => `between(t\\,${fixed(p.startTime + f.from)}\\,${fixed(p.startTime + f.to)})`).join('+');
  const a = g.analysis;
  const graph = [
    `[0:v:0]select='${select}'${a ? ',split=2[s][a]' : '[s]'}`,
    `[s]scale=${g.width}:${g.height}:flags=bicubic,setsar=1,setpts=N/TB[m]`,
    // Frame k meets label k: both counted from zero.
    '[1:v]setpts=N/TB[l]',
    `[m][l]overlay=x=${strip.x}:y=${strip.y}:eof_action=pass,format=yuvj420p[jpg]`,
    ...(a ? [`[a]scale=${a.width}:${a.height}:flags=area,format=rgb24[an]`] : []),
  ].join(';');
  const tag = `.pass-${process.pid}-${randomBytes(6).toString('hex')}`;
  // The image muxer reads % as a pattern: a folder name holding one is escaped.
  const pattern = join(p.outDir.replace(/%/g, '%%'), `${tag}-%d.tmp`);
  const analysisBytes = a ? a.width * a.height * 3 : 0;
  const cleanup = async () => {
    const names = await readdir(p.outDir).catch(() => [] as string[]);
    await Promise.all(names.filter((x) => x.startsWith(tag)).map((x) => rm(join(p.outDir, x), { force: true })));
  };
  try {
    const { stdout } = await runFfmpeg(
      [
        '-v', 'error',
        '-threads', '1',
        ...(pass.mode === 'key' ? ['-skip_frame', 'nokey'] : []),
        // Timestamps as in the file, so frames are picked by the times the packet scan read.
        '-copyts', '-noaccurate_seek',
        '-ss', fixed(pass.seek), '-t', fixed(pass.duration),
        '-i', inputPath(p.path),
        '-f', 'rawvideo', '-pixel_format', 'rgba', '-video_size', `${strip.width}x${strip.height}`, '-framerate', '1', '-i', 'pipe:0',
        '-filter_complex', graph,
        '-map', '[jpg]', '-vsync', 'passthrough', '-frames:v', String(n),
        '-c:v', 'mjpeg', '-q:v', String(JPEG_Q), '-huffman', 'default', '-f', 'image2', '-start_number', '0', pattern,
        ...(a ? ['-map', '[an]', '-vsync', 'passthrough', '-frames:v', String(n), '-f', 'rawvideo', 'pipe:1'] : []),
      ],
      {
        timeoutMs: 60_000,
        purpose: `extracting frames from ${basename(p.path)}`,
        stdin: Readable.from([Buffer.from(strip.rgba.buffer, strip.rgba.byteOffset, strip.rgba.byteLength)]),
        maxStdoutBytes: analysisBytes * n,
        ...(signal ? { signal } : {}),
      },
    );
    const written = (await readdir(p.outDir)).filter((x) => x.startsWith(`${tag}-`)).length;
    if (written < n || stdout.length < analysisBytes * n) {
      await cleanup();
      return null;
    }
    const out: AgentFrameResult[] = [];
    for (let k = 0; k < n; k++) {
      const req = pass.frames[k]!;
      let features: AgentFrameResult['features'] = null;
      if (a && p.analysis) {
        const data = new Uint8Array(stdout.buffer, stdout.byteOffset + k * analysisBytes, analysisBytes);
        const f = frameFeatures({ width: a.width, height: a.height, data }, p.analysis.mask);
        features = { blood: f.blood, haze: f.haze, outOfBody: f.outOfBody, brightness: f.brightness };
      }
      const file = join(p.outDir, `${req.name}.jpg`);
      // Renamed into place: a reader (or a concurrent request for the same frame) never sees half a file.
      await rename(join(p.outDir, `${tag}-${k}.tmp`), file);
      out.push({ index: req.index, time: req.time, file, width: g.width, height: g.height, features });
    }
    return out;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * The frames of one part the agent asked for, in the decoder passes the host planned, each
 * labelled with its case time and written as JPEG; two passes at a time. Results come back in
 * pass order.
 */
export async function extractAgentFrames(p: AgentFramesParams, signal?: AbortSignal): Promise<{ frames: AgentFrameResult[] }> {
  const passes = p.passes.filter((x) => x.frames.length > 0);
  if (passes.length === 0) return { frames: [] };
  await mkdir(p.outDir, { recursive: true });
  const size = fitLongestSide(p.source.width, p.source.height, p.size);
  const g: Geometry = { ...size, analysis: p.analysis ? { width: p.analysis.width, height: p.analysis.height } : null };
  // Frames without measures (get_frame, the storyboard) come from the part's warm decoder one by
  // one; crops, measured at the index's size, keep their one-pass decode below.
  if (!p.analysis && p.timing) {
    const warm = await warmAgentFrames(p, g, p.timing, passes, signal);
    if (warm) return { frames: warm };
  }
  const done = new Map<string, AgentFrameResult>();
  try {
    await pool(passes, LANES, async (pass) => {
      let got = await runPass(p, g, pass, signal);
      // The container called a frame a keyframe that the decoder, skipping non-keyframes,
      // skipped too: the same frames again, decoding every frame on the way.
      if (!got && pass.mode === 'key') got = await runPass(p, g, { ...pass, mode: 'all' }, signal);
      if (!got) throw new OpscopeError('tool-failed', `ffmpeg did not return all ${pass.frames.length} frames asked for from ${basename(p.path)}.`);
      got.forEach((r, k) => done.set(pass.frames[k]!.name, r));
    });
  } catch (err) {
    throw explainMediaFailure(err, basename(p.path));
  }
  return { frames: passes.flatMap((x) => x.frames).map((f) => done.get(f.name)!) };
}

/**
 * The frames through the part's warm decoder, scaled and labelled in this process; null when the
 * file does not allow a warm decoder (or it failed, which the ffmpeg command log shows), and the
 * decoder passes are used instead.
 */
async function warmAgentFrames(
  p: AgentFramesParams,
  g: Geometry,
  timing: { first: number; count: number },
  passes: AgentFramePass[],
  signal: AbortSignal | undefined,
): Promise<AgentFrameResult[] | null> {
  const out: AgentFrameResult[] = [];
  for (const f of passes.flatMap((x) => x.frames)) {
    if (signal?.aborted) throw new OpscopeError('canceled', 'Canceled.');
    let jpeg: Buffer;
    try {
      const raw = await warmDecoders.frame(p.path, f.index, { ...timing, time: f.time }, p.outDir);
      jpeg = await labelledJpeg(raw, g.width, g.height, formatClock(f.caseTime));
    } catch (err) {
      if (err instanceof OpscopeError) throw err;
      if (!(err instanceof NotWarm) && out.length > 0) throw err;
      return null;
    }
    const file = join(p.outDir, `${f.name}.jpg`);
    await writeWhole(file, (tmp) => writeFile(tmp, jpeg));
    out.push({ index: f.index, time: f.time, file, width: g.width, height: g.height, features: null });
  }
  return out;
}
