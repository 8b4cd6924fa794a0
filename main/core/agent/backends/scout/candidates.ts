/*
 * Coarse search: where on the per-second display tracks an event may be. Hysteresis keeps one
 * event whole while its level wobbles around the threshold; blips are dropped before gaps are
 * merged, so a lone specular second next to an event cannot stretch it.
 */

export interface RunThresholds {
  /** A run needs at least one second at or above this. */
  high: number;
  /** ...and lasts while the seconds stay at or above this. */
  low: number;
  /** Runs shorter than this many seconds are noise. */
  minSeconds: number;
  /** Runs this close (seconds) are one event with a dip inside. */
  mergeGap: number;
  /** Seconds without data a run may cross; more end it (an index still running, a read error). */
  maxMissing: number;
}

/** A stretch of case seconds [start, end) where the event may be. */
export interface Candidate {
  start: number;
  end: number;
  /** Highest value inside, and the start of its second. */
  peak: number;
  peakAt: number;
  /** Mean of the seconds with data inside. */
  mean: number;
  /** Sum of the values inside: how much of the event there is, for ranking. */
  strength: number;
}

function hasData(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v) && v >= 0;
}

interface Span {
  start: number;
  end: number;
}

/**
 * Stretches where every measured second is at least `low` and one reaches `high`. A second with no
 * data neither starts nor ends a stretch, but more than `maxMissing` of them in a row do end it:
 * the claim stays within what was measured.
 */
function hysteresisSpans(values: readonly number[], t: RunThresholds): Span[] {
  const spans: Span[] = [];
  let open: { start: number; lastData: number; sawHigh: boolean } | null = null;
  let missing = 0;
  const close = () => {
    if (open?.sawHigh) spans.push({ start: open.start, end: open.lastData + 1 });
    open = null;
  };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!hasData(v)) {
      if (open && ++missing > t.maxMissing) close();
      continue;
    }
    missing = 0;
    if (v >= t.low) {
      if (open) {
        open.lastData = i;
        open.sawHigh ||= v >= t.high;
      } else open = { start: i, lastData: i, sawHigh: v >= t.high };
    } else close();
  }
  close();
  return spans;
}

function mergeClose(spans: Span[], gap: number): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const prev = out.at(-1);
    if (prev && s.start - prev.end <= gap) prev.end = Math.max(prev.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** A candidate of the seconds [start, end) of `values`. */
export function describe(values: readonly number[], span: Span): Candidate {
  let peak = -Infinity;
  let peakAt = span.start;
  let sum = 0;
  let count = 0;
  for (let i = span.start; i < span.end; i++) {
    const v = values[i];
    if (!hasData(v)) continue;
    sum += v;
    count++;
    if (v > peak) {
      peak = v;
      peakAt = i;
    }
  }
  return { ...span, peak: count > 0 ? peak : 0, peakAt, mean: count > 0 ? sum / count : 0, strength: sum };
}

/** Candidate windows of an event track (0 = the recording's usual look, rising with the event). */
export function eventCandidates(values: readonly number[], t: RunThresholds): Candidate[] {
  const spans = hysteresisSpans(values, t).filter((s) => s.end - s.start >= Math.min(t.minSeconds, 2));
  return mergeClose(spans, t.mergeGap)
    .filter((s) => s.end - s.start >= t.minSeconds)
    .map((s) => describe(values, s));
}

/**
 * Candidate pauses: motion low for a sustained time. Seconds another event holds are not pauses
 * (a scope on the table is still, but that is an out-of-body view; smoke flattens the picture the
 * motion is read from). The values are turned into stillness (1 - motion) so one search serves
 * both kinds of track.
 */
export function idleCandidates(motion: readonly number[], elsewhere: (second: number) => boolean, t: RunThresholds): Candidate[] {
  const stillness = motion.map((m, i) => {
    if (!hasData(m)) return -1;
    return elsewhere(i) ? 0 : 1 - m;
  });
  return eventCandidates(stillness, t);
}

/** Median of the measured values in [from, to), or null when none is measured. */
export function medianOf(values: readonly number[], from: number, to: number): number | null {
  const picked: number[] = [];
  for (let i = Math.max(0, Math.floor(from)); i < Math.min(values.length, Math.ceil(to)); i++) {
    const v = values[i];
    if (hasData(v)) picked.push(v);
  }
  if (picked.length === 0) return null;
  picked.sort((a, b) => a - b);
  const mid = picked.length >> 1;
  return picked.length % 2 === 1 ? picked[mid]! : (picked[mid - 1]! + picked[mid]!) / 2;
}

/** Fraction of the seconds that have data. */
export function coverageOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let n = 0;
  for (const v of values) if (hasData(v)) n++;
  return n / values.length;
}

/** A sign of an event stands this far above the case's quiet level (display scale)... */
const ONSET_MARGIN = 0.05;
/** ...and never below this: the display puts noise within the bottom tenth. */
const ONSET_FLOOR = 0.1;
/** A ramp may wobble this much on the way and still be one rise. */
const RAMP_WOBBLE = 0.05;

/** The level from which a second shows a sign of the event: just above what the quiet seconds reach. */
export function onsetLevel(values: readonly number[], candidates: readonly Candidate[]): number {
  const quiet: number[] = [];
  values.forEach((v, i) => {
    if (hasData(v) && !candidates.some((c) => i >= c.start - 1 && i < c.end + 1)) quiet.push(v);
  });
  quiet.sort((a, b) => a - b);
  const top = quiet.length > 0 ? quiet[Math.min(quiet.length - 1, Math.floor(quiet.length * 0.95))]! : 0;
  return Math.max(ONSET_FLOOR, top + ONSET_MARGIN);
}

/**
 * Candidates grown out to where the event begins and ends. Bleeding spreads: the track climbs for
 * seconds before it reaches the run's threshold, and the bleeding began where the climb left the
 * quiet level, not where it crossed the threshold. So each edge walks outwards while the values
 * stay above the onset level and keep falling away from the event.
 */
export function withOnsets(values: readonly number[], candidates: readonly Candidate[]): Candidate[] {
  const level = onsetLevel(values, candidates);
  const sign = (i: number) => hasData(values[i]) && values[i]! >= level;
  return candidates.map((c, k) => {
    const floor = k > 0 ? candidates[k - 1]!.end : 0;
    const ceiling = k + 1 < candidates.length ? candidates[k + 1]!.start : values.length;
    let start = c.start;
    while (start - 1 >= floor && sign(start - 1) && values[start - 1]! <= values[start]! + RAMP_WOBBLE) start--;
    let end = c.end;
    while (end < ceiling && sign(end) && values[end]! <= values[end - 1]! + RAMP_WOBBLE) end++;
    return start === c.start && end === c.end ? c : describe(values, { start, end });
  });
}
