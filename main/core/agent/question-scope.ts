/*
 * The part of the case a question is about, when it says so: "in the last 5 minutes", "in the
 * first half hour", "after the second bookmark", "between bookmarks 1 and 2", "since bookmark
 * 'trocar'", "in the 2 minutes before the last bookmark", "between 12:00 and 15:00". Clinicians ask
 * this way during and after an operation recorded live, where the case keeps growing and the
 * bookmarks they set are the landmarks they remember.
 *
 * Only a phrase that names a span of time counts: "the first bleeding" and "before clipping" are
 * not scopes (the first is an occurrence, the second a landmark only a model could see). A phrase
 * naming a bookmark the case does not have is an error said in words, never a guess.
 */

import { formatTime } from '../time-format.js';

/** A bookmark as the agent knows it: its number is its place in time order, from 1. */
export interface BookmarkMark {
  number: number;
  /** Case seconds. */
  time: number;
  label: string | null;
}

/** The window a question is about, in case seconds, within [0, duration]. */
export interface QuestionScope {
  start: number;
  end: number;
  /** A short phrase for people: "the last 5 minutes (12:00–17:00)", "after the second bookmark (12:03–17:00)". */
  said: string;
  /** The words of the question that set the scope, exactly as written. */
  phrase: string;
}

export interface ScopeError {
  error: string;
  /** The words of the question that named the missing bookmark, exactly as written. */
  phrase: string;
}

export interface ScopeCase {
  /** Case duration so far, seconds. */
  duration: number;
  bookmarks: readonly BookmarkMark[];
}

// ---------------------------------------------------------------------------------------------
// Words

const SMALL = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const ORDINALS = ['zeroth', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'];

const alt = (words: readonly string[]) => words.slice().sort((a, b) => b.length - a.length).join('|');

/** A count in words (one..ninety-nine, a couple) or digits (5, 2.5). */
const WORD_NUMBER = `(?:(?:${Object.keys(TENS).join('|')})(?:[\\s-](?:${SMALL.slice(1, 10).join('|')}))?|${alt(SMALL.slice(1))})`;
const AMOUNT_NUMBER = `(?:\\d+(?:\\.\\d+)?|${WORD_NUMBER}|(?:a\\s+)?couple(?:\\s+of)?)`;
const UNIT = '(?:hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)';
/** A span of time: "5 minutes", "ten min", "90 s", "half an hour", "an hour", "minute". */
const AMOUNT = `(?:${AMOUNT_NUMBER}\\s*${UNIT}|half[\\s-]+(?:an\\s+)?hour|(?:an?\\s+)?(?:hour|minute))`;
/** "...of the case": part of the phrase, so "procedure" there is not taken for a question about steps. */
const OF_CASE = '(?:\\s+of\\s+(?:the|this)\\s+(?:case|recording|video|operation|procedure|surgery))?';

/** A bookmark number: digits or one..twelve. */
const CARDINAL = `(?:\\d+|${alt(SMALL.slice(1, 13))})`;
/** first..twelfth, 1st, 2nd, 23rd... */
const ORDINAL = `(?:\\d+(?:st|nd|rd|th)|${alt(ORDINALS.slice(1))})`;
const LAST_WORD = '(?:last|latest|final|most\\s+recent)';
const PENULTIMATE = '(?:penultimate|second[\\s-]+(?:to[\\s-]+)?last)';
const BM = '(?:bookmark|marker)';
const QUOTED = '(?:"([^"]{1,200})"|\'([^\']{1,200})\'|“([^”]{1,200})”|‘([^’]{1,200})’)';
const NAMED = '(?:(?:called|named|labell?ed|marked)\\s+)?';

/** Words before "bookmark" that are not its label: "after the next bookmark" is no scope. */
const NOT_LABELS = new Set([
  'the', 'a', 'an', 'this', 'that', 'these', 'those', 'each', 'every', 'any', 'my', 'our', 'your', 'his', 'her', 'their',
  'next', 'previous', 'new', 'same', 'other', 'one', 'some', 'no', 'first', 'last', 'latest', 'final', 'recent', 'and', 'or',
]);

function wordNumber(text: string): number | null {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/couple/.test(t)) return 2;
  const small = SMALL.indexOf(t);
  if (small > 0) return small;
  const m = /^([a-z]+)(?:[\s-]([a-z]+))?$/.exec(t);
  if (m && TENS[m[1]!] !== undefined) {
    const unit = m[2] === undefined ? 0 : SMALL.indexOf(m[2]);
    if (unit >= 0 && unit < 10) return TENS[m[1]!]! + unit;
  }
  return null;
}

