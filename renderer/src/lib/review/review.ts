/*
 * Reviewing evidence and exporting teaching clips: the pure parts (frame snapping, window checks,
 * status wording, library filters, default file names). No DOM, so they are tested in Node.
 */

import type { Feedback, ReviewCounts, ReviewFilter, Verdict } from '../../../../main/core/contract/feedback-schemas.js';
import { formatTime } from '../../../../main/core/time-format.js';

// ---- frames ------------------------------------------------------------------------------

/** One recording part as frame snapping sees it. */
export interface FrameSource {
  /** Case time where the part starts. */
  start: number;
  duration: number;
  /** Presentation times of its frames, seconds from the part's start; null while unknown. */
  times: ArrayLike<number> | null;
  /** Nominal rate, used while the real timestamps are unknown. */
  fps: number;
}

/** Case times a window edge may take in part `p`: its frames' start times. */
function partEdges(p: FrameSource): { at: (i: number) => number; length: number } {
  if (p.times && p.times.length > 0) {
    const times = p.times;
    return { at: (i) => p.start + times[i]!, length: times.length };
  }
  const fps = p.fps > 0 ? p.fps : 30;
  const n = Math.max(1, Math.ceil(p.duration * fps - 1e-9));
  return { at: (i) => p.start + i / fps, length: n };
}

/** The part holding case time `t` (a boundary belongs to the later part). */
function partIndexAt(parts: readonly FrameSource[], t: number): number {
  let i = 0;
  for (let k = 0; k < parts.length; k++) if (parts[k]!.start <= t + 1e-9) i = k;
  return i;
}

/**
 * Every case time a window edge can sit on, near `t`: the start times of the frames around it
 * (in its part and the neighbouring parts) and the end of the case.
 */
