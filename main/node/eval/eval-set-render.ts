/*
 * Renders one video of an evaluation set (eval-set-plan.ts). The picture is composed frame by
 * frame in plain pixels at a small working size, with a make of its own rather than the
 * `make-bench` generator's: the real robotic tissue clip (played back and forth, with a wandering
 * camera) or a procedural surface; bleeding as a dark spreading pool, smoke as an airlight veil
 * (I = J t + A (1 - t)) of uneven density, the view outside the patient as a real photograph of
 * people or a grey operating room, a pause as a frozen picture that keeps its sensor noise. The
 * look comes last: white balance and gamma, vignette, a round field or letterbox bars. ffmpeg then
 * scales to the output size, burns in console text, thins frames for a variable rate and encodes.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { inputPath, runFfmpeg } from '../ffmpeg/run.js';
import { writeWhole } from '../whole-file.js';
import { Random } from '../synthetic/random.js';
import { renderOverlayText } from '../synthetic/text.js';
import type { EvalEvent, EvalVideo } from './eval-set-plan.js';

const W = 640;
const H = 360;
/** The still the camera wanders over is this much larger than the frame. */
const MARGIN = 1.15;

export interface RenderInputs {
  /** The real tissue clip. */
  tissueClip: string;
  /** Photographs of people in rooms, for out-of-body views. */
  photos: readonly string[];
}

interface Picture {
  width: number;
  height: number;
  data: Uint8Array;
}

async function decodeFrames(path: string, width: number, height: number, max: number): Promise<Picture[]> {
  const { stdout } = await runFfmpeg(
    ['-hide_banner', '-i', inputPath(path), '-frames:v', String(max), '-vf', `scale=${width}:${height}:flags=area,format=rgb24`, '-f', 'rawvideo', 'pipe:1'],
    { timeoutMs: 120_000, purpose: 'reading footage for an evaluation set', maxStdoutBytes: width * height * 3 * max + 1 },
  );
  const size = width * height * 3;
  const out: Picture[] = [];
  for (let o = 0; o + size <= stdout.length; o += size) out.push({ width, height, data: new Uint8Array(stdout.subarray(o, o + size)) });
  return out;
}

// ------------------------------------------------------------------------------------------
// Procedural pictures

function valueNoise(w: number, h: number, cell: number, rnd: Random): Float32Array {
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = new Float32Array(gw * gh).map(() => rnd.next());
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = y / cell;
    const iy = Math.floor(fy);
    const ty = fy - iy;
    const sy = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < w; x++) {
      const fx = x / cell;
      const ix = Math.floor(fx);
      const tx = fx - ix;
      const sx = tx * tx * (3 - 2 * tx);
      const a = grid[iy * gw + ix]!;
      const b = grid[iy * gw + ix + 1]!;
      const c = grid[(iy + 1) * gw + ix]!;
      const d = grid[(iy + 1) * gw + ix + 1]!;
      out[y * w + x] = (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy;
    }
  }
  return out;
}

