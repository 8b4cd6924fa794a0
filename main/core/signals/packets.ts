/**
 * Compressed-domain activity: bytes of predicted (non-key) packets per second.
 *
 * A predicted frame codes what changed since its references, so with quality-driven rate
 * control (the usual case for recorders writing files) its size grows with motion: a still scene
 * costs almost nothing, instruments working cost more, a camera swing or a cut costs most. That
 * gives exact 1 Hz resolution from ffprobe's packet list, with no decoding at all.
 *
 * - Keyframes are left out: their size reflects scene detail and the encoder's GOP schedule,
 *   not motion. A second that holds a keyframe has one predicted frame fewer, which is made up
 *   by scaling with (all packets / non-key packets) in that second.
 * - Sizes are divided by the recording's median second, so the unit is "typical activity of this
 *   recording": independent of resolution, codec and bitrate.
 * - Seconds inside the packet span with no packet at all are a freeze (0); seconds outside it
 *   or holding only keyframes are unknown (NaN).
 * - The signal is weighted by how much it varies: a constant-bitrate stream spreads the same
 *   bytes over every second whatever happens, and an all-intra stream has no predicted frames;
 *   both get weight 0 and motion then comes from pixels alone.
 * - And by how steady the frame rate is: at a variable rate a second's bytes count its frames as
 *   much as what changed in them (a frozen picture's sensor noise coded at 30 frames a second
 *   outweighs slow work at 10), so a stream whose frame intervals vary severalfold leaves motion
 *   to the pixels too.
 */

import { clamp01, sortedQuantile } from './stats.js';
import type { PacketInfo } from './types.js';

/** Below this share of non-key packets the stream is (nearly) all-intra. */
const MIN_PREDICTED_SHARE = 0.2;
/** Fewer packets per typical second than this and 1 Hz sums are meaningless. */
const MIN_PACKETS_PER_SECOND = 2;
/** Frame intervals' p90 / p10 up to STEADY_RATE: a constant rate (timestamp jitter); weight 0 from UNSTEADY_RATE. */
const STEADY_RATE = 1.5;
const UNSTEADY_RATE = 2.5;
/** (p90 - p10) / median below DISPERSION_FLAT: constant bitrate; full weight at +SPAN. */
const DISPERSION_FLAT = 0.1;
const DISPERSION_SPAN = 0.3;

export interface PacketSeconds {
  /** Non-key bytes per second (key slots made up), NaN where unknown. */
  bytes: Float64Array;
  /** Median of the known seconds (0 when none). */
  median: number;
  /** 0..1: how far the packet sizes can be trusted to follow motion. */
  weight: number;
}

export function packetSeconds(packets: readonly PacketInfo[], n: number): PacketSeconds {
  const bytes = new Float64Array(n).fill(Number.NaN);
  if (n === 0 || packets.length === 0) return { bytes, median: 0, weight: 0 };
  const nkBytes = new Float64Array(n);
  const nkCount = new Int32Array(n);
  const allCount = new Int32Array(n);
  let first = n;
  let last = -1;
  let predicted = 0;
  let counted = 0;
  for (let k = 0; k < packets.length; k++) {
    const p = packets[k]!;
    const t = p.time;
    if (!(t >= 0)) continue; // also drops NaN
    const s = Math.floor(t);
    if (s >= n) continue;
    counted++;
    allCount[s]!++;
    if (!p.key) {
      const size = p.size > 0 && Number.isFinite(p.size) ? p.size : 0;
      nkBytes[s]! += size;
      nkCount[s]!++;
      predicted++;
    }
    if (s < first) first = s;
    if (s > last) last = s;
  }
  if (last < 0) return { bytes, median: 0, weight: 0 };

  const known = new Float64Array(last - first + 1);
  const perSecond = new Float64Array(last - first + 1);
  let nk = 0;
  for (let s = first; s <= last; s++) {
    const all = allCount[s]!;
    const pred = nkCount[s]!;
    let v: number;
    if (all === 0) v = 0;
    else if (pred === 0) continue;
    else v = (nkBytes[s]! * all) / pred;
    bytes[s] = v;
    perSecond[nk] = all;
    known[nk++] = v;
  }
  if (nk === 0) return { bytes, median: 0, weight: 0 };
  const sorted = known.subarray(0, nk).sort();
  const median = sortedQuantile(sorted, 0.5);
  const typicalPackets = sortedQuantile(perSecond.subarray(0, nk).sort(), 0.5);
  let weight = 0;
  if (median > 0 && predicted >= MIN_PREDICTED_SHARE * counted && typicalPackets >= MIN_PACKETS_PER_SECOND) {
    const dispersion = (sortedQuantile(sorted, 0.9) - sortedQuantile(sorted, 0.1)) / median;
    weight = clamp01((dispersion - DISPERSION_FLAT) / DISPERSION_SPAN) * rateSteadiness(packets);
  }
  return { bytes, median, weight };
}

/** 1 for a constant frame rate, falling to 0 as the intervals between frames vary severalfold. */
export function rateSteadiness(packets: readonly PacketInfo[]): number {
  const times = packets.map((p) => p.time).filter((t) => t >= 0).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0) gaps.push(d);
  }
  if (gaps.length < 10) return 1;
  gaps.sort((a, b) => a - b);
  const spread = sortedQuantile(gaps, 0.9) / sortedQuantile(gaps, 0.1);
  return clamp01((UNSTEADY_RATE - spread) / (UNSTEADY_RATE - STEADY_RATE));
}