function ordinalNumber(text: string): number | null {
  const t = text.toLowerCase();
  const digits = /^(\d+)(st|nd|rd|th)$/.exec(t);
  if (digits) return Number(digits[1]);
  const i = ORDINALS.indexOf(t);
  return i > 0 ? i : null;
}

interface Amount {
  seconds: number;
  /** "5 minutes", "minute", "half hour": as the scope is said. */
  words: string;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function parseAmount(text: string): Amount | null {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/^half/.test(t)) return { seconds: 1800, words: 'half hour' };
  const bare = /^(?:an? )?(hour|minute)$/.exec(t);
  if (bare) return { seconds: bare[1] === 'hour' ? 3600 : 60, words: bare[1]! };
  const m = new RegExp(`^(${AMOUNT_NUMBER})\\s*(${UNIT})$`, 'i').exec(t);
  if (!m) return null;
  const n = wordNumber(m[1]!);
  if (n === null || !(n > 0)) return null;
  const u = m[2]!;
  const [unit, scale] = u.startsWith('h') ? ['hour', 3600] : u.startsWith('m') ? ['minute', 60] : ['second', 1];
  return { seconds: n * scale, words: plural(n, unit) };
}

// ---------------------------------------------------------------------------------------------
// Bookmark references

type Ref =
  | { kind: 'number'; n: number }
  | { kind: 'last'; back: number }
  | { kind: 'label'; label: string }
  /** "the bookmark": the only one. */
  | { kind: 'only' }
  | { kind: 'time'; t: number }
  | { kind: 'start' }
  | { kind: 'end' };

interface RefMatch {
  ref: Ref;
  end: number;
  /** Says "bookmark" (or is a clock time): a bare "second" or "2" counts only beside one that does. */
  explicit: boolean;
}

const sticky = (source: string) => new RegExp(source, 'iy');

const quotedText = (m: RegExpExecArray, from = 1): string | undefined => m[from] ?? m[from + 1] ?? m[from + 2] ?? m[from + 3];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const same = (a: string, b: string) => a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

interface RefRule {
  re: RegExp;
  bare?: boolean;
  /** Only as the second end of a range ("to now") or the first ("from the start"). */
  only?: 'from' | 'to';
  make(m: RegExpExecArray): Ref | null;
}