function fbm(w: number, h: number, base: number, rnd: Random): Float32Array {
  const out = new Float32Array(w * h);
  let amp = 0.5;
  let total = 0;
  for (let cell = base; cell >= 4; cell /= 2) {
    const n = valueNoise(w, h, cell, rnd.fork(cell));
    for (let i = 0; i < out.length; i++) out[i]! += amp * n[i]!;
    total += amp;
    amp /= 2;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

/** A tissue surface: shading, darker vessels, yellow fat, in the look's base colour. */
function proceduralTissue(w: number, h: number, colour: readonly [number, number, number], rnd: Random): Picture {
  const shade = fbm(w, h, 96, rnd.fork(1));
  const vessels = fbm(w, h, 48, rnd.fork(2));
  const fat = fbm(w, h, 64, rnd.fork(3));
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const s = 0.5 + 0.8 * shade[i]!;
    let r = colour[0] * s;
    let g = colour[1] * s;
    let b = colour[2] * s;
    if (Math.abs(vessels[i]! - 0.5) < 0.012) {
      r *= 0.8;
      g *= 0.45;
      b *= 0.5;
    }
    const f = Math.max(0, (fat[i]! - 0.62) * 4);
    if (f > 0) {
      const k = Math.min(1, f);
      r = r * (1 - k) + 225 * s * k;
      g = g * (1 - k) + 190 * s * k;
      b = b * (1 - k) + 110 * s * k;
    }
    data[i * 3] = clamp(r);
    data[i * 3 + 1] = clamp(g);
    data[i * 3 + 2] = clamp(b);
  }
  return { width: w, height: h, data };
}

/** A grey operating room: walls, a blue-green drape, a bright lamp, a dark monitor. */
function proceduralRoom(w: number, h: number, rnd: Random): Picture {
  const tex = fbm(w, h, 80, rnd.fork(4));
  const data = new Uint8Array(w * h * 3);
  const lampX = rnd.range(0.2, 0.8) * w;
  const lampY = rnd.range(0.1, 0.35) * h;
  const drapeY = rnd.range(0.55, 0.75) * h;
  const monX = rnd.range(0.05, 0.6) * w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const t = 0.8 + 0.4 * tex[i]!;
      let c: [number, number, number] = [150 * t, 155 * t, 158 * t];
      if (y > drapeY) c = [60 * t, 120 * t, 125 * t];
      if (x > monX && x < monX + 0.25 * w && y > 0.3 * h && y < 0.5 * h) c = [30, 34, 40];
      const d = Math.hypot(x - lampX, y - lampY) / (0.08 * w);
      if (d < 1) c = [250, 250, 245];
      else if (d < 2) c = c.map((v) => v + (250 - v) * (2 - d) * 0.6) as [number, number, number];
      data[i * 3] = clamp(c[0]);
      data[i * 3 + 1] = clamp(c[1]);
      data[i * 3 + 2] = clamp(c[2]);
    }
  }
  return { width: w, height: h, data };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

// ------------------------------------------------------------------------------------------
// Composition

/** The window of a larger picture the camera sees, bilinear, at (ox, oy) with scale 1. */
function viewOf(src: Picture, ox: number, oy: number, out: Uint8Array): void {
  const sw = src.width;
  const d = src.data;
  for (let y = 0; y < H; y++) {
    const sy = Math.min(src.height - 1.001, Math.max(0, oy + y));
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < W; x++) {
      const sx = Math.min(sw - 1.001, Math.max(0, ox + x));
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const a = (y0 * sw + x0) * 3;
      const b = a + 3;
      const c = a + sw * 3;
      const e = c + 3;
      const o = (y * W + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = d[a + k]! + (d[b + k]! - d[a + k]!) * fx;
        const bot = d[c + k]! + (d[e + k]! - d[c + k]!) * fx;
        out[o + k] = top + (bot - top) * fy;
      }
    }
  }
}

interface Instrument {
  angle0: number;
  side: number;
  speed: number;
  phase: number;
  width: number;
  grey: number;
}

/** A grey instrument shaft entering from one side, sweeping slowly. */
function drawInstrument(frame: Uint8Array, ins: Instrument, mt: number): void {
  const angle = ins.angle0 + 0.35 * Math.sin(mt * ins.speed + ins.phase);
  const reach = 0.45 + 0.15 * Math.sin(mt * ins.speed * 0.7 + ins.phase * 2);
  const x0 = ins.side < 0 ? -20 : W + 20;
  const y0 = H * 0.75;
  const dx = Math.cos(angle) * -ins.side;
  const dy = -Math.abs(Math.sin(angle));
  const len = reach * W;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const px = x - x0;
      const py = y - y0;
      const along = px * dx + py * dy;
      if (along < 0 || along > len) continue;
      const across = Math.abs(-px * dy + py * dx);
      if (across > ins.width) continue;
      const shade = ins.grey * (0.75 + 0.35 * (1 - across / ins.width));
      const o = (y * W + x) * 3;
      frame[o] = clamp(shade);
      frame[o + 1] = clamp(shade * 1.01);
      frame[o + 2] = clamp(shade * 1.04);
    }
  }
}

