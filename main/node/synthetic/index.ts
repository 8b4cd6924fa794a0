/**
 * Synthetic endoscopy video: tissue, instruments and injected events with exactly known time
 * windows, rendered by ffmpeg from lavfi sources and filters only (no downloaded assets). Used by
 * the first-run demo case, the integration tests and the benchmarks.
 */
export {
  demoSpec,
  type SyntheticBorder,
  type SyntheticCodec,
  type SyntheticContainer,
  type SyntheticEvent,
  type SyntheticEventKind,
  type SyntheticSpec,
} from './spec.js';
export { generateSyntheticVideo, type GenerateOptions } from './generate.js';
export { decodeFrameCode, frameCodeLayout, type FrameCodeLayout } from './frame-code.js';
export { VFR_SEGMENT_SECONDS } from './scene.js';
