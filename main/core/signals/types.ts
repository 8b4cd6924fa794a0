/**
 * Shared types of the signal-processing core. Everything here is plain data so that it can cross
 * a process boundary; the typed arrays in FrameFeatures go through `featuresToJSON` /
 * `featuresFromJSON` when the transport only carries JSON.
 */

/** A decoded frame, RGB24, row-major, `data.length === width * height * 3`. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** One video packet as ffprobe reports it, without decoding. */
export interface PacketInfo {
  /** Presentation time in seconds from the part's start. */
  time: number;
  /** Bytes. */
  size: number;
  /** Keyframe (intra) packet. */
  key: boolean;
}

/**
 * What one decoded keyframe says about the scene. All scalars are 0..1.
 *
 * - `brightness`: mean luma in the view, highlights excluded.
 * - `blood`: fraction of the usable view that looks like blood relative to this frame's tissue.
 * - `haze`: smoke / plume / fogging score.
 * - `tissue`: fraction of the usable view with tissue colours (red, pink, orange, yellow fat).
 * - `outOfBody`: how much the picture looks like the world outside the patient (0.5 = cannot tell,
 *   e.g. a black frame).
 * - `histogram`: colour histogram for scene-change distance (layout in histogram.ts).
 * - `small`: grey thumbnail (luma 0..1, -1 where no usable pixel) for motion between keyframes.
 */
export interface FrameFeatures {
  brightness: number;
  blood: number;
  haze: number;
  tissue: number;
  outOfBody: number;
  histogram: Float32Array;
  small: Float32Array;
  smallWidth: number;
  smallHeight: number;
}

export interface FeatureSample {
  /** Seconds from the part's start (presentation time of the decoded keyframe). */
  time: number;
  features: FrameFeatures;
}

/** Per-second tracks over [0, duration): index s covers [s, s + 1). */
export interface RawTracks {
  rate: 1;
  motion: Float32Array;
  blood: Float32Array;
  haze: Float32Array;
  outOfBody: Float32Array;
  brightness: Float32Array;
  sceneChange: Float32Array;
}

export type TrackKey = keyof Omit<RawTracks, 'rate'>;

export const TRACK_KEYS: readonly TrackKey[] = ['motion', 'blood', 'haze', 'outOfBody', 'brightness', 'sceneChange'];
