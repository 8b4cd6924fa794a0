/*
 * Reads the text inside `<answer>`: either JSON ({"answer": "...", "evidence": [...]}) or free
 * text, from which evidence windows are taken where times are written. Times are converted to
 * seconds when they read as times and kept as written otherwise, so the engine can tell the model
 * which one it could not read. Evidence keeps the order written: models write the best first.
 */
import { parseTime } from '../../time-format.js';
import { type AnswerDraft, type BoxDraft, type EvidenceDraft } from '../types.js';
import { findGrounding, type TimedBox } from './grounding-text.js';
import { isPlainObject, parseLooseJson } from './loose-json.js';

const TEXT_KEYS = ['answer', 'text', 'summary', 'final_answer', 'response', 'conclusion'];
const EVIDENCE_KEYS = ['evidence', 'windows', 'segments', 'citations'];
const START_KEYS = ['start', 'start_time', 'from', 'begin', 'start_s'];
const END_KEYS = ['end', 'end_time', 'to', 'until', 'end_s'];
const WINDOW_KEYS = ['window', 'range', 'interval', 'time_range', 'span'];
const MOMENT_KEYS = ['t', 'time', 'timestamp', 'at', 'frame'];
const FRAMES_KEYS = ['frames', 'key_frames', 'keyframes', 'timestamps', 'frame_times'];
const BOXES_KEYS = ['boxes', 'bboxes', 'bbox_dict', 'track'];
const BOX_KEYS = ['box', 'bbox', 'xyxy'];
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
  const boxes = boxesFromValue(pick(item, BOXES_KEYS));
  const single = pick(item, BOX_KEYS);
  if (single !== undefined && (moment ?? start) !== null) boxes.push({ time: (moment ?? start)!, box: single });
  // A window given only by its key frames (or its boxes) spans them.
  if (start === null && end === null) {
    const times = frames.length ? frames : boxes.map((b) => b.time);
    start = times[0] ?? null;
    end = times[times.length - 1] ?? null;
  }
  start ??= end;
  end ??= start;
  if (start === null || end === null) return null;
  const claimValue = pick(item, CLAIM_KEYS);
  const claim = typeof claimValue === 'string' ? claimValue.trim() : '';
  return boxes.length ? { start, end, frames, claim, boxes } : { start, end, frames, claim };
}

/**
 * Boxes over time as a model may write them: [{"time": 1, "box": [x1, y1, x2, y2]}], [[1, [...]]],
 * {"1.0": [...]} (the benchmark's bbox_dict) or the benchmark's text. Boxes stay unchecked here.
 */
function boxesFromValue(value: unknown): BoxDraft[] {
  if (typeof value === 'string') {
    return findGrounding(value).flatMap((g) => (g.kind === 'boxes' ? g.boxes.map((b) => ({ time: b.time, box: [...b.box] })) : []));
  }
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([k, box]) => {
      const time = toTime(k);
      return time === null ? [] : [{ time, box }];
    });
  }
  return listOf(value).flatMap((entry): BoxDraft[] => {
    if (Array.isArray(entry) && entry.length === 2 && Array.isArray(entry[1])) {
      const time = toTime(entry[0]);
      return time === null ? [] : [{ time, box: entry[1] }];
    }
    if (!isPlainObject(entry)) return [];
    const time = toTime(pick(entry, MOMENT_KEYS));
    const box = pick(entry, BOX_KEYS);
    return time === null || box === undefined ? [] : [{ time, box }];
  });
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

/**
 * Evidence windows written in free text, in the order written; the sentence around each is its
 * claim. The benchmark style is read too: "22.0-78.0, 89.0-94.0 seconds" is two windows, and
 * "1.0 seconds: [x1, y1, x2, y2] 5.0 seconds: [...]" one window over those moments with its boxes.
 */
export function extractEvidenceFromText(text: string): EvidenceDraft[] {
  const found: { at: number; draft: EvidenceDraft }[] = [];
  let rest = text;
  for (const g of findGrounding(text)) {
    const claim = sentenceAround(text, g.at, g.at + g.length);
    if (g.kind === 'spans') for (const [start, end] of g.spans) found.push({ at: g.at, draft: { start, end, frames: [], claim } });
    else found.push({ at: g.at, draft: boxesDraft(g.boxes, claim) });
    // Blanked, not cut: positions in `rest` stay those of `text`.
    rest = rest.slice(0, g.at) + ' '.repeat(g.length) + rest.slice(g.at + g.length);
  }
  const add = (start: number | null, end: number | null, frames: number[], at: number, len: number) => {
    if (start === null || end === null) return;
    found.push({ at, draft: { start, end, frames, claim: sentenceAround(text, at, at + len) } });
  };
  for (const m of rest.matchAll(TIME_PATTERN)) {
    if (found.length >= MAX_TEXT_EVIDENCE) break;
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
  const out: EvidenceDraft[] = [];
  const seen = new Set<string>();
  // Stable: items found at one place keep the order they were written in.
  for (const { draft } of found.sort((a, b) => a.at - b.at)) {
    if (out.length >= MAX_TEXT_EVIDENCE) break;
    const key = `${draft.start}|${draft.end}`;
    if (seen.has(key) && !draft.boxes) continue;
    seen.add(key);
    out.push(draft);
  }
  return out;
}

/** One window over the moments of a box sequence, the moments as its key frames. */
function boxesDraft(boxes: readonly TimedBox[], claim: string): EvidenceDraft {
  const times = boxes.map((b) => b.time);
  return {
    start: Math.min(...times),
    end: Math.max(...times),
    frames: [...new Set(times)].sort((a, b) => a - b),
    claim,
    boxes: boxes.map((b) => ({ time: b.time, box: [...b.box] })),
  };
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