interface Pool {
  cx: number;
  cy: number;
  radius: number;
  wobble: number[];
  red: number;
}

function drawPool(frame: Uint8Array, p: Pool, grow: number, texture: Float32Array): void {
  const r = p.radius * grow;
  const x0 = Math.max(0, Math.floor(p.cx - r * 1.4));
  const x1 = Math.min(W - 1, Math.ceil(p.cx + r * 1.4));
  const y0 = Math.max(0, Math.floor(p.cy - r * 1.4));
  const y1 = Math.min(H - 1, Math.ceil(p.cy + r * 1.4));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const a = Math.atan2(y - p.cy, x - p.cx);
      let edge = 1;
      p.wobble.forEach((w, k) => (edge += w * Math.sin((k + 2) * a + k)));
      const d = Math.hypot(x - p.cx, y - p.cy) / (r * edge);
      if (d >= 1) continue;
      const alpha = Math.min(1, (1 - d) * 6);
      const t = texture[y * W + x]!;
      const o = (y * W + x) * 3;
      const br = p.red * (0.75 + 0.45 * t);
      frame[o] = frame[o]! * (1 - alpha) + br * alpha;
      frame[o + 1] = frame[o + 1]! * (1 - alpha) + br * 0.09 * alpha;
      frame[o + 2] = frame[o + 2]! * (1 - alpha) + br * 0.1 * alpha;
    }
  }
}

/** Ramps 0 -> 1 over `rise` s after `start` and back to 0 over `fall` s before `end`. */
function envelope(t: number, e: EvalEvent, rise: number, fall: number): number {
  if (t < e.start || t >= e.end) return 0;
  return Math.min(1, (t - e.start) / rise + 0.25, (e.end - t) / fall + 0.25);
}

interface Prepared {
  still: Picture | null;
  clip: Picture[];
  outside: Picture[];
  instruments: Instrument[];
  pools: Map<EvalEvent, Pool>;
  smokeTex: Float32Array;
  bloodTex: Float32Array;
  mask: Float32Array;
  /** White balance and gamma per channel. */
  lut: Uint8Array[];
}

function viewMask(v: EvalVideo, rnd: Random): Float32Array {
  const mask = new Float32Array(W * H).fill(1);
  const look = v.look;
  const cx = W / 2 + rnd.range(-10, 10);
  const cy = H / 2;
  const radius = H * rnd.range(0.5, 0.62);
  const bar = Math.round(W * rnd.range(0.1, 0.16));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const dx = (x - W / 2) / (W / 2);
      const dy = (y - H / 2) / (H / 2);
      let m = 1 - look.vignette * 0.6 * Math.min(1, (dx * dx + dy * dy) / 2);
      if (look.border === 'round') {
        const d = Math.hypot(x - cx, y - cy);
        m *= Math.max(0, Math.min(1, radius - d));
      } else if (look.border === 'letterbox' && (x < bar || x >= W - bar)) m = 0;
      mask[i] = m;
    }
  }
  return mask;
}

