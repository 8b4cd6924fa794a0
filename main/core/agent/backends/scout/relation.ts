/*
 * Questions that place one event by another: "bleeding after the camera goes back in", "smoke
 * before the first pause", "a pause between the two out-of-body periods", "what came first, the
 * smoke or the bleeding?", "how long after the bleeding started was the camera withdrawn?".
 *
 * Read from words, not from known sentences: event words (the same patterns that name the asked
 * event), relation words (after, following, once, since, later than, subsequent to; before, prior
 * to, preceding, earlier than, until; between; during, while; first / earlier / sooner with "or";
 * how long after / before), ordinals (first..tenth, 1st, last, final, latest) and edge words (starts,
 * begins, is withdrawn; ends, stops, goes back in, returns). The anchor event is found later with
 * the same labelling of the case as the asked one; the answer says which window it used.
 */

import type { EventKind } from './intent.js';

/** Which of an event's occurrences: 1-based, or the last. */
export type Ordinal = number | 'last';

export interface Anchor {
  event: EventKind;
  /** Null when the question names none (the first is used, and the answer says so). */
  ordinal: Ordinal | null;
  /** Which edge of the anchor the relation is measured from; null for the relation's default. */
  edge: 'start' | 'end' | null;
  /** The words that named it, as normalised. */
  words: string;
}

export type Relation =
  /** The asked event within the time after / before / during the anchor. */
  | { kind: 'after' | 'before' | 'during'; anchor: Anchor }
  /** Between the end of one anchor and the start of the other. */
  | { kind: 'between'; from: Anchor; to: Anchor }
  /** Which of two events comes first: the answer is the earlier one. */
  | { kind: 'order'; events: [EventKind, EventKind] }
  /** How long after (or before) the anchor the asked event happens. */
  | { kind: 'delay'; anchor: Anchor; direction: 'after' | 'before' };

export type EventFinder = (text: string) => { kind: EventKind; at: number; length: number }[];

const AFTER = /\b(after|follow\w*|once|since|subsequent to|later than|post)\b/;
const BEFORE = /\b(before|prior to|preced\w*|earlier than|until|till|ahead of)\b/;
const DURING = /\b(during|while|whilst|in the course of)\b/;
const BETWEEN = /\bbetween\b/;
const ORDER = /\b(first|earlier|earliest|sooner|precede\w*|came before|comes before|happen\w* before)\b/;
const DELAY = /\bhow (long|much time|many (seconds|minutes|secs|mins))( passes| passed| elapsed| went by)? (after|before|since|from)\b/;

const ORDINAL_WORDS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const ORDINAL = new RegExp(`\\b(${ORDINAL_WORDS.join('|')}|\\d+(?:st|nd|rd|th)|last|final|latest|most recent)\\b`);
const START_EDGE = /\b(start\w*|begin\w*|began|begun|onset|appear\w*|withdraw\w*|remov\w*|taken out|take out|takes out|pulled out|extract\w*|leav\w*|left|exit\w*|set in|sets in|arise\w*|first seen)\b/;
const END_EDGE = /\b(end|ends|ended|ending|stop\w*|finish\w*|ceas\w*|resolv\w*|clear\w*|controlled|over|back in|back inside|return\w*|reinsert\w*|re inserted|re entered|comes back|came back|resum\w*)\b/;

function ordinalOf(text: string): Ordinal | null {
  const m = ORDINAL.exec(text);
  if (!m) return null;
  const w = m[1]!;
  if (/^(last|final|latest|most recent)$/.test(w)) return 'last';
  const i = ORDINAL_WORDS.indexOf(w);
  return i >= 0 ? i + 1 : Number.parseInt(w, 10);
}

function edgeOf(text: string): 'start' | 'end' | null {
  const end = END_EDGE.exec(text);
  const start = START_EDGE.exec(text);
  if (end && (!start || end.index <= start.index)) return 'end';
  return start ? 'start' : null;
}

function anchorIn(clause: string, find: EventFinder, not: EventKind | null): Anchor | null {
  const hit = find(clause).find((h) => h.kind !== not) ?? null;
  if (!hit) return null;
  return { event: hit.kind, ordinal: ordinalOf(clause), edge: edgeOf(clause.slice(hit.at)), words: clause.trim() };
}

/** The first relation word of `re` in text, with where it is. */
function at(re: RegExp, text: string): { index: number; length: number } | null {
  const m = re.exec(text);
  return m ? { index: m.index, length: m[0].length } : null;
}

export interface ReadRelation {
  relation: Relation;
  /** The question without the anchor's words: what the asked event is read from. */
  main: string;
}

