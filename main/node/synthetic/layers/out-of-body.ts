import { fractalNoise, hold, noiseField, packPlanes, still, type SceneContext } from '../context.js';
import { anyWindowExpr, even, num, plus, q, wander } from '../graph.js';
import type { Random } from '../random.js';
import type { SyntheticEvent } from '../spec.js';

/**
 * Out of body: the scope has been pulled out and looks at the operating room. Blue and green
 * drapes with folds, a bright white sheet or lamp, a steel instrument table and a patch of the
 * patient's skin, out of focus and moving with a hand-held camera; no red tissue and no round
 * border (the scene replaces the whole frame, after the border is drawn).
 */
export function outOfBody(ctx: SceneContext, base: string, events: readonly SyntheticEvent[], rnd: Random): string {
  if (events.length === 0) return base;
  const { w, h } = ctx;
  const ox = even(w * 0.12);
  const oy = even(h * 0.12);
  const sceneW = w + 2 * ox;
  const sceneH = h + 2 * oy;
  // Small: the scene is out of focus, and its geq is long.
  const cw = even(Math.min(sceneW, 320));
  const ch = even((cw * sceneH) / sceneW);

  // Fields: R = fold shading (stretched horizontally, so the folds hang vertically),
  // G = edge perturbation, B = broad lighting.
  const folds = noiseField(ctx, { cols: 18, rows: 3, w: cw, h: ch, rnd, blur: 0.35 });
  const wobble = fractalNoise(ctx, { cols: 3, octaves: 2, w: cw, h: ch, rnd, std: 45 });
  const light = fractalNoise(ctx, { cols: 2, octaves: 2, w: cw, h: ch, rnd, std: 50 });
  const packed = packPlanes(ctx, [wobble, light, folds], 'gbrp16le');

  const f = 'clip((r(X,Y)/65535-0.5)*2.6+0.5,0,1)';
  const p = '(g(X,Y)/65535-0.5)';
  const L = 'b(X,Y)/65535';
  const u = `(X/${cw})`;
  const v = `(Y/${ch})`;
  // A soft blob: an ellipse whose edge is pushed in and out by the perturbation field.
  const ellipse = (x0: number, y0: number, rx: number, ry: number, sharp: number, rough: number) =>
    `clip((1-pow((${u}-${num(x0, 3)})/${num(rx, 3)},2)-pow((${v}-${num(y0, 3)})/${num(ry, 3)},2)+${rough}*${p})*${sharp},0,1)`;
  const sheetX = rnd.range(0.6, 0.8);
  const sheetY = rnd.range(0.15, 0.35);
  const skinX = rnd.range(0.2, 0.4);
  const skinY = rnd.range(0.55, 0.7);
  const green = `clip((${num(rnd.range(0.22, 0.35), 3)}+0.25*${p}-${u})*14,0,1)`;
  const sheet = ellipse(sheetX, sheetY, 0.3, 0.22, 3, 1.6);
  const skin = ellipse(skinX, skinY, 0.15, 0.11, 4, 3.2);
  const steel = `clip((${v}-0.8-0.15*${p})*18,0,1)*clip((${u}-0.45)*18,0,1)`;
  const channel = (blue: number, grn: number, skinC: number, steelC: number, white: number) => {
    const drape = `(${blue}+(${grn - blue})*${green})*(0.35+0.9*${f})*(0.55+0.7*${L})`;
    const withSkin = `(${drape}*(1-${skin})+${skinC}*(0.78+0.3*${L})*${skin})`;
    const withSteel = `(${withSkin}*(1-${steel})+${steelC}*(0.55+0.6*${f})*${steel})`;
    const withSheet = `(${withSteel}*(1-${sheet})+${white}*(0.86+0.1*${f}+0.08*${L})*${sheet})`;
    return `clip(257*${withSheet},0,65535)`;
  };
  // Out of focus: blurred at the compute size (cheap), then upscaled.
  const blur = Math.max(0.5, (cw / 320) * 2);
  const scene = ctx.g.chain(
    [packed],
    `geq=r=${q(channel(38, 52, 226, 160, 246))}:g=${q(channel(98, 124, 178, 166, 248))}:b=${q(channel(132, 92, 150, 172, 250))},` +
      `format=gbrp,gblur=sigma=${num(blur, 2)},scale=${sceneW}:${sceneH}:flags=bicubic,setsar=1,format=yuv420p`,
  );

  // Hand-held: larger and faster than the camera inside the patient.
  const m = ctx.m;
  const x = plus(wander(m, ox * 0.95, [{ weight: 0.65, freq: rnd.range(0.3, 0.5), phase: rnd.phase() }, { weight: 0.35, freq: rnd.range(0.8, 1.2), phase: rnd.phase() }]), ox);
  const y = plus(wander(m, oy * 0.95, [{ weight: 0.65, freq: rnd.range(0.25, 0.45), phase: rnd.phase() }, { weight: 0.35, freq: rnd.range(0.7, 1.1), phase: rnd.phase() }]), oy);
  const view = ctx.g.chain([hold(ctx, scene)], `crop=${w}:${h}:x=${q(x)}:y=${q(y)}`);
  const full = hold(ctx, still(ctx, 'color=c=black', w, h, 'format=yuv420p,lutyuv=y=255:u=255:v=255'));
  return ctx.g.chain([base, view, full], `maskedmerge=enable=${q(anyWindowExpr(events))}`);
}
