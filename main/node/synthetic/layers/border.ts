import { hold, planeMask, still, type FieldOfView, type SceneContext } from '../context.js';
import { even, num, q } from '../graph.js';
import type { SyntheticBorder } from '../spec.js';

/** Field of view for a border type: the round optics, or the circle inscribed in the picture. */
export function fieldOfView(w: number, h: number, border: SyntheticBorder): FieldOfView {
  const r = border === 'circle' ? Math.floor(0.49 * Math.min(w, h)) : 0.5 * Math.min(w, h);
  return { cx: w / 2, cy: h / 2, r };
}

/** Height of each black bar for the 'letterbox' border. */
export function letterboxBar(h: number): number {
  return even(h * 0.1);
}

/**
 * Vignetting plus the border: one static darkness mask (0 = untouched, 255 = black) merged with
 * black once per frame. The light source sits beside the lens, so brightness falls off towards
 * the edge of the view; outside the round field of view the picture is black.
 */
export function border(ctx: SceneContext, base: string): string {
  const { w, h } = ctx;
  // The mask is smooth (an antialiased circle edge and a gentle falloff), so it is computed at up
  // to 640 pixels wide in 16-bit and upscaled: a full-size geq would take seconds at 1080p.
  const cw = even(Math.min(w, 640));
  const ch = even((cw * h) / w);
  const k = cw / w;
  const { cx, cy, r } = ctx.view;
  const dist = `hypot((X+0.5)/${num(k, 6)}-${num(cx, 1)},(Y+0.5)/${num(k, 6)}-${num(cy, 1)})`;
  // Width of the antialiased edge in frame pixels: one compute pixel.
  const edge = num(Math.max(1, 1 / k), 3);
  let darkness: string;
  switch (ctx.spec.border) {
    case 'circle':
      darkness = `max(0.5*pow(${dist}/${num(r, 1)},2.4),clip((${dist}-${num(r, 1)})/${edge}+0.5,0,1))`;
      break;
    case 'letterbox': {
      const bar = letterboxBar(h);
      const y = `((Y+0.5)/${num(k, 6)})`;
      const outside = `clip(max(${bar}-${y},${y}-${h - bar})/${edge}+0.5,0,1)`;
      darkness = `max(0.42*pow(${dist}/${num(Math.hypot(w / 2, h / 2), 1)},2.2),${outside})`;
      break;
    }
    case 'none':
      darkness = `0.42*pow(${dist}/${num(Math.hypot(w / 2, h / 2), 1)},2.2)`;
      break;
  }
  const small = still(ctx, 'color=c=black', cw, ch, `format=gray16le,geq=lum=${q(`65535*clip(${darkness},0,1)`)}`);
  const full = ctx.g.chain([small], `scale=${w}:${h}:flags=bicubic,setsar=1,format=gray`);
  const mask = hold(ctx, planeMask(ctx, full, w, h));
  const black = hold(ctx, still(ctx, 'color=c=black', w, h, 'format=yuv420p'));
  return ctx.g.chain([base, black, mask], 'maskedmerge');
}
