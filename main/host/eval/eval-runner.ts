/*
 * `opscope eval`: asks every question of a bench file about its video, through the same host
 * calls the app makes, and scores the answers' evidence windows against the bench's windows.
 *
 * Each finished row is appended to a progress file at once, so a run stopped by Ctrl-C, a kill or
 * a crash goes on where it stopped when started again; only rows that ended with a result are
 * kept (a row that failed is asked again, since the cause is often a server that was down).
 * Videos are imported through the library's own import, which knows a recording it has seen by
 * its content, so each is read and indexed once however many rows or paths name it.
 */

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { timelineOf } from '../cases/case-model.js';
import type { ImportResult } from '../../core/contract/schemas.js';
import { parseBench, type BenchRow } from '../../core/eval/bench-file.js';
import { summarize, type EvalSummary } from '../../core/eval/metrics.js';
import { scored, summaries, type EvalResult, type EvalRow } from '../../core/eval/result.js';
import { OpscopeError, serializeError } from '../../core/errors.js';
import type { AppHost } from '../app-host.js';

export interface EvalRunOptions {
  /** The bench file (JSON Lines); videos in it are relative to its folder. */
  bench: string;
  /** Default: the backend in the settings. */
  backend?: string;
  /** Where results are appended as rows finish. Default: in the data folder, by bench content and backend. */
  progressFile?: string;
  /** Forget earlier results and ask every row again. */
  fresh?: boolean;
  /** Stops after the row in progress is canceled; rows finished so far are kept. */
  signal?: AbortSignal;
  onEvent?: (event: EvalEvent) => void;
}

export type EvalEvent =
  | { type: 'bad-line'; line: number; message: string }
  | { type: 'resume'; reused: number; total: number; progressFile: string }
  | { type: 'video'; video: string; stage: string; fraction: number }
  | { type: 'row'; row: EvalRow; done: number; total: number; summary: EvalSummary };

const ProgressWindow = z
  .tuple([z.number(), z.number()])
  .refine(([s, e]) => Number.isFinite(s) && Number.isFinite(e) && e > s);

/** One line of the progress file: what is needed to score a row again, not the score itself. */
const ProgressRecord = z.object({
  v: z.literal(1),
  id: z.string(),
  key: z.string(),
  pred: z.array(ProgressWindow),
  latency: z.number().nullable(),
  error: z.string().nullable(),
  answer: z.string().nullable(),
  duration: z.number().nullable(),
  model: z.string().nullable(),
  at: z.string(),
});
type ProgressRecord = z.infer<typeof ProgressRecord>;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Where results go without --report: the data folder, keyed by the bench's content and the backend. */
export function defaultProgressFile(dataDir: string, benchText: string, backend: string): string {
  return join(dataDir, 'eval', `${sha(benchText).slice(0, 16)}-${backend.replace(/[^\w.-]/g, '_')}.progress.jsonl`);
}

/** A result is reused only for the same question about the same video by the same backend. */
function rowKey(backend: string, row: BenchRow): string {
  return sha(JSON.stringify([backend, row.video, row.question])).slice(0, 24);
}

/** The latest record per id; a line cut short by a kill mid-write is ignored. */
function readProgress(file: string): Map<string, ProgressRecord> {
  const out = new Map<string, ProgressRecord>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = ProgressRecord.safeParse(JSON.parse(line));
      if (parsed.success) out.set(parsed.data.id, parsed.data);
    } catch {
      // The tail of an interrupted write.
    }
  }
  return out;
}

function rowOf(row: BenchRow, rec: Pick<ProgressRecord, 'pred' | 'latency' | 'error' | 'answer' | 'duration'>): EvalRow {
  return scored({
    id: row.id,
    line: row.line,
    kind: row.kind ?? null,
    question: row.question,
    video: row.video,
    gt: row.windows,
    pred: rec.pred,
    latency: rec.latency,
    error: rec.error,
    answer: rec.answer,
    reference: row.answer ?? null,
    duration: rec.duration,
  });
}

