/*
 * The scout's coarse-to-fine policy. It keeps no state between turns: each turn it re-derives the
 * same plan from the question, the overview and the budget the run started with, and reads what
 * earlier steps returned from the turn context. So the same case and question always give the same
 * calls and the same answer, and a backend object can serve any number of runs at once.
 */

import type { TrackName } from '../../../contract/schemas.js';
import type { FrameSignals, Observation, TurnContext } from '../../engine/types.js';
import type { AnswerDraft, BackendStep, RawToolCall } from '../../types.js';
import { questionScope, scopeAdverbial, withoutScope, type QuestionScope } from '../../question-scope.js';
import { coverageOf, eventCandidates, idleCandidates, medianOf, type Candidate, type RunThresholds } from './candidates.js';
import { GENERIC_NEED, parseIntent, type EventIntent, type EventKind } from './intent.js';
import { fitPulse, fitStep, idleEdges, type Sample } from './refine.js';
import { similarMomentsTurn } from './similar-moments.js';
import {
  answerText, clock, declineText, evidenceFor, noIndexText, notIndexedInScopeText, notSeenText, span, WORDS, type Finding,
} from './wording.js';

export interface ScoutOptions {
  /** Seconds either side of a coarse boundary that a crop looks at. */
  cropRadius: number;
  /** Frames per boundary crop. */
  cropFrames: number;
  /** Most frames in one crop (a short window's two boundaries share one crop). */
  maxCropFrames: number;
  /** Thresholds per event, on the display scale (idle: on stillness, 1 - motion). */
  thresholds: Record<EventKind, RunThresholds>;
}

/*
 * Event tracks put the recording's usual look at 0 and noise within the bottom of the scale, so a
 * real event stands at 0.5 and above; an edge is followed down to 0.3. A pause is motion at or
 * below 0.15 (stillness 0.85) for 5 s: shorter stills are ordinary hesitations.
 */
export const DEFAULT_SCOUT_OPTIONS: Readonly<ScoutOptions> = {
  cropRadius: 4,
  cropFrames: 8,
  maxCropFrames: 16,
  thresholds: {
    bleeding: { high: 0.5, low: 0.3, minSeconds: 2, mergeGap: 3, maxMissing: 5 },
    smoke: { high: 0.5, low: 0.3, minSeconds: 2, mergeGap: 3, maxMissing: 5 },
    outOfBody: { high: 0.5, low: 0.3, minSeconds: 2, mergeGap: 3, maxMissing: 5 },
    idle: { high: 0.85, low: 0.75, minSeconds: 5, mergeGap: 1, maxMissing: 5 },
  },
};

const TRACK: Record<EventKind, TrackName> = { bleeding: 'blood', smoke: 'haze', outOfBody: 'outOfBody', idle: 'motion' };
const SAMPLE: Record<Exclude<EventKind, 'idle'>, keyof Omit<FrameSignals, 'time'>> = {
  bleeding: 'blood',
  smoke: 'haze',
  outOfBody: 'outOfBody',
};

type Edge = 'start' | 'end';

type Action =
  | { kind: 'crop'; target: number; edges: Edge[]; start: number; end: number; frames: number }
  | { kind: 'frame'; target: number };

/** Where the scout looks: the question's time scope, else the whole case. */
interface Bounds {
  start: number;
  end: number;
  /** The scope cuts the case there: an episode reaching that edge is cut by the question, not over. */
  cutStart: boolean;
  cutEnd: boolean;
}

/** Which edges of a window are the scope's rather than the event's. */
function cutEdges(w: { start: number; end: number }, b: Bounds): { start: boolean; end: boolean } {
  return { start: b.cutStart && w.start <= b.start + 0.05, end: b.cutEnd && w.end >= b.end - 0.05 };
}

interface Plan {
  intent: EventIntent;
  /** The event's track over the whole case (its usual level is read from all of it). */
  series: readonly number[];
  bounds: Bounds;
  scope: QuestionScope | null;
  /** Every candidate inside the bounds (cut at them), in time order. */
  candidates: Candidate[];
  /** The ones the answer is about, best first. */
  targets: Candidate[];
  actions: Action[];
}

