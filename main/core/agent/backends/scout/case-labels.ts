/*
 * One labelling of the case: every second belongs to at most one event, so a window of one event
 * never answers a question about another.
 *
 * Why candidates per track, then exclusion rules, rather than one joint state model decoded over
 * the tracks: the per-track candidate search (candidates.ts, with its hysteresis thresholds) is
 * what holds on the project's own recordings, and a hidden Markov model over the same tracks lost
 * pauses and out-of-body views there because its per-second evidence had to trade every track
 * against every other. The tracks only disagree in a few known ways, each with a physical reason,
 * and each is settled here by the cue that tells those two events apart:
 *
 * - the camera outside the patient: nothing seen then is inside it. Skin, lights and furniture
 *   read red on the blood track and a table or a parked scope is still, so out-of-body seconds are
 *   neither bleeding nor a pause;
 * - smoke and a grey room both read as "not tissue", colourless and hazy. Smoke is an additive
 *   veil of bright airlight over the same scene, so it makes the view among the brightest of the
 *   case; a room is lit as it is. The tracks decide by that, and say it is their guess: the frames
 *   the scout looks at (the pretrained detector's people, furniture and screens) can overturn it;
 * - smoke hides motion (the veil flattens the picture the motion track compares), so seconds of
 *   smoke are not a pause;
 * - leaving the patient changes the whole picture at once (a cut on the scene-change track); an
 *   out-of-body reading that begins and ends with no change of scene is a colour drift until the
 *   frames show a room;
 * - a pause stands out against the case's usual motion. A recording that moves little throughout
 *   (a steady camera on slow work) has no still stretch that stands out: on the motion track,
 *   whose scale runs from the case's stillest to its busiest moments, its ordinary slow seconds
 *   would read as pauses. There only a frozen picture is one;
 * - a view outside the patient is often the haziest or reddest thing in a case (a grey room, skin),
 *   and the display scale puts the case's top at 1: smoke and blood inside are then squeezed under
 *   their thresholds. So their levels are read again against the top of the seconds inside.
 *
 * Baselines are the case's own: the display tracks put each track's usual level at 0 and its top
 * at 1 for this recording (display.ts), which is what carries across tissue colour, lighting,
 * console text, black borders and round fields (the index measures inside the field-of-view mask).
 */

import { eventCandidates, idleCandidates, medianOf, withOnsets, type Candidate, type RunThresholds } from './candidates.js';
import { sortedQuantile } from '../../../signals/stats.js';
import type { EventKind } from './intent.js';

/** The display tracks the labelling reads (0..1; -1, NaN or missing where nothing was measured). */
export interface LabelTracks {
  outOfBody?: readonly number[] | undefined;
  haze?: readonly number[] | undefined;
  blood?: readonly number[] | undefined;
  motion?: readonly number[] | undefined;
  brightness?: readonly number[] | undefined;
  /** Histogram jumps between keyframes: a cut, where the camera leaves or enters the patient. */
  sceneChange?: readonly number[] | undefined;
}

/** A window the tracks gave to one event although another reads there too. */
export interface Settled {
  start: number;
  end: number;
  /** The event the window was given to... */
  to: EventKind;
  /** ...and the one it was taken from. */
  from: EventKind;
  /** In words, for the answer: why the tracks chose `to`. */
  why: string;
}

export interface CaseLabels {
  /** Each event's windows, in time order; no second is in two events' windows. */
  episodes: Record<EventKind, Candidate[]>;
  /** What a pause had to be in this case: the given thresholds, or only a frozen picture (see quietCase). */
  idle: RunThresholds;
  /** The usual motion inside the patient (display level, its 60th percentile); null when not measured. */
  usualMotion: number | null;
  /** Windows both smoke and out-of-body read in, and whom the tracks gave them to. */
  settled: Settled[];
  /**
   * Windows the out-of-body track reads as outside although the picture changes at neither edge:
   * leaving the patient changes the whole view at once, a colour drift (a cool light, the white
   * balance) does not. Only the frames (the detector's room) can make them outside.
   */
  uncut: Candidate[];
}

/** A second reads as outside the patient from this display level (the out-of-body candidates' run level). */
const OUTSIDE_LEVEL = 0.5;
/** Windows overlapping by this share of the shorter one are one stretch read by two tracks. */
const SAME_STRETCH = 0.5;
/** A veil: among the brightest seconds of the case and hazy (display levels). */
const VEIL_BRIGHTNESS = 0.85;
const VEIL_HAZE = 0.8;
/** The share of inside seconds whose level is the inside top; below MIN_TOP there is no event to stretch. */
const TOP_QUANTILE = 0.995;
const MIN_TOP = 0.35;
/** The outside view must stand this far above the inside top to have squeezed the scale. */
const SQUEEZE = 0.2;
/** Usual inside motion (60th percentile: pauses may fill part of a short case) below which the case is quiet... */
const QUIET_MOTION = 0.4;
/** ...and then only motion at or below this is a pause. */
const FROZEN = 0.03;

function has(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v) && v >= 0;
}

function quantileOf(values: number[], q: number): number | null {
  return values.length === 0 ? null : sortedQuantile([...values].sort((a, b) => a - b), q);
}

