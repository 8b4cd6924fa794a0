/*
 * The library search's query: events the index can find, with a condition on how long or how
 * often ("bleeding longer than 20 s", "out of the body more than twice"), and words to look up in
 * questions, answers, comments and bookmark labels. What is not read as an event is words.
 */

export const SEARCH_EVENTS = ['bleeding', 'smoke', 'outOfBody', 'idle'] as const;
export type SearchEvent = (typeof SEARCH_EVENTS)[number];

export type Comparison = '>' | '>=' | '<' | '<=' | '=';

export interface EventCondition {
  event: SearchEvent;
  /** An episode must last (compared with) this many seconds. */
  duration?: { op: Comparison; seconds: number };
  /** The case must have (compared with) this many episodes (of the duration, when both are given). */
  count?: { op: Comparison; n: number };
}

export interface LibraryQuery {
  events: EventCondition[];
  /** Words to find, as typed (empty when the query was only events). */
  words: string;
}

const EVENT_WORDS: { event: SearchEvent; re: RegExp }[] = [
  { event: 'outOfBody', re: /\b(?:out(?:side)?\s+(?:of\s+)?(?:the\s+)?(?:body|patient)|out[- ]of[- ]body|camera\s+(?:was\s+)?(?:out|withdrawn)|scope\s+(?:was\s+)?(?:out|withdrawn))\b/i },
  { event: 'bleeding', re: /\b(?:bleed(?:ing|s)?|blood|h(?:a)?emorrhag(?:e|ing)|oozing)\b/i },
  { event: 'smoke', re: /\b(?:smoke|smoky|plume|haze|hazy|fog(?:ging)?)\b/i },
  { event: 'idle', re: /\b(?:idle|paus(?:e|es|ed)|nothing\s+mov(?:ing|es|ed)|no\s+motion|still(?:ness)?)\b/i },
];

const NUMBER_WORDS: Record<string, number> = { once: 1, twice: 2, thrice: 3, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

const OP_WORDS: { re: string; op: Comparison }[] = [
  { re: '(?:longer|more|greater|over)\\s+than|over|above|exceeding', op: '>' },
  { re: 'at\\s+least|no\\s+(?:less|fewer|shorter)\\s+than', op: '>=' },
  { re: '(?:shorter|less|fewer)\\s+than|under|below', op: '<' },
  { re: 'at\\s+most|no\\s+(?:more|longer)\\s+than|up\\s+to', op: '<=' },
  { re: 'exactly', op: '=' },
];
const OPS = OP_WORDS.map((o) => o.re).join('|');
const NUM = '(\\d+(?:\\.\\d+)?|once|twice|thrice|one|two|three|four|five|six|seven|eight|nine|ten)';
const UNIT = '(s|sec|secs|seconds?|m|min|mins|minutes?)';

function opOf(words: string | undefined): Comparison {
  if (!words) return '>=';
  const w = words.toLowerCase().replace(/\s+/g, ' ');
  for (const o of OP_WORDS) if (new RegExp(`^(?:${o.re})$`, 'i').test(w)) return o.op;
  return '>=';
}

function numberOf(s: string): number {
  const w = NUMBER_WORDS[s.toLowerCase()];
  return w ?? Number(s);
}

/** Reads the events and their conditions; everything else is words. */
export function parseLibraryQuery(input: string): LibraryQuery {
  let rest = ` ${input.trim()} `;
  const events: EventCondition[] = [];
  for (const { event, re } of EVENT_WORDS) {
    const m = re.exec(rest);
    if (!m) continue;
    const cond: EventCondition = { event };
    let tail = rest.slice(m.index + m[0].length);
    const cut = (len: number) => {
      tail = tail.slice(len);
    };
    // Conditions follow the event: "longer than 20 s", "for over a minute", "more than twice".
    for (let k = 0; k < 2; k++) {
      const dur = new RegExp(`^\\s*(?:(?:that\\s+)?(?:lasts?|lasting|lasted|for)\\s+)?(${OPS})?\\s*${NUM}\\s*${UNIT}\\b`, 'i').exec(tail);
      const aMinute = /^\s*(?:(?:lasts?|lasting|for)\s+)?((?:longer|more)\s+than|over|at\s+least)\s+a\s+minute\b/i.exec(tail);
      const count = new RegExp(`^\\s*(?:(${OPS})\\s*)?${NUM}(?:\\s+times?)?(?:\\s+or\\s+more)?\\b`, 'i').exec(tail);
      if (!cond.duration && dur) {
        const unit = dur[3]!.toLowerCase();
        const seconds = numberOf(dur[2]!) * (unit.startsWith('m') ? 60 : 1);
        cond.duration = { op: dur[1] ? opOf(dur[1]) : '>=', seconds };
        cut(dur[0].length);
      } else if (!cond.duration && aMinute) {
        cond.duration = { op: opOf(aMinute[1]), seconds: 60 };
        cut(aMinute[0].length);
      } else if (!cond.count && count && (count[1] || /times?|once|twice|thrice/i.test(count[0]))) {
        const orMore = /or\s+more/i.test(count[0]);
        cond.count = { op: orMore || !count[1] ? '>=' : opOf(count[1]), n: numberOf(count[2]!) };
        cut(count[0].length);
      } else break;
    }
    events.push(cond);
    rest = rest.slice(0, m.index) + ' ' + tail;
  }
  const words = rest.replace(/\b(?:and|with|cases?|where|when|the|a|an|is|was|there)\b/gi, ' ').replace(/[,;]+/g, ' ').replace(/\s+/g, ' ').trim();
  return { events, words: events.length > 0 ? words : input.trim() };
}

export function compare(value: number, op: Comparison, target: number): boolean {
  switch (op) {
    case '>': return value > target;
    case '>=': return value >= target;
    case '<': return value < target;
    case '<=': return value <= target;
    case '=': return Math.abs(value - target) < 1e-9;
  }
}

export interface Episode {
  start: number;
  end: number;
}

/** The episodes that meet the condition, or none when the case does not (count included). */
export function matchingEpisodes(episodes: readonly Episode[], c: EventCondition): Episode[] | null {
  const long = c.duration ? episodes.filter((e) => compare(e.end - e.start, c.duration!.op, c.duration!.seconds)) : [...episodes];
  if (c.count) return compare(long.length, c.count.op, c.count.n) ? long : null;
  return long.length > 0 ? long : null;
}

/**
 * Words as an FTS5 query: each word a quoted prefix term, all of them required. Quoting keeps
 * FTS5's own syntax (AND, NEAR, column filters, stray quotes) from being read out of user text.
 */
export function ftsQuery(words: string): string | null {
  const terms = words.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t}"*`).join(' ');
}
