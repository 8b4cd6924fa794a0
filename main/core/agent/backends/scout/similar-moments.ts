/*
 * The scout's answer to "when else does this happen?" asked at a playhead, or "other moments like
 * 12:30": one find_similar call on the moment (the time the question names, else where the
 * player is), then the windows it found as the evidence, best first, saying which moment they
 * were compared with. Stateless like the rest of the scout: each turn is re-derived from the
 * question and the steps so far. A question that names an event the tracks read ("when else does
 * it bleed?") is left to the tracks, which place events better than pictures do.
 */

import type { Observation, SimilarWindow, TurnContext } from '../../engine/types.js';
import type { QuestionScope } from '../../question-scope.js';
import { scopeAdverbial, withoutScope } from '../../question-scope.js';
import { SIMILAR_WINDOWS } from '../../tools.js';
import type { BackendStep, EvidenceDraft } from '../../types.js';
import { parseTime } from '../../../time-format.js';
import { namesEvent, normalise } from './intent.js';
import { clock } from './wording.js';

/** What a question asking for similar moments names: its own moment, or none (the playhead's). */
export interface SimilarAsk {
  /** Case seconds named in the question; null when it means the moment on screen. */
  at: number | null;
}

/*
 * Ways of asking for the other moments like one. Matched on the question in lower case with
 * punctuation as spaces (the time is read from the question as written).
 */
const ASKS_SIMILAR: RegExp[] = [
  /\b(when|where) else\b/,
  /\belsewhere\b/,
  /\b(happen\w*|occur\w*|appear\w*|recur\w*|come\w* back|show\w* up|seen?) again\b/,
  /\bsimilar\b|\bresembl\w*/,
  /\b(moments?|times?|places?|scenes?|views?|frames?|parts?|pictures?|stretches|instances?|occurrences?) (just )?like\b/,
  /\blooks? (just )?like (this|that|it|here|now)\b/,
  /\bsame (view|scene|picture|image|thing|situation)\b/,
  /\bother (moments?|times?|places?|scenes?|views?|frames?|instances?|occurrences?)\b.*\b(like|as)\b/,
];

const CLOCK = /\b(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\b/;
const SECONDS = /\b(\d+(?:\.\d+)?) ?(?:s|secs?|seconds?)\b/;

/** The moment a question names: a clock time ("12:30", "00:12:30.5") or seconds ("750 s"). */
function namedTime(question: string): number | null {
  const text = question.toLowerCase();
  const c = CLOCK.exec(text);
  if (c) return parseTime(c[1]!);
  const s = SECONDS.exec(text);
  return s ? Number(s[1]) : null;
}

/** Reads a question (its time scope already taken out); null when it does not ask for similar moments. */
export function parseSimilarAsk(question: string): SimilarAsk | null {
  const text = normalise(question);
  if (!ASKS_SIMILAR.some((p) => p.test(text))) return null;
  if (namesEvent(question)) return null;
  return { at: namedTime(question) };
}

function answer(thought: string, text: string, evidence: EvidenceDraft[] = []): BackendStep {
  return { kind: 'answer', thought, answer: { text, evidence } };
}

function sentence(s: string): string {
  const t = s.trim().replace(/[.;:]+$/, '');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}.`;
}

/** The windows inside the question's time scope (cut at it), best first. */
function inScope(windows: readonly SimilarWindow[], scope: QuestionScope | null): SimilarWindow[] {
  if (!scope) return [...windows];
  return windows
    .filter((w) => w.end > scope.start && w.start < scope.end)
    .map((w) => ({ ...w, start: Math.max(w.start, scope.start), end: Math.min(w.end, scope.end), time: Math.min(scope.end, Math.max(scope.start, w.time)) }));
}

function evidenceOf(w: SimilarWindow, at: number): EvidenceDraft {
  return {
    start: w.start,
    end: w.end,
    frames: [w.time],
    claim: `Looks like the frame at ${clock(at)} (similarity ${w.score.toFixed(2)}; most alike at ${clock(w.time)})`,
  };
}

function windowWords(w: SimilarWindow): string {
  return `${clock(w.start)}–${clock(w.end)} (similarity ${w.score.toFixed(2)})`;
}

/** The answer from what find_similar returned. */
function answerFrom(obs: Observation | undefined, at: number, source: string, ctx: TurnContext): BackendStep {
  const compared = `the frame at ${clock(at)} (${source})`;
  if (!obs || (obs.kind !== 'similar' && obs.kind !== 'error')) {
    return answer('The budget is spent before anything was compared.', `Nothing was compared with ${compared}: the budget ran out first.`);
  }
  if (obs.kind === 'error') {
    return answer('The comparison failed.', `I could not compare ${compared}: ${sentence(obs.error)}`);
  }
  if (obs.unavailable !== null) {
    return answer(
      'There is no picture index to compare with yet.',
      `I could not compare ${compared}: this case has no picture index yet. Building it has started (its progress shows in the find-similar panel); ask again once it is done.`,
    );
  }
  const where = ctx.scope ? ` ${scopeAdverbial(ctx.scope)}` : '';
  const windows = inScope(obs.windows, ctx.scope);
  const notes = obs.notes.filter((n) => /picture index/.test(n)).map(sentence);
  if (windows.length === 0) {
    return answer('No other moment stands out as similar.', [`Nothing else in the case${where} looks like ${compared}.`, ...notes].join(' '));
  }
  const n = windows.length;
  const lead =
    n === 1
      ? `One other moment of the case${where} looks like ${compared}: ${windowWords(windows[0]!)}.`
      : `${n} other moments of the case${where} look like ${compared}, best first: ${windows.map(windowWords).join(', ')}.`;
  const caveat = 'They are alike in picture (embeddings of whole frames), which says nothing of what happens in them.';
  return answer(
    `find_similar found ${n === 1 ? 'one window' : `${n} windows`} like ${clock(at)}; answering with ${n === 1 ? 'it' : 'them'}.`,
    [lead, ...notes, caveat].join(' '),
    windows.map((w) => evidenceOf(w, at)),
  );
}

/**
 * The scout's turn for a question asking for moments like one; null when the question asks
 * something else (the event policy then answers it).
 */
export function similarMomentsTurn(ctx: TurnContext): BackendStep | null {
  const ask = parseSimilarAsk(withoutScope(ctx.question, ctx.scope));
  if (!ask) return null;
  const at = ask.at ?? ctx.playhead;
  const source = ask.at !== null ? 'named in the question' : 'where the player was';
  if (at === null) {
    return answer(
      'The question asks for moments like one, but names no time and none was on screen.',
      'Which moment should I compare with? Ask with the player at it, or name its time (for example "other moments like 12:30").',
    );
  }
  if (at > ctx.duration + 0.5) {
    return answer('The moment named is past the end of the case.', `${clock(at)} is past the end of the case (${clock(ctx.duration)}).`);
  }
  const moment = Math.min(at, ctx.duration);
  if (ctx.steps.length === 0 && !ctx.final) {
    // A scope may keep only some of the windows: ask for as many as a call gives then.
    const want = ctx.scope ? SIMILAR_WINDOWS.max : SIMILAR_WINDOWS.default;
    const limit = Math.max(1, Math.min(want, ctx.budget.framesLeft));
    const thought = `Comparing the frame at ${clock(moment)} (${source}) with the rest of the case.`;
    ctx.onThought(thought);
    return { kind: 'tool', thought, call: { name: 'find_similar', arguments: { time: moment, limit } } };
  }
  const step = answerFrom(ctx.steps.at(-1)?.observation, moment, source, ctx);
  if (step.thought) ctx.onThought(step.thought);
  return step;
}