const RULES: RefRule[] = [
  { re: sticky(`(?:the\\s+)?(?:start|beginning)${OF_CASE}\\b`), only: 'from', make: () => ({ kind: 'start' }) },
  { re: sticky(`(?:now|the\\s+(?:end|present)${OF_CASE})\\b`), only: 'to', make: () => ({ kind: 'end' }) },
  { re: sticky(`(?:the\\s+)?${QUOTED}\\s+${BM}\\b`), make: (m) => ({ kind: 'label', label: quotedText(m)! }) },
  { re: sticky(`(?:the\\s+)?${PENULTIMATE}\\s+(?:one\\s+)?${BM}s?\\b`), make: () => ({ kind: 'last', back: 1 }) },
  { re: sticky(`(?:the\\s+)?${LAST_WORD}\\s+(?:one\\s+)?${BM}s?\\b`), make: () => ({ kind: 'last', back: 0 }) },
  {
    re: sticky(`(?:the\\s+)?(${ORDINAL})\\s+(?:one\\s+)?${BM}s?\\b`),
    make: (m) => {
      const n = ordinalNumber(m[1]!);
      return n === null ? null : { kind: 'number', n };
    },
  },
  {
    re: sticky(`(?:the\\s+)?${BM}s?\\s*(?:#\\s*|no\\.?\\s*|nr\\.?\\s*|number\\s+)?(${CARDINAL})\\b`),
    make: (m) => {
      const n = wordNumber(m[1]!);
      return n === null ? null : { kind: 'number', n };
    },
  },
  { re: sticky(`(?:the\\s+)?${BM}\\s+${NAMED}${QUOTED}`), make: (m) => ({ kind: 'label', label: quotedText(m)! }) },
  { re: sticky(`(?:the\\s+)?${BM}\\s+(?:called|named|labell?ed|marked)\\s+([^\\s?.!,;]+)`), make: (m) => ({ kind: 'label', label: m[1]! }) },
  {
    // "since bookmark trocar?": one unquoted word ending the clause.
    re: sticky(`(?:the\\s+)?${BM}\\s+([^\\s?.!,;"'“”‘’]+)(?=\\s*(?:[?.!,;]|$))`),
    make: (m) => (NOT_LABELS.has(m[1]!.toLowerCase()) ? null : { kind: 'label', label: m[1]! }),
  },
  {
    // "after the trocar bookmark": one unquoted word that is not a determiner.
    re: sticky(`the\\s+([a-z][\\w-]*)\\s+${BM}\\b`),
    make: (m) => (NOT_LABELS.has(m[1]!.toLowerCase()) ? null : { kind: 'label', label: m[1]! }),
  },
  { re: sticky(`the\\s+${BM}\\b(?!s)`), make: () => ({ kind: 'only' }) },
  {
    re: sticky('(\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\.\\d+)?)(?![\\d:])'),
    make: (m) => {
      const t = clockTime(m[1]!);
      return t === null ? null : { kind: 'time', t };
    },
  },
  // Bare: only next to one that says "bookmark" ("between the first and second bookmark").
  { re: sticky(`(?:the\\s+)?${PENULTIMATE}\\b`), bare: true, make: () => ({ kind: 'last', back: 1 }) },
  { re: sticky(`(?:the\\s+)?${LAST_WORD}\\b`), bare: true, make: () => ({ kind: 'last', back: 0 }) },
  {
    re: sticky(`(?:the\\s+)?(${ORDINAL})\\b`),
    bare: true,
    make: (m) => {
      const n = ordinalNumber(m[1]!);
      return n === null ? null : { kind: 'number', n };
    },
  },
  {
    re: sticky(`(?:#\\s*)?(${CARDINAL})\\b(?!\\s*${UNIT}\\b)`),
    bare: true,
    make: (m) => {
      const n = wordNumber(m[1]!);
      return n === null ? null : { kind: 'number', n };
    },
  },
  { re: sticky(`(?:the\\s+)?${QUOTED}`), bare: true, make: (m) => ({ kind: 'label', label: quotedText(m)! }) },
];

function clockTime(text: string): number | null {
  const parts = text.split(':');
  const nums = parts.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return null;
  if (nums.length === 2) return nums[1]! < 60 ? nums[0]! * 60 + nums[1]! : null;
  return nums[1]! < 60 && nums[2]! < 60 ? nums[0]! * 3600 + nums[1]! * 60 + nums[2]! : null;
}

/** Known labels written without quotes, longest first: "after the clip applied bookmark". */
function labelRules(bookmarks: readonly BookmarkMark[]): RefRule[] {
  const labels = [...new Set(bookmarks.flatMap((b) => (b.label?.trim() ? [b.label.trim()] : [])))].sort((a, b) => b.length - a.length);
  return labels.flatMap((label) => {
    const l = escape(label).replace(/\s+/g, '\\s+');
    return [
      { re: sticky(`(?:the\\s+)?${l}\\s+${BM}\\b`), make: () => ({ kind: 'label', label }) as Ref },
      { re: sticky(`(?:the\\s+)?${BM}\\s+${NAMED}${l}(?![\\w])`), make: () => ({ kind: 'label', label }) as Ref },
    ];
  });
}

