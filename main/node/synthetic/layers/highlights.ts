import { still, type SceneContext } from '../context.js';
import { even, num, q, wander } from '../graph.js';
import type { Random } from '../random.js';
import type { Camera } from './tissue.js';

interface Blob {
  x: number;
  y: number;
  rx: number;
  ry: number;
}

/**
 * Specular highlights: small saturated white spots where the light source reflects off wet
 * tissue. They stick to the tissue (follow the camera), wobble a little with breathing and
 * flicker on and off. Each is a tiny sprite overlaid at a per-frame position, which is cheap.
 */
export function highlights(ctx: SceneContext, base: string, camera: Camera, rnd: Random): string {
  const { cx, cy, r: R } = ctx.view;
  const sw = even(Math.max(14, ctx.h * 0.09));
  const sh = even(Math.max(10, ctx.h * 0.06));
  const shapes: Blob[][] = [
    // An elongated glint made of two overlapping ellipses.
    [
      { x: 0.42, y: 0.5, rx: 0.3, ry: 0.22 },
      { x: 0.66, y: 0.42, rx: 0.2, ry: 0.16 },
    ],
    // A cluster of droplets.
    [
      { x: 0.3, y: 0.45, rx: 0.14, ry: 0.2 },
      { x: 0.55, y: 0.6, rx: 0.1, ry: 0.15 },
      { x: 0.72, y: 0.35, rx: 0.08, ry: 0.12 },
    ],
    // A thin streak along a fold.
    [{ x: 0.5, y: 0.5, rx: 0.45, ry: 0.1 }],
  ];
  const sprites = shapes.map((blobs) => {
    const terms = blobs.map(
      (b) =>
        `(1-pow((X-${num(b.x * sw, 2)})/${num(b.rx * sw * 0.7, 2)},2)-pow((Y-${num(b.y * sh, 2)})/${num(b.ry * sh * 0.7, 2)},2))`,
    );
    const e = terms.reduce((acc, t) => (acc ? `max(${acc},${t})` : t), '');
    return still(
      ctx,
      'color=c=black',
      sw,
      sh,
      `format=yuva420p,geq=lum=235:cb=128:cr=128:a=${q(`255*max(clip(2*${e},0,1),0.4*clip((${e}+0.9)/0.9,0,1))`)}`,
    );
  });

  const count = 7;
  const uses = shapes.map(() => 0);
  const plan = Array.from({ length: count }, (_, i) => {
    const shape = i % shapes.length;
    uses[shape] = (uses[shape] ?? 0) + 1;
    const a = rnd.phase();
    const d = R * Math.sqrt(rnd.range(0.02, 0.6));
    return {
      shape,
      x: camera.marginX + cx + d * Math.cos(a) - sw / 2,
      y: camera.marginY + cy + d * Math.sin(a) - sh / 2,
      wobble: R * 0.015,
      fx: rnd.range(0.8, 1.6),
      fy: rnd.range(0.7, 1.4),
      p: rnd.phase(),
      flicker: rnd.range(0.6, 2.2),
      flicker2: rnd.range(2.5, 5),
      fp: rnd.phase(),
      fp2: rnd.phase(),
    };
  });
  const copies = sprites.map((label, i) => ctx.g.split(label, uses[i] ?? 1));
  let out = base;
  for (const hl of plan) {
    const sprite = copies[hl.shape]!.pop()!;
    const x = `${num(hl.x, 1)}-(${camera.x})+${wander(ctx.m, hl.wobble, [{ weight: 1, freq: hl.fx, phase: hl.p }])}`;
    const y = `${num(hl.y, 1)}-(${camera.y})+${wander(ctx.m, hl.wobble, [{ weight: 1, freq: hl.fy, phase: hl.p + 1 }])}`;
    const on = `gt(sin(${num(hl.flicker)}*${ctx.m}+${num(hl.fp, 3)})+0.5*sin(${num(hl.flicker2)}*${ctx.m}+${num(hl.fp2, 3)}),-0.45)`;
    out = ctx.g.chain([out, sprite], `overlay=x=${q(x)}:y=${q(y)}:enable=${q(on)}`);
  }
  return out;
}
