/*
 * Reads the text inside `<answer>`: either JSON ({"answer": "...", "evidence": [...]}) or free
 * text, from which evidence windows are taken where times are written. Times are converted to
 * seconds when they read as times and kept as written otherwise, so the engine can tell the model
 * which one it could not read. Evidence keeps the order written: models write the best first.
 */
import { parseTime } from '../../time-format.js';
import { type AnswerDraft, type EvidenceDraft } from '../types.js';
import { isPlainObject, parseLooseJson } from './loose-json.js';

const TEXT_KEYS = ['answer', 'text', 'summary', 'final_answer', 'response', 'conclusion'];
const EVIDENCE_KEYS = ['evidence', 'windows', 'segments', 'citations'];
const START_KEYS = ['start', 'start_time', 'from', 'begin', 'start_s'];
const END_KEYS = ['end', 'end_time', 'to', 'until', 'end_s'];
const WINDOW_KEYS = ['window', 'range', 'interval', 'time_range', 'span'];
const MOMENT_KEYS = ['t', 'time', 'timestamp', 'at', 'frame'];
const FRAMES_KEYS = ['frames', 'key_frames', 'keyframes', 'timestamps', 'frame_times'];
const CLAIM_KEYS = ['claim', 'description', 'reason', 'finding', 'note', 'label', 'caption', 'text', 'evidence'];

export function parseAnswer(raw: string): AnswerDraft {
  const text = raw.trim();
  const structured = parseStructured(text);
  if (structured) return structured;
  return { text, evidence: extractEvidenceFromText(text) };
}

function parseStructured(text: string): AnswerDraft | null {
  // Only the first '{': when the answer object is broken, a later '{' is one of its evidence items,
  // and reading that as the answer would be worse than reading the whole text as prose.
  const start = text.indexOf('{');
  if (start < 0) return null;
  const json = parseLooseJson(text, start);
  if (!json.ok || !isPlainObject(json.value)) return null;
  const obj = json.value;
  const textKey = TEXT_KEYS.find((k) => Object.hasOwn(obj, k));
  const evidenceKey = EVIDENCE_KEYS.find((k) => Object.hasOwn(obj, k));
  if (textKey === undefined && evidenceKey === undefined) return null;

  let answerText = textKey === undefined ? '' : stringify(obj[textKey]);
  if (answerText === '') {
    // {"evidence": [...]} with the words written around the JSON instead of inside it.
    answerText = stripFences(text.slice(0, start) + text.slice(json.end)).trim();
  }
  const evidence =
    evidenceKey === undefined
      ? extractEvidenceFromText(answerText) // the model put its times in the prose
      : listOf(obj[evidenceKey])
          .map(evidenceFromValue)
          .filter((e): e is EvidenceDraft => e !== null);
  return { text: answerText, evidence };
}

/** One evidence item as a model may write it: {start, end, frames, claim}, {window: [s, e]}, [s, e], {t}. */
export function evidenceFromValue(item: unknown): EvidenceDraft | null {
  if (Array.isArray(item)) {
    const [s, e] = item.map(toTime);
    if (s === null || s === undefined) return null;
    return { start: s, end: e ?? s, frames: [], claim: '' };
  }
  if (!isPlainObject(item)) return null;
  let start = toTime(pick(item, START_KEYS));
  let end = toTime(pick(item, END_KEYS));
  const window = pick(item, WINDOW_KEYS);
  if (Array.isArray(window)) {
    start ??= toTime(window[0]);
    end ??= toTime(window[1]);
  } else if (typeof window === 'string') {
    const r = firstWindowIn(window);
    if (r) {
      start ??= r.start;
      end ??= r.end;
    }
  }
  const frames = listOf(pick(item, FRAMES_KEYS))
    .map(toTime)
    .filter((t): t is number | string => t !== null);
  const moment = toTime(pick(item, MOMENT_KEYS));
  if (moment !== null && !frames.includes(moment)) frames.unshift(moment);
  // A window given only by its key frames spans them.
  if (start === null && end === null) {
    start = frames[0] ?? null;
    end = frames[frames.length - 1] ?? null;
  }
  start ??= end;
  end ??= start;
  if (start === null || end === null) return null;
  const claimValue = pick(item, CLAIM_KEYS);
  const claim = typeof claimValue === 'string' ? claimValue.trim() : '';
  return { start, end, frames, claim };
}

