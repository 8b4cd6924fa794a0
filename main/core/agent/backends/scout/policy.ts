/*
 * The scout's coarse-to-fine policy. It keeps no state between turns: each turn it re-derives the
 * same plan from the question, the overview and the budget the run started with, and reads what
 * earlier steps returned from the turn context. So the same case and question always give the same
 * calls and the same answer, and a backend object can serve any number of runs at once.
 */

import type { TrackName } from '../../../contract/schemas.js';
import type { FrameSignals, Observation, TurnContext } from '../../engine/types.js';
import type { AnswerDraft, BackendStep, RawToolCall } from '../../types.js';
import { coverageOf, eventCandidates, idleCandidates, medianOf, type Candidate, type RunThresholds } from './candidates.js';
import { GENERIC_NEED, parseIntent, type EventIntent, type EventKind } from './intent.js';
import { fitPulse, fitStep, idleEdges, type Sample } from './refine.js';
import { answerText, clock, declineText, evidenceFor, noIndexText, notSeenText, span, WORDS, type Finding } from './wording.js';

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

interface Plan {
  intent: EventIntent;
  series: readonly number[];
  /** Every candidate, in time order. */
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

function cropsFor(kind: EventKind, c: Candidate, target: number, duration: number, o: ScoutOptions): Action[] {
  const fit = (start: number, end: number, edges: Edge[], frames: number): Action[] => {
    const s = Math.max(0, start);
    const e = Math.min(duration, end);
    return e - s >= 1 ? [{ kind: 'crop', target, edges, start: s, end: e, frames }] : [];
  };
  // A pause is placed on the motion track; its crop only shows what the view looks like.
  if (kind === 'idle') return fit(c.start, c.end, [], o.cropFrames);
  const r = o.cropRadius;
  const spacing = (2 * r) / o.cropFrames;
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
function allocate(kind: EventKind, targets: Candidate[], duration: number, o: ScoutOptions, calls: number, frames: number): Action[] {
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
    tryAdd(cropsFor(kind, c, i, duration, o));
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

function makePlan(ctx: TurnContext, intent: EventIntent, series: readonly number[], o: ScoutOptions): Plan {
  const t = o.thresholds[intent.event];
  const candidates =
    intent.event === 'idle' ? idleCandidates(series, ctx.overview.series?.outOfBody, t) : eventCandidates(series, t);
  const targets = pickTargets(intent, candidates);
  // The budget the run started with: every step so far cost one call.
  const calls = ctx.budget.toolCallsLeft + ctx.steps.length;
  const frames = ctx.budget.framesLeft + framesUsed(ctx);
  const actions = allocate(intent.event, targets, ctx.duration, o, calls, frames);
  return { intent, series, candidates, targets, actions };
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

function refine(plan: Plan, ctx: TurnContext, target: number): Finding {
  return plan.intent.event === 'idle' ? refineIdle(plan, ctx, target) : refineEvent(plan, ctx, target);
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
  if (action.edges.length === 0) return `Cropping the pause${which} to see what the view shows.`;
  return action.edges[0] === 'start' ? `Looking closer at the start${which}.` : `Now the end${which}, around ${clock(c.end)}.`;
}

function say(ctx: TurnContext, sentences: string[]): string {
  const text = sentences.filter((s) => s !== '').join(' ');
  if (text !== '') ctx.onThought(text);
  return text;
}

function finalAnswer(plan: Plan, ctx: TurnContext, lead: string[]): BackendStep {
  const findings = plan.targets.map((_, i) => refine(plan, ctx, i));
  const evidence = findings.map((f) => evidenceFor(plan.intent.event, f));
  const notes: string[] = [];
  if (plan.intent.context) {
    notes.push(
      `The scout cannot place "${plan.intent.context}" (it reads only the index tracks), so this is from the whole case.`,
    );
  }
  const coverage = coverageOf(plan.series);
  if (coverage < 0.98) notes.push(`Only ${Math.round(coverage * 100)}% of the case is indexed so far; the rest may change this.`);
  if (plan.intent.event !== 'idle' && findings.some((f) => !f.startOnFrames || !f.endOnFrames)) {
    notes.push('Some boundaries are from the per-second track, not checked on frames.');
  }
  const text = [answerText(plan.intent, findings, plan.candidates.length), ...notes].join(' ');
  const thought = say(ctx, [...lead, ctx.final ? 'The budget is spent; answering with what I have.' : 'Answering.']);
  return answerStep(thought, { text, evidence });
}

/** One turn of the scout. */
export function decide(ctx: TurnContext, o: ScoutOptions): BackendStep {
  const intent = parseIntent(
    ctx.question,
    ctx.history.map((h) => h.question),
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
  const plan = makePlan(ctx, intent, series, o);
  if (plan.targets.length === 0) {
    const thought = say(ctx, [`The ${WORDS[intent.event].track} shows no ${WORDS[intent.event].episode}.`]);
    return answerStep(thought, { text: notSeenText(intent.event, o.thresholds[intent.event]), evidence: [] });
  }
  const index = ctx.steps.length;
  const lead = index === 0 ? [overviewThought(plan)] : [resultThought(plan, ctx, index - 1)];
  const action = plan.actions[index];
  if (ctx.final || !action) return finalAnswer(plan, ctx, lead);
  const thought = say(ctx, [...lead, actionThought(action, plan, ctx)]);
  return { kind: 'tool', thought, call: toCall(action, plan, ctx) };
}
