/**
 * FrameFeatures as plain JSON. The worker may send features over a channel that only carries
 * JSON (child_process.fork's default serialisation, the Node host's WebSocket); typed arrays do
 * not survive JSON.stringify as arrays, so they travel as number arrays and are checked on the
 * way back in.
 */

import { HISTOGRAM_BINS } from './histogram.js';
import type { FrameFeatures } from './types.js';

export interface FrameFeaturesJSON {
  brightness: number;
  blood: number;
  haze: number;
  tissue: number;
  outOfBody: number;
  histogram: number[];
  small: number[];
  smallWidth: number;
  smallHeight: number;
}

export function featuresToJSON(f: FrameFeatures): FrameFeaturesJSON {
  return {
    brightness: f.brightness,
    blood: f.blood,
    haze: f.haze,
    tissue: f.tissue,
    outOfBody: f.outOfBody,
    histogram: Array.from(f.histogram),
    small: Array.from(f.small),
    smallWidth: f.smallWidth,
    smallHeight: f.smallHeight,
  };
}

/** Rebuilds FrameFeatures from JSON; throws TypeError when the value is not well formed. */
export function featuresFromJSON(value: unknown): FrameFeatures {
  if (typeof value !== 'object' || value === null) throw new TypeError('frame features: not an object');
  const o = value as Record<string, unknown>;
  const num = (k: string): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`frame features: ${k} is not a finite number`);
    return v;
  };
  const arr = (k: string, length: number): Float32Array => {
    const v = o[k];
    if (!Array.isArray(v) || v.length !== length) throw new TypeError(`frame features: ${k} is not an array of ${length} numbers`);
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`frame features: ${k}[${i}] is not a finite number`);
      out[i] = x;
    }
    return out;
  };
  const smallWidth = num('smallWidth');
  const smallHeight = num('smallHeight');
  if (!Number.isInteger(smallWidth) || !Number.isInteger(smallHeight) || smallWidth < 0 || smallHeight < 0) {
    throw new TypeError('frame features: thumbnail size is not a pair of non-negative integers');
  }
  return {
    brightness: num('brightness'),
    blood: num('blood'),
    haze: num('haze'),
    tissue: num('tissue'),
    outOfBody: num('outOfBody'),
    histogram: arr('histogram', HISTOGRAM_BINS),
    small: arr('small', smallWidth * smallHeight),
    smallWidth,
    smallHeight,
  };
}
