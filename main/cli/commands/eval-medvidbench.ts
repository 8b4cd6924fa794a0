/*
 * `opscope eval --format medvidbench`: runs a MedVidBench file (medvidbench-runner.ts) and prints
 * the paper's figures per dataset and over datasets, with Opscope's own grounding figures beside
 * them; `--json` prints one object, `--submission` writes the benchmark's submission list.
 */

import { writeFile } from 'node:fs/promises';
import type { MedVidSummary, TaskSummaries } from '../../core/eval/medvidbench-metrics.js';
import { medvidbenchJson, submissionJson, type MedVidResult, type MedVidRow } from '../../core/eval/medvidbench-result.js';
import type { EvalSummary } from '../../core/eval/metrics.js';
import type { AppHost } from '../../host/app-host.js';
import { runMedVidBench, type MedVidEvent } from '../../host/eval/medvidbench-runner.js';
import { formatTable, progressBar } from '../output.js';
import { RunProgress } from '../run-progress.js';

export interface MedVidCommandOptions {
  file: string;
  root?: string;
  limit?: number;
  backend?: string;
  /** Absolute path of the submission file to write. */
  submission?: string;
  json: boolean;
  fresh: boolean;
  signal: AbortSignal;
}

interface Io {
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  tty: boolean;
}

/** Exit status as `opscope eval`: 0 every record scored; 1 records were bad or failed; 130 stopped. */
export async function medvidbenchCommand(host: AppHost, opts: MedVidCommandOptions, io: Io): Promise<number> {
  const printer = new MedVidProgress(io.stderr, io.tty);
  try {
    const result = await runMedVidBench(host, {
      file: opts.file,
      ...(opts.root ? { root: opts.root } : {}),
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(opts.backend ? { backend: opts.backend } : {}),
      fresh: opts.fresh,
      signal: opts.signal,
      onEvent: (e) => printer.event(e),
    });
    printer.done();
    if (!result.complete) {
      io.stderr(
        `Stopped after ${result.rows.length} of ${result.total} records. The results so far are kept in ${result.progressFile}; ` +
          'run the same command again to go on.\n',
      );
      return 130;
    }
    if (opts.json) io.stdout(`${JSON.stringify(medvidbenchJson(result))}\n`);
    else printSummary(result, io.stdout);
    if (opts.submission) {
      await writeFile(opts.submission, `${JSON.stringify(submissionJson(result), null, 2)}\n`);
      io.stderr(`Submission: ${opts.submission} (${result.rows.length} predictions)\n`);
    }
    const failed = result.rows.filter((r) => r.outcome.error).length;
    if (result.bad.length) io.stderr(`warning: ${result.bad.length} bad record(s) of the file were skipped (listed above).\n`);
    if (failed) io.stderr(`warning: ${failed} record(s) failed and were scored 0; a rerun asks them again.\n`);
    return result.bad.length || failed ? 1 : 0;
  } finally {
    printer.done();
  }
}

const fix = (x: number | null) => (x === null ? '—' : x.toFixed(3));
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

class MedVidProgress extends RunProgress {
  event(e: MedVidEvent): void {
    if (e.type === 'bad-record') this.line(`skipped record ${e.index}${e.id ? ` (${e.id})` : ''}: ${e.message}`);
    else if (e.type === 'row') this.line(rowLine(e.row, e.done, e.total, e.summary));
    else this.common(e, 'records');
  }
}

function rowLine(row: MedVidRow, done: number, total: number, s: MedVidSummary): string {
  const width = String(total).length;
  const r = row.record;
  const outcome = row.outcome.error
    ? `failed: ${row.outcome.error}`
    : row.tal
      ? `tal R@0.5 ${fix(row.tal['R@0.5'])} mIoU@0.5 ${fix(row.tal['mIoU@0.5'])}`
      : `stg mIoU ${fix(row.stg?.mIoU ?? 0)}${row.pred.kind === 'stg' && row.pred.boxes.length === 0 ? ' (no boxes)' : ''}`;
  return `${progressBar(done / total)} ${String(done).padStart(width)}/${total} ${String(Math.round((100 * done) / total)).padStart(3)}%  ` +
    `TAG mIoU@0.5 ${fix(s.macro.tal['mIoU@0.5'])}  STG mIoU ${fix(s.macro.stg.mIoU)}  ${r.id}  ${outcome}`;
}

function tableRow(name: string, t: TaskSummaries, own: EvalSummary | null | undefined): string[] {
  return [
    name,
    String(t.tal.n), fix(t.tal['R@0.3']), fix(t.tal['mIoU@0.3']), fix(t.tal['R@0.5']), fix(t.tal['mIoU@0.5']),
    String(t.stg.n), fix(t.stg.mIoU),
    own ? fix(own.mIoU) : '—', own ? pct(own['R@0.3']) : '—', own ? pct(own['R@0.5']) : '—', own ? pct(own['R@0.7']) : '—',
  ];
}

function printSummary(r: MedVidResult, write: (t: string) => void): void {
  const tal = r.rows.filter((row) => row.tal).length;
  const model = r.model ? ` (${r.model})` : '';
  write(`\n${r.rows.length} records (${tal} tal, ${r.rows.length - tal} stg) on ${r.clips} clip(s), backend ${r.backend}${model}`);
  write(r.reused ? `; ${r.reused} from an earlier run, ${r.asked} asked now.\n\n` : '.\n\n');
  const { macroDatasets } = r.summary;
  const rows: string[][] = [
    ['', 'TAG', '', '', '', '', 'STG', '', 'Opscope (TAG)', '', '', ''],
    ['dataset', 'n', 'R@0.3', 'mIoU@0.3', 'R@0.5', 'mIoU@0.5', 'n', 'mIoU', 'mIoU', 'R@0.3', 'R@0.5', 'R@0.7'],
    ...r.summary.datasets.map(([name, t]) => tableRow(name, t, r.opscope.datasets.get(name))),
    tableRow(`macro (${macroDatasets.tal} tal, ${macroDatasets.stg} stg datasets)`, r.summary.macro, r.opscope.all),
  ];
  write(formatTable(rows));
  write(
    '\nTAG and STG as the MedVidBench paper scores them (greedy span matching per record; box IoU per true time). ' +
      "Opscope's own: the best-ranked window against the true span it overlaps most, over all tal records.\n",
  );
  const stg = r.rows.filter((row) => row.pred.kind === 'stg');
  const boxless = stg.filter((row) => row.pred.kind === 'stg' && row.pred.boxes.length === 0 && !row.outcome.error);
  if (boxless.length) {
    const why =
      r.backend === 'scout'
        ? 'the scout backend gives no boxes: it finds time windows from the index tracks and cannot say where an object is'
        : 'the answers gave no boxes';
    write(`\nSTG: ${boxless.length} of ${stg.length} record(s) got no box, so they score 0: ${why}.\n`);
  }
  const skipped = Object.entries(r.skipped);
  if (skipped.length) write(`\nNot scored (other kinds): ${skipped.map(([t, n]) => `${t} ${n}`).join(', ')}.\n`);
  const failed = r.rows.filter((row) => row.outcome.error);
  if (failed.length) write(`\nFailed (scored 0):\n${failed.map((row) => `  ${row.record.id}: ${row.outcome.error}\n`).join('')}`);
}
