/**
 * From sparse, irregular keyframe samples to one value per second.
 *
 * Keyframes arrive every 0.5-5 s and not on a grid. A second that holds samples gets their mean;
 * a second between samples gets the straight line between its neighbours at its centre (state
 * changes such as leaving the body are then placed between the two keyframes that disagree);
 * seconds before the first or after the last sample hold that sample's value.
 */

/** Number of whole seconds covering [0, duration). */
export function secondsIn(duration: number): number {
  if (!Number.isFinite(duration) || duration <= 0) return 0;
  return Math.ceil(duration - 1e-9);
}

/**
 * Point samples (times ascending) to per-second values. All zeros when there is no sample.
 */
export function samplesToSeconds(times: Float64Array, values: Float64Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const m = times.length;
  if (m === 0 || n === 0) return out;
  let j = 0; // first sample with time >= s
  for (let s = 0; s < n; s++) {
    while (j < m && times[j]! < s) j++;
    let k = j;
    let sum = 0;
    while (k < m && times[k]! < s + 1) sum += values[k++]!;
    if (k > j) {
      out[s] = sum / (k - j);
      continue;
    }
    const prev = j - 1;
    if (prev < 0) out[s] = values[0]!;
    else if (j >= m) out[s] = values[m - 1]!;
    else {
      const t0 = times[prev]!;
      const t1 = times[j]!;
      const f = t1 > t0 ? (s + 0.5 - t0) / (t1 - t0) : 0;
      out[s] = values[prev]! + (values[j]! - values[prev]!) * Math.min(1, Math.max(0, f));
    }
  }
  return out;
}

/**
 * Values that belong to time intervals (start ascending, intervals not overlapping), such as the
 * change between two consecutive keyframes, to per-second values: each second averages the
 * intervals it overlaps, weighted by overlap; a second that no interval touches holds the
 * previous value (the first value before the first interval). Null when there is no interval.
 */
export function intervalsToSeconds(starts: Float64Array, ends: Float64Array, values: Float64Array, n: number): Float32Array | null {
  const m = starts.length;
  if (m === 0) return null;
  const out = new Float32Array(n);
  if (n === 0) return out;
  const sum = new Float64Array(n);
  const weight = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    const a = Math.max(0, starts[k]!);
    const b = Math.min(n, ends[k]!);
    if (!(b > a)) continue;
    const v = values[k]!;
    for (let s = Math.floor(a); s < b; s++) {
      const w = Math.min(b, s + 1) - Math.max(a, s);
      if (w <= 0) continue;
      sum[s]! += v * w;
      weight[s]! += w;
    }
  }
  let held = Number.NaN;
  for (let s = 0; s < n; s++) {
    if (weight[s]! > 0) {
      held = sum[s]! / weight[s]!;
      out[s] = held;
    } else {
      out[s] = held;
    }
  }
  // Leading seconds before any interval take the first value that exists.
  let firstValue = values[0]!;
  for (let s = 0; s < n; s++) {
    if (weight[s]! > 0) {
      firstValue = out[s]!;
      break;
    }
  }
  for (let s = 0; s < n && Number.isNaN(out[s]!); s++) out[s] = firstValue;
  return out;
}