// Time forms in prose. Seconds need a unit or brackets: bare numbers in prose are too often counts.
const CLOCK = String.raw`(?<![\d:.])\d{1,2}:\d{2}(?::\d{2})?(?:\.\d{1,3})?(?![\d:])`;
const SECS = String.raw`(?<![\d.:])\d{1,6}(?:\.\d{1,3})?`;
const UNIT = String.raw`\s?(?:seconds|second|secs|sec|s)\b`;
const DASH = String.raw`\s*(?:-{1,2}|–|—|~|\bto\b|\buntil\b|\bthrough\b|\band\b)\s*`;
const TIME_PATTERN = new RegExp(
  [
    // [750.0, 790.0] and [00:12:30, 00:13:10]
    String.raw`\[\s*(?<b1>${CLOCK}|${SECS})(?:\s?s)?\s*,\s*(?<b2>${CLOCK}|${SECS})(?:\s?s)?\s*\]`,
    // 00:12:30 to 00:13:10, 12:30–13:10, between 12:30 and 13:10
    String.raw`(?<between>\bbetween\s+)?(?<c1>${CLOCK})(?<cdash>${DASH})(?<c2>${CLOCK})`,
    // 750 s to 790 s, 750–790 s
    String.raw`(?<between2>\bbetween\s+)?(?<s1>${SECS})(?:${UNIT})?(?<sdash>${DASH})(?<s2>${SECS})${UNIT}`,
    // a single moment: 00:04:05.5, at 751.25 s
    String.raw`(?<m1>${CLOCK})`,
    // (not "at 750 s to 790 s", which the range branch reads once the scan reaches the number)
    String.raw`\bat\s+(?<m2>${SECS})${UNIT}(?!${DASH}\d)`,
  ].join('|'),
  'gi',
);

// More windows than any answer cites; the cap keeps a pathological answer cheap to read.
const MAX_TEXT_EVIDENCE = 50;

/** Evidence windows written in free text, in the order written; the sentence around each is its claim. */
export function extractEvidenceFromText(text: string): EvidenceDraft[] {
  const out: EvidenceDraft[] = [];
  const seen = new Set<string>();
  const add = (start: number | null, end: number | null, frames: number[], at: number, len: number) => {
    if (start === null || end === null) return;
    const key = `${start}|${end}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ start, end, frames, claim: sentenceAround(text, at, at + len) });
  };
  for (const m of text.matchAll(TIME_PATTERN)) {
    if (out.length >= MAX_TEXT_EVIDENCE) break;
    const g = m.groups ?? {};
    const at = m.index;
    const len = m[0].length;
    if (g.b1 !== undefined && g.b2 !== undefined) add(parseTime(g.b1), parseTime(g.b2), [], at, len);
    else if (g.c1 !== undefined && g.c2 !== undefined) {
      if (isAnd(g.cdash) && g.between === undefined) {
        // "at 12:30 and 13:10" lists two moments, it is not a window.
        addMoment(add, g.c1, at, len);
        addMoment(add, g.c2, at, len);
      } else add(parseTime(g.c1), parseTime(g.c2), [], at, len);
    } else if (g.s1 !== undefined && g.s2 !== undefined) {
      if (isAnd(g.sdash) && g.between2 === undefined) continue;
      add(parseTime(g.s1), parseTime(g.s2), [], at, len);
    } else if (g.m1 !== undefined) addMoment(add, g.m1, at, len);
    else if (g.m2 !== undefined) addMoment(add, g.m2, at, len);
  }
  return out;
}

/** The first window written in a string such as "00:12:30-00:13:10" or "750-790 s". */
function firstWindowIn(s: string): { start: number; end: number } | null {
  const [first] = extractEvidenceFromText(s);
  if (!first || typeof first.start !== 'number' || typeof first.end !== 'number') return null;
  return { start: first.start, end: first.end };
}

function addMoment(
  add: (s: number | null, e: number | null, frames: number[], at: number, len: number) => void,
  written: string,
  at: number,
  len: number,
): void {
  const t = parseTime(written);
  if (t !== null) add(t, t, [t], at, len);
}

const isAnd = (dash: string | undefined) => dash !== undefined && /and/i.test(dash);

/** Seconds when the value reads as a time; otherwise the text as written (the engine reports it). */
function toTime(v: unknown): number | string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (s === '') return null;
  return parseTime(s) ?? parseTime(s.replace(/\s*(?:seconds|second|secs|sec|s)$/i, '')) ?? s;
}

function pick(obj: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) if (Object.hasOwn(obj, k) && obj[k] !== undefined && obj[k] !== null) return obj[k];
  return undefined;
}

function listOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function stripFences(s: string): string {
  return s.replace(/```[A-Za-z]*/g, '');
}

const MAX_CLAIM_LENGTH = 240;

/** The sentence (or line) that contains [from, to). */
function sentenceAround(text: string, from: number, to: number): string {
  // Bounded scans: a text without full stops must not make each claim cost the whole text.
  let a = from;
  const aMin = Math.max(0, from - MAX_CLAIM_LENGTH);
  while (a > aMin && !isSentenceEnd(text, a - 1)) a--;
  let b = to;
  const bMax = Math.min(text.length, to + MAX_CLAIM_LENGTH);
  while (b < bMax && !isSentenceEnd(text, b)) b++;
  if (b < text.length && isSentenceEnd(text, b) && text.charAt(b) !== '\n') b++; // keep the full stop
  let claim = text.slice(a, b).trim().replace(/^(?:[-*•]|\d+[.)])\s+/, '');
  if (claim.length > MAX_CLAIM_LENGTH) claim = claim.slice(0, MAX_CLAIM_LENGTH - 1).trimEnd() + '…';
  return claim;
}

// A '.' between digits is a decimal point (751.25), not the end of a sentence.
function isSentenceEnd(text: string, i: number): boolean {
  const c = text.charAt(i);
  if (c === '\n') return true;
  if (c !== '.' && c !== '!' && c !== '?') return false;
  const next = text.charAt(i + 1);
  return next === '' || /\s/.test(next);
}
