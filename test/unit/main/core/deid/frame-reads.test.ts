import { describe, expect, it } from 'vitest';
import { changeThumbnail, FrameReads, largestBlockChange, MAX_SECONDS_UNREAD, THUMB_HEIGHT, THUMB_WIDTH } from '../../../../../main/core/deid/frame-reads.js';
import type { RgbFrame } from '../../../../../main/core/signals/types.js';
import { mulberry32 } from '../../../../../main/core/random.js';

const W = 1920;
const H = 1080;

/** A busy still picture (tissue-like texture), the same every call. */
function still(seed = 7): RgbFrame {
  const rnd = mulberry32(seed);
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y += 4) {
    for (let x = 0; x < W; x += 4) {
      const v = 60 + Math.floor(rnd() * 120);
      for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) data.set([v + 40, v, v - 20], ((y + dy) * W + x + dx) * 3);
    }
  }
  return { width: W, height: H, data };
}

/** Sensor-like noise of at most ±amp on every pixel. */
function noisy(f: RgbFrame, amp: number, seed: number): RgbFrame {
  const rnd = mulberry32(seed);
  const data = new Uint8Array(f.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, f.data[i]! + Math.round((rnd() * 2 - 1) * amp)));
  return { ...f, data };
}

/** A flat skin-coloured rectangle (a face, a hand) pasted in. */
function withPatch(f: RgbFrame, x0: number, y0: number, w: number, h: number): RgbFrame {
  const data = Uint8Array.from(f.data);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data.set([235, 190, 160], (y * W + x) * 3);
  return { ...f, data };
}

describe('which sampled frames de-identification reads', () => {
  it('sees a face-sized change in one corner that the picture\'s mean hardly shows', () => {
    const a = still();
    const b = withPatch(a, 1700, 20, 120, 120); // 120 px at 1080p: a face across the room
    const ta = changeThumbnail(a);
    const tb = changeThumbnail(b);
    expect(ta).toHaveLength(THUMB_WIDTH * THUMB_HEIGHT);
    const meanChange = ta.reduce((s, v, i) => s + Math.abs(v - tb[i]!), 0) / ta.length;
    expect(meanChange).toBeLessThan(3);
    expect(largestBlockChange(ta, tb)).toBeGreaterThanOrEqual(10);
    const reads = new FrameReads();
    expect(reads.decide(0, ta).read).toBe(true);
    expect(reads.decide(1, tb)).toMatchObject({ read: true, why: 'changed' });
  });

  it('passes over a still picture under sensor noise, and reads it again once the longest gap is up', () => {
    const base = still();
    const reads = new FrameReads();
    const decisions = [0, 1, 2, 3, 4, 5, 6].map((t) => reads.decide(t, changeThumbnail(noisy(base, 6, 100 + t))));
    expect(decisions.map((d) => d.read)).toEqual([true, false, false, false, true, false, false]);
    expect(decisions[4]!.why).toBe('due');
    expect(MAX_SECONDS_UNREAD).toBe(4);
    for (const d of decisions.slice(1)) expect(d.change).toBeLessThan(4);
  });

  it('compares with the last frame read, so a slow drift adds up until it is read', () => {
    const base = still();
    const reads = new FrameReads({ maxUnread: 100 });
    reads.decide(0, changeThumbnail(base));
    // A patch creeping in 8 px a sample: each step small, the sum large.
    const steps = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => reads.decide(k, changeThumbnail(withPatch(base, 0, 0, 8 * k, 200))));
    const firstRead = steps.findIndex((d) => d.read);
    expect(firstRead).toBeGreaterThan(0);
    expect(steps[firstRead]!.why).toBe('changed');
  });

  it('always reads the range\'s last frame', () => {
    const base = changeThumbnail(still());
    const reads = new FrameReads();
    reads.decide(0, base);
    expect(reads.decide(1, base).read).toBe(false);
    expect(reads.decide(2, base, true)).toMatchObject({ read: true, why: 'due' });
  });
});
