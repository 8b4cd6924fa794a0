/*
 * The scout's coarse-to-fine policy. It keeps no state between turns: each turn it re-derives the
 * same plan from the question, the overview and the budget the run started with, and reads what
 * earlier steps returned from the turn context. So the same case and question always give the same
 * calls and the same answer, and a backend object can serve any number of runs at once.
 */

import type { TrackName } from '../../../contract/schemas.js';
import type { FrameRef, FrameSignals, Observation, TurnContext } from '../../engine/types.js';
import type { AnswerDraft, BackendStep, EvidenceDraft, RawToolCall } from '../../types.js';
import { questionScope, scopeAdverbial, withoutScope, type QuestionScope } from '../../question-scope.js';
import { sortedQuantile } from '../../../signals/stats.js';
import { coverageOf, describe, medianOf, type Candidate, type RunThresholds } from './candidates.js';
import { cutStretches, distinctStretches, labelCase, settledAway, type CaseLabels, type LabelTracks } from './case-labels.js';
import { GENERIC_NEED, parseIntent, type EventIntent, type EventKind } from './intent.js';
import { fitPulse, fitStep, idleEdges, type Sample } from './refine.js';
import { similarMomentsTurn } from './similar-moments.js';
import { OVERTURN_FRAMES, OVERTURN_SCORE, roomObjects, seesRoom } from './room-detections.js';
import { delayOrigin, earlierOf, relationScope } from './relate.js';
import { anchorProbes, probesTaken, withConfirmed } from './anchor-probes.js';
import {
  answerText, clock, declineText, evidenceFor, noIndexText, notIndexedInScopeText, notSeenText, span, trackOnlyFinding, WORDS, type Finding,
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

/**
 * A window the answer may be about. A doubtful one is a stretch the tracks gave to a look-alike
 * event (smoke for a grey room, a room for smoke): only what the frames show can make it this one.
 */
interface Target extends Candidate {
  doubtful: boolean;
  /** Why the tracks gave a doubtful window to the other event. */
  why?: string;
  /** Found between two cuts, not on a track: one frame in its middle tells what it is. */
  probe?: boolean;
  /** What places the edges on the crops' frames when it is not the event's own track. */
  edgeSignal?: { track: keyof Omit<FrameSignals, 'time'>; threshold: number; rising: boolean };
}

interface Plan {
  intent: EventIntent;
  /** The case's labelling over all of it: what else each second is (case-labels.ts). */
  labels: CaseLabels;
  /** The thresholds of the asked event, for saying what was checked. */
  thresholds: RunThresholds;
  /** The event's track over the whole case (its usual level is read from all of it). */
  series: readonly number[];
  bounds: Bounds;
  scope: QuestionScope | null;
  /** Every candidate inside the bounds (cut at them), in time order. */
  candidates: Target[];
  /** The ones the answer is about, best first. */
  targets: Target[];
  actions: Action[];
}

function answerStep(thought: string, answer: AnswerDraft): BackendStep {
  return { kind: 'answer', thought, answer };
}

function pickTargets(intent: EventIntent, candidates: Target[]): Target[] {
  if (candidates.length === 0) return [];
  // A doubtful one may be left out once its frames are seen: the next sure one stands behind it.
  const upTo = (ordered: Target[]): Target[] => {
    const sure = ordered.findIndex((c) => !c.doubtful);
    return ordered.slice(0, sure < 0 ? ordered.length : sure + 1);
  };
  if (intent.occurrence === 'first') return upTo(candidates);
  if (intent.occurrence === 'last') return upTo([...candidates].reverse());
  // Sure ones first, strongest first; on a tie the earlier one, so the order never depends on sort stability.
  const ranked = [...candidates].sort((a, b) => Number(a.doubtful) - Number(b.doubtful) || b.strength - a.strength || a.start - b.start);
  return intent.occurrence === 'best' ? upTo(ranked) : ranked;
}

function cropsFor(kind: EventKind, c: Target, target: number, bounds: Bounds, o: ScoutOptions): Action[] {
  // Crops stay inside the scope: what lies outside it does not answer the question.
  const fit = (start: number, end: number, edges: Edge[], frames: number): Action[] => {
    const s = Math.max(bounds.start, start);
    const e = Math.min(bounds.end, end);
    return e - s >= 1 ? [{ kind: 'crop', target, edges, start: s, end: e, frames }] : [];
  };
  // A stretch between cuts is told by one frame first (allocate gives it its key frame).
  if (c.probe) return [];
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
function allocate(kind: EventKind, targets: Target[], bounds: Bounds, o: ScoutOptions, calls: number, frames: number): Action[] {
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
    if (i === 0 || c.probe) tryAdd([{ kind: 'frame', target: i }]);
  });
  for (let i = 1; i < targets.length; i++) if (!targets[i]!.probe) tryAdd([{ kind: 'frame', target: i }]);
  return out;
}

