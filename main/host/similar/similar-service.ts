/*
 * The picture index and "find similar". Building: after a part is indexed, its keyframes (one
 * every PICTURE_SPACING seconds at most) are embedded in the model worker a chunk at a time; each
 * chunk is stored when done, so a canceled or interrupted build resumes where it stopped, and a
 * recording's new segments are embedded as they are indexed. Finding: the frame (or box) asked
 * about is embedded, every keyframe in scope is scored on its sketch, the best candidates again
 * on their full vectors, and consecutive similar keyframes of a case are merged into windows.
 */

import { samplesEveryFrame } from '../../core/index-sampling.js';
import { isCanceled, OpscopeError } from '../../core/errors.js';
import type { PictureIndexState, PictureIndexStatus, SimilarBox, SimilarMoment, SimilarResult } from '../../core/contract/similar-schemas.js';
import { SKETCH_DIM, encodeEmbedding, similarity, type StoredEmbedding } from '../../core/similar/embedding-codec.js';
import { PICTURE_MODEL, PICTURE_SPACING } from '../../core/similar/picture-model.js';
import { Int8Matrix } from '../../core/similar/int8-matrix.js';
import { mergeWindows, topIndices, withoutMoment, type Hit } from '../../core/similar/similar-ranking.js';
import { round3 } from '../../core/round.js';
import { displaySize, timelineOf } from '../cases/case-model.js';
import type { EventBus } from '../event-bus.js';
import { chunkPlan } from '../index/index-service.js';
import type { Store } from '../store/store.js';
import type { PartRow } from '../store/rows.js';
import type { WorkerSupervisor } from '../workers/worker-supervisor.js';
import type { PackedSketches, PictureIndexStore } from './similar-repository.js';

/** Candidates read in full after the sketch scan, at least. */
const RERANK = 400;
/** A keyframe is "like" the question when it scores this many deviations above the scope's mean. */
const SIMILAR_Z = 1;
/** Keyframes further apart than this are separate moments even when adjacent. */
const MAX_GAP = 3 * PICTURE_SPACING;

export interface SimilarDeps {
  store: Store;
  pictures: PictureIndexStore;
  modelWorker: WorkerSupervisor;
  bus: EventBus;
  /** Build each case's picture index once its parts are indexed (the app does; one-shot commands do not). */
  auto: boolean;
}

interface CaseSketches {
  packed: PackedSketches;
  /** Case seconds of each row. */
  caseTimes: Float64Array;
  /** The parts and their chunks when read: another process (a command building the index) may add to them. */
  version: string;
}

/** Every keyframe sketch in a scope, case after case; `owner` says which case a row is of. */
interface LibraryMatrix {
  cases: { caseId: string; name: string; s: CaseSketches; offset: number; count: number }[];
  sketches: Int8Matrix;
  scales: Float32Array;
  owner: Uint32Array;
  rows: number;
  /** Reused by every query of this matrix. */
  scores: Float32Array;
}

export interface RankOptions {
  caseId: string;
  /** The moment asked from (left out of the answer); null for none. */
  time: number | null;
  scope: 'case' | 'all';
  limit: number;
}

/** Parts the index reads every frame of are read the same way here. */
function isDense(p: PartRow): boolean {
  return samplesEveryFrame(p.keyframe_interval, p.fps);
}

