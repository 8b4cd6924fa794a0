import { hold, planeMask, still, type SceneContext } from '../context.js';
import { even, num, q, wander } from '../graph.js';
import type { Random } from '../random.js';

interface InstrumentPlan {
  /** Direction the shaft points (towards its tip), radians, image coordinates (y down). */
  angle: number;
  /** Tip position at rest, frame pixels. */
  tipX: number;
  tipY: number;
}

/**
 * Two grey metallic instruments entering from the lower corners, as they come in through the
 * trocars of a laparoscopy, with a dark insulation ring and jaws at the tip. Each is drawn once
 * onto a transparent canvas larger than the frame; per frame the canvas is cropped at a moving
 * offset (zero-copy) and merged over the scene with maskedmerge, so the cost does not depend on
 * how much of the frame an instrument covers.
 */
export function instruments(ctx: SceneContext, base: string, rnd: Random): string {
  const { cx, cy, r: R } = ctx.view;
  const plans: InstrumentPlan[] = [
    {
      angle: (rnd.range(200, 232) * Math.PI) / 180,
      tipX: cx + R * rnd.range(0.05, 0.3),
      tipY: cy + R * rnd.range(-0.2, 0.15),
    },
    {
      angle: (rnd.range(-52, -22) * Math.PI) / 180,
      tipX: cx - R * rnd.range(0.1, 0.35),
      tipY: cy + R * rnd.range(-0.1, 0.25),
    },
  ];
  let out = base;
  for (const plan of plans) out = instrument(ctx, out, plan, rnd);
  return out;
}

function instrument(ctx: SceneContext, base: string, p: InstrumentPlan, rnd: Random): string {
  const { w, h } = ctx;
  const R = ctx.view.r;
  const ws = even(Math.max(8, h * 0.06)); // shaft diameter
  const tipLen = 3 * ws;
  const depthAmp = 0.2 * R; // along the shaft: pushing in and pulling back
  const swayAmp = 0.1 * R; // across it: pivoting at the trocar
  const padX = even(depthAmp + swayAmp + 4);
  const padY = padX;
  const canvasW = w + 2 * padX;
  const canvasH = h + 2 * padY;
  const cos = Math.cos(p.angle);
  const sin = Math.sin(p.angle);

  // Shaft length: from the tip back along the shaft to the canvas edge.
  const tx = p.tipX + padX;
  const ty = p.tipY + padY;
  const exits = [
    cos < 0 ? (canvasW - tx) / -cos : tx / cos,
    sin < 0 ? (canvasH - ty) / -sin : ty / sin,
  ].map((d) => (Number.isFinite(d) && d > 0 ? d : Infinity));
  const len = even(Math.min(...exits) + ws * 2);
  const spriteH = even(ws * 1.3 + 4);
  const half = ws / 2;
  const yc = spriteH / 2;

  // Sprite, pointing right: a cylinder (bright specular stripe, darker edges), an insulation ring
  // and a tapering tip split by the jaw gap.
  const v = `((Y-${num(yc)})/${num(half)})`;
  const u = `((X-${len - tipLen})/${tipLen})`;
  const halfWidth = `if(lt(${u},0),1,1-0.45*${u})`;
  const metal = `(55+150*sqrt(max(0,1-${v}*${v}))+85*exp(-pow((${v}+0.42)/0.16,2)))`;
  const ring = `between(X,${len - tipLen * 1.6},${len - tipLen * 1.3})`;
  const slit = `gt(X,${len - tipLen * 0.75})*lt(abs(${v}),0.1)`;
  const lum = `${metal}*(1-0.72*${ring})*(1-0.8*${slit})`;
  const alpha = `255*clip((${halfWidth}-abs(${v}))*${num(half)}+0.5,0,1)`;
  const sprite = still(
    ctx,
    'color=c=black',
    len,
    spriteH,
    `format=gbrap,geq=r=${q(`clip(${lum}*0.92,0,255)`)}:g=${q(`clip(${lum}*0.95,0,255)`)}:b=${q(`clip(${lum},0,255)`)}:a=${q(alpha)},` +
      `rotate=a=${num(p.angle, 5)}:c=none:ow=${q(`rotw(${num(p.angle, 5)})`)}:oh=${q(`roth(${num(p.angle, 5)})`)}`,
  );
  const canvas = still(ctx, 'color=c=black@0', canvasW, canvasH, 'format=rgba');
  // Place the rotated sprite so that its tip lands on (tx, ty).
  const placed = ctx.g.chain(
    [canvas, sprite],
    `overlay=x=${q(`${num(tx - (len / 2) * cos, 2)}-w/2`)}:y=${q(`${num(ty - (len / 2) * sin, 2)}-h/2`)}:format=rgb`,
  );
  const [forColor, forMask] = ctx.g.split(placed, 2) as [string, string];
  const color = ctx.g.chain([forColor], 'format=yuv420p');
  const mask = planeMask(ctx, ctx.g.chain([forMask], 'alphaextract'), canvasW, canvasH);

  // Slow reaching movements plus the quicker small corrections of a working hand, so the tools
  // are never still for long.
  const depth = wander(ctx.m, depthAmp, [
    { weight: 0.55, freq: rnd.range(0.5, 0.85), phase: rnd.phase() },
    { weight: 0.33, freq: rnd.range(1.3, 2), phase: rnd.phase() },
    { weight: 0.12, freq: rnd.range(2.8, 3.6), phase: rnd.phase() },
  ]);
  const sway = wander(ctx.m, swayAmp, [
    { weight: 0.62, freq: rnd.range(0.35, 0.65), phase: rnd.phase() },
    { weight: 0.28, freq: rnd.range(1.5, 2.4), phase: rnd.phase() },
    { weight: 0.1, freq: rnd.range(3, 4), phase: rnd.phase() },
  ]);
  const dx = `(${num(cos, 5)}*${depth}-${num(sin, 5)}*${sway})`;
  const dy = `(${num(sin, 5)}*${depth}+${num(cos, 5)}*${sway})`;
  const crop = (label: string) =>
    ctx.g.chain([hold(ctx, label)], `crop=${w}:${h}:x=${q(`${padX}-${dx}`)}:y=${q(`${padY}-${dy}`)}:exact=1`);
  return ctx.g.chain([base, crop(color), crop(mask)], 'maskedmerge');
}