function answerStep(thought: string, answer: AnswerDraft): BackendStep {
  return { kind: 'answer', thought, answer };
}

function pickTargets(intent: EventIntent, candidates: Candidate[]): Candidate[] {
  if (candidates.length === 0) return [];
  if (intent.occurrence === 'first') return [candidates[0]!];
  if (intent.occurrence === 'last') return [candidates.at(-1)!];
  // Strongest first; on a tie the earlier one, so the order never depends on sort stability.
  const ranked = [...candidates].sort((a, b) => b.strength - a.strength || a.start - b.start);
  return intent.occurrence === 'best' ? ranked.slice(0, 1) : ranked;
}

function cropsFor(kind: EventKind, c: Candidate, target: number, bounds: Bounds, o: ScoutOptions): Action[] {
  // Crops stay inside the scope: what lies outside it does not answer the question.
  const fit = (start: number, end: number, edges: Edge[], frames: number): Action[] => {
    const s = Math.max(bounds.start, start);
    const e = Math.min(bounds.end, end);
    return e - s >= 1 ? [{ kind: 'crop', target, edges, start: s, end: e, frames }] : [];
  };
  // A pause is placed on the motion track; its crop only shows what the view looks like.
  if (kind === 'idle') return fit(c.start, c.end, [], o.cropFrames);
  const r = o.cropRadius;
  const spacing = (2 * r) / o.cropFrames;
  // An edge the scope cut is where the question's time begins or ends: nothing to place there.
  const cut = cutEdges(c, bounds);
  if (cut.start && cut.end) return fit(c.start, c.end, [], o.cropFrames);
  if (cut.start) return fit(c.end - r, c.end + r, ['end'], o.cropFrames);
  if (cut.end) return fit(c.start - r, c.start + r, ['start'], o.cropFrames);
  if (c.end - c.start <= 2 * r) {
    const frames = Math.min(o.maxCropFrames, Math.ceil((c.end - c.start + 2 * r) / spacing));
    return fit(c.start - r, c.end + r, ['start', 'end'], frames);
  }
  return [...fit(c.start - r, c.start + r, ['start'], o.cropFrames), ...fit(c.end - r, c.end + r, ['end'], o.cropFrames)];
}

/**
 * The calls that fit the budget, most useful first: the best target's crops and key frame, then
 * the other targets' crops, then their key frames. One call and one frame are kept back so the
 * run answers before a limit is reached rather than on the engine's last-chance turn.
 */
function allocate(kind: EventKind, targets: Candidate[], bounds: Bounds, o: ScoutOptions, calls: number, frames: number): Action[] {
  const out: Action[] = [];
  let usedCalls = 0;
  let usedFrames = 0;
  const tryAdd = (actions: Action[]): void => {
    const need = actions.reduce((n, a) => n + (a.kind === 'crop' ? a.frames : 1), 0);
    if (actions.length === 0 || usedCalls + actions.length > calls - 1 || usedFrames + need > frames - 1) return;
    out.push(...actions);
    usedCalls += actions.length;
    usedFrames += need;
  };
  targets.forEach((c, i) => {
    tryAdd(cropsFor(kind, c, i, bounds, o));
    if (i === 0) tryAdd([{ kind: 'frame', target: 0 }]);
  });
  for (let i = 1; i < targets.length; i++) tryAdd([{ kind: 'frame', target: i }]);
  return out;
}

/** Frames seen so far: what the engine counted against the frame budget. */
function framesUsed(ctx: TurnContext): number {
  let n = 0;
  for (const s of ctx.steps) {
    if (s.observation.kind === 'crop') n += s.observation.frames.length;
    else if (s.observation.kind === 'frame') n += 1;
  }
  return n;
}

function boundsOf(ctx: TurnContext): Bounds {
  const s = ctx.scope;
  if (!s) return { start: 0, end: ctx.duration, cutStart: false, cutEnd: false };
  return { start: s.start, end: s.end, cutStart: s.start > 0, cutEnd: s.end < ctx.duration };
}

