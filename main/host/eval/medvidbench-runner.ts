/*
 * `opscope eval --format medvidbench`: asks the tal and stg questions of a MedVidBench file, each
 * about its clip, and scores the answers as the benchmark's paper does (medvidbench-metrics.ts).
 *
 * A record's clip is its frame images at its frame rate: encoded once into an MP4 in the data
 * folder by the media worker (kept by the frames' paths, sizes and times, so a rerun encodes
 * nothing), then imported and indexed like any recording; records about the same clip share it.
 * The question goes to the chosen backend through the same calls `opscope eval` makes, and the
 * answer's evidence windows and boxes, in seconds of the clip, are the prediction.
 *
 * Resumable as the JSON Lines eval is: every answered record is appended to a progress file at
 * once, and a record whose run failed is asked again on the next run.
 */

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseMedVidBench, type BadRecord, type MedVidRecord } from '../../core/eval/medvidbench.js';
import type { MedVidSummary } from '../../core/eval/medvidbench-metrics.js';
import { scoreRecord, summariesOf, type MedVidOutcome, type MedVidResult, type MedVidRow } from '../../core/eval/medvidbench-result.js';
import { OpscopeError, serializeError } from '../../core/errors.js';
import type { AppHost } from '../app-host.js';
import { askVideo, defaultProgressFile, openVideo, type OpenVideo } from './eval-runner.js';

export interface MedVidRunOptions {
  /** The MedVidBench JSON file. */
  file: string;
  /** Where relative frame paths start; default the file's folder. */
  root?: string;
  /** Score only the first N tal/stg records. */
  limit?: number;
  /** Default: the backend in the settings. */
  backend?: string;
  /** Default: in the data folder, by the file's content and the backend. */
  progressFile?: string;
  fresh?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: MedVidEvent) => void;
}

export type MedVidEvent =
  | ({ type: 'bad-record' } & BadRecord)
  | { type: 'resume'; reused: number; total: number; progressFile: string }
  | { type: 'video'; video: string; stage: string; fraction: number }
  | { type: 'row'; row: MedVidRow; done: number; total: number; summary: MedVidSummary };

const Window = z.tuple([z.number(), z.number()]);
const ProgressRecord = z.object({
  v: z.literal(1),
  index: z.number().int().nonnegative(),
  key: z.string(),
  windows: z.array(Window),
  boxes: z.array(z.object({ time: z.number(), box: z.tuple([z.number(), z.number(), z.number(), z.number()]) })),
  latency: z.number().nullable(),
  error: z.string().nullable(),
  answer: z.string().nullable(),
  model: z.string().nullable(),
  at: z.string(),
});
type ProgressRecord = z.infer<typeof ProgressRecord>;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A result is reused only for the same question about the same frames by the same backend. */
function recordKey(backend: string, r: MedVidRecord): string {
  return sha(JSON.stringify([backend, r.videoId, r.range, r.fps, r.frames, r.question])).slice(0, 24);
}

function readProgress(file: string): Map<number, ProgressRecord> {
  const out = new Map<number, ProgressRecord>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = ProgressRecord.safeParse(JSON.parse(line));
      if (parsed.success) out.set(parsed.data.index, parsed.data);
    } catch {
      // The tail of an interrupted write.
    }
  }
  return out;
}

const outcomeOf = (rec: ProgressRecord): MedVidOutcome => ({
  windows: rec.windows,
  boxes: rec.boxes,
  answer: rec.answer,
  latency: rec.latency,
  error: rec.error,
  model: rec.model,
});

/** Where a record's clip is encoded: by its video, its range and what its frames are on disk. */
export function clipFile(dataDir: string, r: MedVidRecord, frames: readonly { path: string; size: number; mtimeMs: number }[]): string {
  const key = sha(JSON.stringify([r.videoId, r.range, r.fps, frames.map((f) => [f.path, f.size, Math.round(f.mtimeMs)])])).slice(0, 16);
  const name = r.videoId.replace(/[^\w.-]+/g, '_').slice(0, 60);
  return join(dataDir, 'eval', 'medvidbench', 'clips', `${name}-${key}.mp4`);
}

