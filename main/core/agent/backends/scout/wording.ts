/*
 * The scout's words: answers, evidence claims and thoughts, in short plain sentences a clinician
 * reads at a glance. Times are shown to the second (the evidence items carry the exact values).
 */

import { formatClock } from '../../../time-format.js';
import { scopeAdverbial } from '../../question-scope.js';
import type { EvidenceDraft } from '../../types.js';
import type { EventIntent, EventKind } from './intent.js';

export interface Finding {
  start: number;
  end: number;
  /** Key moment inside the window. */
  key: number;
  /**
   * Whether each boundary was placed on crop frames (else it is the per-second track's); a
   * boundary that is the edge of the question's time scope counts as placed.
   */
  startOnFrames: boolean;
  endOnFrames: boolean;
  /** Crop frames inside the window, and how many of them show the event. */
  framesShowing: number;
  framesInside: number;
}

interface Words {
  episode: string;
  episodes: string;
  track: string;
  claim: string;
}

export const WORDS: Record<EventKind, Words> = {
  bleeding: { episode: 'bleeding episode', episodes: 'bleeding episodes', track: 'blood track', claim: 'Blood in the view' },
  smoke: { episode: 'smoke episode', episodes: 'smoke episodes', track: 'smoke/haze track', claim: 'Smoke or haze in the view' },
  outOfBody: {
    episode: 'out-of-body period',
    episodes: 'out-of-body periods',
    track: 'out-of-body track',
    claim: 'Camera outside the patient',
  },
  idle: { episode: 'pause', episodes: 'pauses', track: 'motion track', claim: 'Little or no motion' },
};

/** "00:12:31": whole seconds. */
export function clock(seconds: number): string {
  return formatClock(Math.round(Math.max(0, seconds))).replace(/\.000$/, '');
}

/** "39 s", "2 min 5 s". */
export function span(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const rest = s % 60;
  return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
}

/** Tenths of a second are as fine as the scout can place anything. */
function tenths(t: number): number {
  return Math.round(t * 10) / 10;
}

function range(f: Finding): string {
  return `${clock(f.start)} to ${clock(f.end)} (${span(f.end - f.start)})`;
}