export class SimilarService {
  private readonly queue: string[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly outcome = new Map<string, { state: PictureIndexState; message: string | null }>();
  private readonly progress = new Map<string, number>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly cache = new Map<string, CaseSketches>();
  /** By scope: '*' for the library, else the case's id. */
  private readonly matrices = new Map<string, LibraryMatrix>();
  private readonly seenDone = new Map<string, number>();
  private pumping: Promise<void> = Promise.resolve();
  private active = false;
  private closing = false;
  private readonly off: () => void;

  constructor(private readonly d: SimilarDeps) {
    this.off = d.bus.on('index.progress', ({ caseId }) => {
      if (!this.d.auto) return;
      // A part newly indexed (a recording's segment too) is a part to embed.
      const done = this.indexedParts(caseId).length;
      if (done === (this.seenDone.get(caseId) ?? 0)) return;
      this.seenDone.set(caseId, done);
      if (this.status(caseId).state !== 'done') this.enqueue(caseId);
    });
    if (d.auto) {
      for (const c of d.store.listCases()) {
        const s = this.status(c.id);
        if (s.parts > 0 && s.state !== 'done' && s.partsDone < s.parts && this.indexedParts(c.id).length > 0) this.enqueue(c.id);
      }
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.off();
    this.queue.length = 0;
    for (const c of this.running.values()) c.abort();
    await this.pumping;
  }

  private indexedParts(caseId: string): PartRow[] {
    const done = new Set(this.d.store.indexStates(caseId).filter((s) => s.state === 'done').map((s) => s.part_id));
    return this.d.store.partsOf(caseId).filter((p) => done.has(p.id));
  }

  status(caseId: string): PictureIndexStatus {
    if (!this.d.store.getCase(caseId)) throw new OpscopeError('not-found', `No case ${caseId}.`);
    const parts = this.d.store.partsOf(caseId);
    const summary = this.d.pictures.summary(parts.map((p) => p.id));
    let frames = 0;
    let chunks = 0;
    let total = 0;
    let partsDone = 0;
    let model: string | null = null;
    for (const p of parts) {
      const plan = chunkPlan(p.duration).length;
      total += plan;
      const s = summary.get(p.id);
      if (!s) continue;
      frames += s.frames;
      chunks += Math.min(plan, s.chunks);
      model = s.model;
      if (s.chunks >= plan) partsDone++;
    }
    const progress = total === 0 ? 0 : Math.min(1, chunks / total);
    const running = this.running.has(caseId);
    const queued = this.queue.includes(caseId);
    const last = this.outcome.get(caseId);
    let state: PictureIndexState;
    if (running) state = 'running';
    else if (queued) state = 'pending';
    else if (parts.length > 0 && partsDone === parts.length) state = 'done';
    else if (last && last.state !== 'done') state = last.state;
    else if (frames === 0) state = 'none';
    else state = last?.state === 'done' ? 'done' : 'canceled';
    return {
      caseId,
      state,
      progress: running ? Math.max(progress, this.progress.get(caseId) ?? 0) : progress,
      frames,
      parts: parts.length,
      partsDone,
      message: state === 'failed' || state === 'canceled' ? (last?.message ?? null) : null,
      model,
    };
  }

  /** Queues the case's picture index (parts already embedded are skipped). */
  enqueue(caseId: string): PictureIndexStatus {
    if (!this.d.store.getCase(caseId)) throw new OpscopeError('not-found', `No case ${caseId}.`);
    if (!this.closing && !this.running.has(caseId) && !this.queue.includes(caseId)) {
      this.queue.push(caseId);
      if (!this.active) this.pumping = this.pump();
    }
    this.emit(caseId);
    return this.status(caseId);
  }

  cancel(caseId: string): PictureIndexStatus {
    const i = this.queue.indexOf(caseId);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.outcome.set(caseId, { state: 'canceled', message: 'Canceled' });
      this.settle(caseId);
    }
    this.running.get(caseId)?.abort();
    this.emit(caseId);
    return this.status(caseId);
  }

  /** Resolves once the case's build is neither queued nor running. */
  whenIdle(caseId: string): Promise<PictureIndexStatus> {
    if (!this.queue.includes(caseId) && !this.running.has(caseId)) return Promise.resolve(this.status(caseId));
    return new Promise((resolve) => {
      const list = this.waiters.get(caseId) ?? [];
      list.push(() => resolve(this.status(caseId)));
      this.waiters.set(caseId, list);
    });
  }

  private settle(caseId: string) {
    const list = this.waiters.get(caseId) ?? [];
    this.waiters.delete(caseId);
    for (const w of list) w();
  }

  private lastEmit = new Map<string, number>();

  private emit(caseId: string, throttle = false) {
    const now = Date.now();
    if (throttle && now - (this.lastEmit.get(caseId) ?? 0) < 100) return;
    this.lastEmit.set(caseId, now);
    if (!this.d.store.getCase(caseId)) return;
    this.d.bus.emit('similar.progress', { caseId, status: this.status(caseId) });
  }

  private async pump(): Promise<void> {
    if (this.active) return;
    this.active = true;
    try {
      for (let caseId = this.queue.shift(); caseId !== undefined; caseId = this.queue.shift()) {
        const controller = new AbortController();
        this.running.set(caseId, controller);
        try {
          await this.build(caseId, controller.signal);
          this.outcome.set(caseId, { state: 'done', message: null });
        } catch (err) {
          if (!this.closing && this.d.store.getCase(caseId)) {
            const canceled = isCanceled(err) || controller.signal.aborted;
            this.outcome.set(caseId, { state: canceled ? 'canceled' : 'failed', message: canceled ? 'Canceled' : err instanceof Error ? err.message : String(err) });
          }
        } finally {
          this.running.delete(caseId);
          this.progress.delete(caseId);
          this.emit(caseId);
          this.settle(caseId);
        }
      }
    } finally {
      this.active = false;
    }
  }

  private async build(caseId: string, signal: AbortSignal): Promise<void> {
    const parts = this.indexedParts(caseId);
    const plans = parts.map((p) => ({ part: p, chunks: chunkPlan(p.duration), done: this.d.pictures.chunksDone(p.id, PICTURE_MODEL) }));
    const total = plans.reduce((s, p) => s + p.chunks.length, 0);
    let finished = plans.reduce((s, p) => s + p.done.size, 0);
    for (const { part, chunks, done } of plans) {
      for (let k = 0; k < chunks.length; k++) {
        if (done.has(k)) continue;
        if (signal.aborted || this.closing) throw new OpscopeError('canceled', 'Canceled.');
        const { from, to } = chunks[k]!;
        const r = await this.d.modelWorker.run(
          'pictureEmbed',
          {
            path: part.path,
            codec: part.codec,
            sourceWidth: displaySize(part).w,
            denseSampling: isDense(part),
            frames: { kind: 'keyframes', from, to, spacing: PICTURE_SPACING, last: k === chunks.length - 1 },
          },
          {
            signal,
            onProgress: (pr) => {
              this.progress.set(caseId, (finished + pr.fraction) / Math.max(1, total));
              this.emit(caseId, true);
            },
          },
        );
        if (r.model !== PICTURE_MODEL) throw new OpscopeError('internal', `The model worker embedded with "${r.model}", not "${PICTURE_MODEL}".`);
        if (!this.d.store.getPart(part.id)) return; // the case was deleted meanwhile
        const rows = Array.from(r.times, (time, i) => ({ time, ...encodeEmbedding(r.vectors.subarray(i * r.dim, (i + 1) * r.dim)) }));
        this.d.pictures.saveChunk(part.id, k, PICTURE_MODEL, from, to, rows);
        this.cache.delete(caseId);
        finished++;
        this.progress.set(caseId, finished / Math.max(1, total));
        this.emit(caseId, true);
      }
    }
  }

  /** The embedding of the frame shown at case time `time` (or of a box of it). */
  async embedMoment(caseId: string, time: number, box: SimilarBox | undefined, signal?: AbortSignal): Promise<StoredEmbedding> {
    const parts = this.d.store.partsOf(caseId);
    if (parts.length === 0) throw new OpscopeError('not-found', `No case ${caseId}.`);
    const timeline = timelineOf(parts);
    if (time > timeline.duration + 1e-6) throw new OpscopeError('invalid-input', `${round3(time)} s is past the end of the case (${round3(timeline.duration)} s).`);
    const pos = timeline.locate(time);
    const part = parts[pos.index]!;
    if (box) {
      const { w, h } = displaySize(part);
      if (box[0] + box[2] > w + 0.5 || box[1] + box[3] > h + 0.5) {
        throw new OpscopeError('invalid-input', `The box ${box.join(',')} reaches past the ${w}x${h} picture.`);
      }
    }
    const r = await this.d.modelWorker.run(
      'pictureEmbed',
      { path: part.path, codec: part.codec, sourceWidth: displaySize(part).w, denseSampling: isDense(part), frames: { kind: 'at', seek: pos.offset, ...(box ? { box } : {}) } },
      signal ? { signal } : {},
    );
    return encodeEmbedding(r.vectors);
  }

  /** The moments that look like the frame at `time` of the case. */
  async find(input: { caseId: string; time: number; box?: SimilarBox | undefined; scope: 'case' | 'all'; limit: number }, signal?: AbortSignal): Promise<SimilarResult> {
    const c = this.d.store.getCase(input.caseId);
    if (!c) throw new OpscopeError('not-found', `No case ${input.caseId}.`);
    const own = this.status(input.caseId);
    if (own.frames === 0) {
      throw new OpscopeError('unavailable', `The case "${c.name}" has no picture index yet (${own.state === 'running' || own.state === 'pending' ? 'it is being built' : 'build it first'}).`);
    }
    const query = await this.embedMoment(input.caseId, input.time, input.box, signal);
    return this.rank(query, { caseId: input.caseId, time: input.time, scope: input.scope, limit: input.limit });
  }

  private sketchesOf(caseId: string, version: string): CaseSketches {
    let s = this.cache.get(caseId);
    if (!s || s.version !== version) {
      const parts = this.d.store.partsOf(caseId);
      const timeline = timelineOf(parts);
      const packed = this.d.pictures.sketches(parts.map((p) => p.id), SKETCH_DIM);
      const caseTimes = Float64Array.from(packed.times, (t, i) => timeline.toCaseTime(packed.partIds[i]!, t));
      s = { packed, caseTimes, version };
      this.cache.set(caseId, s);
    }
    return s;
  }

  /**
   * The sketches of every case in scope as one matrix, kept while no case's keyframes change: a
   * query scans one typed array instead of a hundred, and allocates nothing per case.
   */
  private matrixOf(key: string, cases: readonly { id: string; name: string }[]): LibraryMatrix {
    const versions = this.d.pictures.versions();
    const parts = cases.map((c) => ({ caseId: c.id, name: c.name, s: this.sketchesOf(c.id, versions.get(c.id) ?? '') }));
    const last = this.matrices.get(key);
    if (last && last.cases.length === parts.length && last.cases.every((c, i) => c.s === parts[i]!.s && c.caseId === parts[i]!.caseId)) return last;
    const n = parts.reduce((sum, p) => sum + p.s.packed.ids.length, 0);
    const sketches = new Int8Matrix(n, SKETCH_DIM);
    const scales = new Float32Array(n);
    const owner = new Uint32Array(n);
    let offset = 0;
    const out: LibraryMatrix = { cases: [], sketches, scales, owner, rows: n, scores: new Float32Array(n) };
    parts.forEach((p, k) => {
      const count = p.s.packed.ids.length;
      sketches.data.set(p.s.packed.sketches.subarray(0, count * SKETCH_DIM), offset * SKETCH_DIM);
      scales.set(p.s.packed.scales.subarray(0, count), offset);
      owner.fill(k, offset, offset + count);
      out.cases.push({ ...p, offset, count });
      offset += count;
    });
    if (this.matrices.size >= 16) this.matrices.clear();
    this.matrices.set(key, out);
    return out;
  }

  /** Ranks the library's keyframes against an embedding (the part of `find` after the query is embedded). */
  rank(query: StoredEmbedding, o: RankOptions): SimilarResult {
    const began = performance.now();
    const cases = o.scope === 'case' ? this.d.store.listCases().filter((c) => c.id === o.caseId) : this.d.store.listCases();
    const lib = this.matrixOf(o.scope === 'case' ? o.caseId : '*', cases);
    const missing: SimilarResult['missing'] = lib.cases
      .filter((c) => c.count === 0)
      .map((c) => ({ caseId: c.caseId, caseName: c.name, state: this.status(c.caseId).state }));
    const frames = lib.rows;
    const dots = lib.sketches.dotAll(query.sketch.q);
    const scores = lib.scores;
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < frames; i++) {
      const v = (scores[i] = dots[i]! * query.sketch.scale * lib.scales[i]!);
      sum += v;
      sum2 += v * v;
    }
    const mean = frames > 0 ? sum / frames : 0;
    const sd = frames > 0 ? Math.sqrt(Math.max(0, sum2 / frames - mean * mean)) : 0;

    // The best candidates over the whole scope on the sketches, then their full vectors.
    const m = Math.max(RERANK, o.limit * 40);
    const candidates = topIndices(scores, m);
    const rowOf = (r: number) => {
      const c = lib.cases[lib.owner[r]!]!;
      return { c, i: r - c.offset };
    };
    const full = this.d.pictures.vectors(candidates.map((r) => {
      const { c, i } = rowOf(r);
      return c.s.packed.ids[i]!;
    }));
    const exact = candidates
      .map((r) => {
        const { c, i } = rowOf(r);
        const v = full.get(c.s.packed.ids[i]!);
        return { caseId: c.caseId, index: i, time: round3(c.s.caseTimes[i]!), score: v ? similarity(query.vector, v) : scores[r]! };
      })
      .sort((a, b) => b.score - a.score);
    // Similar: well above what the scope usually scores (sketch scores estimate the same cosines).
    // Only those: keyframes taken in just to fill the list would merge their neighbours into one
    // window spanning everything.
    const floor = mean + SIMILAR_Z * sd;
    const hits: Hit[] = exact.filter((h) => h.score >= floor);
    const searched = lib.cases.filter((c) => c.count > 0);
    const times = new Map(searched.map((x) => [x.caseId, x.s.caseTimes] as const));
    const names = new Map(searched.map((x) => [x.caseId, x.name] as const));
    let windows = mergeWindows(hits, (id) => times.get(id)!, { maxGap: MAX_GAP, tail: PICTURE_SPACING });
    if (o.time !== null) windows = withoutMoment(windows, o.caseId, o.time);
    const moments: SimilarMoment[] = windows.slice(0, o.limit).map((w) => ({
      caseId: w.caseId,
      caseName: names.get(w.caseId) ?? '',
      start: round3(w.start),
      end: round3(w.end),
      score: Math.round(w.score * 1000) / 1000,
      time: round3(w.time),
    }));
    return { moments, searched: { cases: searched.length, frames, ms: Math.round((performance.now() - began) * 10) / 10 }, missing, model: PICTURE_MODEL };
  }
}
