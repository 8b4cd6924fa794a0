/**
 * Per-second tracks of one recording part from its keyframe features and its packet list.
 *
 * Values (0..1; NaN where nothing was measured):
 * - blood, haze, outOfBody, brightness: the frame features resampled per second (resample.ts).
 * - motion: packet activity and keyframe-to-keyframe pixel change, each mapped to 0..1 by
 *   x / (x + typical), so about 0.5 is this recording's typical activity, an idle scene reads
 *   well below (~0.1-0.2) and bursts approach 1. Packets carry the larger weight when they are
 *   informative (variable bitrate) because they are exact at 1 Hz; pixels fill in otherwise.
 * - sceneChange: histogram distance between consecutive keyframes, placed on the one second of
 *   their interval where the packets spike (a cut makes the first predicted frame after it
 *   large), else on the second of the later keyframe; 0 elsewhere.
 */

import { histogramDistance } from './histogram.js';
import { packetSeconds } from './packets.js';
import { intervalsToSeconds, samplesToSeconds, secondsIn } from './resample.js';
import { sortedQuantile } from './stats.js';
import { thumbnailDifference } from './thumbnail.js';
import type { FeatureSample, PacketInfo, RawTracks } from './types.js';

const W_PACKETS = 0.65;
const W_PIXELS = 0.35;
/**
 * Floor of the "typical" pixel change: the still-scene noise level is ~0.01, so a recording that
 * is idle throughout is not stretched to look busy.
 */
const PIXEL_TYPICAL_FLOOR = 0.03;
/** A second is a packet spike when it has this many times the mean of the other candidates. */
const SPIKE_RATIO = 1.5;

export function buildTracks(samples: readonly FeatureSample[], packets: readonly PacketInfo[], duration: number): RawTracks {
  const n = secondsIn(duration);
  const ordered = samples.filter((s) => Number.isFinite(s.time)).sort((a, b) => a.time - b.time);
  const m = ordered.length;
  const times = new Float64Array(m);
  const blood = new Float64Array(m);
  const haze = new Float64Array(m);
  const oob = new Float64Array(m);
  const bright = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const s = ordered[i]!;
    times[i] = s.time;
    blood[i] = finiteOr(s.features.blood, 0);
    haze[i] = finiteOr(s.features.haze, 0);
    oob[i] = finiteOr(s.features.outOfBody, 0);
    bright[i] = finiteOr(s.features.brightness, 0);
  }

  const pkt = packetSeconds(packets, n);
  return {
    rate: 1,
    motion: motionTrack(ordered, times, pkt, n),
    blood: samplesToSeconds(times, blood, n),
    haze: samplesToSeconds(times, haze, n),
    outOfBody: samplesToSeconds(times, oob, n),
    brightness: samplesToSeconds(times, bright, n),
    sceneChange: sceneChangeTrack(ordered, times, pkt.bytes, n),
  };
}

function finiteOr(v: number, fallback: number): number {
  return Number.isFinite(v) ? v : fallback;
}

function motionTrack(ordered: readonly FeatureSample[], times: Float64Array, pkt: ReturnType<typeof packetSeconds>, n: number): Float32Array {
  const m = ordered.length;
  const starts = new Float64Array(Math.max(0, m - 1));
  const ends = new Float64Array(Math.max(0, m - 1));
  const diffs = new Float64Array(Math.max(0, m - 1));
  let k = 0;
  for (let i = 1; i < m; i++) {
    const t0 = times[i - 1]!;
    const t1 = times[i]!;
    if (!(t1 > t0)) continue;
    const d = thumbnailDifference(ordered[i - 1]!.features, ordered[i]!.features);
    if (d === null || !Number.isFinite(d)) continue;
    starts[k] = t0;
    ends[k] = t1;
    diffs[k++] = d;
  }
  const pixels = intervalsToSeconds(starts.subarray(0, k), ends.subarray(0, k), diffs.subarray(0, k), n);
  const pixelTypical = k > 0 ? Math.max(PIXEL_TYPICAL_FLOOR, sortedQuantile(diffs.slice(0, k).sort(), 0.5)) : 1;

  const out = new Float32Array(n);
  const wp = W_PACKETS * pkt.weight;
  for (let s = 0; s < n; s++) {
    let num = 0;
    let den = 0;
    const b = pkt.bytes[s]!;
    if (wp > 0 && Number.isFinite(b)) {
      const r = b / pkt.median;
      num += wp * (r / (r + 1));
      den += wp;
    }
    if (pixels) {
      const d = pixels[s]!;
      num += W_PIXELS * (d / (d + pixelTypical));
      den += W_PIXELS;
    }
    // Nothing tells (a part a second long: no second keyframe, too few packets): unknown, not still.
    out[s] = den > 0 ? num / den : Number.NaN;
  }
  return out;
}

function sceneChangeTrack(ordered: readonly FeatureSample[], times: Float64Array, bytes: Float64Array, n: number): Float32Array {
  const out = new Float32Array(n);
  if (n === 0) return out;
  for (let i = 1; i < ordered.length; i++) {
    const t0 = times[i - 1]!;
    const t1 = times[i]!;
    if (t1 < 0 || t0 >= n) continue;
    const d = histogramDistance(ordered[i - 1]!.features.histogram, ordered[i]!.features.histogram);
    if (!Number.isFinite(d)) continue;
    const a = Math.min(n - 1, Math.max(0, Math.floor(t0)));
    const b = Math.min(n - 1, Math.max(0, Math.floor(t1)));
    const s = a === b ? b : spikeSecond(bytes, a, b);
    if (d > out[s]!) out[s] = d;
  }
  return out;
}

/** The second in [a, b] whose packets clearly stand out, else b (where the new picture is seen). */
function spikeSecond(bytes: Float64Array, a: number, b: number): number {
  let best = -1;
  let bestValue = -1;
  let total = 0;
  let known = 0;
  for (let s = a; s <= b; s++) {
    const v = bytes[s]!;
    if (!Number.isFinite(v)) continue;
    total += v;
    known++;
    if (v > bestValue) {
      bestValue = v;
      best = s;
    }
  }
  if (best < 0 || known < 2) return b;
  const others = (total - bestValue) / (known - 1);
  return bestValue > SPIKE_RATIO * others ? best : b;
}
