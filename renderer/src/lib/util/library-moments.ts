/*
 * How the case list's filter shows what search.library found: the kind of each moment, its
 * time, how the filter was read, and a word match's text with the match marked.
 */

import type { LibraryMoment, LibrarySearchResult } from '../../../../main/core/contract/similar-schemas.js';
import { formatTime } from '../../../../main/core/time-format.js';

const KIND_WORDS: Record<LibraryMoment['kind'], string> = {
  bleeding: 'Bleeding',
  smoke: 'Smoke',
  outOfBody: 'Out of body',
  idle: 'Pause',
  question: 'Question',
  answer: 'Answer',
  comment: 'Comment',
  bookmark: 'Bookmark',
};

export function momentKind(kind: LibraryMoment['kind']): string {
  return KIND_WORDS[kind];
}

/** "12:30–12:52", or "12:30" for a moment without length (a bookmark). */
export function momentWhen(m: Pick<LibraryMoment, 'start' | 'end'>): string {
  const start = formatTime(m.start);
  return m.end - m.start < 0.5 ? start : `${start}–${formatTime(m.end)}`;
}

const OP_WORDS: Record<string, string> = { '>': 'more than', '>=': 'at least', '<': 'less than', '<=': 'at most', '=': 'exactly' };
const EVENT_WORDS: Record<string, string> = { bleeding: 'bleeding', smoke: 'smoke', outOfBody: 'out of the body', idle: 'a pause' };

/** How the filter was read, in words: "bleeding longer than 20 s · words “clip”". */
export function understoodLabel(u: LibrarySearchResult['understood']): string {
  const parts = u.events.map((e) => {
    let s = EVENT_WORDS[e.event] ?? e.event;
    if (e.duration) s += ` for ${OP_WORDS[e.duration.op]} ${e.duration.seconds} s`;
    if (e.count) s += `, ${OP_WORDS[e.count.op]} ${e.count.n} time${e.count.n === 1 ? '' : 's'}`;
    return s;
  });
  if (u.words.trim()) parts.push(`words “${u.words.trim()}”`);
  return parts.join(' · ');
}

/** The text of a word match with its [bracketed] match, as parts to draw (marked or not). */
export function snippetParts(text: string): { text: string; mark: boolean }[] {
  const out: { text: string; mark: boolean }[] = [];
  const re = /\[([^\]]*)\]/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), mark: false });
    out.push({ text: m[1]!, mark: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}
