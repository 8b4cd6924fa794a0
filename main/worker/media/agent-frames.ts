import { basename, join } from 'node:path';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { drawLabel } from '../../core/agent/frame-label.js';
import { fitLongestSide, groupDense } from '../../core/agent/frame-plan.js';
import { OpscopeError } from '../../core/errors.js';
import { pool } from '../../core/pool.js';
import { frameFeatures } from '../../core/signals/index.js';
import { formatClock } from '../../core/time-format.js';
import type { AgentFrameRequest, AgentFrameResult, AgentFramesParams } from '../../core/worker-protocol.js';
import { inputPath, runFfmpeg } from '../../node/ffmpeg/run.js';
import { encodePng } from '../../node/png.js';
import { explainMediaFailure } from './errors.js';

/**
 * Frames closer than this share one decoder pass. Measured on 1080p30 H.264 with 2 s GOPs: an
 * accurate seek costs ~60-120 ms (process start plus decoding from the keyframe), about what
 * decoding one second of frames costs, so nearer frames are cheaper to decode through.
 */
const DENSE_GAP = 1;
/** Two decoders at once: what two cores sustain without starving the rest of the app. */
const LANES = 2;

interface Geometry {
  /** Written frame. */
  width: number;
  height: number;
  /** Row width of the decoded picture: the frame and, below it, the analysis frame share it. */
  stride: number;
  analysis: { width: number; height: number } | null;
}

function geometryOf(p: AgentFramesParams): Geometry {
  const { width, height } = fitLongestSide(p.source.width, p.source.height, p.size);
  const analysis = p.analysis ? { width: p.analysis.width, height: p.analysis.height } : null;
  return { width, height, stride: Math.max(width, analysis?.width ?? 0), analysis };
}

/**
 * One decoded picture per frame: the frame at its output size and, when features are wanted,
 * the analysis-size frame stacked below it, scaled by ffmpeg the way the index scales keyframes
 * so per-frame features match the index's.
 */
function filterGraph(g: Geometry, offsets: number[]): string {
  const select = offsets.length > 1 ? `select='${offsets.map((n) => `eq(n\\,${n})`).join('+')}',` : '';
  const frame = `scale=${g.width}:${g.height}:flags=bicubic,format=rgb24`;
  if (!g.analysis) return `[0:v:0]${select}${frame}[out]`;
  const a = g.analysis;
  return [
    `[0:v:0]${select}split[f][a]`,
    `[f]${frame},pad=${g.stride}:${g.height}[top]`,
    `[a]scale=${a.width}:${a.height}:flags=area,format=rgb24,pad=${g.stride}:${a.height}[bottom]`,
    '[top][bottom]vstack[out]',
  ].join(';');
}

async function decodeRun(p: AgentFramesParams, g: Geometry, run: AgentFrameRequest[], signal?: AbortSignal): Promise<Uint8Array[]> {
  const rows = g.height + (g.analysis?.height ?? 0);
  const bytes = g.stride * rows * 3;
  // After the accurate seek the first frame out is run[0]; the others follow at known offsets.
  const offsets = run.map((f) => f.index - run[0]!.index);
  const { stdout } = await runFfmpeg(
    [
      '-v', 'error',
      '-ss', Math.max(0, run[0]!.seek).toFixed(6),
      '-i', inputPath(p.path),
      '-an', '-sn', '-dn',
      '-filter_complex', filterGraph(g, offsets),
      '-map', '[out]', '-vsync', 'passthrough', '-frames:v', String(run.length),
      '-f', 'rawvideo', 'pipe:1',
    ],
    { timeoutMs: 60_000, signal, purpose: `extracting frames from ${basename(p.path)}`, maxStdoutBytes: bytes * run.length },
  );
  const out: Uint8Array[] = [];
  for (let off = 0; off + bytes <= stdout.length; off += bytes) out.push(new Uint8Array(stdout.buffer, stdout.byteOffset + off, bytes));
  if (out.length < run.length) {
    throw new OpscopeError('tool-failed', `ffmpeg returned ${out.length} of ${run.length} frames from ${basename(p.path)}.`);
  }
  return out;
}

/** Copies rows [y0, y0 + height) and columns [0, width) out of a picture `stride` pixels wide. */
function cut(picture: Uint8Array, stride: number, y0: number, width: number, height: number): Uint8Array {
  if (width === stride) return picture.subarray(y0 * stride * 3, (y0 + height) * stride * 3);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((y0 + y) * stride) * 3;
    out.set(picture.subarray(src, src + width * 3), y * width * 3);
  }
  return out;
}

async function finish(p: AgentFramesParams, g: Geometry, req: AgentFrameRequest, picture: Uint8Array): Promise<AgentFrameResult> {
  let features: AgentFrameResult['features'] = null;
  if (g.analysis && p.analysis) {
    const small = cut(picture, g.stride, g.height, g.analysis.width, g.analysis.height);
    // Measured before the label is drawn: the label is not part of the scene.
    const f = frameFeatures({ width: g.analysis.width, height: g.analysis.height, data: small }, p.analysis.mask);
    features = { blood: f.blood, haze: f.haze, outOfBody: f.outOfBody, brightness: f.brightness };
  }
  const frame = { width: g.width, height: g.height, data: new Uint8Array(cut(picture, g.stride, 0, g.width, g.height)) };
  drawLabel(frame, formatClock(req.caseTime));
  const file = join(p.outDir, `${req.name}.png`);
  // Written beside and renamed: a reader (or a concurrent request for the same frame) never
  // sees half a file.
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, await encodePng(frame.data, frame.width, frame.height));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { index: req.index, time: req.time, file, width: g.width, height: g.height, features };
}

/**
 * The frames of one part the agent asked for, each labelled with its case time and written as
 * PNG: runs of nearby frames share one decoder pass (select by frame number), distant frames get
 * an accurate seek each, two at a time. Results come back in request order.
 */
export async function extractAgentFrames(p: AgentFramesParams, signal?: AbortSignal): Promise<{ frames: AgentFrameResult[] }> {
  if (p.frames.length === 0) return { frames: [] };
  await mkdir(p.outDir, { recursive: true });
  const g = geometryOf(p);
  const ordered = [...p.frames].sort((a, b) => a.index - b.index);
  const done = new Map<string, AgentFrameResult>();
  try {
    await pool(groupDense(ordered, DENSE_GAP), LANES, async (run) => {
      const pictures = await decodeRun(p, g, run, signal);
      for (let k = 0; k < run.length; k++) {
        if (signal?.aborted) throw new OpscopeError('canceled', 'Canceled while extracting frames.');
        done.set(run[k]!.name, await finish(p, g, run[k]!, pictures[k]!));
      }
    });
  } catch (err) {
    throw explainMediaFailure(err, basename(p.path));
  }
  return { frames: p.frames.map((f) => done.get(f.name)!) };
}