/** The seconds of `values` that overlap the bounds; the others read as unmeasured. */
function within(values: readonly number[], b: Bounds): number[] {
  return values.map((v, i) => (i + 1 > b.start && i < b.end ? v : -1));
}

/** The seconds of `values` that overlap the bounds, alone. */
function sliceOf(values: readonly number[], b: Bounds): readonly number[] {
  return values.slice(Math.max(0, Math.floor(b.start)), Math.max(0, Math.ceil(b.end)));
}

function candidatesOf(intent: EventIntent, series: readonly number[], ctx: TurnContext, t: RunThresholds): Candidate[] {
  return intent.event === 'idle' ? idleCandidates(series, ctx.overview.series?.outOfBody, t) : eventCandidates(series, t);
}

function makePlan(ctx: TurnContext, intent: EventIntent, series: readonly number[], o: ScoutOptions): Plan {
  const t = o.thresholds[intent.event];
  const bounds = boundsOf(ctx);
  const candidates = ctx.scope
    ? candidatesOf(intent, within(series, bounds), ctx, t)
        .map((c) => ({ ...c, start: Math.max(c.start, bounds.start), end: Math.min(c.end, bounds.end) }))
        .filter((c) => c.end > c.start)
    : candidatesOf(intent, series, ctx, t);
  const targets = pickTargets(intent, candidates);
  // The budget the run started with: every step so far cost one call.
  const calls = ctx.budget.toolCallsLeft + ctx.steps.length;
  const frames = ctx.budget.framesLeft + framesUsed(ctx);
  const actions = allocate(intent.event, targets, bounds, o, calls, frames);
  return { intent, series, bounds, scope: ctx.scope, candidates, targets, actions };
}

/** The per-frame samples of the event from the crops of one target that cover `edge`. */
function samplesFor(plan: Plan, ctx: TurnContext, target: number, edge: Edge | null): Sample[] {
  const kind = plan.intent.event;
  const out: Sample[] = [];
  plan.actions.forEach((a, i) => {
    const obs = ctx.steps[i]?.observation;
    if (a.kind !== 'crop' || a.target !== target || obs?.kind !== 'crop') return;
    if (edge !== null && !a.edges.includes(edge)) return;
    for (const s of obs.samples) {
      out.push({ time: s.time, value: kind === 'idle' ? s.outOfBody : s[SAMPLE[kind]] });
    }
  });
  return out;
}

/** The frame-level threshold: halfway between the track's usual level and this window's. */
function frameThreshold(plan: Plan, c: Candidate): number {
  const usual = medianOf(plan.series, 0, plan.series.length) ?? 0;
  const inside = medianOf(plan.series, c.start, c.end) ?? c.mean;
  return Math.min(0.6, Math.max(0.2, (usual + inside) / 2));
}

function refineEvent(plan: Plan, ctx: TurnContext, target: number): Finding {
  const c = plan.targets[target]!;
  const threshold = frameThreshold(plan, c);
  const both = plan.actions.some((a) => a.kind === 'crop' && a.target === target && a.edges.length === 2);
  let startFit: number | null;
  let endFit: number | null;
  if (both) {
    const pulse = fitPulse(samplesFor(plan, ctx, target, 'start'), threshold, c);
    startFit = pulse?.start ?? null;
    endFit = pulse?.end ?? null;
  } else {
    startFit = fitStep(samplesFor(plan, ctx, target, 'start'), threshold, true, c.start)?.time ?? null;
    endFit = fitStep(samplesFor(plan, ctx, target, 'end'), threshold, false, c.end)?.time ?? null;
  }
  let start = startFit ?? c.start;
  let end = endFit ?? c.end;
  let startOnFrames = startFit !== null;
  let endOnFrames = endFit !== null;
  if (end - start < 0.5) {
    // Frames that contradict each other are less trustworthy than the track.
    start = c.start;
    end = c.end;
    startOnFrames = endOnFrames = false;
  }
  const inside = samplesFor(plan, ctx, target, null).filter((s) => s.time >= start && s.time <= end && s.value >= 0);
  return {
    start,
    end,
    key: keyTime(plan, ctx, target, start, end),
    startOnFrames,
    endOnFrames,
    framesShowing: inside.filter((s) => s.value >= threshold).length,
    framesInside: inside.length,
  };
}