export async function runMedVidBench(host: AppHost, opts: MedVidRunOptions): Promise<MedVidResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const signal = opts.signal;
  const filePath = resolve(opts.file);
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (err) {
    throw new OpscopeError('not-found', `Cannot read the MedVidBench file ${opts.file}: ${(err as Error).message}`);
  }
  const parsed = parseMedVidBench(text);
  for (const b of parsed.bad) emit({ type: 'bad-record', ...b });
  const records = opts.limit !== undefined ? parsed.records.slice(0, opts.limit) : parsed.records;
  if (records.length === 0) {
    const skipped = Object.entries(parsed.skipped).map(([t, n]) => `${n} ${t}`).join(', ');
    throw new OpscopeError(
      'invalid-input',
      `${opts.file} has no usable tal or stg record${parsed.bad.length ? ` (${parsed.bad.length} bad)` : ''}${skipped ? `; skipped: ${skipped}` : ''}.`,
    );
  }
  const root = opts.root ? resolve(opts.root) : dirname(filePath);
  const backend = opts.backend ?? host.settings.get().agent.backend;
  const progressFile = opts.progressFile ?? defaultProgressFile(host.layout.root, text, `${backend}.medvidbench`);
  if (opts.fresh) rmSync(progressFile, { force: true });
  mkdirSync(dirname(progressFile), { recursive: true });

  const results = new Map<number, MedVidRow>();
  let model: string | null = null;
  const earlier = readProgress(progressFile);
  for (const r of records) {
    const rec = earlier.get(r.index);
    if (!rec || rec.error !== null || rec.key !== recordKey(backend, r)) continue;
    results.set(r.index, scoreRecord(r, outcomeOf(rec)));
    model ??= rec.model;
  }
  const reused = results.size;
  if (reused) emit({ type: 'resume', reused, total: records.length, progressFile });

  let asked = 0;
  const record = (r: MedVidRecord, outcome: Omit<MedVidOutcome, 'model'> & { model: string | null }) => {
    const rec: ProgressRecord = { v: 1, index: r.index, key: recordKey(backend, r), ...outcome, at: new Date().toISOString() };
    appendFileSync(progressFile, `${JSON.stringify(rec)}\n`);
    const row = scoreRecord(r, outcomeOf(rec));
    results.set(r.index, row);
    asked++;
    model ??= outcome.model;
    const done = records.flatMap((x) => results.get(x.index) ?? []);
    emit({ type: 'row', row, done: results.size, total: records.length, summary: summariesOf(done).summary });
  };
  const failed = (error: string) => ({ windows: [], boxes: [], latency: null, error, answer: null, model: null });

  const clips = new Map<string, OpenVideo | { error: string }>();
  for (const r of records) {
    if (results.has(r.index)) continue;
    if (signal?.aborted) break;
    const frames = framesOf(r, root);
    if ('error' in frames) {
      record(r, failed(frames.error));
      continue;
    }
    const out = clipFile(host.layout.root, r, frames.files);
    let clip = clips.get(out);
    if (!clip) {
      const opened = await openClip(host, r, frames.files.map((f) => f.path), out, emit, signal);
      if (opened === 'stopped') break;
      clips.set(out, (clip = opened));
      if (signal?.aborted) break;
    }
    if ('error' in clip) {
      record(r, failed(clip.error));
      continue;
    }
    const answer = await askVideo(host, clip, r.question, backend, signal);
    if (answer === 'stopped') break;
    record(r, { windows: answer.pred, boxes: answer.boxes, latency: answer.latency, error: answer.error, answer: answer.answer, model: answer.model });
  }

  const rows = records.flatMap((r) => results.get(r.index) ?? []);
  return {
    file: opts.file,
    backend,
    model,
    rows,
    ...summariesOf(rows),
    skipped: parsed.skipped,
    bad: parsed.bad,
    total: records.length,
    complete: rows.length === records.length,
    clips: new Set(records.map((r) => `${r.videoId}|${r.range}|${r.fps}|${r.frames.join('|')}`)).size,
    reused,
    asked,
    progressFile,
  };
}

/** The record's frames on disk, in order; the first missing one is the record's error. */
function framesOf(r: MedVidRecord, root: string): { files: { path: string; size: number; mtimeMs: number }[] } | { error: string } {
  const files: { path: string; size: number; mtimeMs: number }[] = [];
  for (const [i, written] of r.frames.entries()) {
    const path = isAbsolute(written) ? written : resolve(root, written);
    let st;
    try {
      st = statSync(path);
    } catch {
      return { error: `frame not found: ${written} (frame ${i + 1} of ${r.frames.length}, looked for ${path})` };
    }
    if (!st.isFile()) return { error: `frame ${i + 1} of ${r.frames.length} is not a file: ${path}` };
    files.push({ path, size: st.size, mtimeMs: st.mtimeMs });
  }
  return { files };
}

/** The clip's case: encoded (once) in the media worker, then imported and indexed. */
async function openClip(
  host: AppHost,
  r: MedVidRecord,
  frames: string[],
  out: string,
  emit: (e: MedVidEvent) => void,
  signal: AbortSignal | undefined,
): Promise<OpenVideo | { error: string } | 'stopped'> {
  const label = `${r.videoId} (${r.range})`;
  if (!existsSync(out)) {
    emit({ type: 'video', video: label, stage: 'Encoding the frames', fraction: 0 });
    try {
      await host.worker.run('encodeFrames', { frames, fps: r.fps, out }, {
        ...(signal ? { signal } : {}),
        onProgress: (p) => emit({ type: 'video', video: label, stage: p.stage ?? 'Encoding the frames', fraction: p.fraction }),
      });
    } catch (err) {
      if (signal?.aborted) return 'stopped';
      return { error: `could not make a clip of the frames of ${label}: ${serializeError(err).message}` };
    }
  }
  return openVideo(host, out, label, emit, signal, `MedVidBench ${r.videoId} ${r.range}`.slice(0, 200));
}