function overlap(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

function sameStretch(a: Candidate, b: Candidate): boolean {
  return overlap(a, b) >= SAME_STRETCH * Math.min(a.end - a.start, b.end - b.start);
}

function inWindows(windows: readonly Candidate[]): (i: number) => boolean {
  return (i) => windows.some((w) => i >= w.start && i < w.end);
}

/**
 * An event track read against the seconds inside the patient: the display scale's 1 may be a view
 * outside (the haziest or reddest of the case), which squeezes what happens inside. Outside seconds
 * read 0; when the outside view stood well above the inside top, the others are stretched so that
 * the top inside reads 1. Stretching only raises values, so every window found on the display
 * scale is still found.
 */
function insideLevels(values: readonly number[], outside: (i: number) => boolean): number[] {
  const inside: number[] = [];
  let topOutside = 0;
  values.forEach((v, i) => {
    if (!has(v)) return;
    if (outside(i)) topOutside = Math.max(topOutside, v);
    else inside.push(v);
  });
  const top = quantileOf(inside, TOP_QUANTILE) ?? 0;
  // Only a scale the outside view squeezed is stretched: a quiet track's own top is no event.
  const squeezed = top >= MIN_TOP && topOutside >= top + SQUEEZE;
  const scale = squeezed ? 1 / top : 1;
  return values.map((v, i) => (!has(v) ? v : outside(i) ? 0 : Math.min(1, v * scale)));
}

/** Whether the stretch looks like a veil of smoke rather than a room, on the tracks alone. */
function veiled(tracks: LabelTracks, start: number, end: number): { veil: boolean; why: string } {
  const bright = tracks.brightness ? medianOf(tracks.brightness, start, end) : null;
  const haze = tracks.haze ? medianOf(tracks.haze, start, end) : null;
  if (bright === null || haze === null) return { veil: false, why: 'the brightness of the view was not measured there' };
  const veil = bright >= VEIL_BRIGHTNESS && haze >= VEIL_HAZE;
  const level = `brightness ${bright.toFixed(2)}, haze ${haze.toFixed(2)} on this case's scale`;
  return {
    veil,
    why: veil
      ? `the view is hazy and among the brightest of the case (${level}), as a veil of smoke makes it`
      : `the view is not tissue and not brightened as smoke brightens it (${level}), as a view outside the patient is`,
  };
}

/** Labels the case; see the module comment for the rules. */
export function labelCase(tracks: LabelTracks, thresholds: Readonly<Record<EventKind, RunThresholds>>): CaseLabels {
  const out = tracks.outOfBody;
  const outside = (i: number) => has(out?.[i]) && out[i]! >= OUTSIDE_LEVEL;
  const outCandidates = out ? eventCandidates(out, thresholds.outOfBody) : [];
  const smokeCandidates = tracks.haze ? eventCandidates(tracks.haze, thresholds.smoke) : [];

  const settled: Settled[] = [];
  const smoke: Candidate[] = [];
  const taken = new Set<Candidate>();
  for (const s of smokeCandidates) {
    const rival = outCandidates.find((o) => sameStretch(o, s));
    if (!rival) {
      smoke.push(s);
      continue;
    }
    const start = Math.min(s.start, rival.start);
    const end = Math.max(s.end, rival.end);
    const { veil, why } = veiled(tracks, start, end);
    if (veil) {
      smoke.push(s);
      taken.add(rival);
      settled.push({ start: s.start, end: s.end, to: 'smoke', from: 'outOfBody', why });
    } else settled.push({ start: rival.start, end: rival.end, to: 'outOfBody', from: 'smoke', why });
  }
  const kept = outCandidates.filter((o) => !taken.has(o));
  const uncut = tracks.sceneChange ? kept.filter((o) => !cutAtAnEdge(tracks.sceneChange!, o)) : [];
  const outOfBody = kept.filter((o) => !uncut.includes(o));
  const drift = inWindows(uncut);

  const veils = inWindows(smoke);
  const isOutside = (i: number) => outside(i) && !veils(i) && !drift(i);
  // Read against the inside only, smoke may show more (fainter) windows than the display scale did.
  const allSmoke = tracks.haze ? eventCandidates(insideLevels(tracks.haze, isOutside), thresholds.smoke) : [];
  const isSmoke = inWindows(allSmoke);
  // Blood is left out only over what is labelled outside: a dark pool of blood can itself lose the
  // warm colours the out-of-body track counts, for a second or two. A bleeding began where its
  // climb left the quiet level (withOnsets).
  const insideBlood = tracks.blood ? insideLevels(tracks.blood, inWindows(outOfBody)) : null;
  const bleeding = insideBlood ? withOnsets(insideBlood, eventCandidates(insideBlood, thresholds.bleeding)) : [];
  const elsewhere = (i: number) => isOutside(i) || isSmoke(i);
  const usualMotion = tracks.motion ? quantileOf(tracks.motion.filter((v, i) => has(v) && !elsewhere(i)), 0.6) : null;
  const idleThresholds = usualMotion !== null && usualMotion < QUIET_MOTION ? { ...thresholds.idle, high: 1 - FROZEN, low: 1 - 2 * FROZEN } : thresholds.idle;
  const idle = tracks.motion ? idleCandidates(tracks.motion, elsewhere, idleThresholds) : [];
  return { episodes: { bleeding, smoke: allSmoke, outOfBody, idle }, idle: idleThresholds, usualMotion, settled, uncut };
}

/** A cut: the picture changes at once (display level of the scene-change track). */
const CUT_LEVEL = 0.5;
/** A change of scene at an edge of an out-of-body window: lower than a cut (1 fps keyframes blur it), within EDGE_REACH s. */
const EDGE_CHANGE = 0.25;
const EDGE_REACH = 2;

/** Whether the picture changes at once at an edge of the window that lies inside the case. */
function cutAtAnEdge(sc: readonly number[], w: { start: number; end: number }): boolean {
  const near = (t: number) => {
    for (let i = Math.max(0, t - EDGE_REACH); i <= Math.min(sc.length - 1, t + EDGE_REACH); i++) if (has(sc[i]) && sc[i]! >= EDGE_CHANGE) return true;
    return false;
  };
  const inner = [w.start > EDGE_REACH ? w.start : null, w.end < sc.length - EDGE_REACH ? w.end : null].filter((t): t is number => t !== null);
  // A window that spans the whole case has no edge to judge by.
  return inner.length === 0 || inner.some(near);
}
/** A withdrawal lasts from seconds (a lens wipe) to minutes (a port change). */
const STRETCH_MIN = 2;
const STRETCH_MAX = 600;
/** How far the tracks must move across both cuts (summed over four tracks) to be a different view. */
const UNLIKE = 0.3;
const AROUND = 5;
const MAX_STRETCHES = 3;

/** A stretch between two cuts that looks unlike the seconds around it. */
export interface CutStretch {
  start: number;
  end: number;
  /** How unlike its surroundings it looks (summed track differences), for ranking. */
  unlike: number;
  /** The track that moves most across the cuts, and its level inside and around: what places its edges on frames. */
  track: StretchTrack;
  inside: number;
  around: number;
}

export type StretchTrack = 'brightness' | 'blood' | 'haze' | 'outOfBody';

/**
 * Where the camera may have left the patient although the colours do not say so: a warm room, a
 * photograph of people, a drape lit orange read as tissue on the out-of-body track. Leaving and
 * coming back are cuts, and the view between them is unlike the one before and after. Only the
 * frames can tell (the detector's people, furniture and screens), so these are what the scout
 * looks at when the tracks find no out-of-body period, best first.
 */
export function cutStretches(tracks: LabelTracks, labels: CaseLabels): CutStretch[] {
  const sc = tracks.sceneChange;
  if (!sc) return [];
  const cuts: number[] = [];
  sc.forEach((v, i) => {
    if (has(v) && v >= CUT_LEVEL) cuts.push(i);
  });
  const known = [...labels.episodes.outOfBody, ...labels.settled];
  const out: CutStretch[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const start = cuts[k]!;
    const end = cuts[k + 1]!;
    if (end - start < STRETCH_MIN || end - start > STRETCH_MAX) continue;
    if (known.some((w) => overlap(w, { start, end }) >= SAME_STRETCH * (end - start))) continue;
    let unlike = 0;
    let most: { track: StretchTrack; d: number; inside: number; around: number } | null = null;
    for (const track of ['brightness', 'blood', 'haze', 'outOfBody'] as const) {
      const values = tracks[track];
      if (!values) continue;
      const inside = medianOf(values, start + 1, end);
      const before = medianOf(values, start - AROUND, start);
      const after = medianOf(values, end + 1, end + 1 + AROUND);
      if (inside === null || (before === null && after === null)) continue;
      // Unlike both sides: a view that changes at one cut only is a new scene inside, not a trip out.
      const d = Math.min(before === null ? Infinity : Math.abs(inside - before), after === null ? Infinity : Math.abs(inside - after));
      unlike += d;
      const around = ((before ?? after)! + (after ?? before)!) / 2;
      if (!most || d > most.d) most = { track, d, inside, around };
    }
    if (most && unlike >= UNLIKE) out.push({ start, end, unlike, track: most.track, inside: most.inside, around: most.around });
  }
  return out.sort((a, b) => b.unlike - a.unlike || a.start - b.start).slice(0, MAX_STRETCHES);
}

/**
 * The windows that are not one stretch read twice (a drift window and the cut stretch inside it):
 * each is kept unless most of it lies in one kept before it, so `windows` go best first.
 */
export function distinctStretches<T extends { start: number; end: number }>(windows: readonly T[]): T[] {
  const kept: T[] = [];
  for (const w of windows) {
    if (!kept.some((k) => overlap(k, w) >= SAME_STRETCH * Math.min(k.end - k.start, w.end - w.start))) kept.push(w);
  }
  return kept;
}

/** Windows of `kind` the tracks gave to another event, for the answer to say so. */
export function settledAway(labels: CaseLabels, kind: EventKind): Settled[] {
  return labels.settled.filter((s) => s.from === kind);
}
