/**
 * Out of body: the camera is outside the patient (withdrawn for cleaning, between ports, before
 * insertion).
 *
 * Inside, almost every lit pixel is warm (red, pink, orange, yellow fat), except the grey of
 * instruments; blues, greens and cyans practically never occur. Outside, the camera sees blue or
 * green drapes and gowns, white lights, grey walls and machines: the warm share collapses and
 * cool colours appear. The optical circle can vanish too (the scope detached, a different
 * source, a camera zoomed out), so the colours are counted over the whole frame, not only in the
 * mask, and non-tissue light outside the mask is a further hint (tissue filling the frame when
 * the scope is zoomed is not).
 *
 * Deliberately not used: brightness (auto-exposure and close-up tissue vary it as much as leaving
 * the body does) and plain redness (a redder patient is not "more inside").
 */

import type { FrameScan } from './scan.js';
import { clamp01 } from './stats.js';

/** Cool-coloured share at which the cool cue saturates. */
const COOL_FULL = 0.15;
/** Warm share of normal in-body footage (instruments included) and the span below it. */
const WARM_INSIDE = 0.85;
const WARM_SPAN = 0.6;
const W_COOL = 0.5;
const W_WARM = 0.5;
const W_BORDER = 0.2;
/** With fewer lit pixels than this share of the frame the picture is black: cannot tell. */
const MIN_LIT_SHARE = 0.05;
export const UNKNOWN_OUT_OF_BODY = 0.5;

export function outOfBodyScore(scan: FrameScan): number {
  const c = scan.colour;
  // Counts are over the checkerboard half of the pixels (scan.ts).
  const total = (scan.width * scan.height) / 2;
  const lit = c.valid + c.litOut;
  if (lit < MIN_LIT_SHARE * total || lit === 0) return UNKNOWN_OUT_OF_BODY;
  const warm = (c.warm + c.warmOut) / lit;
  const cool = (c.cool + c.coolOut) / lit;
  // Light where the optical border should be, in colours that are not tissue's.
  const border = c.out > 0 ? (c.litOut - c.warmOut) / c.out : 0;
  return clamp01(W_COOL * clamp01(cool / COOL_FULL) + W_WARM * clamp01((WARM_INSIDE - warm) / WARM_SPAN) + W_BORDER * border);
}