function refineIdle(plan: Plan, ctx: TurnContext, target: number): Finding {
  const c = plan.targets[target]!;
  const still = medianOf(plan.series, c.start, c.end) ?? 0;
  const activeBefore = medianOf(plan.series, c.start - 6, c.start - 1) ?? 0.5;
  const activeAfter = medianOf(plan.series, c.end + 1, c.end + 6) ?? 0.5;
  const { start, end } = idleEdges(plan.series, c, { still, activeBefore, activeAfter });
  const inside = samplesFor(plan, ctx, target, null);
  return {
    start,
    end,
    key: keyTime(plan, ctx, target, start, end),
    startOnFrames: false,
    endOnFrames: false,
    // For a pause the frames show whether the camera was inside the patient.
    framesShowing: inside.filter((s) => s.value >= 0 && s.value < 0.5).length,
    framesInside: inside.length,
  };
}

/** A finding, cut at the scope: evidence never reaches outside the part of the case asked about. */
function refine(plan: Plan, ctx: TurnContext, target: number): Finding {
  const f = plan.intent.event === 'idle' ? refineIdle(plan, ctx, target) : refineEvent(plan, ctx, target);
  if (!plan.scope) return f;
  const { start: lo, end: hi } = plan.bounds;
  const c = plan.targets[target]!;
  let start = Math.min(hi, Math.max(lo, f.start));
  let end = Math.min(hi, Math.max(lo, f.end));
  if (end - start < 0.5) ({ start, end } = c);
  // An edge the scope cut is exact: it is where the time asked about begins or ends.
  const cut = cutEdges({ start, end }, plan.bounds);
  return {
    ...f, start, end, key: Math.min(end, Math.max(start, f.key)),
    startOnFrames: f.startOnFrames || cut.start, endOnFrames: f.endOnFrames || cut.end,
  };
}

/** The key frame: the one fetched for the target if there is one, else the track's peak (middle for a pause). */
function keyTime(plan: Plan, ctx: TurnContext, target: number, start: number, end: number): number {
  const fetched = plan.actions.findIndex((a, i) => a.kind === 'frame' && a.target === target && ctx.steps[i]?.observation.kind === 'frame');
  const obs = fetched >= 0 ? ctx.steps[fetched]?.observation : undefined;
  if (obs?.kind === 'frame') return obs.frame.time;
  const c = plan.targets[target]!;
  const peak = c.peakAt + 0.5;
  const t = plan.intent.event === 'idle' || peak < start || peak > end ? (start + end) / 2 : peak;
  return Math.round(t * 10) / 10;
}

function toCall(action: Action, plan: Plan, ctx: TurnContext): RawToolCall {
  if (action.kind === 'crop') {
    return { name: 'crop_video', arguments: { start: action.start, end: action.end, frames: action.frames } };
  }
  const f = refine(plan, ctx, action.target);
  return { name: 'get_frame', arguments: { time: f.key } };
}

function overviewThought(plan: Plan): string {
  const w = WORDS[plan.intent.event];
  const best = plan.targets[0]!;
  const where = `at about ${clock(best.start)}`;
  const lasting = span(best.end - best.start);
  if (plan.intent.event === 'idle') {
    const n = plan.candidates.length;
    return n === 1
      ? `Motion stays low from about ${clock(best.start)} for ${lasting}.`
      : `Motion stays low in ${n} stretches; the one I need starts ${where} and lasts ${lasting}.`;
  }
  if (plan.candidates.length === 1 || plan.targets.length === 1) {
    if (cutEdges(best, plan.bounds).start) {
      return `The ${w.track} is already high at ${clock(best.start)}, where the time asked about begins, and stays high for ${lasting}.`;
    }
    return `The ${w.track} rises ${where} and stays high for ${lasting}.`;
  }
  return `The ${w.track} is high in ${plan.candidates.length} stretches; the strongest starts ${where} and lasts ${lasting}.`;
}

