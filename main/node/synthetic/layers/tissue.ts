import { fractalNoise, mapField, noiseField, packPlanes, pan, type SceneContext } from '../context.js';
import { even, plus, q, wander } from '../graph.js';
import type { Random } from '../random.js';

/** Where the camera looks: the frame is the window (x, y, w, h) of the tissue still. */
export interface Camera {
  /** Per-frame expressions of the window's top-left corner in tissue-still pixels. */
  x: string;
  y: string;
  /** Size of the tissue still. */
  texW: number;
  texH: number;
  /** Where the frame's top-left corner sits in the still when the camera is at rest. */
  marginX: number;
  marginY: number;
}

/** Largest width at which the tissue texture is computed; it is upscaled from there. */
const MAX_COMPUTE_WIDTH = 800;

/**
 * The tissue: a red/pink/orange surface with shading, darker vessels and yellowish fat, computed
 * once as a still larger than the frame, then panned along a slow wandering path with a little
 * tremor (the assistant holding the camera). Returns the label of the per-frame tissue stream.
 */
export function tissue(ctx: SceneContext, rnd: Random): { label: string; camera: Camera } {
  const { w, h } = ctx;
  const mx = even(w * 0.09);
  const my = even(h * 0.09);
  const texW = w + 2 * mx;
  const texH = h + 2 * my;
  const cw = even(Math.min(texW, MAX_COMPUTE_WIDTH));
  const ch = even((cw * texH) / texW);

  // The fields are computed at a low resolution, where their contrast is stretched and thresholds
  // are applied, then upscaled bicubically: stretching 8-bit values at full size would show as
  // terraces.
  const lw = even(Math.min(cw, 640));
  const lh = even((lw * ch) / cw);
  const up = (label: string) => ctx.g.chain([label], `scale=${cw}:${ch}:flags=bicubic,setsar=1`);
  // Features are sized relative to the view, so the scene looks the same at any resolution.
  const shade = fractalNoise(ctx, { cols: 6, octaves: 5, w: lw, h: lh, rnd, gain: 0.68, std: 50 });
  const organ = fractalNoise(ctx, { cols: 2, octaves: 2, w: lw, h: lh, rnd, gain: 0.5, std: 60 });
  const fatRaw = fractalNoise(ctx, { cols: 4, octaves: 3, w: lw, h: lh, rnd, gain: 0.45, std: 40 });
  // Fat where the field is high, with a soft edge.
  const fat = mapField(ctx, fatRaw, (v) => `(${v}-182)*6`);
  // Vessels: the zero crossings of a noise field are meandering lines; a second field decides
  // where they show, so they come and go instead of forming closed contours everywhere.
  const veinRaw = fractalNoise(ctx, { cols: 7, octaves: 2, w: lw, h: lh, rnd, gain: 0.35, std: 40 });
  const ridge = mapField(ctx, veinRaw, (v) => `255-abs(${v}-128)*22`);
  const presence = noiseField(ctx, { cols: 4, rows: (4 * lh) / lw, w: lw, h: lh, rnd });
  const presenceMask = mapField(ctx, presence, (v) => `(${v}-110)*7`);
  const veins = ctx.g.chain([ridge, presenceMask], 'blend=all_mode=multiply');
  // Finer, fainter capillaries.
  const capRaw = fractalNoise(ctx, { cols: 16, octaves: 2, w: lw, h: lh, rnd, gain: 0.4, std: 40 });
  const capRidge = mapField(ctx, capRaw, (v) => `(255-abs(${v}-128)*34)*0.7`);
  const capPresence = noiseField(ctx, { cols: 6, rows: (6 * lh) / lw, w: lw, h: lh, rnd });
  const capMask = mapField(ctx, capPresence, (v) => `(${v}-116)*6`);
  const capillaries = ctx.g.chain([capRidge, capMask], 'blend=all_mode=multiply');
  const vessels = ctx.g.chain([veins, capillaries], 'blend=all_mode=lighten');

  // gbrap planes are G, B, R, A: G = vessels, B = fat, R = shading, A = organ colour.
  const packed = packPlanes(ctx, [up(vessels), up(fat), up(shade), up(organ)], 'gbrap16le');
  const S = 'r(X,Y)/65535';
  const V = `(0.85*g(X,Y)/65535)`;
  const F = 'b(X,Y)/65535';
  const O = 'alpha(X,Y)/65535';
  // Base colour between pink serosa and orange-red muscle, lit by the shading term; fat is pale
  // yellow and follows the same shading; vessels are dark purplish red.
  const channel = (pink: number, orange: number, fat: number, vein: number) => {
    const base = `(${pink}+(${orange - pink})*${O})*(0.5+0.8*${S})`;
    const withFat = `(${base}*(1-${F})+${fat}*(0.7+0.45*${S})*${F})`;
    return `clip(257*(${withFat}*(1-${V})+${vein}*${V}),0,65535)`;
  };
  const colored = ctx.g.chain(
    [packed],
    `geq=r=${q(channel(226, 200, 236, 96))}:g=${q(channel(104, 70, 196, 16))}:b=${q(channel(100, 46, 108, 42))}:a=65535` +
      (cw !== texW ? `,scale=${texW}:${texH}:flags=bicubic,setsar=1` : '') +
      ',format=yuv420p',
  );

  const r = rnd;
  const x = plus(
    wander(ctx.m, mx * 0.92, [
      { weight: 0.52, freq: r.range(0.1, 0.16), phase: r.phase() },
      { weight: 0.3, freq: r.range(0.33, 0.47), phase: r.phase() },
      { weight: 0.15, freq: r.range(1.4, 1.9), phase: r.phase() },
      { weight: 0.03, freq: r.range(4.5, 6), phase: r.phase() },
    ]),
    mx,
  );
  const y = plus(
    wander(ctx.m, my * 0.92, [
      { weight: 0.5, freq: r.range(0.08, 0.14), phase: r.phase() },
      { weight: 0.32, freq: r.range(0.27, 0.39), phase: r.phase() },
      { weight: 0.15, freq: r.range(1.1, 1.7), phase: r.phase() },
      { weight: 0.03, freq: r.range(4, 5.5), phase: r.phase() },
    ]),
    my,
  );
  return { label: pan(ctx, colored, x, y), camera: { x, y, texW, texH, marginX: mx, marginY: my } };
}