/**
 * The edge crops of stretches between cuts whose frame showed a room. They come after every other
 * call, so the calls already made keep their places when the plan is derived again.
 */
function probeEdges(kind: EventKind, targets: Target[], actions: Action[], ctx: TurnContext, bounds: Bounds, o: ScoutOptions, calls: number, frames: number): Action[] {
  let usedCalls = actions.length;
  let usedFrames = actions.reduce((n, a) => n + (a.kind === 'crop' ? a.frames : 1), 0);
  const out: Action[] = [];
  targets.forEach((t, i) => {
    if (!t.probe) return;
    const at = actions.findIndex((a) => a.kind === 'frame' && a.target === i);
    const obs = at >= 0 ? ctx.steps[at]?.observation : undefined;
    if (obs?.kind !== 'frame' || !seesRoom(obs.frame)) return;
    const crops = cropsFor(kind, { ...t, probe: false }, i, bounds, o);
    const need = crops.reduce((n, a) => n + (a.kind === 'crop' ? a.frames : 1), 0);
    if (usedCalls + crops.length > calls - 1 || usedFrames + need > frames - 1) return;
    out.push(...crops);
    usedCalls += crops.length;
    usedFrames += need;
  });
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

function boundsOf(s: QuestionScope | null, duration: number): Bounds {
  if (!s) return { start: 0, end: duration, cutStart: false, cutEnd: false };
  return { start: s.start, end: s.end, cutStart: s.start > 0, cutEnd: s.end < duration };
}

/** The seconds of `values` that overlap the bounds; the others read as unmeasured. */
function within(values: readonly number[] | undefined, b: Bounds): number[] | undefined {
  return values?.map((v, i) => (i + 1 > b.start && i < b.end ? v : -1));
}

/** The seconds of `values` that overlap the bounds, alone. */
function sliceOf(values: readonly number[], b: Bounds): readonly number[] {
  return values.slice(Math.max(0, Math.floor(b.start)), Math.max(0, Math.ceil(b.end)));
}

/** The case's labelling read only inside the bounds, as if the rest were not measured. */
function labelsWithin(tracks: LabelTracks, b: Bounds, o: ScoutOptions): CaseLabels {
  const cut: LabelTracks = {
    outOfBody: within(tracks.outOfBody, b),
    haze: within(tracks.haze, b),
    blood: within(tracks.blood, b),
    motion: within(tracks.motion, b),
    brightness: within(tracks.brightness, b),
    sceneChange: within(tracks.sceneChange, b),
  };
  return labelCase(cut, o.thresholds);
}

/**
 * The event's windows on the case's labelling, cut at the bounds: the sure ones and, for the
 * camera outside, the stretches the tracks gave to smoke (the frames' detections may show a room
 * there); for the others the stretches given to the camera outside only when nothing sure is left.
 */
function candidatesOf(kind: EventKind, series: readonly number[], tracks: LabelTracks, labels: CaseLabels, bounds: Bounds): Target[] {
  const clip = (c: Candidate): Candidate | null => {
    const start = Math.max(c.start, bounds.start);
    const end = Math.min(c.end, bounds.end);
    return end > start ? { ...c, start, end } : null;
  };
  const sure: Target[] = labels.episodes[kind].flatMap((c) => {
    const cut = clip(c);
    return cut ? [{ ...cut, doubtful: false }] : [];
  });
  if (sure.length > 0 && kind !== 'outOfBody') return sure;
  const values = kind === 'idle' ? series.map((m) => (m >= 0 ? 1 - m : -1)) : series;
  const doubtful: Target[] = settledAway(labels, kind).flatMap((w) => {
    const cut = clip(describe(values, { start: Math.floor(w.start), end: Math.ceil(w.end) }));
    return cut ? [{ ...cut, doubtful: true, why: w.why }] : [];
  });
  const drifts: Target[] =
    kind === 'outOfBody'
      ? labels.uncut.flatMap((c) => {
          const cut = clip(c);
          const why = 'its colours read as outside, but the picture changes at neither edge, as it does when the camera leaves the patient';
          return cut ? [{ ...cut, doubtful: true, why }] : [];
        })
      : [];
  // With no out-of-body period on the tracks, the stretches between cuts are looked at.

  const probes: Target[] =
    kind === 'outOfBody' && sure.length === 0
      ? cutStretches(tracks, labels).flatMap((w) => {
          const cut = clip(describe(values, w));
          const middle = cut ? Math.floor((cut.start + cut.end) / 2) : 0;
          const edgeSignal = { track: w.track, threshold: (w.inside + w.around) / 2, rising: w.inside > w.around };
          const why = 'a cut on the way in and out, and a view unlike the one around it, though its colours do not read as outside';
          return cut ? [{ ...cut, peakAt: middle, doubtful: true, probe: true, edgeSignal, why }] : [];
        })
      : [];
  return distinctStretches([...sure, ...doubtful, ...probes, ...drifts]).sort((a, b) => a.start - b.start);
}

function makePlan(ctx: TurnContext, intent: EventIntent, series: readonly number[], o: ScoutOptions, scope: QuestionScope | null, labels: CaseLabels): Plan {
  const bounds = boundsOf(scope, ctx.duration);
  const tracks: LabelTracks = ctx.overview.series ?? {};
  const candidates = candidatesOf(intent.event, series, tracks, scope ? labelsWithin(tracks, bounds, o) : labels, bounds);
  const targets = pickTargets(intent, candidates);
  // The budget the run started with: every step so far cost one call.
  const calls = ctx.budget.toolCallsLeft + ctx.steps.length;
  const frames = ctx.budget.framesLeft + framesUsed(ctx);
  const actions = allocate(intent.event, targets, bounds, o, calls, frames);
  actions.push(...probeEdges(intent.event, targets, actions, ctx, bounds, o, calls, frames));
  return { intent, labels, thresholds: intent.event === 'idle' ? labels.idle : o.thresholds[intent.event], series, bounds, scope, candidates, targets, actions };
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
      const signal = plan.targets[target]?.edgeSignal;
      if (signal) out.push({ time: s.time, value: s[signal.track] >= 0 ? (signal.rising ? s[signal.track] : 1 - s[signal.track]) : -1 });
      else out.push({ time: s.time, value: kind === 'idle' ? s.outOfBody : s[SAMPLE[kind]] });
    }
  });
  return out;
}

