import { fractalNoise, hold, mapField, planeMask, still, type SceneContext } from '../context.js';
import { anyWindowExpr, even, plus, q, wander } from '../graph.js';
import type { Random } from '../random.js';
import type { SyntheticEvent } from '../spec.js';

/**
 * Surgical smoke (electrocautery plume): a grey-white veil over the whole view. Contrast and
 * saturation drop and brightness rises (eq, evaluated per frame so the density fluctuates), and
 * a drifting cloud of haze is merged over it. Both filters are enabled only inside the windows.
 */
export function smoke(ctx: SceneContext, base: string, events: readonly SyntheticEvent[], rnd: Random): string {
  if (events.length === 0) return base;
  const { w, h } = ctx;
  const on = anyWindowExpr(events);
  const t = 't';
  const contrast = plus(wander(t, 0.1, [{ weight: 1, freq: rnd.range(0.9, 1.6), phase: rnd.phase() }, { weight: 0.5, freq: rnd.range(2.5, 4), phase: rnd.phase() }]), 0.66);
  const brightness = plus(wander(t, 0.04, [{ weight: 1, freq: rnd.range(0.6, 1.2), phase: rnd.phase() }]), 0.08);
  const saturation = plus(wander(t, 0.12, [{ weight: 1, freq: rnd.range(0.7, 1.3), phase: rnd.phase() }]), 0.5);
  const veiled = ctx.g.chain(
    [base],
    `eq=eval=frame:contrast=${q(contrast)}:brightness=${q(brightness)}:saturation=${q(saturation)}:enable=${q(on)}`,
  );

  // A cloud field larger than the frame, panned so the haze swirls.
  const sx = even(w * 0.15);
  const sy = even(h * 0.15);
  const cloudW = w + 2 * sx;
  const cloudH = h + 2 * sy;
  const lw = even(Math.min(cloudW, 480));
  const lh = even((lw * cloudH) / cloudW);
  // Enough cells in the coarsest octave that the mean density does not depend much on the seed.
  const field = fractalNoise(ctx, { cols: 6, octaves: 3, w: lw, h: lh, rnd, gain: 0.6, std: 45 });
  const density = ctx.g.chain(
    [mapField(ctx, field, (v) => `min(215,130+(${v}-128)*1.5)`)],
    `scale=${cloudW}:${cloudH}:flags=bicubic,setsar=1`,
  );
  const mask = planeMask(ctx, density, cloudW, cloudH);
  const x = plus(wander(t, sx * 0.95, [{ weight: 0.7, freq: rnd.range(0.15, 0.3), phase: rnd.phase() }, { weight: 0.3, freq: rnd.range(0.5, 0.9), phase: rnd.phase() }]), sx);
  const y = plus(wander(t, sy * 0.95, [{ weight: 0.7, freq: rnd.range(0.2, 0.35), phase: rnd.phase() }, { weight: 0.3, freq: rnd.range(0.6, 1), phase: rnd.phase() }]), sy);
  const cloud = ctx.g.chain([hold(ctx, mask)], `crop=${w}:${h}:x=${q(x)}:y=${q(y)}`);
  const haze = hold(ctx, still(ctx, 'color=c=0xE6E3E0', w, h, 'format=yuv420p'));
  return ctx.g.chain([veiled, haze, cloud], `maskedmerge=enable=${q(on)}`);
}
