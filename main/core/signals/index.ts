/**
 * Signal tracks of the coarse index: pure functions from decoded keyframes and packet metadata
 * to per-second motion, blood, haze, out-of-body, brightness and scene-change tracks.
 *
 * Typical use in the media worker:
 *   const mask = estimateFieldOfView(sampleOfKeyframes);           // e.g. 20-60 spread out
 *   const samples = keyframes.map((k) => ({ time: k.time, features: frameFeatures(k.frame, mask) }));
 *   const raw = buildTracks(samples, packets, duration);
 *   const shown = displayScale('blood', raw.blood);
 * FrameFeatures hold typed arrays; featuresToJSON / featuresFromJSON carry them over JSON.
 */

export type { FeatureSample, FrameFeatures, PacketInfo, RawTracks, RgbFrame, TrackKey } from './types.js';
export { TRACK_KEYS } from './types.js';
export { estimateFieldOfView, wholeFrameMask } from './fov.js';
export { frameFeatures } from './features.js';
export { buildTracks } from './tracks.js';
export { displayRange, displayScale, toDisplay, type DisplayRange } from './display.js';
export { featuresFromJSON, featuresToJSON, type FrameFeaturesJSON } from './serialize.js';
export { histogramDistance, HISTOGRAM_BINS } from './histogram.js';
export { thumbnailDifference } from './thumbnail.js';
