/**
 * Burned-in text over an export range, from OCR of sampled frames: detections that stay put
 * (the same box give or take a few pixels) are one region, masked for the whole range, the way a
 * tower's patient banner sits in its corner; text seen only in some samples is masked from the
 * sample before it appeared to the sample after it was last seen. Pure: numbers in, numbers out.
 */

export type Rect = [x: number, y: number, w: number, h: number];

export interface SampledText {
  text: string;
  box: Rect;
  score: number;
}

export interface TextSample {
  /** Case seconds. */
  time: number;
  texts: SampledText[];
}

export interface TextRegion {
  /** Padded, in the recording's pixels. */
  box: Rect;
  /** Case seconds; `end` exclusive. */
  start: number;
  end: number;
  /** What was read in it, distinct, most confident first (may be empty: unread text is masked too). */
  texts: string[];
  score: number;
  /** Samples it was seen in, of how many. */
  seen: number;
  of: number;
  /** Seen in at least half the samples: one mask for the whole range. */
  steady: boolean;
}

export interface TrackOptions {
  /** Pixels each edge may move between samples and still be the same overlay. */
  tolerance: number;
  /** Share of samples a region needs to count as steady. */
  steadyShare: number;
}

/** Edges within ~2% of the frame's height: compression and the detector move them that much. */
export function trackOptions(frameHeight: number): TrackOptions {
  return { tolerance: Math.max(4, Math.round(frameHeight * 0.02)), steadyShare: 0.5 };
}

/** Every edge of `a` within `tol` pixels of the same edge of `b`. */
export function sameBox(a: Rect, b: Rect, tol: number): boolean {
  return (
    Math.abs(a[0] - b[0]) <= tol &&
    Math.abs(a[1] - b[1]) <= tol &&
    Math.abs(a[0] + a[2] - b[0] - b[2]) <= tol &&
    Math.abs(a[1] + a[3] - b[1] - b[3]) <= tol
  );
}

function sameOverlay(a: Rect, b: Rect, tol: number): boolean {
  if (sameBox(a, b, tol)) return true;
  // The detector sometimes splits or joins words of one line: a large overlap is the same text.
  return overlapShare(a, b) >= 0.6;
}

/** Area of the intersection over the smaller rectangle's area. */
export function overlapShare(a: Rect, b: Rect): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.max(1, Math.min(a[2] * a[3], b[2] * b[3]));
}

export function union(a: Rect, b: Rect): Rect {
  const x0 = Math.min(a[0], b[0]);
  const y0 = Math.min(a[1], b[1]);
  return [x0, y0, Math.max(a[0] + a[2], b[0] + b[2]) - x0, Math.max(a[1] + a[3], b[1] + b[3]) - y0];
}

/**
 * Grown by a third of the text's height (at least 2 px) and kept inside the frame: the glyphs'
 * outline and the encoder's ringing around them reach past the detected box.
 */
export function padRect(r: Rect, frame: { width: number; height: number }): Rect {
  const p = Math.max(2, Math.round(Math.min(r[2], r[3]) / 3));
  const x0 = Math.max(0, r[0] - p);
  const y0 = Math.max(0, r[1] - p);
  const x1 = Math.min(frame.width, r[0] + r[2] + p);
  const y1 = Math.min(frame.height, r[1] + r[3] + p);
  return [x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
}

interface Track {
  box: Rect;
  hits: number[];
  reads: Map<string, number>;
}

/**
 * Regions of one recording's samples over the case range [start, end). Samples must be in time
 * order and all from frames of the same size.
 */
export function trackTextRegions(
  samples: readonly TextSample[],
  range: { start: number; end: number },
  frame: { width: number; height: number },
  o: TrackOptions = trackOptions(frame.height),
): TextRegion[] {
  const tracks: Track[] = [];
  samples.forEach((s, k) => {
    for (const t of s.texts) {
      const match = tracks.find((tr) => tr.hits.at(-1) !== k && sameOverlay(tr.box, t.box, o.tolerance));
      const tr = match ?? { box: t.box, hits: [], reads: new Map<string, number>() };
      if (!match) tracks.push(tr);
      else tr.box = union(tr.box, t.box);
      if (tr.hits.at(-1) !== k) tr.hits.push(k);
      if (t.text) tr.reads.set(t.text, Math.max(tr.reads.get(t.text) ?? 0, t.score));
    }
  });
  // Two tracks that grew into each other are one overlay read in pieces.
  for (let i = 0; i < tracks.length; i++) {
    for (let j = i + 1; j < tracks.length; j++) {
      const a = tracks[i]!;
      const b = tracks[j]!;
      if (overlapShare(a.box, b.box) < 0.6) continue;
      a.box = union(a.box, b.box);
      a.hits = [...new Set([...a.hits, ...b.hits])].sort((x, y) => x - y);
      for (const [text, score] of b.reads) a.reads.set(text, Math.max(a.reads.get(text) ?? 0, score));
      tracks.splice(j, 1);
      j = i;
    }
  }
  const n = samples.length;
  return tracks
    .map((tr): TextRegion => {
      const steady = n <= 1 || (tr.hits.length >= 2 && tr.hits.length >= o.steadyShare * n);
      const first = tr.hits[0]!;
      const last = tr.hits.at(-1)!;
      const start = steady || first === 0 ? range.start : samples[first - 1]!.time;
      const end = steady || last === n - 1 ? range.end : samples[last + 1]!.time;
      const reads = [...tr.reads].sort((a, b) => b[1] - a[1]);
      return {
        box: padRect(tr.box, frame),
        start,
        end,
        texts: reads.map(([text]) => text),
        score: reads[0]?.[1] ?? 0,
        seen: tr.hits.length,
        of: n,
        steady,
      };
    })
    .filter((r) => r.box[2] > 0 && r.box[3] > 0)
    .sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0]);
}

/**
 * A reviewer's "do not mask this" rectangle takes out the regions it mostly covers (drawn around
 * them) and the region it mostly lies in (the region's own box, or a click inside it).
 */
export function removedBy(region: Rect, removals: readonly Rect[]): boolean {
  return removals.some((r) => coveredShare(region, r) >= 0.5 || coveredShare(r, region) >= 0.5);
}

/** Share of `inner`'s area inside `outer`. */
export function coveredShare(inner: Rect, outer: Rect): number {
  const w = Math.min(inner[0] + inner[2], outer[0] + outer[2]) - Math.max(inner[0], outer[0]);
  const h = Math.min(inner[1] + inner[3], outer[1] + outer[3]) - Math.max(inner[1], outer[1]);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.max(1, inner[2] * inner[3]);
}
