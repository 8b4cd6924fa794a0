/*
 * MedVidBench scoring as its paper reports it (MedGRPO, CVPR 2026).
 *
 * Temporal action grounding (`tal`), at IoU thresholds 0.3 and 0.5: each true span, in the order
 * the record lists them, takes the unused predicted span with the highest IoU; the pair counts when
 * that IoU reaches the threshold (the predicted span is then used up). Per record, Recall@t is the
 * share of true spans matched and meanIoU@t the mean IoU of the matched pairs (0 when none).
 *
 * Spatio-temporal grounding (`stg`): for each true time, in time order, the predicted box at that
 * time (times compared at 0.1 s, as the benchmark's answers write them), else the box used for the
 * time before; box IoU, mean per record. A time with no box yet scores 0, and so does a record with
 * no box at all. True boxes without an extent are left out, as the reference script does.
 *
 * Both average per record, then per dataset, then over datasets (macro). Pure, like metrics.ts.
 */

import type { Span, TimedBox } from '../agent/protocol/grounding-text.js';
import type { TruthBox } from './medvidbench.js';

export const TAL_THRESHOLDS = [0.3, 0.5] as const;

// As in metrics.ts: decimal seconds must not miss a threshold the same spans in frames would meet.
const TOLERANCE = 1e-9;

/** Temporal IoU; 0 for spans without a length (a prediction is never an error here). */
export function spanIoU(a: Span, b: Span): number {
  if (!(a[1] > a[0]) || !(b[1] > b[0])) return 0;
  const inter = Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
  if (inter <= 0) return 0;
  return inter / (Math.max(a[1], b[1]) - Math.min(a[0], b[0]));
}

export interface TalMatch {
  truth: number;
  pred: number;
  iou: number;
}

export interface TalThresholdScore {
  recall: number;
  meanIoU: number;
  matches: TalMatch[];
}

/** One record at one threshold: greedy matching, true spans in the order given. */
export function talScore(pred: readonly Span[], truth: readonly Span[], threshold: number): TalThresholdScore {
  const used = new Set<number>();
  const matches: TalMatch[] = [];
  truth.forEach((t, ti) => {
    let best = -1;
    let bestIoU = 0;
    pred.forEach((p, pi) => {
      if (used.has(pi)) return;
      const iou = spanIoU(p, t);
      if (iou > bestIoU) {
        best = pi;
        bestIoU = iou;
      }
    });
    if (best >= 0 && bestIoU >= threshold - TOLERANCE) {
      used.add(best);
      matches.push({ truth: ti, pred: best, iou: bestIoU });
    }
  });
  return {
    recall: truth.length ? matches.length / truth.length : 0,
    meanIoU: matches.length ? matches.reduce((a, m) => a + m.iou, 0) / matches.length : 0,
    matches,
  };
}

/** Box IoU of [x1, y1, x2, y2] boxes; 0 when either has no extent. */
export function boxIoU(a: readonly number[], b: readonly number[]): number {
  const [ax1, ay1, ax2, ay2] = a as [number, number, number, number];
  const [bx1, by1, bx2, by2] = b as [number, number, number, number];
  if (!(ax2 > ax1 && ay2 > ay1 && bx2 > bx1 && by2 > by1)) return 0;
  const w = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const h = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter);
}

const timeKey = (t: number) => (Math.round(t * 10) / 10).toFixed(1);
const hasExtent = (b: readonly number[]) => b.length === 4 && b[2]! > b[0]! && b[3]! > b[1]!;

export interface StgKeyScore {
  key: string;
  /** The box scored at this time: predicted there, carried from the time before, or none. */
  from: 'predicted' | 'previous' | 'none';
  iou: number;
}

export interface StgScore {
  mIoU: number;
  keys: StgKeyScore[];
}

