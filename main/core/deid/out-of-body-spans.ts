/**
 * Frames filmed outside the patient, for de-identification: the index's per-second out-of-body
 * track says roughly where (it samples keyframes), the frames there are then scored one by one,
 * and the spans of frames that score as outside are what an export hides. Pure.
 */

/** Per-second values from here up are worth checking frame by frame (the track blurs edges). */
export const TRACK_CANDIDATE = 0.35;
/**
 * A frame from here up was filmed outside. Above 0.5, which is the score of a picture that
 * cannot tell (black, or nearly): a dark frame shows no one.
 */
export const FRAME_OUTSIDE = 0.55;
/** Seconds checked on each side of a candidate: keyframes 2-4 s apart leave the edges unsure. */
const CANDIDATE_MARGIN = 2;
/** Inside-looking gaps shorter than this between outside frames are outside too (a flicker of drape). */
const GAP_FILL = 0.5;

export interface Span {
  start: number;
  end: number;
}

function merge(spans: Span[], gap = 0): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end + gap) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * The parts of [start, end) to check frame by frame: seconds the track marks as possibly outside
 * (with a margin), and every second the index does not cover (NaN), since nothing there is known.
 */
export function candidateSpans(track: ArrayLike<number>, start: number, end: number, threshold = TRACK_CANDIDATE): Span[] {
  const spans: Span[] = [];
  const first = Math.max(0, Math.floor(start));
  const last = Math.min(track.length - 1, Math.ceil(end) - 1);
  for (let s = first; s <= last; s++) {
    const v = track[s]!;
    if (!Number.isFinite(v)) spans.push({ start: s, end: s + 1 });
    else if (v >= threshold) spans.push({ start: s - CANDIDATE_MARGIN, end: s + 1 + CANDIDATE_MARGIN });
  }
  // Past the track's end (a part not indexed at all) nothing is known either.
  if (end > track.length) spans.push({ start: Math.max(start, track.length), end });
  return merge(spans).map((s) => ({ start: Math.max(start, s.start), end: Math.min(end, s.end) })).filter((s) => s.end > s.start);
}

/**
 * Spans of consecutive frames scoring as outside. `times` are the frames' case times in order,
 * `next` the time after the last frame; an unknown score (NaN) counts as outside, so a frame
 * that could not be checked is hidden rather than shown.
 */
export function outsideSpans(times: ArrayLike<number>, scores: ArrayLike<number>, next: number, threshold = FRAME_OUTSIDE): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < times.length; i++) {
    const v = scores[i]!;
    if (Number.isFinite(v) && v < threshold) continue;
    const end = i + 1 < times.length ? times[i + 1]! : next;
    spans.push({ start: times[i]!, end });
  }
  return merge(spans, GAP_FILL);
}

/** Spans of several checks together, touching ones joined. */
export function joinSpans(spans: Span[]): Span[] {
  return merge(spans, 1e-6);
}