function candidates(t: number, parts: readonly FrameSource[], caseDuration: number): number[] {
  const out = [caseDuration];
  if (parts.length === 0) return out;
  const i = partIndexAt(parts, t);
  for (const k of [i - 1, i, i + 1]) {
    const p = parts[k];
    if (!p) continue;
    const e = partEdges(p);
    if (k < i) out.push(e.at(e.length - 1));
    else if (k > i) out.push(e.at(0));
    else {
      // Binary search on the edge function (frame times ascend).
      let lo = 0;
      let hi = e.length - 1;
      let j = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (e.at(mid) <= t) {
          j = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (j >= 0) out.push(e.at(j));
      if (j + 1 < e.length) out.push(e.at(j + 1));
    }
  }
  return out;
}

/**
 * The frame start nearest to case time `t` (or the case's end), so that a window edge always
 * lies on a frame boundary of the real recording, never between two frames.
 */
export function snapToFrame(t: number, parts: readonly FrameSource[], caseDuration: number): number {
  const x = Math.max(0, Math.min(caseDuration, Number.isFinite(t) ? t : 0));
  let best = caseDuration;
  for (const c of candidates(x, parts, caseDuration)) {
    if (c >= 0 && c <= caseDuration && Math.abs(c - x) < Math.abs(best - x)) best = c;
  }
  return best;
}

/** The frame edge `n` frames away from the edge at `t` (clamped to the case). */
export function stepFrames(t: number, parts: readonly FrameSource[], caseDuration: number, n: number): number {
  let x = snapToFrame(t, parts, caseDuration);
  const dir = Math.sign(n);
  for (let k = 0; k < Math.abs(n); k++) {
    const cs = candidates(x + dir * 1e-6, parts, caseDuration)
      .filter((c) => c >= 0 && c <= caseDuration && (dir > 0 ? c > x + 1e-9 : c < x - 1e-9))
      .sort((a, b) => (dir > 0 ? a - b : b - a));
    if (cs.length === 0) break;
    x = cs[0]!;
  }
  return x;
}

/** Frame sources of a case from its parts and their loaded timestamps. */
export function frameSources(
  parts: readonly { duration: number; fps: number }[],
  starts: readonly number[],
  frameTimes: readonly (ArrayLike<number> | null | undefined)[],
): FrameSource[] {
  return parts.map((p, i) => ({ start: starts[i] ?? 0, duration: p.duration, fps: p.fps, times: frameTimes[i] ?? null }));
}

// ---- windows -----------------------------------------------------------------------------

/** Why a window cannot be saved or exported, in words; null when it can. */
export function windowProblem(start: number | null, end: number | null, caseDuration: number): string | null {
  if (start === null || end === null || !Number.isFinite(start) || !Number.isFinite(end)) return 'Give a start and an end.';
  if (start < 0) return 'The start is before the beginning of the case.';
  if (end > caseDuration + 1e-6) return `The end is after the end of the case (${formatTime(caseDuration, { millis: true })}).`;
  if (start >= end) return 'The start must be before the end.';
  return null;
}

/** The window a review leaves an item with: the corrected one when adjusted, else the predicted one. */
export function reviewedWindow(
  predicted: { start: number; end: number },
  review: Pick<Feedback, 'verdict' | 'start' | 'end'> | null,
): { start: number; end: number; adjusted: boolean } {
  if (review?.verdict === 'adjusted' && review.start !== null && review.end !== null) {
    return { start: review.start, end: review.end, adjusted: true };
  }
  return { start: predicted.start, end: predicted.end, adjusted: false };
}

// ---- wording -----------------------------------------------------------------------------

/** What a card's badge says: adjusted is a kind of confirmed, told apart because its window changed. */
export type Badge = 'unreviewed' | 'confirmed' | 'flagged' | 'adjusted';

export function badgeOf(review: Pick<Feedback, 'verdict'> | null | undefined): Badge {
  if (!review) return 'unreviewed';
  if (review.verdict === 'incorrect') return 'flagged';
  return review.verdict === 'adjusted' ? 'adjusted' : 'confirmed';
}

/** The stored evidence status (the latest verdict, or "unreviewed") as a badge. */
export function badgeOfStatus(status: string | null | undefined): Badge {
  if (status === 'correct' || status === 'incorrect' || status === 'adjusted') return badgeOf({ verdict: status });
  return 'unreviewed';
}

export const BADGE_LABEL: Record<Badge, string> = {
  unreviewed: 'Unreviewed',
  confirmed: 'Confirmed',
  flagged: 'Flagged',
  adjusted: 'Adjusted',
};

/** A row of the history: "Marked correct", "Flagged as incorrect", "Adjusted to 0:06.500–0:11.000". */
export function verdictLine(r: Pick<Feedback, 'verdict' | 'start' | 'end'>): string {
  if (r.verdict === 'correct') return 'Marked correct';
  if (r.verdict === 'incorrect') return 'Flagged as incorrect';
  const w = r.start !== null && r.end !== null ? ` to ${clockMs(r.start)}–${clockMs(r.end)}` : '';
  return `Adjusted${w}`;
}

export const VERDICT_KEYS: Record<Verdict, string> = { correct: 'C', incorrect: 'X', adjusted: 'A' };

/** Case time with milliseconds, hours only when needed: "0:06.500". */
export function clockMs(s: number): string {
  return formatTime(s, { millis: true });
}

/**
 * When a review was made, short: the time today, the date and time otherwise. `locale` and
 * `timeZone` exist for tests; the app uses the system's.
 */
export function reviewedAt(iso: string, now: Date = new Date(), locale?: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const tz = timeZone ? { timeZone } : {};
  const day = (x: Date) => x.toLocaleDateString('en-CA', tz);
  if (day(d) === day(now)) return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', ...tz });
  return d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', ...tz });
}

/**
 * A review refused because nobody is named as its reviewer (the backend's message asks for a
 * name in the settings): the card then offers to open them.
 */
export function needsReviewerName(code: string | null, message: string): boolean {
  return code === 'invalid-input' && /reviewer/i.test(message) && !/longer than/i.test(message);
}

/** The backend's messages name command-line flags ("(--overwrite)"); in the app the same choice is a checkbox. */
export function withoutCliHints(message: string): string {
  return message.replace(/\s*\(--[a-z-]+\)/g, '');
}

// ---- library -----------------------------------------------------------------------------

export interface CountBadge {
  kind: 'unreviewed' | 'flagged' | 'confirmed';
  n: number;
  label: string;
}

/** The small badges of a case in the library: "3 to review", "1 flagged", "2 confirmed". */
export function countBadges(c: Pick<ReviewCounts, 'unreviewed' | 'flagged' | 'confirmed'> | undefined): CountBadge[] {
  if (!c) return [];
  const out: CountBadge[] = [];
  if (c.unreviewed > 0) out.push({ kind: 'unreviewed', n: c.unreviewed, label: `${c.unreviewed} to review` });
  if (c.flagged > 0) out.push({ kind: 'flagged', n: c.flagged, label: `${c.flagged} flagged` });
  if (c.confirmed > 0) out.push({ kind: 'confirmed', n: c.confirmed, label: `${c.confirmed} confirmed` });
  return out;
}

/** Whether a case belongs in the library under a review filter. */
export function matchesReviewFilter(c: Pick<ReviewCounts, 'unreviewed' | 'flagged' | 'confirmed'> | undefined, filter: ReviewFilter): boolean {
  if (filter === 'all') return true;
  return (c?.[filter] ?? 0) > 0;
}

/** How many cases each filter would show. */
export function filterTotals(
  caseIds: readonly string[],
  counts: Readonly<Record<string, Pick<ReviewCounts, 'unreviewed' | 'flagged' | 'confirmed'>>>,
): Record<ReviewFilter, number> {
  const t: Record<ReviewFilter, number> = { all: caseIds.length, unreviewed: 0, flagged: 0, confirmed: 0 };
  for (const id of caseIds) {
    for (const f of ['unreviewed', 'flagged', 'confirmed'] as const) if (matchesReviewFilter(counts[id], f)) t[f]++;
  }
  return t;
}

export const FILTER_EMPTY: Record<Exclude<ReviewFilter, 'all'>, string> = {
  unreviewed: 'No case has evidence waiting for review.',
  flagged: 'No case has flagged evidence.',
  confirmed: 'No case has confirmed evidence.',
};

// ---- file names --------------------------------------------------------------------------

/** A file-name-safe form of a case name: "Lap chole (asked)" → "lap-chole-asked". */
export function slug(name: string, fallback = 'case'): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s || fallback;
}