function refAt(text: string, at: number, rules: readonly RefRule[], opts: { bare: boolean; side: 'from' | 'to' | 'single' }): RefMatch | null {
  for (const rule of rules) {
    if (rule.bare && !opts.bare) continue;
    if (rule.only && rule.only !== opts.side) continue;
    rule.re.lastIndex = at;
    const m = rule.re.exec(text);
    if (!m) continue;
    const ref = rule.make(m);
    if (!ref) continue;
    return { ref, end: at + m[0].length, explicit: !rule.bare };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Resolving

const clock = (t: number) => formatTime(Math.max(0, t));

function listed(bookmarks: readonly BookmarkMark[]): string {
  if (bookmarks.length === 0) return 'this case has no bookmarks';
  const items = bookmarks.map((b) => `${clock(b.time)}${b.label ? ` "${b.label}"` : ''}`);
  return `this case has ${bookmarks.length} (at ${items.join(', ')})`;
}

/** "the second bookmark", "bookmark 14" (with `the` only where English puts it). */
function bookmarkWords(n: number, the: boolean): string {
  if (n < ORDINALS.length) return `${the ? 'the ' : ''}${ORDINALS[n]} bookmark`;
  return `bookmark ${n}`;
}

type Resolved = { ok: true; time: number; name: string; number: number | null } | { ok: false; error: string };

function resolve(ref: Ref, c: ScopeCase): Resolved {
  const marks = [...c.bookmarks].sort((a, b) => a.number - b.number);
  switch (ref.kind) {
    case 'time':
      return { ok: true, time: ref.t, name: clock(ref.t), number: null };
    case 'start':
      return { ok: true, time: 0, name: 'the start', number: null };
    case 'end':
      return { ok: true, time: c.duration, name: 'now', number: null };
    case 'number': {
      const b = marks.find((x) => x.number === ref.n);
      if (!b) return { ok: false, error: `There is no ${bookmarkWords(ref.n, false)}; ${listed(marks)}.` };
      return { ok: true, time: b.time, name: bookmarkWords(ref.n, true), number: b.number };
    }
    case 'last': {
      const b = marks[marks.length - 1 - ref.back];
      const which = ref.back === 0 ? 'last' : 'second-to-last';
      if (!b) return { ok: false, error: `There is no ${which} bookmark; ${listed(marks)}.` };
      return { ok: true, time: b.time, name: `the ${which} bookmark`, number: b.number };
    }
    case 'label': {
      const b = marks.find((x) => x.label !== null && same(x.label, ref.label));
      if (!b) return { ok: false, error: `There is no bookmark "${ref.label.trim()}"; ${listed(marks)}.` };
      return { ok: true, time: b.time, name: `bookmark "${b.label!.trim()}"`, number: b.number };
    }
    case 'only': {
      if (marks.length === 1) return { ok: true, time: marks[0]!.time, name: 'the bookmark', number: marks[0]!.number };
      if (marks.length === 0) return { ok: false, error: 'There is no bookmark; this case has no bookmarks.' };
      return { ok: false, error: `Which bookmark? ${capital(listed(marks))}: name one, e.g. "after bookmark 2".` };
    }
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Phrases

interface Found {
  index: number;
  length: number;
  result: QuestionScope | ScopeError;
}

/** A window before clamping, with how it is said. */
type Span = { start: number; end: number; words: string };

function windowResult(question: string, index: number, endIndex: number, w: Span, c: ScopeCase): Found {
  const phrase = question.slice(index, endIndex);
  const duration = Math.max(0, Number.isFinite(c.duration) ? c.duration : 0);
  const start = Math.min(duration, Math.max(0, Math.min(w.start, w.end)));
  const end = Math.min(duration, Math.max(0, Math.max(w.start, w.end)));
  if (!(end > start)) {
    const error =
      duration === 0
        ? `There is no video ${adverbial(w.words)} yet: nothing of this case has been recorded and read so far.`
        : `There is no video ${adverbial(w.words)}: the case so far runs from 0:00 to ${clock(duration)}.`;
    return { index, length: phrase.length, result: { error, phrase } };
  }
  return { index, length: phrase.length, result: { start, end, said: `${w.words} (${clock(start)}–${clock(end)})`, phrase } };
}

function errorResult(question: string, index: number, endIndex: number, error: string): Found {
  const phrase = question.slice(index, endIndex);
  return { index, length: phrase.length, result: { error, phrase } };
}

const RE_LAST = new RegExp(
  `\\b(?:(?:in|over|during|within|for|from)\\s+)?(?:the\\s+)?(?:last|past|previous|preceding|final|latest|most\\s+recent)\\s+(${AMOUNT})\\b${OF_CASE}`,
  'gi',
);
const RE_FIRST = new RegExp(`\\b(?:(?:in|over|during|within|for)\\s+)?(?:the\\s+)?(?:first|opening|initial)\\s+(${AMOUNT})\\b${OF_CASE}`, 'gi');
const RE_NEAR = new RegExp(
  `\\b(?:(?:in|over|during|within|for)\\s+)?(?:the\\s+)?(?:(?:first|last|next)\\s+)?(${AMOUNT})\\s+(after|following|since|before|prior\\s+to|leading\\s+up\\s+to|preceding)\\s+`,
  'gi',
);
const RE_TRIGGER = /\b(between|from|since|after|following|before|until|till|up\s+to|prior\s+to|leading\s+up\s+to|preceding)\s+/gi;
const RE_AND = /\s+(?:and|&)\s+/iy;
const RE_TO = /\s+(?:to|until|till|through|and)\s+/iy;
const RE_ON = /\s+(?:on|onwards?)\b/iy;

function isBefore(word: string): boolean {
  return /^(before|until|till|up\s+to|prior\s+to|leading\s+up\s+to|preceding)$/i.test(word);
}

function adverbial(words: string): string {
  return /^the\s/.test(words) ? `in ${words}` : words;
}

/** A bookmark-to-bookmark or time-to-time range: "between the first and second bookmarks". */
function rangeWords(word: string, a: Extract<Resolved, { ok: true }>, b: Extract<Resolved, { ok: true }>, refs: [Ref, Ref]): string {
  const both = refs.every((r) => r.kind === 'number');
  if (word.toLowerCase() === 'between' && both && a.number !== null && b.number !== null && a.number < ORDINALS.length && b.number < ORDINALS.length) {
    return `between the ${ORDINALS[a.number]} and ${ORDINALS[b.number]} bookmarks`;
  }
  return word.toLowerCase() === 'between' ? `between ${a.name} and ${b.name}` : `from ${a.name} to ${b.name}`;
}

function findAll(question: string, c: ScopeCase): Found[] {
  const found: Found[] = [];
  const rules = [...labelRules(c.bookmarks), ...RULES];

  for (const [re, first] of [[RE_LAST, false], [RE_FIRST, true]] as const) {
    re.lastIndex = 0;
    for (let m = re.exec(question); m; m = re.exec(question)) {
      const amount = parseAmount(m[1]!);
      if (!amount) continue;
      const w = first
        ? { start: 0, end: amount.seconds, words: `the first ${amount.words}` }
        : { start: c.duration - amount.seconds, end: c.duration, words: `the last ${amount.words}` };
      found.push(windowResult(question, m.index, m.index + m[0].length, w, c));
    }
  }

  RE_NEAR.lastIndex = 0;
  for (let m = RE_NEAR.exec(question); m; m = RE_NEAR.exec(question)) {
    const amount = parseAmount(m[1]!);
    const at = m.index + m[0].length;
    RE_NEAR.lastIndex = m.index + 1;
    if (!amount) continue;
    const r = refAt(question, at, rules, { bare: false, side: 'single' });
    if (!r) continue;
    const resolved = resolve(r.ref, c);
    if (!resolved.ok) {
      found.push(errorResult(question, m.index, r.end, resolved.error));
      continue;
    }
    const before = isBefore(m[2]!);
    const w = before
      ? { start: resolved.time - amount.seconds, end: resolved.time, words: `the ${amount.words} before ${resolved.name}` }
      : { start: resolved.time, end: resolved.time + amount.seconds, words: `the ${amount.words} after ${resolved.name}` };
    found.push(windowResult(question, m.index, r.end, w, c));
  }

  RE_TRIGGER.lastIndex = 0;
  for (let m = RE_TRIGGER.exec(question); m; m = RE_TRIGGER.exec(question)) {
    const word = m[1]!.replace(/\s+/g, ' ');
    const at = m.index + m[0].length;
    RE_TRIGGER.lastIndex = m.index + 1;
    const lower = word.toLowerCase();
    if (lower === 'between' || lower === 'from') {
      const range = rangeAt(question, at, rules, lower === 'between' ? RE_AND : RE_TO);
      if (range) {
        const [a, b] = [resolve(range.a.ref, c), resolve(range.b.ref, c)];
        if (!a.ok || !b.ok) {
          found.push(errorResult(question, m.index, range.end, !a.ok ? a.error : (b as { error: string }).error));
          continue;
        }
        const [lo, hi] = a.time <= b.time ? [a, b] : [b, a];
        const w = { start: lo.time, end: hi.time, words: rangeWords(word, a, b, [range.a.ref, range.b.ref]) };
        found.push(windowResult(question, m.index, range.end, w, c));
        continue;
      }
      if (lower === 'between') continue;
    }
    const r = refAt(question, at, rules, { bare: false, side: 'single' });
    if (!r) continue;
    let end = r.end;
    RE_ON.lastIndex = end;
    if (!isBefore(word) && RE_ON.exec(question)) end = RE_ON.lastIndex;
    const resolved = resolve(r.ref, c);
    if (!resolved.ok) {
      found.push(errorResult(question, m.index, end, resolved.error));
      continue;
    }
    const w = isBefore(word)
      ? { start: 0, end: resolved.time, words: `before ${resolved.name}` }
      : { start: resolved.time, end: c.duration, words: `${lower === 'since' ? 'since' : 'after'} ${resolved.name}` };
    found.push(windowResult(question, m.index, end, w, c));
  }
  return found;
}

function rangeAt(question: string, at: number, rules: readonly RefRule[], joiner: RegExp): { a: RefMatch; b: RefMatch; end: number } | null {
  const a = refAt(question, at, rules, { bare: true, side: 'from' });
  if (!a) return null;
  joiner.lastIndex = a.end;
  if (!joiner.exec(question)) return null;
  const b = refAt(question, joiner.lastIndex, rules, { bare: true, side: 'to' });
  if (!b) return null;
  const plain = (r: RefMatch) => r.ref.kind === 'time' || r.ref.kind === 'start' || r.ref.kind === 'end';
  const bookmarkish = (r: RefMatch) => r.explicit && !plain(r);
  // A bare "second" or "2" is a bookmark only beside one that says so; two times need no bookmark.
  if (!(bookmarkish(a) || bookmarkish(b) || (plain(a) && plain(b)))) return null;
  // "from the start to now" says nothing.
  if (a.ref.kind === 'start' && b.ref.kind === 'end') return null;
  return { a, b, end: b.end };
}

/**
 * The part of the case `question` is about, or null when it names none. An error (in words, for
 * the clinician) when it names a bookmark the case does not have, or a window with no video.
 */
export function questionScope(question: string, c: ScopeCase): QuestionScope | ScopeError | null {
  const found = findAll(question, c);
  if (found.length === 0) return null;
  // The earliest phrase, and of those the longest: "in the 2 minutes before bookmark 3" over "before bookmark 3".
  found.sort((a, b) => a.index - b.index || b.length - a.length);
  return found[0]!.result;
}

export function isScopeError(s: QuestionScope | ScopeError | null): s is ScopeError {
  return s !== null && 'error' in s;
}

/** The question without the words that set its scope, for readers that would misread them. */
export function withoutScope(question: string, scope: { phrase: string } | null): string {
  if (!scope || scope.phrase === '') return question;
  const at = question.indexOf(scope.phrase);
  if (at < 0) return question;
  return `${question.slice(0, at)} ${question.slice(at + scope.phrase.length)}`
    .replace(/\s+/g, ' ')
    .replace(/\s+([?.!,;])/g, '$1')
    .replace(/^[\s,;:]+/, '')
    .trim();
}

/** The scope as an adverbial: "in the last 5 minutes (12:00–17:00)", "after the second bookmark (…)". */
export function scopeAdverbial(scope: { said: string }): string {
  return adverbial(scope.said);
}