/**
 * The relation a normalised question asks for, or null when it names no second event. `find`
 * lists the event words in a text (intent.ts's patterns), in order.
 */
export function readRelation(text: string, find: EventFinder): ReadRelation | null {
  const hits = find(text);
  const kinds = [...new Set(hits.map((h) => h.kind))];

  // "How long after the bleeding started was the camera withdrawn?": the anchor is named first.
  const delay = DELAY.exec(text);
  if (delay) {
    const rest = text.slice(delay.index + delay[0].length);
    const inRest = find(rest);
    if (inRest.length >= 2 && inRest[0]!.kind !== inRest[1]!.kind) {
      const a = inRest[0]!;
      const b = inRest.find((h) => h.kind !== a.kind)!;
      const anchorWords = rest.slice(0, b.at);
      const anchor: Anchor = { event: a.kind, ordinal: ordinalOf(anchorWords), edge: edgeOf(anchorWords.slice(a.at)), words: anchorWords.trim() };
      const direction = /before/.test(delay[4]!) ? 'before' : 'after';
      return { relation: { kind: 'delay', anchor, direction }, main: `when ${rest.slice(b.at)}` };
    }
  }

  // "What came first, the smoke or the bleeding?"
  if (kinds.length >= 2 && /\bor\b/.test(text) && ORDER.test(text) && !AFTER.test(text) && !BETWEEN.test(text)) {
    const [a, b] = [hits[0]!.kind, hits.find((h) => h.kind !== hits[0]!.kind)!.kind];
    const between = text.slice(hits[0]!.at, hits.find((h) => h.kind === b)!.at);
    if (/\bor\b/.test(between)) return { relation: { kind: 'order', events: [a, b] }, main: text };
  }

  // "Between the two out-of-body periods", "between the first and second pause", "between the smoke and the bleeding".
  const between = at(BETWEEN, text);
  if (between) {
    const clause = text.slice(between.index + between.length);
    const main = text.slice(0, between.index);
    const target = find(main)[0]?.kind ?? null;
    const inClause = find(clause).filter((h) => h.kind !== target);
    if (inClause.length >= 2 && inClause[0]!.kind !== inClause[1]!.kind) {
      const [x, y] = [inClause[0]!, inClause[1]!];
      const from: Anchor = { event: x.kind, ordinal: ordinalOf(clause.slice(0, y.at)), edge: 'end', words: clause.slice(0, y.at).trim() };
      const to: Anchor = { event: y.kind, ordinal: ordinalOf(clause.slice(y.at)), edge: 'start', words: clause.slice(y.at).trim() };
      return { relation: { kind: 'between', from, to }, main };
    }
    if (inClause.length >= 1) {
      const event = inClause[0]!.kind;
      const pair = /\b(first|1st) (and|&) (the )?(second|2nd)\b/.test(clause) || /\b(two|both)\b/.test(clause);
      const ords = [...clause.matchAll(new RegExp(ORDINAL.source, 'g'))].map((m) => ordinalOf(m[0]));
      const [o1, o2] = ords.length >= 2 ? [ords[0]!, ords[1]!] : pair ? [1, 2] : [1, 2];
      return {
        relation: {
          kind: 'between',
          from: { event, ordinal: o1, edge: 'end', words: clause.trim() },
          to: { event, ordinal: o2, edge: 'start', words: clause.trim() },
        },
        main,
      };
    }
  }

  // "Bleeding after the camera goes back in", "after the pause, is there smoke?", "smoke before the first pause".
  const found = [
    { kind: 'after' as const, m: at(AFTER, text) },
    { kind: 'before' as const, m: at(BEFORE, text) },
    { kind: 'during' as const, m: at(DURING, text) },
  ]
    .filter((r): r is { kind: 'after' | 'before' | 'during'; m: { index: number; length: number } } => r.m !== null)
    .sort((p, q) => p.m.index - q.m.index);
  for (const r of found) {
    const before = text.slice(0, r.m.index);
    const after = text.slice(r.m.index + r.m.length);
    let clause: string;
    let main: string;
    const comma = /[,;]| then | is there | are there | was there | were there | does | did | do /.exec(after);
    if (find(before).length === 0 && comma) {
      // The relation leads: "After the camera is back in, is there bleeding?"
      clause = after.slice(0, comma.index);
      main = `${before} ${after.slice(comma.index)}`;
    } else {
      clause = after;
      main = before;
    }
    const target = find(main)[0]?.kind ?? null;
    if (target === null && find(before).length === 0 && !comma) continue;
    const anchor = anchorIn(clause, find, target);
    if (anchor) return { relation: { kind: r.kind, anchor }, main };
  }
  return null;
}