/** What the previous step showed, in a sentence. */
function resultThought(plan: Plan, ctx: TurnContext, index: number): string {
  const action = plan.actions[index];
  const obs: Observation | undefined = ctx.steps[index]?.observation;
  if (!action || !obs) return '';
  if (obs.kind === 'error') return 'That look failed; going on with the track alone.';
  if (obs.kind === 'frame') return `The frame at ${clock(obs.frame.time)} is the key frame.`;
  if (action.kind === 'frame') return '';
  if (plan.intent.event === 'idle') return 'The frames show the view during the pause.';
  const f = refine(plan, ctx, action.target);
  const parts: string[] = [];
  if (action.edges.includes('start')) {
    parts.push(f.startOnFrames ? `the frames put the start at ${clock(f.start)}` : 'the frames show no clear start there, so the track\'s start stands');
  }
  if (action.edges.includes('end')) {
    parts.push(f.endOnFrames ? `the end at ${clock(f.end)}` : 'no clear end there, so the track\'s end stands');
  }
  const text = parts.join('; ');
  return text ? `${text.charAt(0).toUpperCase()}${text.slice(1)}.` : '';
}

function actionThought(action: Action, plan: Plan, ctx: TurnContext): string {
  const c = plan.targets[action.target]!;
  const which = plan.targets.length > 1 ? ` of the stretch at ${clock(c.start)}` : '';
  if (action.kind === 'frame') {
    const what = plan.targets.length > 1 ? ` the stretch at ${clock(c.start)}` : '';
    return `Taking a full frame at ${clock(refine(plan, ctx, action.target).key)} to verify${what}.`;
  }
  if (action.edges.length === 2) return `Looking closer at both edges${which}.`;
  if (action.edges.length === 0) {
    return plan.intent.event === 'idle'
      ? `Cropping the pause${which} to see what the view shows.`
      : `Looking at the stretch${which}, which fills the time asked about.`;
  }
  if (action.edges[0] === 'start') return `Looking closer at the start${which}.`;
  const startLooked = plan.actions.some((a) => a.kind === 'crop' && a.target === action.target && a.edges.includes('start'));
  return startLooked ? `Now the end${which}, around ${clock(c.end)}.` : `Looking closer at the end${which}, around ${clock(c.end)}.`;
}

function say(ctx: TurnContext, sentences: string[]): string {
  const text = sentences.filter((s) => s !== '').join(' ');
  if (text !== '') ctx.onThought(text);
  return text;
}

/** What the scope cut off: an episode already under way where it begins, or going on where it ends. */
function edgeNotes(plan: Plan, ctx: TurnContext, findings: readonly Finding[], o: ScoutOptions): string[] {
  if (!plan.scope) return [];
  const { start: lo, end: hi } = plan.bounds;
  const whole = candidatesOf(plan.intent, plan.series, ctx, o.thresholds[plan.intent.event]);
  const w = WORDS[plan.intent.event];
  const notes: string[] = [];
  if (plan.bounds.cutStart && findings.some((f) => f.start <= lo + 0.05) && whole.some((c) => c.start < lo - 0.5 && c.end > lo)) {
    notes.push(`The ${w.episode} at ${clock(lo)} had begun earlier: ${clock(lo)} is where the time asked about begins.`);
  }
  if (plan.bounds.cutEnd && findings.some((f) => f.end >= hi - 0.05) && whole.some((c) => c.start < hi && c.end > hi + 0.5)) {
    notes.push(`The ${w.episode} at ${clock(hi)} goes on after it: ${clock(hi)} is where the time asked about ends.`);
  }
  return notes;
}

