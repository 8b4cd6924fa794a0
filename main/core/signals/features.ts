/**
 * Per-frame features of one decoded keyframe, measured inside the field-of-view mask.
 */

import { bloodFraction } from './blood.js';
import { hazeCues, hazeScore } from './haze.js';
import { normaliseHistogram } from './histogram.js';
import { outOfBodyScore } from './out-of-body.js';
import { scanFrame } from './scan.js';
import { thumbnail } from './thumbnail.js';
import type { FrameFeatures, RgbFrame } from './types.js';

/**
 * Features of `frame` inside `mask` (from estimateFieldOfView; an empty mask means the whole
 * frame). Throws RangeError when the frame's data or the mask do not match its size.
 */
export function frameFeatures(frame: RgbFrame, mask: Uint8Array): FrameFeatures {
  const scan = scanFrame(frame, mask);
  const histogram = normaliseHistogram(scan.histogram);
  return {
    // Mean luma of the view without highlights: what exposure and light do to the picture.
    // Highlights are excluded because their number changes with angle, not with exposure.
    brightness: scan.viewCount > 0 ? scan.viewLumaSum / scan.viewCount / 255 : 0,
    blood: bloodFraction(frame, scan),
    haze: hazeScore(hazeCues(scan)),
    tissue: scan.colour.valid > 0 ? scan.colour.tissue / scan.colour.valid : 0,
    outOfBody: outOfBodyScore(scan),
    histogram,
    small: thumbnail(scan),
    smallWidth: scan.gridWidth,
    smallHeight: scan.gridHeight,
  };
}
