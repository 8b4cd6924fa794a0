import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvalSummary, RecallKey } from '../../core/eval/metrics.js';
import { evalJson, type EvalResult, type EvalRow } from '../../core/eval/result.js';
import type { AppHost } from '../../host/app-host.js';
import { runEval, type EvalEvent } from '../../host/eval/eval-runner.js';
import { writeReport } from '../../node/eval/report.js';
import { openHost } from '../context.js';
import { formatTable, progressBar } from '../output.js';
import { RunProgress } from '../run-progress.js';
import { medvidbenchCommand } from './eval-medvidbench.js';
import { USAGE, UsageError } from '../usage.js';

export interface EvalDeps {
  openHost?: () => AppHost;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Stands in for Ctrl-C in tests. */
  signal?: AbortSignal;
}

/** Exit status: 0 every question scored; 1 scored, but lines were skipped or questions failed; 130 stopped. */
export async function evalCommand(argv: string[], deps: EvalDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      format: { type: 'string', default: 'jsonl' },
      root: { type: 'string' },
      limit: { type: 'string' },
      submission: { type: 'string' },
    },
  });
  const [bench, ...extra] = positionals;
  if (!bench || extra.length) throw new UsageError(`usage: ${USAGE.eval}`);
  if (values.format !== 'jsonl' && values.format !== 'medvidbench') {
    throw new UsageError(`--format is jsonl (the default) or medvidbench, not "${values.format}".\nusage: ${USAGE.eval}`);
  }
  const medvid = values.format === 'medvidbench';
  if (!medvid && (values.root || values.limit || values.submission)) {
    throw new UsageError(`--root, --limit and --submission are for --format medvidbench.\nusage: ${USAGE.eval}`);
  }
  if (medvid && values.report) throw new UsageError(`--report is for the JSON Lines bench format; --format medvidbench prints its table, --json or --submission.\nusage: ${USAGE.eval}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit takes a whole number above 0, not "${values.limit}".`);
  const stdout = deps.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = deps.stderr ?? ((t: string) => void process.stderr.write(t));
  const reportDir = values.report ? resolve(values.report) : null;

  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) return;
    stderr('\nStopping: the question in progress is canceled, the finished ones are kept…\n');
    controller.abort();
  };
  const onSignal = () => {
    // A second Ctrl-C does not wait: every finished row is already on disk.
    if (controller.signal.aborted) process.exit(130);
    stop();
  };
  deps.signal?.addEventListener('abort', stop, { once: true });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const host = (deps.openHost ?? openHost)();
  const tty = Boolean(process.stderr.isTTY) && !deps.stderr;
  const printer = new EvalProgress(stderr, tty);
  try {
    if (medvid) {
      return await medvidbenchCommand(host, {
        file: bench,
        ...(values.root ? { root: values.root } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(values.backend ? { backend: values.backend } : {}),
        ...(values.submission ? { submission: resolve(values.submission) } : {}),
        json: values.json,
        fresh: values.fresh,
        signal: controller.signal,
      }, { stdout, stderr, tty });
    }
    const result = await runEval(host, {
      bench,
      ...(values.backend ? { backend: values.backend } : {}),
      ...(reportDir ? { progressFile: join(reportDir, 'progress.jsonl') } : {}),
      fresh: values.fresh,
      signal: controller.signal,
      onEvent: (e) => printer.event(e),
    });
    printer.done();
    if (!result.complete) {
      stderr(
        `Stopped after ${result.rows.length} of ${result.total} questions. The results so far are kept in ${result.progressFile}; ` +
          'run the same command again to go on.\n',
      );
      return 130;
    }
    if (values.json) stdout(`${JSON.stringify(evalJson(result))}\n`);
    else printSummary(result, stdout);
    if (reportDir) {
      const written = await writeReport(reportDir, result);
      stderr(`Report: ${written.markdown}\n        ${written.image}\n`);
    }
    const failed = result.rows.filter((r) => r.error).length;
    if (result.badLines.length) stderr(`warning: ${result.badLines.length} bad line(s) of the bench file were skipped (listed above).\n`);
    if (failed) stderr(`warning: ${failed} question(s) failed and were scored as IoU 0; a rerun asks them again.\n`);
    return result.badLines.length || failed ? 1 : 0;
  } finally {
    printer.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    deps.signal?.removeEventListener('abort', stop);
    await host.close();
  }
}

const RECALLS: readonly RecallKey[] = ['R@0.3', 'R@0.5', 'R@0.7'];
const fix = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const secs = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)} s`);

const bar = progressBar;

/** A line per finished question on stderr, with the running mIoU and how far the run is. */
class EvalProgress extends RunProgress {
  event(e: EvalEvent): void {
    if (e.type === 'bad-line') this.line(`skipped line ${e.line}: ${e.message}`);
    else if (e.type === 'row') this.line(rowLine(e.row, e.done, e.total, e.summary));
    else this.common(e, 'questions');
  }
}

function rowLine(row: EvalRow, done: number, total: number, s: EvalSummary): string {
  const width = String(total).length;
  const outcome = row.error ? `failed: ${row.error}` : `IoU ${fix(row.iou)}  ${secs(row.latency)}`;
  return `${bar(done / total)} ${String(done).padStart(width)}/${total} ${String(Math.round((100 * done) / total)).padStart(3)}%  ` +
    `mIoU ${fix(s.mIoU)}  ${row.id}  ${outcome}`;
}

function printSummary(r: EvalResult, write: (t: string) => void): void {
  const groups: [string, EvalSummary][] = [['all', r.summary], ...r.byKind];
  const model = r.model ? ` (${r.model})` : '';
  write(`\n${r.summary.n} questions on ${r.videos} video(s), backend ${r.backend}${model}`);
  write(r.reused ? `; ${r.reused} from an earlier run, ${r.asked} asked now.\n\n` : '.\n\n');
  const rows: string[][] = [
    ['', ...groups.map(([g]) => g)],
    ['n', ...groups.map(([, s]) => String(s.n))],
    ['mIoU', ...groups.map(([, s]) => fix(s.mIoU))],
    ...RECALLS.map((k) => [k, ...groups.map(([, s]) => pct(s[k]))]),
    ['latency p50', ...groups.map(([, s]) => secs(s.latency.p50))],
    ['latency p95', ...groups.map(([, s]) => secs(s.latency.p95))],
  ];
  write(formatTable(rows));
  if (r.chance !== null) write(`\nChance level (a window of the true length at a random place): mIoU ${fix(r.chance)}.\n`);
  const failed = r.rows.filter((row) => row.error);
  if (failed.length) write(`\nFailed (scored 0):\n${failed.map((row) => `  ${row.id}: ${row.error}\n`).join('')}`);
}
