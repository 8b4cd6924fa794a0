/*
 * Places a relation between events on the case's labelling: the anchor event's window is found
 * the same way as the asked event's, and the relation turns it into the part of the case the
 * question is about ("after the first out-of-body period (0:40–0:55)"). What cannot be placed
 * (no such event, no such occurrence, nothing between) comes back as a reason in words.
 */

import type { QuestionScope } from '../../question-scope.js';
import type { CaseLabels } from './case-labels.js';
import type { EventKind } from './intent.js';
import type { Anchor, Ordinal, Relation } from './relation.js';
import { clock, WORDS } from './wording.js';

const ORDINAL_NAMES = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

function episodesOf(labels: CaseLabels, kind: EventKind): readonly { start: number; end: number }[] {
  return labels.episodes[kind];
}

function ordinalName(o: Ordinal): string {
  if (o === 'last') return 'last';
  return ORDINAL_NAMES[o - 1] ?? `number ${o}`;
}

export interface AnchorWindow {
  event: EventKind;
  start: number;
  end: number;
  /** "the first out-of-body period", "the only pause". */
  name: string;
}

export type Placed<T> = { ok: true; value: T } | { ok: false; why: string };

/** The anchor's window: the occurrence it names, else the first (said so when there are more). */
export function findAnchor(a: Anchor, labels: CaseLabels): Placed<AnchorWindow> {
  const eps = episodesOf(labels, a.event);
  const w = WORDS[a.event];
  if (eps.length === 0) return { ok: false, why: `no ${w.episode} was found in the case` };
  const ordinal = a.ordinal ?? 1;
  const ep = ordinal === 'last' ? eps.at(-1)! : eps[ordinal - 1];
  if (!ep) {
    const have = eps.length === 1 ? `only one ${w.episode}` : `only ${eps.length} ${w.episodes}`;
    return { ok: false, why: `the case has ${have}, not a ${ordinalName(ordinal)}` };
  }
  const name = eps.length === 1 ? `the only ${w.episode}` : `the ${ordinalName(ordinal)} ${w.episode}`;
  return { ok: true, value: { event: a.event, start: ep.start, end: ep.end, name } };
}

function windowWords(a: AnchorWindow): string {
  return `${a.name} (${clock(a.start)}–${clock(a.end)})`;
}

/** The part of the case an after / before / during / between relation asks about. */
export function relationScope(r: Relation, labels: CaseLabels, duration: number): Placed<QuestionScope> {
  if (r.kind === 'order' || r.kind === 'delay') return { ok: false, why: 'not a part of the case' };
  if (r.kind === 'between') {
    const from = findAnchor(r.from, labels);
    if (!from.ok) return from;
    const to = findAnchor(r.to, labels);
    if (!to.ok) return to;
    const [a, b] = from.value.start <= to.value.start ? [from.value, to.value] : [to.value, from.value];
    if (!(b.start > a.end)) return { ok: false, why: `${a.name} and ${b.name} leave no time between them` };
    return {
      ok: true,
      value: { start: a.end, end: b.start, said: `between ${windowWords(a)} and ${windowWords(b)}`, phrase: r.from.words },
    };
  }
  const found = findAnchor(r.anchor, labels);
  if (!found.ok) return found;
  const a = found.value;
  const w = windowWords(a);
  if (r.kind === 'during') return { ok: true, value: { start: a.start, end: a.end, said: `during ${w}`, phrase: r.anchor.words } };
  if (r.kind === 'after') {
    const from = r.anchor.edge === 'start' ? a.start : a.end;
    const said = r.anchor.edge === 'start' ? `after ${w} began` : `after ${w}`;
    if (!(duration > from)) return { ok: false, why: `${a.name} lasts to the end of the case` };
    return { ok: true, value: { start: from, end: duration, said, phrase: r.anchor.words } };
  }
  const to = r.anchor.edge === 'end' ? a.end : a.start;
  const said = r.anchor.edge === 'end' ? `before ${w} ended` : `before ${w}`;
  if (!(to > 0)) return { ok: false, why: `${a.name} starts with the case` };
  return { ok: true, value: { start: 0, end: to, said, phrase: r.anchor.words } };
}

/** Which of two events begins first, by their first episodes. */
export function earlierOf(events: readonly [EventKind, EventKind], labels: CaseLabels): { first: EventKind; other: EventKind; otherStart: number | null } | null {
  const [a, b] = events;
  const ea = episodesOf(labels, a)[0];
  const eb = episodesOf(labels, b)[0];
  if (!ea && !eb) return null;
  if (!eb || (ea && ea.start <= eb.start)) return { first: a, other: b, otherStart: eb?.start ?? null };
  return { first: b, other: a, otherStart: ea?.start ?? null };
}

/** The moment a delay is measured from: the anchor's start (or end when the question says so). */
export function delayOrigin(r: Extract<Relation, { kind: 'delay' }>, labels: CaseLabels): Placed<{ time: number; anchor: AnchorWindow; edge: 'start' | 'end' }> {
  const found = findAnchor(r.anchor, labels);
  if (!found.ok) return found;
  const edge = r.anchor.edge ?? 'start';
  return { ok: true, value: { time: edge === 'end' ? found.value.end : found.value.start, anchor: found.value, edge } };
}
