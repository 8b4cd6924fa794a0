/** Small robust-statistics helpers on typed arrays. */

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * The bin index at quantile `q` (0..1) of a histogram with `total` counts: the first bin whose
 * cumulative count reaches q * total. Returns -1 for an empty histogram.
 */
export function histogramQuantile(hist: ArrayLike<number>, total: number, q: number): number {
  if (total <= 0) return -1;
  const target = Math.max(1, Math.ceil(q * total));
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= target) return i;
  }
  return hist.length - 1;
}

/**
 * Quantile of `values[0..count)` (linear interpolation between order statistics) by selection
 * on a copy in `scratch` (which must hold `count` numbers): linear time, no full sort. NaN when
 * count is 0.
 */
export function quantileOf(values: ArrayLike<number>, count: number, q: number, scratch: Float64Array | Float32Array): number {
  if (count <= 0) return Number.NaN;
  for (let i = 0; i < count; i++) scratch[i] = values[i]!;
  const pos = clamp01(q) * (count - 1);
  const k = Math.floor(pos);
  const lo = select(scratch, count, k);
  if (pos === k) return lo;
  // After selection everything right of k is >= the k-th value: the next order statistic is
  // their minimum.
  let hi = Infinity;
  for (let i = k + 1; i < count; i++) if (scratch[i]! < hi) hi = scratch[i]!;
  return lo + (hi - lo) * (pos - k);
}

/** Hoare's selection: puts the k-th smallest of a[0..n) at a[k], smaller left, larger right. */
function select(a: Float64Array | Float32Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (left < right) {
    const pivot = a[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

/** Quantile of an already sorted array, linear interpolation. NaN when empty. */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = clamp01(q) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const f = pos - lo;
  return sorted[lo]! * (1 - f) + sorted[hi]! * f;
}

/** Grows (never shrinks) a module-level scratch buffer. */
export function ensureLength<T extends Uint8Array | Int32Array | Float32Array | Float64Array>(
  buf: T,
  length: number,
  make: (n: number) => T,
): T {
  return buf.length >= length ? buf : make(Math.max(length, buf.length * 2));
}