export function evidenceFor(kind: EventKind, f: Finding): EvidenceDraft {
  const start = tenths(f.start);
  const end = tenths(f.end);
  const key = Math.min(end, Math.max(start, tenths(f.key)));
  let check = '';
  if (kind !== 'idle' && f.framesInside > 0) check = ` Seen on ${f.framesShowing} of ${f.framesInside} frames looked at.`;
  else if (!f.startOnFrames && !f.endOnFrames && kind !== 'idle') check = ' From the per-second track only.';
  return { start, end, frames: [key], claim: `${WORDS[kind].claim} from ${range(f)}.${check}` };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function count(n: number, w: Words): string {
  return n === 1 ? `one ${w.episode}` : `${n} ${w.episodes}`;
}

/** The part of the case a question is about, as the scout says it. */
export interface SaidScope {
  said: string;
}

/**
 * The answer text. `findings` are in answer order (best first); `total` is how many candidate
 * windows the track has in all (within the scope, when there is one), refined or not. With a
 * scope the answer says it first: "In the last 5 minutes (12:00–17:00), the first bleeding…".
 */
export function answerText(intent: EventIntent, findings: readonly Finding[], total: number, scope: SaidScope | null = null): string {
  const text = unscopedAnswer(intent, findings, total, scope !== null);
  if (!scope || text === '') return text;
  const where = scopeAdverbial(scope);
  if (text.startsWith('Yes: ')) return `Yes, ${where}: ${text.slice('Yes: '.length)}`;
  return `${capital(where)}, ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

function unscopedAnswer(intent: EventIntent, findings: readonly Finding[], total: number, scoped: boolean): string {
  const w = WORDS[intent.event];
  const [f] = findings;
  if (!f) return '';
  const inOrder = [...findings].sort((a, b) => a.start - b.start);
  const list = inOrder.map(range).join('; ');
  const others = total > 1 ? ` There are ${count(total, w)} ${scoped ? 'in that time' : 'in all'}.` : '';
  const which = intent.occurrence === 'first' ? 'first' : intent.occurrence === 'last' ? 'last' : intent.event === 'idle' ? 'longest' : 'main';
  switch (intent.occurrence) {
    case 'first':
    case 'last':
    case 'best': {
      const the = `The ${which} ${w.episode}`;
      if (intent.ask === 'duration') return `${the} lasts ${span(f.end - f.start)}, from ${clock(f.start)} to ${clock(f.end)}.${others}`;
      if (intent.ask === 'end') return `${the} ends at ${clock(f.end)} (it began at ${clock(f.start)}; ${span(f.end - f.start)}).${others}`;
      return `${the} starts at ${clock(f.start)} and ends at ${clock(f.end)} (${span(f.end - f.start)}).${others}`;
    }
    case 'all': {
      const shown = findings.length < total ? ` The ${findings.length} listed are the strongest.` : '';
      const many = capital(count(total, w));
      if (intent.ask === 'total') {
        const sum = findings.reduce((acc, x) => acc + (x.end - x.start), 0);
        return `${many} seen, ${span(sum)} in total: ${list}.${shown}`;
      }
      const lead = intent.ask === 'exists' ? 'Yes: ' : '';
      const strongest = findings.length > 1 ? ` The ${which} one is ${clock(f.start)} to ${clock(f.end)}.` : '';
      return `${lead}${lead ? count(total, w) : many} seen: ${list}.${strongest}${shown}`;
    }
  }
}

/** A window known from the per-second tracks only (an anchor a relation was measured from). */
export function trackOnlyFinding(start: number, end: number): Finding {
  return { start, end, key: (start + end) / 2, startOnFrames: false, endOnFrames: false, framesShowing: 0, framesInside: 0 };
}

/** Why nothing was found, with the thresholds in plain words; with a scope, where it was looked for. */
export function notSeenText(kind: EventKind, t: { high: number; minSeconds: number }, scope: SaidScope | null = null, usualMotion: number | null = null): string {
  const where = scope ? ` ${scopeAdverbial(scope)}` : '';
  const there = scope ? ' there' : '';
  if (kind === 'idle') {
    const still = Number((1 - t.high).toFixed(2));
    const quiet =
      usualMotion !== null && still <= 0.05
        ? ` The recording moves little throughout (usual motion ${usualMotion.toFixed(2)}), so only a frozen picture counts as a pause.`
        : '';
    return (
      `No pause was seen${where}: motion never stays at or below ${still} (on a 0 to 1 scale from this recording's ` +
      `stillest to its busiest moments) for ${t.minSeconds} s or more${there}.${quiet}`
    );
  }
  const w = WORDS[kind];
  return (
    `No ${w.episode} was seen${where}: the ${w.track} never reaches ${t.high} (on a 0 to 1 scale where 0 is this ` +
    `recording's usual look) and stays up for ${t.minSeconds} s or more${there}.`
  );
}

/** The part of the case asked about is not indexed yet (a live case, read as it grows). */
export function notIndexedInScopeText(track: string, scope: SaidScope): string {
  return (
    `Nothing is indexed ${scopeAdverbial(scope)} yet (there is no ${track} there), so the scout has nothing to look at. ` +
    'Ask again when indexing has caught up.'
  );
}

export function declineText(needs: string): string {
  return (
    `The scout backend cannot see ${needs}: it reads only the index tracks (blood, smoke/haze, ` +
    'camera out of the body, motion) and answers when bleeding, smoke, out-of-body views or pauses ' +
    'happen. This question needs a vision-language model: ask it with the openai backend, pointed at ' +
    'a model on an OpenAI-compatible server (see "Asking a case" in the README).'
  );
}

export function noIndexText(track: string): string {
  return (
    `The index of this case is not ready (there is no ${track} yet), so the scout has nothing to look at. ` +
    'Ask again when indexing has finished.'
  );
}
