/*
 * Candidate windows: an episode of the case-state model (case-states.ts) described on its event's
 * per-second track, for ranking and for the crops that place its edges.
 */

/** A stretch of case seconds [start, end) where the event may be. */
export interface Candidate {
  start: number;
  end: number;
  /** Highest value inside, and the start of its second. */
  peak: number;
  peakAt: number;
  /** Mean of the seconds with data inside. */
  mean: number;
  /** Sum of the values inside: how much of the event there is, for ranking. */
  strength: number;
  /**
   * The tracks labelled it as something else that looks alike (a room for smoke, smoke for a
   * room): only the frames' detections can make it this event.
   */
  doubtful?: boolean;
}

function hasData(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v) && v >= 0;
}

interface Span {
  start: number;
  end: number;
}

/** A candidate of the seconds [start, end) of `values`. */
export function describe(values: readonly number[], span: Span): Candidate {
  let peak = -Infinity;
  let peakAt = span.start;
  let sum = 0;
  let count = 0;
  for (let i = span.start; i < span.end; i++) {
    const v = values[i];
    if (!hasData(v)) continue;
    sum += v;
    count++;
    if (v > peak) {
      peak = v;
      peakAt = i;
    }
  }
  return { ...span, peak: count > 0 ? peak : 0, peakAt, mean: count > 0 ? sum / count : 0, strength: sum };
}

/** Median of the measured values in [from, to), or null when none is measured. */
export function medianOf(values: readonly number[], from: number, to: number): number | null {
  const picked: number[] = [];
  for (let i = Math.max(0, Math.floor(from)); i < Math.min(values.length, Math.ceil(to)); i++) {
    const v = values[i];
    if (hasData(v)) picked.push(v);
  }
  if (picked.length === 0) return null;
  picked.sort((a, b) => a - b);
  const mid = picked.length >> 1;
  return picked.length % 2 === 1 ? picked[mid]! : (picked[mid - 1]! + picked[mid]!) / 2;
}

/** Fraction of the seconds that have data. */
export function coverageOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let n = 0;
  for (const v of values) if (hasData(v)) n++;
  return n / values.length;
}