function finalAnswer(plan: Plan, ctx: TurnContext, lead: string[], o: ScoutOptions): BackendStep {
  const findings = plan.targets.map((_, i) => refine(plan, ctx, i));
  const evidence = findings.map((f) => evidenceFor(plan.intent.event, f));
  const notes: string[] = edgeNotes(plan, ctx, findings, o);
  if (plan.intent.context) {
    notes.push(
      plan.scope
        ? `The scout cannot place "${plan.intent.context}" (it reads only the index tracks), so it is left out.`
        : `The scout cannot place "${plan.intent.context}" (it reads only the index tracks), so this is from the whole case.`,
    );
  }
  const coverage = coverageOf(sliceOf(plan.series, plan.bounds));
  if (coverage < 0.98) {
    const what = plan.scope ? 'that part of the case' : 'the case';
    notes.push(`Only ${Math.round(coverage * 100)}% of ${what} is indexed so far; the rest may change this.`);
  }
  if (plan.intent.event !== 'idle' && findings.some((f) => !f.startOnFrames || !f.endOnFrames)) {
    notes.push('Some boundaries are from the per-second track, not checked on frames.');
  }
  const text = [answerText(plan.intent, findings, plan.candidates.length, plan.scope), ...notes].join(' ');
  const thought = say(ctx, [...lead, ctx.final ? 'The budget is spent; answering with what I have.' : 'Answering.']);
  return answerStep(thought, { text, evidence });
}

/** One turn of the scout. */
export function decide(ctx: TurnContext, o: ScoutOptions): BackendStep {
  // "When else does this happen?", "other moments like 12:30": answered from the picture index.
  const similar = similarMomentsTurn(ctx);
  if (similar) return similar;
  // The words that set the time scope are not read for the event: "after the second bookmark" is
  // not a landmark like "after clipping", and "in the last 5 minutes" not the last occurrence.
  const scopeCase = { duration: ctx.duration, bookmarks: ctx.bookmarks };
  const intent = parseIntent(
    withoutScope(ctx.question, ctx.scope),
    ctx.history.map((h) => withoutScope(h.question, questionScope(h.question, scopeCase))),
  );
  if (intent.kind === 'decline') {
    const why =
      intent.needs === GENERIC_NEED
        ? 'The question names none of the events the index tracks show (bleeding, smoke, out-of-body, pauses).'
        : `This question needs seeing ${intent.needs}, which the index tracks do not show.`;
    const thought = say(ctx, [why]);
    return answerStep(thought, { text: declineText(intent.needs), evidence: [] });
  }
  const trackName = TRACK[intent.event];
  const series = ctx.overview.series?.[trackName];
  if (!series || coverageOf(series) === 0) {
    const thought = say(ctx, [`There is no ${WORDS[intent.event].track} to read yet.`]);
    return answerStep(thought, { text: noIndexText(WORDS[intent.event].track), evidence: [] });
  }
  const scope = ctx.scope;
  const looking = scope ? `Reading the tracks only ${scopeAdverbial(scope)}.` : '';
  if (scope && coverageOf(sliceOf(series, boundsOf(ctx))) === 0) {
    const thought = say(ctx, [looking, `The ${WORDS[intent.event].track} has no data there yet.`]);
    return answerStep(thought, { text: notIndexedInScopeText(WORDS[intent.event].track, scope), evidence: [] });
  }
  const plan = makePlan(ctx, intent, series, o);
  if (plan.targets.length === 0) {
    const where = scope ? ` ${scopeAdverbial(scope)}` : '';
    const thought = say(ctx, [looking, `The ${WORDS[intent.event].track} shows no ${WORDS[intent.event].episode}${where}.`]);
    return answerStep(thought, { text: notSeenText(intent.event, o.thresholds[intent.event], scope), evidence: [] });
  }
  const index = ctx.steps.length;
  const lead = index === 0 ? [looking, overviewThought(plan)] : [resultThought(plan, ctx, index - 1)];
  const action = plan.actions[index];
  if (ctx.final || !action) return finalAnswer(plan, ctx, lead, o);
  const thought = say(ctx, [...lead, actionThought(action, plan, ctx)]);
  return { kind: 'tool', thought, call: toCall(action, plan, ctx) };
}
