/**
 * Per-pixel colour classification shared by the feature extractors. Small pure functions on
 * 8-bit channel values so that the hot loops stay allocation-free (V8 inlines them).
 */

/**
 * 1 / k for k = 0..765 (0 at 0). The per-pixel loops multiply by it instead of dividing: a
 * division costs several times a multiplication and there are a handful per pixel.
 */
export const RECIPROCAL: Float64Array = (() => {
  const t = new Float64Array(766);
  for (let k = 1; k < t.length; k++) t[k] = 1 / k;
  return t;
})();

/** Rec. 601 luma, 0..255, integer arithmetic. */
export function luma(r: number, g: number, b: number): number {
  return (77 * r + 150 * g + 29 * b + 128) >> 8;
}

/**
 * Specular highlights: wet tissue and metal reflect the light source as small clipped white
 * spots that appear, vanish and move with the slightest motion. They say nothing about tissue
 * colour, blood or haze, so every feature ignores them. A highlight is bright (max channel near
 * clipping) and nearly colourless (min channel close to max); its pinkish rim on tissue
 * (e.g. 255/225/215) still qualifies, while bright pink tissue (245/170/160) does not.
 */
export const HIGHLIGHT_MAX = 230;
export const HIGHLIGHT_MIN_RATIO_PCT = 72;

export function isHighlight(max: number, min: number): boolean {
  return max >= HIGHLIGHT_MAX && min * 100 >= max * HIGHLIGHT_MIN_RATIO_PCT;
}

/**
 * Below this luma a pixel's colour is mostly sensor and compression noise; it counts as "dark"
 * (part of the view, but carrying no colour information).
 */
export const DARK_LUMA = 16;

/**
 * Hue classes, on the HSV hue in degrees taken signed in (-180, 180] so that the reds of tissue
 * and blood (around 0°, on both sides) form one interval:
 * - warm, [-35°, 65°]: colours found inside the body: reds and pinks of tissue and blood,
 *   oranges, the yellow of fat; magenta-ish pinks sit just below 0°;
 * - cool, |hue| >= 75°: greens, cyans, blues and violets: drapes, gowns, room light; almost
 *   never tissue.
 * Callers check saturation first: the hue of a grey pixel is noise.
 */
export const WARM_HUE_MIN = -35;
export const WARM_HUE_MAX = 65;
export const COOL_HUE_ABS = 75;
export const HUE_OTHER = 0;
export const HUE_WARM = 1;
export const HUE_COOL = 2;

/**
 * The hue class of a pixel with channel max `max` and min `min`. Integer arithmetic only: the
 * hue h = 60 * (...) / d is compared as 60 * (...) against bound * d, so no division and no
 * floating-point value leaves the function (it runs for every pixel).
 */
export function hueClass(r: number, g: number, b: number, max: number, min: number): number {
  const d = max - min;
  if (d === 0) return HUE_OTHER;
  let h: number; // hue * d
  if (max === r) h = 60 * (g - b);
  else if (max === g) h = 120 * d + 60 * (b - r);
  else {
    h = 240 * d + 60 * (r - g);
    if (h > 180 * d) h -= 360 * d;
  }
  if (h >= WARM_HUE_MIN * d && h <= WARM_HUE_MAX * d) return HUE_WARM;
  if (h >= COOL_HUE_ABS * d || h <= -COOL_HUE_ABS * d) return HUE_COOL;
  return HUE_OTHER;
}

/**
 * Deep red: green at most 0.32 of red and blue at most 0.55 of red. Haemoglobin absorbs green and
 * blue strongly, so this holds for blood under any exposure (the ratios do not change with
 * exposure), while perfused tissue (green/red 0.35-0.7), fat, instruments and drapes fail it. It
 * is only the necessary part of the blood test (blood.ts refines it against the frame's tissue);
 * the scan collects these pixels so that the blood pass visits only them.
 */
export const DEEP_RED_GR_MAX = 0.32;
export const DEEP_RED_BR_MAX = 0.55;

export function isDeepRed(r: number, g: number, b: number): boolean {
  return g <= DEEP_RED_GR_MAX * r && b <= DEEP_RED_BR_MAX * r;
}