/** "0m06.500s"-like stamp for a case time in a file name (no colons: Windows forbids them). */
function timeStamp(s: number): string {
  const ms = Math.round(Math.max(0, s) * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const whole = Math.floor((ms % 60_000) / 1000);
  const frac = ms % 1000;
  const secText = `${String(whole).padStart(2, '0')}${frac ? `.${String(frac).padStart(3, '0').replace(/0+$/, '')}` : ''}`;
  return `${h ? `${h}h` : ''}${String(m).padStart(h ? 2 : 1, '0')}m${secText}s`;
}

/** Default clip file name: "lap-chole-evidence-1-0m06.5s-0m11s.mp4", or "…-range-…" for a range. */
export function clipFileName(caseName: string, w: { rank?: number | undefined; start: number; end: number }): string {
  const what = w.rank !== undefined ? `evidence-${w.rank}` : 'range';
  return `${slug(caseName)}-${what}-${timeStamp(w.start)}-${timeStamp(w.end)}.mp4`;
}

/** Default training-set file name, dated so that a second export does not collide. */
export function trainingFileName(caseName: string | null, now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `${caseName ? `${slug(caseName)}-` : ''}reviews-${date}.jsonl`;
}

/** The separator a path uses: a Windows path has backslashes and no forward slashes. */
export function separatorOf(path: string): '/' | '\\' {
  return path.includes('\\') && !path.includes('/') ? '\\' : '/';
}

export function joinPath(dir: string, name: string): string {
  const sep = separatorOf(dir);
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

/** The folder of a path ("" when it has none). */
export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (i < 0) return '';
  if (i === 0) return path.slice(0, 1);
  // "C:\clip.mp4" keeps its drive's root.
  if (i === 2 && /^[A-Za-z]:/.test(path)) return path.slice(0, 3);
  return path.slice(0, i);
}

/** The file name of a path. */
export function fileNameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}

/** A full path on any platform: "/x", "C:\x", "\\server\share". */
export function isFullPath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}