export interface OpenVideo {
  caseId: string;
  /** Where the video starts in its case: non-zero when the library already holds it as a later part of a longer case. */
  offset: number;
  duration: number;
}

type Asked = Omit<ProgressRecord, 'v' | 'id' | 'key' | 'at' | 'duration'>;

export async function runEval(host: AppHost, opts: EvalRunOptions): Promise<EvalResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const signal = opts.signal;
  const benchPath = resolve(opts.bench);
  let text: string;
  try {
    text = await readFile(benchPath, 'utf8');
  } catch (err) {
    throw new OpscopeError('not-found', `Cannot read the bench file ${opts.bench}: ${(err as Error).message}`);
  }
  const { rows, bad } = parseBench(text);
  for (const b of bad) emit({ type: 'bad-line', ...b });
  if (rows.length === 0) {
    throw new OpscopeError('invalid-input', `${opts.bench} has no usable question${bad.length ? ` (${bad.length} bad line(s))` : ''}.`);
  }
  const backend = opts.backend ?? host.settings.get().agent.backend;
  const progressFile = opts.progressFile ?? defaultProgressFile(host.layout.root, text, backend);
  if (opts.fresh) rmSync(progressFile, { force: true });
  mkdirSync(dirname(progressFile), { recursive: true });

  const results = new Map<string, EvalRow>();
  let model: string | null = null;
  const earlier = readProgress(progressFile);
  for (const row of rows) {
    const rec = earlier.get(row.id);
    if (!rec || rec.error !== null || rec.key !== rowKey(backend, row)) continue;
    results.set(row.id, rowOf(row, rec));
    model ??= rec.model;
  }
  const reused = results.size;
  if (reused) emit({ type: 'resume', reused, total: rows.length, progressFile });

  const videoPath = (row: BenchRow) => (isAbsolute(row.video) ? row.video : resolve(dirname(benchPath), row.video));
  let asked = 0;
  const record = (row: BenchRow, outcome: Asked, duration: number | null) => {
    const rec: ProgressRecord = { v: 1, id: row.id, key: rowKey(backend, row), ...outcome, duration, at: new Date().toISOString() };
    appendFileSync(progressFile, `${JSON.stringify(rec)}\n`);
    const result = rowOf(row, rec);
    results.set(row.id, result);
    asked++;
    model ??= outcome.model;
    emit({ type: 'row', row: result, done: results.size, total: rows.length, summary: summarize([...results.values()]) });
  };

  // In file order, so a stopped run has done a prefix of the file; each video is opened on first use.
  const videos = new Map<string, OpenVideo | { error: string }>();
  for (const row of rows) {
    if (results.has(row.id)) continue;
    if (signal?.aborted) break;
    const path = videoPath(row);
    let video = videos.get(path);
    if (!video) {
      const opened = await openVideo(host, path, row.video, emit, signal);
      if (opened === 'stopped') break;
      videos.set(path, (video = opened));
      if (signal?.aborted) break;
    }
    if ('error' in video) {
      record(row, { pred: [], latency: null, error: video.error, answer: null, model: null }, null);
      continue;
    }
    const outcome = await ask(host, video, row.question, backend, signal);
    if (outcome === 'stopped') break;
    record(row, outcome, video.duration);
  }

  const done = rows.flatMap((r) => results.get(r.id) ?? []);
  return {
    bench: opts.bench,
    backend,
    model,
    rows: done,
    ...summaries(done),
    total: rows.length,
    complete: done.length === rows.length,
    badLines: bad,
    videos: new Set(rows.map(videoPath)).size,
    reused,
    asked,
    progressFile,
  };
}

/**
 * The video's case, imported and indexed if needed; an error for its rows; or 'stopped'. `name`
 * names a case the import makes (a recording the library holds already keeps its case's name).
 */
