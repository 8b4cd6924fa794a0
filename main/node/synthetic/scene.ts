import type { FfmpegCaps } from './capabilities.js';
import type { SceneContext } from './context.js';
import { outputPixelFormat } from './encode.js';
import { frameCodeFilters } from './frame-code.js';
import { FilterGraph, motionTimeExpr, num, q, rateString } from './graph.js';
import { bleeding } from './layers/bleeding.js';
import { border, fieldOfView } from './layers/border.js';
import { highlights } from './layers/highlights.js';
import { instruments } from './layers/instruments.js';
import { outOfBody } from './layers/out-of-body.js';
import { smoke } from './layers/smoke.js';
import { tissue } from './layers/tissue.js';
import { Random } from './random.js';
import type { ResolvedSpec } from './spec.js';
import type { TextImage } from './text.js';

export interface Scene {
  /** The -filter_complex graph. */
  graph: string;
  video: string;
  audio: string | null;
}

/** Length of the segments that alternate between full and half frame rate in VFR output. */
export const VFR_SEGMENT_SECONDS = 2;

/**
 * Composes the scene, back to front:
 * tissue (panned still) -> bleeding pools -> specular highlights -> instruments -> smoke ->
 * vignette and border -> out-of-body scene -> burned-in text -> [VFR thinning] -> frame code.
 *
 * `text`, when given, is ffmpeg input #0 (a still image).
 */
export function buildScene(spec: ResolvedSpec, caps: FfmpegCaps, text: TextImage | null): Scene {
  const g = new FilterGraph();
  const idle = spec.events.filter((e) => e.kind === 'idle');
  const ctx: SceneContext = {
    g,
    spec,
    caps,
    w: spec.width,
    h: spec.height,
    rate: rateString(spec.rate),
    frames: spec.frames,
    m: motionTimeExpr(idle, 1 / spec.fps),
    view: fieldOfView(spec.width, spec.height, spec.border),
  };
  // Independent streams of randomness per layer, drawn in a fixed order.
  const root = new Random(spec.seed);
  const rTissue = root.fork(1);
  const rBlood = root.fork(2);
  const rHighlights = root.fork(3);
  const rInstruments = root.fork(4);
  const rSmoke = root.fork(5);
  const rOutside = root.fork(6);

  const { label: tissueLabel, camera } = tissue(ctx, rTissue);
  let v = tissueLabel;
  for (const e of spec.events) if (e.kind === 'bleeding') v = bleeding(ctx, v, camera, e, rBlood.fork(Math.round(e.start * 1000)));
  v = highlights(ctx, v, camera, rHighlights);
  v = instruments(ctx, v, rInstruments);
  v = smoke(ctx, v, spec.events.filter((e) => e.kind === 'smoke'), rSmoke);
  v = border(ctx, v);
  v = outOfBody(ctx, v, spec.events.filter((e) => e.kind === 'out-of-body'), rOutside);
  if (text) {
    const img = g.chain(['0:v'], 'format=yuva420p');
    v = g.chain([v, img], `overlay=x=${text.x}:y=${text.y}`);
  }
  const tail: string[] = [];
  if (spec.variableFrameRate) {
    // Alternate segments keep every frame or every other frame: real VFR timestamps.
    tail.push(`select=${q(`if(mod(floor(t/${VFR_SEGMENT_SECONDS}+0.000001),2),not(mod(n,2)),1)`)}`);
  }
  if (spec.frameCode) tail.push(frameCodeFilters(spec.width, spec.height));
  tail.push(`format=${outputPixelFormat(spec)}`, 'setsar=1');
  const video = g.chain([v], tail.join(','), 'vout');

  let audio: string | null = null;
  if (spec.audio) {
    // A low hum and faint pink noise, like a room microphone: quiet, never silent.
    const d = num(spec.duration, 6);
    const seed = new Random(spec.seed ^ 0x5eed).seed();
    const hum = g.chain([], `sine=frequency=100:sample_rate=48000:duration=${d},volume=0.02`);
    const hiss = g.chain([], `anoisesrc=color=pink:amplitude=0.01:sample_rate=48000:seed=${seed}:duration=${d}`);
    audio = g.chain([hum, hiss], 'amix=inputs=2:duration=longest,aformat=sample_fmts=fltp:channel_layouts=stereo', 'aout');
  }
  return { graph: g.toString(), video, audio };
}