async function prepare(v: EvalVideo, inputs: RenderInputs, rnd: Random): Promise<Prepared> {
  const bigW = Math.round(W * MARGIN);
  const bigH = Math.round(H * MARGIN);
  const still = v.source === 'procedural' ? proceduralTissue(bigW, bigH, v.look.tissue, rnd.fork(10)) : null;
  const clip = v.source === 'tissue' ? await decodeFrames(inputs.tissueClip, bigW, bigH, 40) : [];
  const outsideEvents = v.events.filter((e) => e.kind === 'out-of-body');
  const outside: Picture[] = [];
  for (const [k] of outsideEvents.entries()) {
    if (v.look.outside === 'photo' && inputs.photos.length > 0) {
      const photo = inputs.photos[(rnd.int(0, 1000) + k) % inputs.photos.length]!;
      outside.push((await decodeFrames(photo, Math.round(W * 1.3), Math.round(H * 1.3), 1))[0]!);
    } else outside.push(proceduralRoom(Math.round(W * 1.3), Math.round(H * 1.3), rnd.fork(20 + k)));
  }
  const instruments: Instrument[] =
    v.source === 'procedural'
      ? Array.from({ length: rnd.int(1, 2) }, (_, k) => ({
          angle0: rnd.range(0.3, 0.9),
          side: k === 0 ? -1 : 1,
          speed: rnd.range(0.3, 0.9),
          phase: rnd.phase(),
          width: rnd.range(10, 20),
          grey: rnd.range(110, 190),
        }))
      : [];
  const pools = new Map<EvalEvent, Pool>();
  for (const e of v.events.filter((x) => x.kind === 'bleeding')) {
    pools.set(e, {
      cx: rnd.range(0.3, 0.7) * W,
      cy: rnd.range(0.3, 0.7) * H,
      radius: rnd.range(0.09, 0.2) * H,
      wobble: [rnd.range(0, 0.2), rnd.range(0, 0.15), rnd.range(0, 0.1)],
      red: rnd.range(100, 160),
    });
  }
  return {
    still,
    clip,
    outside,
    instruments,
    pools,
    smokeTex: fbm(W, H, 128, rnd.fork(30)),
    bloodTex: fbm(W, H, 16, rnd.fork(31)),
    mask: viewMask(v, rnd.fork(32)),
    lut: v.look.gain.map((g) => Uint8Array.from({ length: 256 }, (_, i) => clamp(255 * Math.pow(Math.min(1, (i * g) / 255), 1 / v.look.gamma)))),
  };
}

/** Camera time: it stands still during a pause. */
function motionTime(t: number, events: readonly EvalEvent[]): number {
  let m = t;
  for (const e of events) {
    if (e.kind !== 'idle' || t < e.start) continue;
    m -= Math.min(t, e.end) - e.start;
  }
  return m;
}

function renderFrame(v: EvalVideo, p: Prepared, t: number, frame: Uint8Array, noise: Random, wander: number[]): void {
  const mt = motionTime(t, v.events);
  const active = (kind: EvalEvent['kind']) => v.events.find((e) => e.kind === kind && t >= e.start && t < e.end);
  const mx = (W * (MARGIN - 1)) / 2;
  const my = (H * (MARGIN - 1)) / 2;
  const ox = mx * (1 + 0.7 * Math.sin(mt * wander[0]! + wander[1]!) + 0.2 * Math.sin(mt * 1.7 + wander[2]!));
  const oy = my * (1 + 0.7 * Math.sin(mt * wander[3]! + wander[4]!) + 0.2 * Math.sin(mt * 2.3));
  const out = active('out-of-body');
  if (out) {
    const k = v.events.filter((e) => e.kind === 'out-of-body').indexOf(out);
    const pic = p.outside[k]!;
    const sx = (pic.width - W) * (0.5 + 0.4 * Math.sin(t * 0.6 + k));
    const sy = (pic.height - H) * (0.5 + 0.4 * Math.sin(t * 0.45 + 2 * k));
    viewOf(pic, sx, sy, frame);
  } else {
    if (p.still) viewOf(p.still, ox, oy, frame);
    else {
      // Back and forth through the clip, at its own 10 frames a second.
      const n = p.clip.length;
      const period = 2 * n - 2;
      const f = Math.floor(mt * 10) % period;
      viewOf(p.clip[f < n ? f : period - f]!, ox, oy, frame);
    }
    for (const ins of p.instruments) drawInstrument(frame, ins, mt);
    for (const [e, pool] of p.pools) {
      const a = envelope(t, e, 1.5, 0.5);
      if (a > 0) drawPool(frame, pool, Math.min(1, 0.35 + (t - e.start) / 2), p.bloodTex);
    }
    const smoke = active('smoke');
    if (smoke) {
      const density = envelope(t, smoke, 1, 1) * (0.55 + 0.2 * Math.sin(smoke.start));
      const air = 215;
      const drift = Math.floor(t * 8) % W;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = y * W + x;
          const o = i * 3;
          // Smoke is in the cavity: the optics' own black border stays black.
          const lit = Math.min(1, (frame[o]! + frame[o + 1]! + frame[o + 2]!) / 60);
          const veil = lit * Math.min(0.92, density * (0.6 + 0.8 * p.smokeTex[y * W + ((x + drift) % W)]!));
          frame[o] = frame[o]! * (1 - veil) + air * veil;
          frame[o + 1] = frame[o + 1]! * (1 - veil) + air * 0.98 * veil;
          frame[o + 2] = frame[o + 2]! * (1 - veil) + air * 0.97 * veil;
        }
      }
    }
  }
  // The look: white balance, gamma, vignette and border; then sensor noise, frozen or not.
  const lut = p.lut;
  for (let i = 0; i < W * H; i++) {
    const m = p.mask[i]!;
    const o = i * 3;
    const n = (noise.next() - 0.5) * 6;
    frame[o] = clamp(lut[0]![Math.round(frame[o]!)]! * m + n);
    frame[o + 1] = clamp(lut[1]![Math.round(frame[o + 1]!)]! * m + n);
    frame[o + 2] = clamp(lut[2]![Math.round(frame[o + 2]!)]! * m + n);
  }
}

