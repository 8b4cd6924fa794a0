/*
 * Temporal grounding metrics as the MedScope and MedGRPO papers report them: mean IoU and recall
 * at IoU 0.3 / 0.5 / 0.7, over rows that each pair a question's ranked answer windows with its
 * ground-truth windows. Pure: no I/O, so a user's own tooling can import the same definitions.
 */

import { OpscopeError } from '../errors.js';

/** [start, end] in seconds. */
export type Window = readonly [number, number];

export const RECALL_THRESHOLDS = [0.3, 0.5, 0.7] as const;
export type RecallKey = 'R@0.3' | 'R@0.5' | 'R@0.7';

/*
 * 0.5 must count as 0.5: interval arithmetic on decimal seconds can land a hair below a threshold
 * that the same windows in whole frames would meet exactly.
 */
const TOLERANCE = 1e-9;

/** Throws a clear 'invalid-input' error for a window that has no extent or is not a pair of numbers. */
export function checkWindow(w: Window, what = 'window'): void {
  if (!Array.isArray(w) || w.length !== 2) throw new OpscopeError('invalid-input', `The ${what} must be a pair [start, end].`);
  const [start, end] = w;
  if (typeof start !== 'number' || typeof end !== 'number' || !Number.isFinite(start) || !Number.isFinite(end)) {
    throw new OpscopeError('invalid-input', `The ${what} [${String(start)}, ${String(end)}] must be two finite numbers of seconds.`);
  }
  if (end <= start) {
    const why = end === start ? 'has zero length' : 'ends before it starts';
    throw new OpscopeError('invalid-input', `The ${what} [${start}, ${end}] ${why}; IoU is defined only for windows with a length.`);
  }
}

/** Intersection over union of two windows; windows that only touch share nothing (0). */
export function temporalIoU(a: Window, b: Window): number {
  checkWindow(a, 'first window');
  checkWindow(b, 'second window');
  const inter = Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
  if (inter <= 0) return 0;
  return inter / (Math.max(a[1], b[1]) - Math.min(a[0], b[0]));
}

export interface RowScore {
  iou: number;
  /** Index of the ground-truth window the prediction was scored against; null without overlap. */
  matched: number | null;
}

/**
 * A row scores its best-ranked prediction only (the first window: what a clinician jumps to),
 * against the ground-truth window it overlaps most. "Most" is by IoU, as benchmarks with several
 * annotations per query take the best-matching one; ties go to the earlier-listed window.
 */
export function scoreRow(pred: readonly Window[], truth: readonly Window[]): RowScore {
  if (truth.length === 0) throw new OpscopeError('invalid-input', 'A row needs at least one ground-truth window.');
  truth.forEach((t, i) => checkWindow(t, `ground-truth window ${i + 1}`));
  pred.forEach((p, i) => checkWindow(p, `predicted window ${i + 1}`));
  const best = pred[0];
  if (!best) return { iou: 0, matched: null };
  let score: RowScore = { iou: 0, matched: null };
  truth.forEach((t, i) => {
    const iou = temporalIoU(best, t);
    if (iou > score.iou) score = { iou, matched: i };
  });
  return score;
}

export function meanIoU(ious: readonly number[]): number {
  return ious.length ? ious.reduce((a, b) => a + b, 0) / ious.length : 0;
}

/** Fraction of rows whose IoU reaches `k`. */
export function recallAt(ious: readonly number[], k: number): number {
  return ious.length ? ious.filter((x) => x >= k - TOLERANCE).length / ious.length : 0;
}

/** Nearest-rank percentile (the value at rank ceil(p/100 * n)): always one of the measured values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export interface ScoredRow {
  iou: number;
  /** Seconds of wall time for the question; null when the row never ran (e.g. its video is missing). */
  latency: number | null;
  /** Rows that failed count as IoU 0 but are left out of latency: a refusal in 5 ms is no speed. */
  error?: string | null;
}

export interface EvalSummary {
  n: number;
  mIoU: number;
  'R@0.3': number;
  'R@0.5': number;
  'R@0.7': number;
  /** Seconds; null when no row finished without an error. */
  latency: { p50: number | null; p95: number | null };
}

export function summarize(rows: readonly ScoredRow[]): EvalSummary {
  const ious = rows.map((r) => r.iou);
  const latencies = rows.filter((r) => !r.error && r.latency !== null).map((r) => r.latency!);
  return {
    n: rows.length,
    mIoU: meanIoU(ious),
    'R@0.3': recallAt(ious, 0.3),
    'R@0.5': recallAt(ious, 0.5),
    'R@0.7': recallAt(ious, 0.7),
    latency: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
  };
}

/** Summaries per group (e.g. event kind), groups in first-seen order; rows without a group are left out. */
export function summarizeBy<T extends ScoredRow>(rows: readonly T[], group: (row: T) => string | null | undefined): Map<string, EvalSummary> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const g = group(r);
    if (g) groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  return new Map([...groups].map(([g, rs]) => [g, summarize(rs)]));
}

/**
 * What guessing scores: the mean row IoU of one window as long as the (first) true window, placed
 * at evenly spaced positions over the recording. A reference for reading an mIoU, not a model.
 */
export function chanceIoU(truth: readonly Window[], duration: number, positions = 200): number {
  const first = truth[0];
  if (!first) throw new OpscopeError('invalid-input', 'A row needs at least one ground-truth window.');
  const length = Math.min(first[1] - first[0], duration);
  if (!(length > 0) || !(duration > 0)) throw new OpscopeError('invalid-input', 'The chance level needs a recording and a window with a length.');
  const room = duration - length;
  let sum = 0;
  for (let i = 0; i < positions; i++) {
    const start = positions === 1 ? room / 2 : (room * i) / (positions - 1);
    sum += scoreRow([[start, start + length]], truth).iou;
  }
  return sum / positions;
}
