/*
 * Ranking picture-index hits: the best candidates of a sketch scan, and consecutive similar
 * keyframes of a case merged into one window (a scene that lasts ten seconds is one moment, not
 * five). Pure: the host feeds it arrays read from the store.
 */

import { dotInt8 } from './embedding-codec.js';

/** Indices of the `k` largest scores, best first (ties: the earlier index first). */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  const n = scores.length;
  if (k <= 0 || n === 0) return [];
  if (k >= n) return Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  // A min-heap of the k best so far: O(n log k).
  const heap = new Int32Array(k);
  let size = 0;
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(heap[l]!, heap[m]!)) m = l;
      if (r < size && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (size < k) {
      heap[size++] = i;
      up(size - 1);
    } else if (worse(heap[0]!, i)) {
      heap[0] = i;
      down(0);
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** Scores of a quantised query against `count` packed int8 vectors of its length. */
export function scanScores(query: Int8Array, queryScale: number, packed: Int8Array, scales: Float32Array, count: number, out: Float32Array = new Float32Array(count)): Float32Array {
  const d = query.length;
  for (let i = 0, o = 0; i < count; i++, o += d) out[i] = dotInt8(query, packed, o) * queryScale * scales[i]!;
  return out;
}

/** One keyframe that scored: which case, its place in the case's keyframes, its case time. */
export interface Hit {
  caseId: string;
  index: number;
  time: number;
  score: number;
}

export interface SimilarWindow {
  caseId: string;
  /** Case seconds: from the first similar keyframe to the keyframe after the last one. */
  start: number;
  end: number;
  /** The best keyframe's score (cosine similarity, -1..1). */
  score: number;
  /** The most similar moment inside the window. */
  time: number;
}

export interface MergeOptions {
  /** Keyframes further apart than this (seconds) are never one window, even when adjacent. */
  maxGap: number;
  /** How far past the last keyframe a window reaches when no keyframe follows it (seconds). */
  tail: number;
}

/**
 * Windows from hits: hits that are consecutive keyframes of the same case (index i, i + 1, ...)
 * less than `maxGap` apart form one window. `timesOf` gives a case's keyframe times in order.
 */
export function mergeWindows(hits: readonly Hit[], timesOf: (caseId: string) => ArrayLike<number>, o: MergeOptions): SimilarWindow[] {
  const byCase = new Map<string, Hit[]>();
  for (const h of hits) {
    const list = byCase.get(h.caseId);
    if (list) list.push(h);
    else byCase.set(h.caseId, [h]);
  }
  const out: SimilarWindow[] = [];
  for (const [caseId, list] of byCase) {
    const times = timesOf(caseId);
    list.sort((a, b) => a.index - b.index);
    let open: { first: Hit; last: Hit; best: Hit } | null = null;
    const close = () => {
      if (!open) return;
      const next = times[open.last.index + 1];
      const end = next !== undefined && next - open.last.time <= o.maxGap ? next : open.last.time + o.tail;
      out.push({ caseId, start: open.first.time, end, score: open.best.score, time: open.best.time });
      open = null;
    };
    for (const h of list) {
      if (open && h.index === open.last.index + 1 && h.time - open.last.time <= o.maxGap) {
        open.last = h;
        if (h.score > open.best.score) open.best = h;
      } else if (open && h.index === open.last.index) {
        continue;
      } else {
        close();
        open = { first: h, last: h, best: h };
      }
    }
    close();
  }
  return out.sort((a, b) => b.score - a.score || a.caseId.localeCompare(b.caseId) || a.start - b.start);
}

/** Drops windows of `caseId` that contain `time` (the moment asked from is not an answer). */
export function withoutMoment(windows: readonly SimilarWindow[], caseId: string, time: number): SimilarWindow[] {
  return windows.filter((w) => w.caseId !== caseId || time < w.start - 1e-6 || time >= w.end - 1e-6);
}