export async function openVideo(
  host: AppHost,
  path: string,
  label: string,
  emit: (e: Extract<EvalEvent, { type: 'video' }>) => void,
  signal: AbortSignal | undefined,
  name?: string,
): Promise<OpenVideo | { error: string } | 'stopped'> {
  if (!existsSync(path) || !statSync(path).isFile()) return { error: `video not found: ${label} (looked for ${path})` };
  emit({ type: 'video', video: label, stage: 'Reading', fraction: 0 });
  let result: ImportResult | undefined;
  try {
    [result] = (await host.call('cases.import', { paths: [path], index: true, ...(name ? { name } : {}) })) as ImportResult[];
  } catch (err) {
    return { error: `could not import ${label}: ${serializeError(err).message}` };
  }
  const file = result?.files[0];
  if (!file) return { error: `could not import ${label}: ${result?.errors[0]?.message ?? 'not a readable video'}` };
  const { caseId, partId } = file;

  if (host.views.detail(caseId).index.state !== 'done') {
    const off = host.bus.on('index.progress', (p) => {
      if (p.caseId === caseId) emit({ type: 'video', video: label, stage: p.status.stage, fraction: p.status.progress });
    });
    const stop = () => host.indexer.cancel(caseId);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      host.indexer.enqueue(caseId);
      await host.indexer.whenIdle(caseId);
    } finally {
      signal?.removeEventListener('abort', stop);
      off();
    }
    if (signal?.aborted) return 'stopped';
    const index = host.views.detail(caseId).index;
    if (index.state !== 'done') return { error: `${label} could not be indexed (${index.state}${index.message ? `: ${index.message}` : ''})` };
  }
  const parts = host.store.partsOf(caseId);
  const timeline = timelineOf(parts);
  const part = parts.find((p) => p.id === partId);
  return { caseId, offset: timeline.partStart(partId), duration: part?.duration ?? timeline.duration };
}

/** One question, timed from asking to the stored answer; 'stopped' when the run was canceled by `signal`. */
async function ask(
  host: AppHost,
  video: OpenVideo,
  question: string,
  backend: string,
  signal: AbortSignal | undefined,
): Promise<Asked | 'stopped'> {
  const asked = await askVideo(host, video, question, backend, signal);
  if (asked === 'stopped') return asked;
  const { boxes: _boxes, ...rest } = asked;
  return rest;
}

/** A box an answer gave, in seconds of the video. */
export interface VideoBox {
  time: number;
  box: [number, number, number, number];
}

/** What asking one question came to: evidence windows best first and every evidence box, in seconds of the video. */
export type VideoAnswer = Asked & { boxes: VideoBox[] };

/** One question about a video; the evidence in the video's own seconds (its case may start earlier). */
export async function askVideo(
  host: AppHost,
  video: OpenVideo,
  question: string,
  backend: string,
  signal: AbortSignal | undefined,
): Promise<VideoAnswer | 'stopped'> {
  const t0 = performance.now();
  let runId: string;
  try {
    ({ runId } = (await host.call('agent.ask', { caseId: video.caseId, question, backend })) as { runId: string });
  } catch (err) {
    // A backend that is missing or not set up fails every row the same way: say it once.
    if (err instanceof OpscopeError && err.code === 'unavailable') throw err;
    return { pred: [], boxes: [], latency: null, error: serializeError(err).message, answer: null, model: null };
  }
  const cancel = () => host.agent.cancel(runId);
  signal?.addEventListener('abort', cancel, { once: true });
  if (signal?.aborted) cancel();
  try {
    const finished = await host.agent.whenDone(runId);
    const latency = (performance.now() - t0) / 1000;
    if (finished.state === 'interrupted' || (finished.state === 'canceled' && signal?.aborted)) return 'stopped';
    const { record } = finished;
    const pred = [...record.evidence]
      .sort((a, b) => a.rank - b.rank)
      .map((e): [number, number] => [e.start - video.offset, e.end - video.offset]);
    const boxes = record.evidence
      .flatMap((e) => e.boxes ?? [])
      .map((b): VideoBox => ({ time: b.time - video.offset, box: b.box }))
      .sort((a, b) => a.time - b.time);
    const error = finished.state === 'failed' || finished.state === 'canceled' ? (record.error ?? `the run ended as ${finished.state}`) : null;
    return { pred, boxes, latency, error, answer: record.answer, model: record.backend.model };
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
