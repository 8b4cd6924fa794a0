import type { FfmpegCaps } from './capabilities.js';
import { type FilterGraph, num, q } from './graph.js';
import type { Random } from './random.js';
import type { ResolvedSpec } from './spec.js';

/** The endoscope's field of view in frame pixels (the inscribed circle when there is no round border). */
export interface FieldOfView {
  cx: number;
  cy: number;
  r: number;
}

export interface SceneContext {
  g: FilterGraph;
  spec: ResolvedSpec;
  caps: FfmpegCaps;
  w: number;
  h: number;
  /** Frame rate as written in filter options, e.g. `30` or `30000/1001`. */
  rate: string;
  /** Frames in the constant-rate timeline. */
  frames: number;
  /** Motion time (see motionTimeExpr): drives every movement, stands still while idle. */
  m: string;
  view: FieldOfView;
}

/**
 * A single frame from a lavfi source. Stills are computed once when the graph starts; per-frame
 * work only moves, blends or copies them.
 */
export function still(ctx: SceneContext, source: string, w: number, h: number, after = ''): string {
  return ctx.g.chain([], `${source}:s=${w}x${h}:r=${ctx.rate},trim=end_frame=1,setsar=1${after ? `,${after}` : ''}`);
}

/**
 * Repeats a still for every frame of the timeline. The loop hands out references to one buffer,
 * and a crop of it only moves pointers, so panning a large still costs almost nothing.
 */
export function hold(ctx: SceneContext, label: string): string {
  // round(): N/rate/TB in floating point can land just below an integer and truncate to the
  // previous tick, which would give two frames the same timestamp.
  return ctx.g.chain([label], `loop=loop=-1:size=1:start=0,setpts=${q(`round(N/(${ctx.rate})/TB)`)},trim=end_frame=${ctx.frames}`);
}

/** A held still, cropped to the frame size at a per-frame position (x, y expressions). */
export function pan(ctx: SceneContext, label: string, x: string, y: string): string {
  // exact=1: move in whole pixels rather than the two-pixel steps of the chroma grid.
  return ctx.g.chain([hold(ctx, label)], `crop=${ctx.w}:${ctx.h}:x=${q(x)}:y=${q(y)}:exact=1`);
}

/**
 * Smooth value noise: a few random samples per row, upscaled bicubically and blurred, in 16-bit
 * gray (stretching 8-bit smooth gradients would show terraces). In 8-bit units the mean is about
 * 127 and the standard deviation about 19.5 (measured; independent of the seed, and of the size as
 * long as the blur is half a cell).
 */
export function noiseField(
  ctx: SceneContext,
  o: { cols: number; rows: number; w: number; h: number; rnd: Random; blur?: number },
): string {
  const cols = Math.max(2, Math.round(o.cols));
  const rows = Math.max(2, Math.round(o.rows));
  const sigma = Math.max(0.5, (o.blur ?? 0.5) * Math.min(o.w / cols, o.h / rows));
  return ctx.g.chain(
    [],
    `color=c=gray:s=${cols}x${rows}:r=${ctx.rate},trim=end_frame=1,format=yuv444p,` +
      `noise=alls=100:allf=u:all_seed=${o.rnd.seed()},format=gray16le,` +
      `scale=${o.w}:${o.h}:flags=bicubic,setsar=1,gblur=sigma=${num(sigma, 2)},format=gray16le`,
  );
}

export const NOISE_MEAN = 127;
export const NOISE_STD = 19.5;

/**
 * Maps a 16-bit gray field through a function written in 8-bit units: `f` receives an expression
 * for the pixel value in 0..255 and returns one for the new value (clipped to 0..255).
 */
export function mapField(ctx: SceneContext, label: string, f: (v: string) => string): string {
  // The format is pinned on both sides: negotiation would otherwise be free to hand geq 8-bit data.
  return ctx.g.chain([label], `format=gray16le,geq=lum=${q(`clip(257*(${f('(p(X,Y)/257)')}),0,65535)`)},format=gray16le`);
}

/**
 * Fractal noise: octaves of value noise, each twice as fine and `gain` times as strong as the
 * previous, rescaled to mean 128 and the requested standard deviation (8-bit units).
 */
export function fractalNoise(
  ctx: SceneContext,
  o: { cols: number; octaves: number; w: number; h: number; rnd: Random; gain?: number; std: number; blur?: number },
): string {
  const gain = o.gain ?? 0.5;
  let label = '';
  let wAcc = 0;
  let varAcc = 0;
  for (let i = 0; i < o.octaves; i++) {
    const cols = o.cols * 2 ** i;
    const weight = gain ** i;
    const f = noiseField(ctx, { cols, rows: (cols * o.h) / o.w, w: o.w, h: o.h, rnd: o.rnd, ...(o.blur ? { blur: o.blur } : {}) });
    if (i === 0) {
      label = f;
      wAcc = weight;
      varAcc = weight * weight;
      continue;
    }
    // normal mode: out = A * opacity + B * (1 - opacity), a running weighted mean.
    label = ctx.g.chain([label, f], `blend=all_mode=normal:all_opacity=${num(wAcc / (wAcc + weight), 4)}`);
    wAcc += weight;
    varAcc += weight * weight;
  }
  // Standard deviation of the normalised weighted mean of independent octaves.
  const std = (NOISE_STD * Math.sqrt(varAcc)) / wAcc;
  return mapField(ctx, label, (v) => `128+(${v}-${NOISE_MEAN})*${num(o.std / std, 4)}`);
}

/** A gray still as a yuv420p frame with the same value in every plane, the form maskedmerge needs. */
export function planeMask(ctx: SceneContext, gray: string, w: number, h: number): string {
  const [full, half] = ctx.g.split(ctx.g.chain([gray], 'format=gray'), 2) as [string, string];
  const [u, v] = ctx.g.split(ctx.g.chain([half], `scale=${w / 2}:${h / 2}:flags=area,setsar=1`), 2) as [string, string];
  return ctx.g.chain([full, u, v], mergeplanes(ctx, [[0, 0], [1, 0], [2, 0]], 'yuv420p'));
}

/** Packs gray stills, one per plane, into one frame of `format` (e.g. gbrap, whose planes are G, B, R, A). */
export function packPlanes(ctx: SceneContext, grays: readonly string[], format: string): string {
  return ctx.g.chain([...grays], mergeplanes(ctx, grays.map((_, i) => [i, 0] as const), format));
}

/** mergeplanes with output plane i taken from plane `map[i][1]` of input `map[i][0]`. */
function mergeplanes(ctx: SceneContext, map: ReadonlyArray<readonly [number, number]>, format: string): string {
  if (ctx.caps.mergeplanesPerPlane) {
    const maps = map.map(([input, plane], i) => `map${i}s=${input}:map${i}p=${plane}`).join(':');
    return `mergeplanes=${maps}:format=${format}`;
  }
  // Packed form: one byte per output plane, high nibble = input, low nibble = plane.
  return `mergeplanes=0x${map.map(([input, plane]) => `${input}${plane}`).join('')}:${format}`;
}