/** One record: the mean box IoU over its true times. */
export function stgScore(pred: readonly TimedBox[], truth: readonly TruthBox[]): StgScore {
  const byTime = new Map<string, readonly number[]>();
  for (const p of pred) if (!byTime.has(timeKey(p.time))) byTime.set(timeKey(p.time), p.box);
  let carried: readonly number[] | null = null;
  const keys: StgKeyScore[] = [];
  for (const t of [...truth].sort((a, b) => a.time - b.time)) {
    const here = byTime.get(timeKey(t.time));
    const box = here ?? carried;
    if (here) carried = here;
    if (!hasExtent(t.box)) continue;
    keys.push({ key: t.key, from: here ? 'predicted' : box ? 'previous' : 'none', iou: box ? boxIoU(box, t.box) : 0 });
  }
  return { mIoU: keys.length ? keys.reduce((a, k) => a + k.iou, 0) / keys.length : 0, keys };
}

/** A record's scores, as the averaging needs them. */
export type ScoredRecord =
  | { dataset: string; qaType: 'tal'; tal: Record<TalKey, number> }
  | { dataset: string; qaType: 'stg'; mIoU: number };

export type TalKey = 'R@0.3' | 'mIoU@0.3' | 'R@0.5' | 'mIoU@0.5';
export const TAL_KEYS: readonly TalKey[] = ['R@0.3', 'mIoU@0.3', 'R@0.5', 'mIoU@0.5'];

/** A record's four tal figures. */
export function talFigures(pred: readonly Span[], truth: readonly Span[]): Record<TalKey, number> {
  const [a, b] = TAL_THRESHOLDS.map((t) => talScore(pred, truth, t)) as [TalThresholdScore, TalThresholdScore];
  return { 'R@0.3': a.recall, 'mIoU@0.3': a.meanIoU, 'R@0.5': b.recall, 'mIoU@0.5': b.meanIoU };
}

/** Null figures: the group has no record of that kind. */
export type TalSummary = { n: number } & Record<TalKey, number | null>;
export interface StgSummary {
  n: number;
  mIoU: number | null;
}
export interface TaskSummaries {
  tal: TalSummary;
  stg: StgSummary;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function summarizeGroup(records: readonly ScoredRecord[]): TaskSummaries {
  const tal = records.flatMap((r) => (r.qaType === 'tal' ? [r.tal] : []));
  const stg = records.flatMap((r) => (r.qaType === 'stg' ? [r.mIoU] : []));
  const talSummary = { n: tal.length } as TalSummary;
  for (const k of TAL_KEYS) talSummary[k] = mean(tal.map((t) => t[k]));
  return { tal: talSummary, stg: { n: stg.length, mIoU: mean(stg) } };
}

export interface MedVidSummary {
  /** Per dataset, in first-seen order. */
  datasets: [string, TaskSummaries][];
  /** The mean over datasets that have records of the kind; `n` counts records. */
  macro: TaskSummaries;
  /** Datasets that count in the macro average, per kind. */
  macroDatasets: { tal: number; stg: number };
}

export function summarizeMedVid(records: readonly ScoredRecord[]): MedVidSummary {
  const groups = new Map<string, ScoredRecord[]>();
  for (const r of records) groups.set(r.dataset, [...(groups.get(r.dataset) ?? []), r]);
  const datasets = [...groups].map(([name, rs]): [string, TaskSummaries] => [name, summarizeGroup(rs)]);
  const talSets = datasets.filter(([, s]) => s.tal.n > 0).map(([, s]) => s.tal);
  const stgSets = datasets.filter(([, s]) => s.stg.n > 0).map(([, s]) => s.stg);
  const macroTal = { n: talSets.reduce((a, s) => a + s.n, 0) } as TalSummary;
  for (const k of TAL_KEYS) macroTal[k] = mean(talSets.map((s) => s[k]!));
  return {
    datasets,
    macro: { tal: macroTal, stg: { n: stgSets.reduce((a, s) => a + s.n, 0), mIoU: mean(stgSets.map((s) => s.mIoU!)) } },
    macroDatasets: { tal: talSets.length, stg: stgSets.length },
  };
}
