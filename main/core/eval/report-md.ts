/*
 * report.md: what was measured and how, in tables a reviewer can paste into a paper's appendix.
 * Pure text, so it is the same on every machine for the same results.
 */

import type { EvalSummary, Window } from './metrics.js';
import type { EvalResult } from './result.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fix3 = (x: number) => x.toFixed(3);
const secs = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)} s`);
const win = ([s, e]: Window) => `${s.toFixed(1)}–${e.toFixed(1)}`;

/** Text in a table cell: no line breaks, pipes escaped. */
function cell(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const short = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return short.replace(/\|/g, '\\|');
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function summaryCells(s: EvalSummary): string[] {
  return [String(s.n), fix3(s.mIoU), pct(s['R@0.3']), pct(s['R@0.5']), pct(s['R@0.7']), secs(s.latency.p50), secs(s.latency.p95)];
}

const METRIC_HEAD = ['n', 'mIoU', 'R@0.3', 'R@0.5', 'R@0.7', 'latency p50', 'latency p95'];

export interface MarkdownOptions {
  /** ISO time the report was written. */
  date: string;
  /** File name of the chart beside the report, if one was drawn. */
  image?: string;
}

export function reportMarkdown(r: EvalResult, opts: MarkdownOptions): string {
  const out: string[] = [];
  const errors = r.rows.filter((row) => row.error);
  const name = r.bench.split(/[\\/]/).pop() || r.bench;
  out.push(`# Temporal grounding: ${cell(name)} with ${r.backend}`, '');
  out.push(`- Bench file: \`${r.bench.replace(/`/g, '')}\``);
  out.push(`- Backend: **${r.backend}**${r.model ? ` (model ${cell(r.model)})` : ''}`);
  out.push(`- Questions: ${r.rows.length} scored of ${r.total}${r.complete ? '' : ' (the run was stopped; run it again to go on)'} over ${r.videos} video(s)`);
  if (r.badLines.length) out.push(`- Skipped: ${r.badLines.length} bad line(s) of the bench file (listed at the end)`);
  if (errors.length) out.push(`- Failed: ${errors.length} question(s), scored as IoU 0`);
  out.push(`- Written: ${opts.date}`, '');
  out.push(
    'Each question scores its best-ranked predicted window against the true window it overlaps most (by IoU); ' +
      'no prediction scores 0. mIoU is the mean over questions; R@k the share of questions with IoU ≥ k. ' +
      'Latency is the wall time from asking to the stored answer; failed questions are left out of it.',
    '',
  );
  out.push('## Summary', '');
  const summaryRows = [['all', ...summaryCells(r.summary)]];
  if (r.chance !== null) summaryRows.push(['chance level¹', '', fix3(r.chance), '', '', '', '', '']);
  out.push(table(['', ...METRIC_HEAD], summaryRows), '');
  if (r.chance !== null) out.push('¹ A window as long as the true one, at a random place in the video.', '');
  if (r.byKind.length) {
    out.push('## By event type', '');
    out.push(table(['kind', ...METRIC_HEAD], r.byKind.map(([kind, s]) => [cell(kind), ...summaryCells(s)])), '');
  }
  if (opts.image) out.push(`![True and predicted windows per question, and the IoU histogram](${opts.image})`, '');
  out.push('## Per question', '');
  out.push(
    table(
      ['line', 'id', 'kind', 'question', 'true (s)', 'predicted, best first (s)', 'IoU', 'latency', 'answer'],
      r.rows.map((row) => [
        String(row.line),
        cell(row.id, 60),
        cell(row.kind ?? ''),
        cell(row.question, 100),
        row.gt.map(win).join(', '),
        row.pred.length ? row.pred.map(win).join(', ') : '—',
        fix3(row.iou),
        secs(row.latency),
        row.error ? `**failed:** ${cell(row.error)}` : cell(row.answer ?? ''),
      ]),
    ),
    '',
  );
  if (r.badLines.length) {
    out.push('## Skipped lines', '');
    for (const b of r.badLines) out.push(`- line ${b.line}: ${cell(b.message, 400)}`);
    out.push('');
  }
  return out.join('\n');
}
