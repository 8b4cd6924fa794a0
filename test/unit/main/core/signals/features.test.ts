import { describe, expect, it } from 'vitest';
import {
  estimateFieldOfView,
  featuresFromJSON,
  featuresToJSON,
  frameFeatures,
  HISTOGRAM_BINS,
  type RgbFrame,
} from '../../../../../main/core/signals/index.js';
import { blackFrame, roomFrame, tissueFrame, type TissueOptions } from '../../../../support/signal-frames.js';

const circleMask = estimateFieldOfView(
  Array.from({ length: 16 }, (_, k) => tissueFrame({ sceneSeed: k + 1, shift: [k * 5, k * 3] })),
);

function features(frame: RgbFrame, mask = circleMask) {
  return frameFeatures(frame, mask);
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** Tissue frames that differ in everything but bleeding. */
const NO_BLOOD_VARIANTS: [string, TissueOptions][] = [
  ['plain', {}],
  ['redder tissue', { tint: [190, 72, 62] }],
  ['pinker tissue', { tint: [232, 150, 145] }],
  ['brighter exposure', { exposure: 1.3 }],
  ['darker exposure', { exposure: 0.55 }],
  ['much darker exposure', { exposure: 0.35 }],
  ['many highlights', { highlights: 45 }],
  ['large instruments', { instruments: [{ angle: 0.3, reach: 1, width: 20 }, { angle: 2.5, reach: 0.8, width: 14, dark: true }] }],
  ['more vessels', { vessels: 9 }],
  ['smoke', { smoke: 0.4 }],
];

describe('blood', () => {
  it('rises with the area of pooled blood and tracks it', () => {
    const areas = [0, 0.01, 0.03, 0.08, 0.2, 0.4];
    const values = areas.map((blood) => features(tissueFrame({ blood })).blood);
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
    for (let i = 2; i < areas.length; i++) {
      expect(values[i]!).toBeGreaterThan(areas[i]! * 0.7);
      expect(values[i]!).toBeLessThan(areas[i]! * 1.3);
    }
  });

  it.each(NO_BLOOD_VARIANTS)('stays near zero without blood: %s', (_label, opts) => {
    for (const sceneSeed of SEEDS.slice(0, 6)) {
      expect(features(tissueFrame({ ...opts, sceneSeed })).blood).toBeLessThan(0.015);
    }
  });

  it('is not raised by anatomy: vessels, fat, muscle across many scenes', () => {
    for (const sceneSeed of SEEDS) {
      const clear = features(tissueFrame({ sceneSeed })).blood;
      const bleeding = features(tissueFrame({ sceneSeed, blood: 0.05 })).blood;
      expect(clear).toBeLessThan(0.015);
      expect(bleeding).toBeGreaterThan(0.035);
    }
  });

  it.each([
    ['redder tissue', { tint: [190, 72, 62] as const }],
    ['darker exposure', { exposure: 0.55 }],
    ['brighter exposure', { exposure: 1.3 }],
    ['no border', { border: 'none' as const }],
  ])('still finds blood with %s', (_label, opts) => {
    const mask = 'border' in opts ? new Uint8Array(0) : circleMask;
    expect(features(tissueFrame({ ...opts, blood: 0.08 }), mask).blood).toBeGreaterThan(0.05);
  });
});

describe('haze', () => {
  it('rises with smoke density', () => {
    for (const sceneSeed of [1, 4, 7]) {
      const values = [0, 0.15, 0.3, 0.5, 0.7, 0.9].map((smoke) => features(tissueFrame({ sceneSeed, smoke })).haze);
      for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
      expect(values[3]! - values[0]!).toBeGreaterThan(0.3);
    }
  });

  it('does not rise with a brightness change alone', () => {
    for (const sceneSeed of [1, 4, 7]) {
      const base = features(tissueFrame({ sceneSeed })).haze;
      const light = features(tissueFrame({ sceneSeed, smoke: 0.15 })).haze;
      for (const exposure of [0.4, 0.6, 0.8, 1.15, 1.3]) {
        const h = features(tissueFrame({ sceneSeed, exposure })).haze;
        expect(Math.abs(h - base)).toBeLessThan(0.06);
        expect(h).toBeLessThan(light);
      }
    }
  });

  it('is not raised by grey instruments or highlights', () => {
    const base = features(tissueFrame()).haze;
    const tools = features(
      tissueFrame({ instruments: [{ angle: 0.3, reach: 1, width: 20 }, { angle: 2.5, reach: 0.9, width: 16 }], highlights: 45 }),
    ).haze;
    expect(tools - base).toBeLessThan(0.06);
  });
});

describe('outOfBody', () => {
  const inside: [string, RgbFrame, Uint8Array][] = [];
  for (const sceneSeed of [1, 2, 3]) {
    inside.push([`tissue ${sceneSeed}`, tissueFrame({ sceneSeed }), circleMask]);
    inside.push([`redder ${sceneSeed}`, tissueFrame({ sceneSeed, tint: [190, 72, 62] }), circleMask]);
    inside.push([`pale ${sceneSeed}`, tissueFrame({ sceneSeed, tint: [232, 160, 150] }), circleMask]);
    inside.push([`dark ${sceneSeed}`, tissueFrame({ sceneSeed, exposure: 0.45 }), circleMask]);
    inside.push([`bright ${sceneSeed}`, tissueFrame({ sceneSeed, exposure: 1.3 }), circleMask]);
    inside.push([`bleeding ${sceneSeed}`, tissueFrame({ sceneSeed, blood: 0.3 }), circleMask]);
    inside.push([`smoke ${sceneSeed}`, tissueFrame({ sceneSeed, smoke: 0.5 }), circleMask]);
    inside.push([`zoomed, border gone ${sceneSeed}`, tissueFrame({ sceneSeed, border: 'none' }), circleMask]);
    inside.push([
      `instruments ${sceneSeed}`,
      tissueFrame({ sceneSeed, instruments: [{ angle: 0.3, reach: 1, width: 20 }, { angle: 2.5, reach: 0.8, width: 14, dark: true }] }),
      circleMask,
    ]);
  }
  const outside: [string, RgbFrame, Uint8Array][] = [];
  for (const sceneSeed of [1, 2, 3]) {
    outside.push([`room ${sceneSeed}`, roomFrame({ sceneSeed }), circleMask]);
    outside.push([`room, border gone ${sceneSeed}`, roomFrame({ sceneSeed, border: 'none' }), circleMask]);
    outside.push([`room, no border at all ${sceneSeed}`, roomFrame({ sceneSeed, border: 'none' }), new Uint8Array(0)]);
    outside.push([`room without drapes ${sceneSeed}`, roomFrame({ sceneSeed, neutral: true }), circleMask]);
    outside.push([`dim room ${sceneSeed}`, roomFrame({ sceneSeed, exposure: 0.6 }), circleMask]);
  }

  it('separates operating-room frames from tissue frames', () => {
    const inValues = inside.map(([label, f, m]) => [label, features(f, m).outOfBody] as const);
    const outValues = outside.map(([label, f, m]) => [label, features(f, m).outOfBody] as const);
    for (const [label, v] of inValues) expect(v, label).toBeLessThan(0.2);
    for (const [label, v] of outValues) expect(v, label).toBeGreaterThan(0.5);
    const maxIn = Math.max(...inValues.map(([, v]) => v));
    const minOut = Math.min(...outValues.map(([, v]) => v));
    expect(minOut - maxIn).toBeGreaterThan(0.3);
  });

  it('says "cannot tell" for a black frame', () => {
    const f = features(blackFrame());
    expect(f.outOfBody).toBe(0.5);
    expect(f.blood).toBe(0);
    expect(f.haze).toBe(0);
    expect(f.brightness).toBeLessThan(0.05);
  });

  it('reports the tissue share', () => {
    expect(features(tissueFrame()).tissue).toBeGreaterThan(0.8);
    expect(features(roomFrame()).tissue).toBeLessThan(0.2);
  });
});

describe('brightness', () => {
  it('follows exposure and ignores highlights and the border', () => {
    const b1 = features(tissueFrame({ exposure: 1 })).brightness;
    const b2 = features(tissueFrame({ exposure: 0.5 })).brightness;
    expect(b2 / b1).toBeGreaterThan(0.45);
    expect(b2 / b1).toBeLessThan(0.55);
    const spots = features(tissueFrame({ highlights: 45 })).brightness;
    const none = features(tissueFrame({ highlights: 0 })).brightness;
    expect(Math.abs(spots - none)).toBeLessThan(0.01);
    // With the border left in, black pixels would pull the mean down by about 40 %.
    const whole = frameFeatures(tissueFrame(), new Uint8Array(0)).brightness;
    expect(b1).toBeGreaterThan(whole * 1.3);
  });
});

describe('frameFeatures', () => {
  it('is resolution-independent in what it reports', () => {
    const small = frameFeatures(tissueFrame({ blood: 0.1, smoke: 0.2 }), new Uint8Array(0));
    const big = frameFeatures(tissueFrame({ blood: 0.1, smoke: 0.2, width: 256, height: 144 }), new Uint8Array(0));
    expect(big.smallWidth).toBe(small.smallWidth);
    expect(big.smallHeight).toBe(small.smallHeight);
    expect(Math.abs(big.blood - small.blood)).toBeLessThan(0.03);
    expect(Math.abs(big.haze - small.haze)).toBeLessThan(0.08);
    expect(Math.abs(big.brightness - small.brightness)).toBeLessThan(0.03);
    expect(Math.abs(big.outOfBody - small.outOfBody)).toBeLessThan(0.05);
  });

  it('gives finite values in range and a normalised histogram', () => {
    for (const frame of [tissueFrame(), tissueFrame({ blood: 0.4, smoke: 0.6 }), roomFrame(), blackFrame()]) {
      const f = features(frame);
      for (const v of [f.brightness, f.blood, f.haze, f.tissue, f.outOfBody]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(f.histogram.length).toBe(HISTOGRAM_BINS);
      const chroma = f.histogram.subarray(0, 65).reduce((a, b) => a + b, 0);
      const lum = f.histogram.subarray(65).reduce((a, b) => a + b, 0);
      expect(chroma).toBeCloseTo(1, 4);
      expect(lum).toBeCloseTo(1, 4);
      expect(f.small.length).toBe(f.smallWidth * f.smallHeight);
    }
  });

  it('rejects a frame or mask of the wrong size', () => {
    const f = tissueFrame();
    expect(() => frameFeatures(f, new Uint8Array(10))).toThrow(RangeError);
    expect(() => frameFeatures({ width: 128, height: 72, data: new Uint8Array(100) }, circleMask)).toThrow(RangeError);
  });

  it('round-trips through JSON', () => {
    const f = features(tissueFrame({ blood: 0.05 }));
    const back = featuresFromJSON(JSON.parse(JSON.stringify(featuresToJSON(f))));
    expect(back.blood).toBe(f.blood);
    expect(back.smallWidth).toBe(f.smallWidth);
    expect(Array.from(back.histogram)).toEqual(Array.from(f.histogram));
    expect(Array.from(back.small)).toEqual(Array.from(f.small));
    expect(() => featuresFromJSON({ ...featuresToJSON(f), small: [1, 2] })).toThrow(TypeError);
    expect(() => featuresFromJSON({ ...featuresToJSON(f), haze: null })).toThrow(TypeError);
    expect(() => featuresFromJSON('nope')).toThrow(TypeError);
  });
});
