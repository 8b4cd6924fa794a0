/*
 * The answer style of the grounding benchmarks (MedVidBench and the models trained on it): time
 * spans as "22.0-78.0, 89.0-94.0 seconds." and an object's place over time as
 * "1.0 seconds: [235.08, 261.2, 561.58, 1005.62] 5.0 seconds: [...]", boxes as [x1, y1, x2, y2] in
 * pixels. Read here for the agent's answers and written here for benchmark submissions, so both
 * sides agree on one grammar.
 */

import { round3 } from '../../round.js';

/** [start, end] in seconds. */
export type Span = [number, number];
/** [x1, y1, x2, y2]: left, top, right, bottom, in pixels of the frame. */
export type Box = [number, number, number, number];

export interface TimedBox {
  /** Seconds. */
  time: number;
  box: Box;
}

/** One place in a text that reads as spans or as boxes over time; `at`/`length` locate it. */
export type GroundingMatch =
  | { kind: 'spans'; at: number; length: number; spans: Span[] }
  | { kind: 'boxes'; at: number; length: number; boxes: TimedBox[] };

const NUM = String.raw`\d{1,7}(?:\.\d{1,6})?`;
const COORD = String.raw`-?\d{1,7}(?:\.\d{1,6})?`;
const UNIT = String.raw`(?:seconds|second|secs|sec|s)\b`;
const DASH = String.raw`\s*(?:-{1,2}|–|—|~|\bto\b)\s*`;
const SEP = String.raw`\s*(?:,\s*and\b|,|;|\band\b)\s*`;
const SPAN = String.raw`${NUM}${DASH}${NUM}`;
// Several spans share the one unit written after the last: "22.0-78.0, 89.0-94.0 seconds".
const SPAN_LIST = String.raw`(?<![\d.:])${SPAN}(?:${SEP}${SPAN})*\s*${UNIT}`;
const SPAN_ONE = new RegExp(String.raw`(${NUM})${DASH}(${NUM})`, 'gi');
// "1.0 seconds: [x1, y1, x2, y2]"; models close a box with ')' often enough to accept it.
const boxItem = (g: (p: string) => string) =>
  String.raw`(?<![\d.:])${g(NUM)}\s*(?:${UNIT})?\s*:\s*[[(]\s*${g(COORD)}\s*,\s*${g(COORD)}\s*,\s*${g(COORD)}\s*,\s*${g(COORD)}\s*[\])]`;
const BOX_ITEM = boxItem((p) => `(${p})`);
const BOX_ANY = boxItem((p) => `(?:${p})`);
const BOX_SEQ = String.raw`${BOX_ANY}(?:\s*[,;]?\s*${BOX_ANY})*`;

const SPAN_LIST_RE = new RegExp(SPAN_LIST, 'gi');
const BOX_SEQ_RE = new RegExp(BOX_SEQ, 'gi');
const BOX_ITEM_RE = new RegExp(BOX_ITEM, 'gi');

// More than any answer holds; keeps a pathological text cheap to read.
const MAX_ITEMS = 500;

function spansIn(list: string): Span[] {
  const out: Span[] = [];
  for (const m of list.matchAll(SPAN_ONE)) {
    if (out.length >= MAX_ITEMS) break;
    out.push([Number(m[1]), Number(m[2])]);
  }
  return out;
}

function boxesIn(seq: string): TimedBox[] {
  const out: TimedBox[] = [];
  for (const m of seq.matchAll(BOX_ITEM_RE)) {
    if (out.length >= MAX_ITEMS) break;
    out.push({ time: Number(m[1]), box: [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])] });
  }
  return out;
}

/** Every span list and box sequence in a text, in the order written; they never overlap. */
export function findGrounding(text: string): GroundingMatch[] {
  const out: GroundingMatch[] = [];
  const taken: [number, number][] = [];
  // Boxes first: their times ("1.0 seconds:") must not be read as the end of a span list.
  for (const m of text.matchAll(BOX_SEQ_RE)) {
    out.push({ kind: 'boxes', at: m.index, length: m[0].length, boxes: boxesIn(m[0]) });
    taken.push([m.index, m.index + m[0].length]);
  }
  for (const m of text.matchAll(SPAN_LIST_RE)) {
    const from = m.index;
    const to = from + m[0].length;
    if (taken.some(([a, b]) => from < b && to > a)) continue;
    out.push({ kind: 'spans', at: from, length: m[0].length, spans: spansIn(m[0]) });
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * A whole reply written in the benchmark's style and nothing else (a model trained on it answers
 * without the agent's tags): its spans or boxes; null when the text is anything more than that.
 */
export function readGroundingReply(text: string): GroundingMatch | null {
  const trimmed = text.trim().replace(/\.$/, '').trim();
  if (trimmed === '') return null;
  const matches = findGrounding(trimmed);
  if (matches.length !== 1) return null;
  const [only] = matches;
  return only && only.at === 0 && only.length === trimmed.length ? only : null;
}

/** Seconds as the benchmark writes them: at least one decimal ("12.0", "30.5", "7.25"). */
export function benchmarkSeconds(t: number): string {
  const rounded = round3(t);
  const s = String(Object.is(rounded, -0) ? 0 : rounded);
  return s.includes('.') ? s : `${s}.0`;
}

const coord = (x: number) => String(Math.round(x * 100) / 100);

/** "22.0-78.0, 89.0-94.0 seconds."; empty for no spans. */
export function formatSpans(spans: readonly (readonly [number, number])[]): string {
  if (spans.length === 0) return '';
  return `${spans.map(([s, e]) => `${benchmarkSeconds(s)}-${benchmarkSeconds(e)}`).join(', ')} seconds.`;
}

/** "1.0 seconds: [235.08, 261.2, 561.58, 1005.62] 5.0 seconds: [...]", in time order; empty for no boxes. */
export function formatBoxes(boxes: readonly { time: number; box: readonly number[] }[]): string {
  return [...boxes]
    .sort((a, b) => a.time - b.time)
    .map((b) => `${benchmarkSeconds(b.time)} seconds: [${b.box.map(coord).join(', ')}]`)
    .join(' ');
}
