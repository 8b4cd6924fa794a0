/**
 * Whether indexing decodes every frame of a part (sampled once a second) instead of its keyframes
 * only. Keyframes are what make indexing fast, but they are also the motion track's resolution:
 * the pixel change is measured between consecutive keyframes.
 *
 * - Keyframes further apart than SPARSE_KEYFRAMES leave too few samples for the tracks.
 * - At LOW_FRAME_RATE frames a second or fewer (training recordings, time-lapse, console captures)
 *   every frame costs no more than the keyframes of an ordinary recording with one a second, and
 *   keyframes several seconds apart would see an 8 s pause as the one 4 s interval that is still
 *   from end to end.
 */

export const SPARSE_KEYFRAMES = 4;
const LOW_FRAME_RATE = 2;

export function samplesEveryFrame(keyframeInterval: number | null, fps: number): boolean {
  if (keyframeInterval === null || keyframeInterval > SPARSE_KEYFRAMES) return true;
  return fps > 0 && fps <= LOW_FRAME_RATE && keyframeInterval > 1;
}