/** Seconds either side of a window whose level is what the picture looks like without the event. */
const NEIGHBOURHOOD = 8;

/*
 * Bleeding spreads: a pool grows for seconds before it is what the track reads at its height, so
 * on the frames its edge is where the first blood shows, a quarter of the way from the level
 * outside up to the bleeding's. Smoke billows in within a second of the cautery and a view outside
 * the patient is there at once: halfway is their edge.
 */
const EDGE_SHARE: Record<EventKind, number> = { bleeding: 0.25, smoke: 0.5, outOfBody: 0.5, idle: 0.5 };
const EDGE_MIN = 0.12;
const EDGE_MAX = 0.6;

/**
 * The frame-level thresholds of a window's edges, between its level and the level just outside
 * that edge (EDGE_SHARE of the way). The level outside is the lower quartile of the seconds next
 * to the edge, not the case's median: where events fill much of a short case its median is an
 * event's level, and a neighbour event may take part of the seconds next to this one.
 */
function edgeThresholds(plan: Plan, c: Target): { start: number; end: number } {
  const inside = medianOf(plan.series, c.start, c.end) ?? c.mean;
  const near = (from: number, to: number) => {
    const v: number[] = [];
    for (let i = Math.max(0, Math.floor(from)); i < Math.min(plan.series.length, Math.ceil(to)); i++) if (plan.series[i]! >= 0) v.push(plan.series[i]!);
    return v.length > 0 ? sortedQuantile(v.sort((a, b) => a - b), 0.25) : 0;
  };
  const share = EDGE_SHARE[plan.intent.event];
  const at = (outside: number) => Math.min(EDGE_MAX, Math.max(EDGE_MIN, outside + share * (inside - outside)));
  return { start: at(near(c.start - NEIGHBOURHOOD, c.start)), end: at(near(c.end, c.end + NEIGHBOURHOOD)) };
}

