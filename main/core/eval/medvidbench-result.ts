/*
 * A MedVidBench run's outcome: a scored row per record, the paper's figures per dataset and over
 * datasets, Opscope's own grounding figures beside them, and the two files a run writes: the
 * `--json` object and the benchmark's submission list. Rows keep predictions, not scores, so a
 * resumed run is scored again from what was answered.
 */

import type { Span, TimedBox } from '../agent/protocol/grounding-text.js';
import { benchmarkSeconds } from '../agent/protocol/grounding-text.js';
import { round3 } from '../round.js';
import { predictionText, type BadRecord, type MedVidRecord, type Prediction } from './medvidbench.js';
import { stgScore, summarizeMedVid, talFigures, type MedVidSummary, type ScoredRecord, type StgScore, type TalKey } from './medvidbench-metrics.js';
import { scoreRow, summarize, type EvalSummary } from './metrics.js';

/** What asking a record's question came to; times in seconds of the clip. */
export interface MedVidOutcome {
  /** Evidence windows, best first. */
  windows: Span[];
  /** Every evidence box, in time order. */
  boxes: TimedBox[];
  answer: string | null;
  latency: number | null;
  error: string | null;
  model: string | null;
}

export interface MedVidRow {
  record: MedVidRecord;
  outcome: MedVidOutcome;
  pred: Prediction;
  /** tal: the paper's four figures, and Opscope's own IoU (best-ranked window, best-matching true span). */
  tal: Record<TalKey, number> | null;
  opscopeIoU: number | null;
  /** stg: the box IoU per true time. */
  stg: StgScore | null;
}

export function scoreRecord(record: MedVidRecord, outcome: MedVidOutcome): MedVidRow {
  if (record.truth.kind === 'tal') {
    const spans = outcome.error ? [] : outcome.windows;
    return {
      record,
      outcome,
      pred: { kind: 'tal', spans },
      tal: talFigures(spans, record.truth.spans),
      opscopeIoU: scoreRow(spans, record.truth.spans).iou,
      stg: null,
    };
  }
  const boxes = outcome.error ? [] : outcome.boxes;
  return { record, outcome, pred: { kind: 'stg', boxes }, tal: null, opscopeIoU: null, stg: stgScore(boxes, record.truth.boxes) };
}

export interface MedVidResult {
  file: string;
  backend: string;
  model: string | null;
  /** Rows with a result, in file order. */
  rows: MedVidRow[];
  summary: MedVidSummary;
  /** Opscope's own figures over the tal rows (mIoU, R@0.3/0.5/0.7), per dataset and over all. */
  opscope: { all: EvalSummary | null; datasets: Map<string, EvalSummary> };
  skipped: Record<string, number>;
  bad: BadRecord[];
  /** Records to score (after --limit); `rows.length` is smaller when the run was stopped. */
  total: number;
  complete: boolean;
  clips: number;
  reused: number;
  asked: number;
  progressFile: string;
}

export function summariesOf(rows: readonly MedVidRow[]): Pick<MedVidResult, 'summary' | 'opscope'> {
  const scored = rows.map((r): ScoredRecord =>
    r.tal ? { dataset: r.record.dataset, qaType: 'tal', tal: r.tal } : { dataset: r.record.dataset, qaType: 'stg', mIoU: r.stg?.mIoU ?? 0 },
  );
  const talRows = rows.filter((r) => r.opscopeIoU !== null);
  const asScored = (rs: readonly MedVidRow[]) =>
    summarize(rs.map((r) => ({ iou: r.opscopeIoU!, latency: r.outcome.latency, error: r.outcome.error })));
  const datasets = new Map<string, EvalSummary>();
  for (const name of new Set(talRows.map((r) => r.record.dataset))) {
    datasets.set(name, asScored(talRows.filter((r) => r.record.dataset === name)));
  }
  return { summary: summarizeMedVid(scored), opscope: { all: talRows.length ? asScored(talRows) : null, datasets } };
}

const r4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

function talJson(s: MedVidSummary['macro']['tal']) {
  return { n: s.n, 'R@0.3': r4(s['R@0.3']), 'mIoU@0.3': r4(s['mIoU@0.3']), 'R@0.5': r4(s['R@0.5']), 'mIoU@0.5': r4(s['mIoU@0.5']) };
}

function tasksJson(t: MedVidSummary['macro']) {
  return { tal: talJson(t.tal), stg: { n: t.stg.n, mIoU: r4(t.stg.mIoU) } };
}

function boxesJson(boxes: readonly { key: string; box: readonly number[] }[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const b of boxes) if (!Object.hasOwn(out, b.key)) out[b.key] = b.box.map(round3);
  return out;
}

function predJson(p: Prediction): number[][] | Record<string, number[]> {
  if (p.kind === 'tal') return p.spans.map(([s, e]) => [round3(s), round3(e)]);
  return boxesJson(p.boxes.map((b) => ({ key: benchmarkSeconds(b.time), box: b.box })));
}

/**
 * `opscope eval --format medvidbench --json`: exactly this object (a failed row also has `error`).
 * Figures of a group with no record of that kind are null.
 */
export function medvidbenchJson(result: MedVidResult) {
  return {
    datasets: Object.fromEntries(result.summary.datasets.map(([name, t]) => [name, tasksJson(t)])),
    macro: tasksJson(result.summary.macro),
    skipped: result.skipped,
    rows: result.rows.map((r) => ({
      id: r.record.id,
      qa_type: r.record.qaType,
      dataset: r.record.dataset,
      pred: predJson(r.pred),
      gt: r.record.truth.kind === 'tal' ? r.record.truth.spans.map(([s, e]) => [round3(s), round3(e)]) : boxesJson(r.record.truth.boxes),
      ...(r.outcome.error ? { error: r.outcome.error } : {}),
    })),
  };
}

/** The benchmark's submission list: every scored record in file order, the prediction in its answer style. */
export function submissionJson(result: MedVidResult): { id: string; qa_type: string; prediction: string }[] {
  return result.rows.map((r) => ({ id: r.record.id, qa_type: r.record.qaType, prediction: predictionText(r.pred) }));
}
