/*
 * An evaluation's outcome: a scored row per question, the summaries over them, and the one JSON
 * object `opscope eval --json` prints. Rows keep predictions, not IoU alone, so a run resumed
 * after the ground truth was corrected is scored against the corrected windows.
 */

import { round3 } from '../round.js';
import type { BadLine } from './bench-file.js';
import { chanceIoU, scoreRow, summarize, summarizeBy, type EvalSummary, type Window } from './metrics.js';

export interface EvalRow {
  id: string;
  /** Line of the bench file. */
  line: number;
  kind: string | null;
  question: string;
  /** As written in the bench file. */
  video: string;
  gt: Window[];
  /** Best first, in seconds of the video. */
  pred: Window[];
  iou: number;
  /** Wall seconds from asking to the stored answer; null when the question was never asked. */
  latency: number | null;
  error: string | null;
  /** What the agent answered, and the bench's reference answer. */
  answer: string | null;
  reference: string | null;
  /** Seconds of the video, when it could be read. */
  duration: number | null;
}

export interface EvalResult {
  bench: string;
  backend: string;
  model: string | null;
  /** Rows with a result, in bench order. */
  rows: EvalRow[];
  summary: EvalSummary;
  /** Per event type, for rows that carry a `kind`; first-seen order. */
  byKind: [string, EvalSummary][];
  /** mIoU of a window as long as the truth at a random place: the floor to read mIoU against. */
  chance: number | null;
  /** Usable rows in the bench; `rows.length` is smaller when the run was stopped. */
  total: number;
  complete: boolean;
  badLines: BadLine[];
  videos: number;
  /** Rows taken from an earlier run, and rows asked in this one. */
  reused: number;
  asked: number;
  progressFile: string;
}

/** A row's IoU from its windows. */
export function scored(row: Omit<EvalRow, 'iou'>): EvalRow {
  return { ...row, iou: row.error ? 0 : scoreRow(row.pred, row.gt).iou };
}

export function summaries(rows: readonly EvalRow[]): Pick<EvalResult, 'summary' | 'byKind' | 'chance'> {
  const timed = rows.filter((r) => r.duration !== null && r.duration > 0);
  return {
    summary: summarize(rows),
    byKind: [...summarizeBy(rows, (r) => r.kind)],
    chance: timed.length ? timed.reduce((sum, r) => sum + chanceIoU(r.gt, r.duration!), 0) / timed.length : null,
  };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r3n = (x: number | null) => (x === null ? null : round3(x));
const windows = (ws: readonly Window[]) => ws.map(([s, e]) => [round3(s), round3(e)]);

/** `opscope eval --json`: exactly this object. A row that failed also carries its `error`. */
export function evalJson(result: EvalResult) {
  const s = result.summary;
  return {
    n: s.n,
    mIoU: r4(s.mIoU),
    'R@0.3': r4(s['R@0.3']),
    'R@0.5': r4(s['R@0.5']),
    'R@0.7': r4(s['R@0.7']),
    latency: { p50: r3n(s.latency.p50), p95: r3n(s.latency.p95) },
    rows: result.rows.map((r) => ({
      id: r.id,
      pred: windows(r.pred),
      gt: windows(r.gt),
      iou: r4(r.iou),
      latency: r3n(r.latency),
      ...(r.error ? { error: r.error } : {}),
    })),
  };
}