function refineEvent(plan: Plan, ctx: TurnContext, target: number): Finding {
  const c = plan.targets[target]!;
  const signal = c.edgeSignal;
  const level = signal ? (signal.rising ? signal.threshold : 1 - signal.threshold) : null;
  const edges = level !== null ? { start: level, end: level } : edgeThresholds(plan, c);
  const threshold = (edges.start + edges.end) / 2;
  const both = plan.actions.some((a) => a.kind === 'crop' && a.target === target && a.edges.length === 2);
  let startFit: number | null;
  let endFit: number | null;
  if (both) {
    const pulse = fitPulse(samplesFor(plan, ctx, target, 'start'), threshold, c);
    startFit = pulse?.start ?? null;
    endFit = pulse?.end ?? null;
  } else {
    startFit = fitStep(samplesFor(plan, ctx, target, 'start'), edges.start, true, c.start)?.time ?? null;
    endFit = fitStep(samplesFor(plan, ctx, target, 'end'), edges.end, false, c.end)?.time ?? null;
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
function edgeNotes(plan: Plan, findings: readonly Finding[]): string[] {
  if (!plan.scope) return [];
  const { start: lo, end: hi } = plan.bounds;
  const whole = plan.labels.episodes[plan.intent.event];
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

interface Verdict {
  keep: boolean;
  /** What the frames showed, for the answer; null when they were not checked. */
  note: string | null;
  /** The vision model ran on none of this window's frames. */
  unchecked: boolean;
}

/** The frames looked at for one target, with what the vision model found on each (when it ran). */
function framesLooked(plan: Plan, ctx: TurnContext, target: number): FrameRef[] {
  const out: FrameRef[] = [];
  plan.actions.forEach((a, i) => {
    const obs = ctx.steps[i]?.observation;
    if (a.target !== target || !obs) return;
    if (obs.kind === 'crop') out.push(...obs.frames);
    else if (obs.kind === 'frame') out.push(obs.frame);
  });
  return out;
}

function verdictOf(plan: Plan, ctx: TurnContext, target: number, f: Finding): Verdict {
  const frames = framesLooked(plan, ctx, target).filter((x) => x.time >= f.start - 0.05 && x.time <= f.end + 0.05);
  const checked = frames.filter((x) => x.detections !== undefined);
  const t = plan.targets[target];
  const doubtful = t?.doubtful === true;
  const at = `${clock(f.start)}–${clock(f.end)}`;
  const guess = t?.why ? ` (${t.why})` : '';
  if (checked.length === 0) {
    // A stretch the tracks gave to a look-alike is only used when the frames say so.
    if (t?.probe) {
      return { keep: false, note: `The stretch at ${at}, between two cuts, may be a view outside the patient; without the vision model's detections on its frame it is left out.`, unchecked: true };
    }
    if (doubtful) {
      return { keep: false, note: `The tracks alone do not settle the stretch at ${at}${guess}; without the vision model's detections on its frames it is left out.`, unchecked: true };
    }
    return { keep: true, note: null, unchecked: frames.length > 0 || plan.intent.event === 'outOfBody' };
  }
  const room = checked.map((x) => roomObjects(x));
  // What overturns the tracks must be surer than what merely agrees with them.
  const sure = room.map((r) => r.filter((d) => d.score >= OVERTURN_SCORE));
  const counted = doubtful ? sure : room;
  const showing = counted.filter((r) => r.length > 0).length;
  const best = counted.flat().sort((a, b) => b.score - a.score)[0];
  const what = best ? `${best.label} ${best.score.toFixed(2)}` : '';
  if (plan.intent.event === 'outOfBody') {
    if (showing > 0) return { keep: true, note: `The vision model sees the room on ${showing} of ${checked.length} frames at ${at} (${what}).`, unchecked: false };
    // Seeing nothing of a room is not proof of being inside: a scope pointed at the drapes, the
    // ceiling lights or a port shows no people either. It settles only what the tracks left open.
    if (t?.probe) return { keep: false, note: null, unchecked: false };
    return doubtful
      ? { keep: false, note: `The stretch at ${at} is left out: the vision model finds no people, furniture or screens on any of its ${checked.length} frames, and the tracks alone do not settle it${guess}.`, unchecked: false }
      : { keep: true, note: `The vision model finds no people, furniture or screens at ${at}; the tracks say the camera was outside all the same (a view of drapes, lights or a port shows none).`, unchecked: false };
  }
  // Smoke, bleeding and pauses happen inside: frames of a room say the camera was out.
  const sureShowing = sure.filter((r) => r.length > 0).length;
  // Generated tissue has been called a person at 0.61 on a frame or two: it takes a room on at
  // least OVERTURN_FRAMES frames, and on most of those looked at.
  if (sureShowing >= OVERTURN_FRAMES && sureShowing * 2 > checked.length) {
    const top = sure.flat().sort((a, b) => b.score - a.score)[0]!;
    return { keep: false, note: `The stretch at ${at} is left out: the vision model sees a room on ${sureShowing} of ${checked.length} frames (${top.label} ${top.score.toFixed(2)}), so the camera was outside the patient.`, unchecked: false };
  }
  return doubtful
    ? { keep: true, note: `The stretch at ${at} may be a view outside the patient rather than ${WORDS[plan.intent.event].episode}: the tracks read it so${guess}, and the vision model finds no room on its frames.`, unchecked: false }
    : { keep: true, note: null, unchecked: false };
}

function finalAnswer(plan: Plan, ctx: TurnContext, lead: string[], framing: Framing): BackendStep {
  const refined = plan.targets.map((_, i) => refine(plan, ctx, i));
  const verdicts = refined.map((f, i) => verdictOf(plan, ctx, i, f));
  const kept = refined.filter((_, i) => verdicts[i]!.keep);
  // One occurrence was asked for: the first that held up.
  const findings = plan.intent.occurrence === 'all' ? kept : kept.slice(0, 1);
  const seen = verdicts.flatMap((v) => (v.note ? [v.note] : []));
  if (plan.intent.event === 'outOfBody' && verdicts.some((v) => v.unchecked)) {
    seen.push('The vision model did not run on the frames looked at (it is not available), so where the camera was is decided from the tracks alone.');
  }
  if (findings.length === 0) {
    const thought = say(ctx, [...lead, 'The frames contradict the tracks; answering that nothing is there.']);
    return answerStep(thought, { text: [notSeenText(plan.intent.event, plan.thresholds, plan.scope, plan.labels.usualMotion), ...seen].join(' '), evidence: [] });
  }
  const evidence = findings.map((f) => evidenceFor(plan.intent.event, f));
  const notes: string[] = [...seen, ...edgeNotes(plan, findings)];
  if (verdicts.some((v) => v.unchecked)) lead.push('The frames carry no detections (the vision model is not available), so I decide from the tracks alone.');
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
  const first = findings[0];
  const leadText = first ? framing.lead(first) : [];
  // Doubtful stretches count once their frames made them this event.
  const keptDoubtful = plan.targets.filter((t, i) => t.doubtful && verdicts[i]!.keep).length;
  const total = plan.candidates.filter((c) => !c.doubtful).length + keptDoubtful;
  const text = [...leadText, answerText(plan.intent, findings, total, plan.scope), ...framing.notes, ...notes].join(' ');
  const thought = say(ctx, [...lead, ctx.final ? 'The budget is spent; answering with what I have.' : 'Answering.']);
  return answerStep(thought, { text, evidence: [...evidence, ...framing.evidence] });
}

/**
 * What a relation adds around the answer: sentences before it (which event came first, how long
 * after), notes after it (a relation that could not be placed), and the anchor's window as
 * further evidence.
 */
interface Framing {
  lead: (first: Finding) => string[];
  notes: string[];
  evidence: EvidenceDraft[];
}

const NO_FRAMING: Framing = { lead: () => [], notes: [], evidence: [] };

interface Framed {
  intent: EventIntent;
  scope: QuestionScope | null;
  framing: Framing;
}

function intersect(a: QuestionScope | null, b: QuestionScope): QuestionScope | null {
  if (!a) return b;
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  if (!(end > start)) return null;
  return { start, end, said: `${b.said}, within ${a.said}`, phrase: b.phrase };
}

/** Turns a relation into the scope and words the scout answers with, on the case's labelling. */
function frame(intent: EventIntent, ctx: TurnContext, labels: CaseLabels): Framed {
  const r = intent.relation;
  if (!r) return { intent, scope: ctx.scope, framing: NO_FRAMING };
  const plain: EventIntent = { ...intent, relation: null };
  const unplaced = (what: string, why: string): Framed => ({
    intent: plain,
    scope: ctx.scope,
    framing: { ...NO_FRAMING, notes: [`The scout cannot place "${what}": ${why}, so this is from ${ctx.scope ? 'the time asked about' : 'the whole case'}.`] },
  });
  if (r.kind === 'order') {
    const order = earlierOf(r.events, labels);
    const [a, b] = r.events.map((k) => WORDS[k].episode);
    if (!order) return unplaced(`which came first, ${a} or ${b}`, `neither was found in the case`);
    const other = WORDS[order.other];
    return {
      intent: { ...plain, event: order.first, occurrence: 'first', ask: 'start' },
      scope: ctx.scope,
      framing: {
        ...NO_FRAMING,
        lead: (f) => [
          order.otherStart === null
            ? `The ${WORDS[order.first].episode} comes first: no ${other.episode} was found in the case.`
            : `The ${WORDS[order.first].episode} comes first (from ${clock(f.start)}); the first ${other.episode} begins at ${clock(order.otherStart)}.`,
        ],
      },
    };
  }
  if (r.kind === 'delay') {
    const origin = delayOrigin(r, labels);
    if (!origin.ok) return unplaced(r.anchor.words, origin.why);
    const { time, anchor, edge } = origin.value;
    const since = edge === 'end' ? `${anchor.name} ended` : `${anchor.name} began`;
    const scope: QuestionScope =
      r.direction === 'after'
        ? { start: time, end: ctx.duration, said: `after ${since} (${clock(time)})`, phrase: r.anchor.words }
        : { start: 0, end: time, said: `before ${since} (${clock(time)})`, phrase: r.anchor.words };
    const within = intersect(ctx.scope, scope);
    if (!within) return unplaced(r.anchor.words, 'it lies outside the time asked about');
    const anchorEvidence = evidenceFor(anchor.event, trackOnlyFinding(anchor.start, anchor.end));
    return {
      intent: { ...plain, occurrence: r.direction === 'after' ? 'first' : 'last' },
      scope: within,
      framing: {
        lead: (f) => {
          const gap = Math.abs(r.direction === 'after' ? f.start - time : time - f.start);
          return [`The ${WORDS[plain.event].episode} starts ${span(gap)} ${r.direction === 'after' ? 'after' : 'before'} ${since} (${clock(time)}).`];
        },
        notes: [`${capitalised(anchor.name)} is from ${clock(anchor.start)} to ${clock(anchor.end)}.`],
        evidence: [anchorEvidence],
      },
    };
  }
  const placed = relationScope(r, labels, ctx.duration);
  const words = r.kind === 'between' ? `between ${r.from.words}` : `${r.kind} ${r.anchor.words}`;
  if (!placed.ok) return unplaced(words, placed.why);
  const within = intersect(ctx.scope, placed.value);
  if (!within) return unplaced(words, 'it lies outside the time asked about');
  return { intent: plain, scope: within, framing: NO_FRAMING };
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One turn of the scout. */
export function decide(ctx: TurnContext, o: ScoutOptions): BackendStep {
  // "When else does this happen?", "other moments like 12:30": answered from the picture index.
  const similar = similarMomentsTurn(ctx);
  if (similar) return similar;
  // The words that set the time scope are not read for the event: "after the second bookmark" is
  // not a landmark like "after clipping", and "in the last 5 minutes" not the last occurrence.
  const scopeCase = { duration: ctx.duration, bookmarks: ctx.bookmarks };
  const asked = parseIntent(
    withoutScope(ctx.question, ctx.scope),
    ctx.history.map((h) => withoutScope(h.question, questionScope(h.question, scopeCase))),
  );
  if (asked.kind === 'decline') {
    const why =
      asked.needs === GENERIC_NEED
        ? 'The question names none of the events the index tracks show (bleeding, smoke, out-of-body, pauses).'
        : `This question needs seeing ${asked.needs}, which the index tracks do not show.`;
    const thought = say(ctx, [why]);
    return answerStep(thought, { text: declineText(asked.needs), evidence: [] });
  }
  const tracks: LabelTracks = ctx.overview.series ?? {};
  const labels = labelCase(tracks, o.thresholds);
  // A relation placed by a view only the frames can find looks at those frames first.
  const probes = anchorProbes(asked.relation, tracks, labels);
  const probed = probesTaken(probes, ctx.steps);
  const next = probed === ctx.steps.length ? probes[probed] : undefined;
  if (next && !ctx.final && ctx.budget.toolCallsLeft > 1 && ctx.budget.framesLeft > 1) {
    const lead = probed === 0 ? [`The tracks show no out-of-body period, which the question is placed by; ${probes.length === 1 ? 'one stretch' : `${probes.length} stretches`} between cuts may be one.`] : [];
    const thought = say(ctx, [...lead, `Looking at a frame of the stretch at ${clock(next.start)}–${clock(next.end)}.`]);
    return { kind: 'tool', thought, call: { name: 'get_frame', arguments: { time: next.time } } };
  }
  const confirmed = withConfirmed(labels, probes.slice(0, probed), ctx.steps, tracks.outOfBody);
  // The plan below counts its calls from the first step after the probes.
  ctx = { ...ctx, steps: ctx.steps.slice(probed) };
  const framed = frame(asked, ctx, confirmed.labels);
  const { intent, scope } = framed;
  const framing = confirmed.notes.length > 0 ? { ...framed.framing, notes: [...confirmed.notes, ...framed.framing.notes] } : framed.framing;
  const trackName = TRACK[intent.event];
  const series = ctx.overview.series?.[trackName];
  if (!series || coverageOf(series) === 0) {
    const thought = say(ctx, [`There is no ${WORDS[intent.event].track} to read yet.`]);
    return answerStep(thought, { text: noIndexText(WORDS[intent.event].track), evidence: [] });
  }
  const looking = scope ? `Reading the tracks only ${scopeAdverbial(scope)}.` : '';
  if (scope && coverageOf(sliceOf(series, boundsOf(scope, ctx.duration))) === 0) {
    const thought = say(ctx, [looking, `The ${WORDS[intent.event].track} has no data there yet.`]);
    return answerStep(thought, { text: notIndexedInScopeText(WORDS[intent.event].track, scope), evidence: [] });
  }
  const plan = makePlan(ctx, intent, series, o, scope, labels);
  if (plan.targets.length === 0) {
    const where = scope ? ` ${scopeAdverbial(scope)}` : '';
    const thought = say(ctx, [looking, `The ${WORDS[intent.event].track} shows no ${WORDS[intent.event].episode}${where}.`]);
    const text = [notSeenText(intent.event, intent.event === 'idle' ? labels.idle : o.thresholds[intent.event], scope, labels.usualMotion), ...framing.notes].join(' ');
    return answerStep(thought, { text, evidence: [] });
  }
  const index = ctx.steps.length;
  const lead = index === 0 ? [looking, overviewThought(plan)] : [resultThought(plan, ctx, index - 1)];
  const action = plan.actions[index];
  if (ctx.final || !action) return finalAnswer(plan, ctx, lead, framing);
  const thought = say(ctx, [...lead, actionThought(action, plan, ctx)]);
  return { kind: 'tool', thought, call: toCall(action, plan, ctx) };
}