async function* frames(v: EvalVideo, p: Prepared, rnd: Random): AsyncGenerator<Buffer> {
  const n = Math.max(1, Math.round(v.duration * v.look.fps));
  const noise = rnd.fork(40);
  const wander = [rnd.range(0.15, 0.35), rnd.phase(), rnd.phase(), rnd.range(0.12, 0.3), rnd.phase()];
  for (let i = 0; i < n; i++) {
    const frame = new Uint8Array(W * H * 3);
    renderFrame(v, p, i / v.look.fps, frame, noise, wander);
    yield Buffer.from(frame.buffer);
    // Let the encoder drain between frames.
    if (i % 8 === 7) await new Promise((r) => setImmediate(r));
  }
}

/** Writes `v` to `outPath` (appearing only when complete). */
export async function renderEvalVideo(outPath: string, v: EvalVideo, inputs: RenderInputs, signal?: AbortSignal): Promise<void> {
  const rnd = new Random(v.seed);
  const p = await prepare(v, inputs, rnd);
  const target = resolve(outPath);
  const work = await mkdtemp(join(tmpdir(), 'opscope-evalset-'));
  try {
    const look = v.look;
    const args = ['-hide_banner', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(look.fps), '-i', 'pipe:0'];
    const graph: string[] = [`[0:v]scale=${look.width}:${look.height}:flags=bicubic,setsar=1[s]`];
    let last = 's';
    const text = look.overlay ? renderOverlayText(look.overlay, look.width, look.height) : null;
    if (text) {
      const image = join(work, 'text.pam');
      await writeFile(image, text.pam);
      args.push('-f', 'image2', '-c:v', 'pam', '-i', inputPath(image));
      const y = look.overlayAt === 'top' ? text.y : look.height - text.height - text.y;
      graph.push(`[1:v]format=yuva420p[t]`, `[${last}][t]overlay=x=${text.x}:y=${y}[o]`);
      last = 'o';
    }
    if (look.variableFrameRate) {
      graph.push(`[${last}]select='if(mod(floor(t/2+0.000001),2),not(mod(n,3)),1)'[vfr]`);
      last = 'vfr';
    }
    graph.push(`[${last}]format=yuv420p[vout]`);
    const gopFrames = Math.max(1, Math.round(look.gop * look.fps));
    args.push(
      '-filter_complex', graph.join(';'),
      '-map', '[vout]',
      ...(look.variableFrameRate ? ['-vsync', 'vfr'] : []),
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
      '-g', String(gopFrames), '-keyint_min', String(gopFrames), '-sc_threshold', '0',
      '-movflags', '+faststart', '-y',
    );
    await writeWhole(target, async (temp) => {
      await runFfmpeg([...args, inputPath(temp)], {
        timeoutMs: 30 * 60_000,
        idleTimeoutMs: 180_000,
        purpose: 'writing an evaluation video',
        stdin: Readable.from(frames(v, p, rnd)),
        ...(signal ? { signal } : {}),
      });
    });
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
