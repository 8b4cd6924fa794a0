/**
 * Which of the frames sampled for de-identification the text reader and the people detectors
 * actually read. A frame that looks like the last one read, block by block, would give the same
 * boxes, so it is passed over; the masks then run from the read before to the read after, as
 * they do between any two reads. Still stretches (a pause, a parked camera, a room shot with no
 * one moving) cost a decode instead of two models.
 *
 * Compared block by block on a small grey thumbnail, not as a whole: a face coming into one
 * corner changes one block a lot and the picture's mean almost nothing. Compared with the last
 * frame read, not the last sampled, so a slow drift adds up until it is read. And a frame is read
 * at least every few seconds whatever the measure says, which bounds what a change too small to
 * see could hide. Pure: pixels in, decisions out.
 */

import type { RgbFrame } from '../signals/types.js';

export const THUMB_WIDTH = 64;
export const THUMB_HEIGHT = 36;
/** Blocks of the thumbnail compared on their own: 8 x 6 of them, each 8 x 6 thumbnail pixels. */
export const BLOCK_WIDTH = 8;
export const BLOCK_HEIGHT = 6;
/**
 * Mean grey difference inside one block (0-255) from which a frame counts as changed. Sensor
 * noise and compression on a still picture stay under about 4; a hand or a head moving in
 * a block is well over 20. Set low: a read too many costs a few hundred milliseconds, a read
 * missed may leave a face unmasked until the next.
 */
export const CHANGE_THRESHOLD = 10;
/** Seconds after which a frame is read however still the picture looks. */
export const MAX_SECONDS_UNREAD = 4;

/** The frame as a THUMB_WIDTH x THUMB_HEIGHT grey picture, each pixel the mean of its cell (sampled on a grid). */
export function changeThumbnail(frame: RgbFrame): Uint8Array {
  const { width: w, height: h, data } = frame;
  const out = new Uint8Array(THUMB_WIDTH * THUMB_HEIGHT);
  // Every cell averaged over at most 8 x 8 samples: at 1080p the cells are 30 x 30 pixels, and
  // a grid of samples sees what a full average does for a mask-sized change.
  for (let ty = 0; ty < THUMB_HEIGHT; ty++) {
    const y0 = Math.floor((ty * h) / THUMB_HEIGHT);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * h) / THUMB_HEIGHT));
    const sy = Math.max(1, Math.floor((y1 - y0) / 8));
    for (let tx = 0; tx < THUMB_WIDTH; tx++) {
      const x0 = Math.floor((tx * w) / THUMB_WIDTH);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * w) / THUMB_WIDTH));
      const sx = Math.max(1, Math.floor((x1 - x0) / 8));
      let sum = 0;
      let n = 0;
      for (let y = y0; y < y1; y += sy) {
        for (let x = x0, j = (y * w + x0) * 3; x < x1; x += sx, j += 3 * sx) {
          // Rec. 601 luma in integers.
          sum += (77 * data[j]! + 150 * data[j + 1]! + 29 * data[j + 2]!) >> 8;
          n++;
        }
      }
      out[ty * THUMB_WIDTH + tx] = n > 0 ? Math.round(sum / n) : 0;
    }
  }
  return out;
}

/** The largest mean difference of any block between two thumbnails (0-255). */
export function largestBlockChange(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let by = 0; by < THUMB_HEIGHT; by += BLOCK_HEIGHT) {
    for (let bx = 0; bx < THUMB_WIDTH; bx += BLOCK_WIDTH) {
      let sum = 0;
      for (let y = by; y < by + BLOCK_HEIGHT; y++) {
        for (let x = bx, i = y * THUMB_WIDTH + bx; x < bx + BLOCK_WIDTH; x++, i++) sum += Math.abs(a[i]! - b[i]!);
      }
      worst = Math.max(worst, sum / (BLOCK_WIDTH * BLOCK_HEIGHT));
    }
  }
  return worst;
}

export interface ReadDecision {
  read: boolean;
  /** The largest block change against the last frame read (Infinity for the first). */
  change: number;
  /** 'due': read because MAX_SECONDS_UNREAD passed, or as the range's last frame. */
  why: 'first' | 'changed' | 'due' | 'still';
}

/** Decides, frame by frame in time order, whether a sampled frame is read. */
export class FrameReads {
  private last: { time: number; thumb: Uint8Array } | null = null;

  constructor(private readonly opts: { threshold?: number; maxUnread?: number } = {}) {}

  /** `closing`: the range's last frame, always read (nothing after it would bound its masks). */
  decide(time: number, thumb: Uint8Array, closing = false): ReadDecision {
    const last = this.last;
    if (!last) return this.take(time, thumb, { read: true, change: Number.POSITIVE_INFINITY, why: 'first' });
    const change = largestBlockChange(last.thumb, thumb);
    if (change >= (this.opts.threshold ?? CHANGE_THRESHOLD)) return this.take(time, thumb, { read: true, change, why: 'changed' });
    if (closing || time - last.time >= (this.opts.maxUnread ?? MAX_SECONDS_UNREAD) - 1e-6) return this.take(time, thumb, { read: true, change, why: 'due' });
    return { read: false, change, why: 'still' };
  }

  private take(time: number, thumb: Uint8Array, d: ReadDecision): ReadDecision {
    this.last = { time, thumb };
    return d;
  }
}
