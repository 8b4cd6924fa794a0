import { fractalNoise, mapField, pan, planeMask, type SceneContext } from '../context.js';
import { even, num, q, windowExpr } from '../graph.js';
import type { Random } from '../random.js';
import type { SyntheticEvent } from '../spec.js';
import type { Camera } from './tissue.js';

/** Fraction of the window during which the pool grows; it then stays until it is suctioned at the end. */
const GROWTH_SHARE = 0.65;
/** Radius of the final pool relative to the field-of-view radius (area about a third of the view). */
const FINAL_RADIUS = 0.55;
/**
 * Growth map (0..1 units): GROWTH_SLOPE * distance / half-size + NOISE_WEIGHT * (noise - 0.5), the
 * noise fading in away from the source so the first spot is never empty.
 */
const GROWTH_SLOPE = 0.8;
const NOISE_WEIGHT = 0.75;

/**
 * Bleeding: a dark, saturated blood-red pool that appears at `start` as an irregular spot, spreads
 * in steps over the first part of the window, and is gone at `end` (suctioned). The pool is painted
 * on the tissue, so it moves with the camera. The growth is a series of nested shapes thresholded
 * from one distance-plus-noise map; each step is merged only during its own time slice, so outside
 * the window the layer costs next to nothing.
 */
export function bleeding(ctx: SceneContext, base: string, camera: Camera, event: SyntheticEvent, rnd: Random): string {
  const { cx, cy, r: R } = ctx.view;
  const size = even(R * 1.9);
  const lowSize = even(Math.min(size, 360));
  const duration = event.end - event.start;
  const growth = duration * GROWTH_SHARE;
  const steps = Math.max(3, Math.min(10, Math.round(growth * 2)));

  // Growth map: distance from the source point plus noise, so each threshold is an irregular blob
  // that contains the previous one.
  const noise = fractalNoise(ctx, { cols: 3, octaves: 3, w: lowSize, h: lowSize, rnd, gain: 0.55, std: 45 });
  const c = lowSize / 2;
  const growthMap = ctx.g.chain(
    [noise],
    `format=gray16le,geq=lum=${q(`clip(257*255*(${GROWTH_SLOPE}*hypot(X-${c},Y-${c})/${c}+${NOISE_WEIGHT}*(p(X,Y)/65535-0.5)*min(1,1.5*hypot(X-${c},Y-${c})/${c})+clip((hypot(X-${c},Y-${c})/${c}-0.85)/0.15,0,1)),0,65535)`)},` +
      'format=gray16le',
  );
  // Source of the bleed, somewhere in the central part of the view (tissue coordinates).
  const a = rnd.phase();
  const d = R * rnd.range(0, 0.3);
  const ax = camera.marginX + cx + d * Math.cos(a) - size / 2;
  const ay = camera.marginY + cy + d * Math.sin(a) - size / 2;

  // Blood colour: deep red, nearly black in the thick middle, with slight mottling.
  const colorNoise = fractalNoise(ctx, { cols: 4, octaves: 2, w: lowSize, h: lowSize, rnd, std: 50 });
  const n = `clip(r(X,Y)/65535,0,1)`;
  const rr = `min(1,hypot(X-${c},Y-${c})/${c})`;
  const colour = ctx.g.chain(
    [colorNoise],
    `format=gbrp16le,geq=r=${q(`257*(62+70*${n}+40*${rr})`)}:g=${q(`257*(2+8*${n})`)}:b=${q(`257*(6+10*${n}+6*${rr})`)},` +
      `format=gbrp,scale=${size}:${size}:flags=bicubic,setsar=1,format=gbrp`,
  );

  // The map is 255 * 0.8 * distance / (size / 2) plus noise, in 8-bit units.
  const finalThreshold = (255 * GROWTH_SLOPE * FINAL_RADIUS * R) / (size / 2);
  // Each step is painted onto a canvas the size of the tissue still and panned with it, then
  // merged with maskedmerge: about 14 times cheaper per pixel than overlay in ffmpeg 4.x, and the
  // cost no longer grows with the pool.
  const px = Math.round(Math.min(Math.max(0, ax), camera.texW - size));
  const py = Math.round(Math.min(Math.max(0, ay), camera.texH - size));
  const onCanvas = `pad=${camera.texW}:${camera.texH}:${px}:${py}:color=black`;
  const colourView = pan(ctx, ctx.g.chain([colour], `${onCanvas},format=yuv420p`), camera.x, camera.y);
  const colours = ctx.g.split(colourView, steps);
  const maps = ctx.g.split(growthMap, steps);
  let out = base;
  for (let k = 1; k <= steps; k++) {
    // The pool appears at a quarter of its final area and grows linearly in area.
    const th = finalThreshold * Math.sqrt(0.25 + (0.75 * (k - 1)) / (steps - 1));
    // Thresholded at the map's low resolution, then upscaled: the edge stays smooth, and the init
    // cost stays small however large the frame.
    const alpha = ctx.g.chain(
      [mapField(ctx, maps[k - 1]!, (v) => `(${num(th, 2)}-${v})*12`)],
      `scale=${size}:${size}:flags=bicubic,setsar=1,format=gray,${onCanvas}`,
    );
    const mask = pan(ctx, planeMask(ctx, alpha, camera.texW, camera.texH), camera.x, camera.y);
    const from = event.start + (growth * (k - 1)) / steps;
    const to = k === steps ? event.end : event.start + (growth * k) / steps;
    out = ctx.g.chain([out, colours[k - 1]!, mask], `maskedmerge=enable=${q(windowExpr(from, to))}`);
  }
  return out;
}
