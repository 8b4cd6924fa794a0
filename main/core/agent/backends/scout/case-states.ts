/*
 * One model of what the case is doing each second: the camera outside the patient, or inside it
 * with a clear view, smoke, bleeding or a pause. The scout reads every event off this one
 * labelling, so a second belongs to one event only: a grey view of the room is "outside", never
 * smoke; a still scope on the table is "outside", never a pause; and a window of one event never
 * answers a question about another.
 *
 * Why a hidden Markov model decoded with Viterbi:
 * - the per-second tracks are noisy and partly missing (keyframes only, an index still running),
 *   and an event is a stretch of seconds, not a second: a sticky chain of states turns noisy
 *   per-second evidence into whole episodes with one switching cost, where four thresholds with
 *   hysteresis each needed their own tuning and could overlap;
 * - the labels are exclusive and ordered by nature (inside first, then what happens inside),
 *   which a joint state space says directly;
 * - it needs no training data: each state's evidence is a product of a few soft "this track is
 *   high / low" terms, so it is small enough to read and test, and Viterbi is linear in the
 *   case's length (a 20-minute case is 1,200 seconds times 25 transitions).
 *
 * Baselines come from the case itself. The display tracks already place each track's usual level
 * at 0 (median plus noise) for the whole case; smoke, blood and motion are then measured again
 * against the seconds that are inside the patient only (median and an upper quantile of those),
 * because a room view is far from the abdomen's usual look on every track and would otherwise set
 * the scale. Ratios against the case's own levels are what carry across tissue colour, lighting,
 * console text, black borders and round fields: the index measures inside the field-of-view mask
 * and the scales here move with the recording.
 */

export const CASE_STATES = ['outside', 'clear', 'smoke', 'bleeding', 'pause'] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** The display-scale tracks the model reads (0..1, -1 or missing where nothing was measured). */
export interface StateTracks {
  outOfBody?: readonly number[] | undefined;
  haze?: readonly number[] | undefined;
  blood?: readonly number[] | undefined;
  motion?: readonly number[] | undefined;
  /** Histogram jumps between keyframes: a cut, where the camera leaves or enters the patient. */
  sceneChange?: readonly number[] | undefined;
  /** Exposure level: smoke's airlight brightens the view. */
  brightness?: readonly number[] | undefined;
}

/** A run of seconds [start, end) in one state. */
export interface StateSegment {
  state: CaseState;
  start: number;
  end: number;
}

export interface CaseLevels {
  /** The inside seconds' usual level and the level an event must clear, per track. */
  haze: { usual: number; threshold: number };
  blood: { usual: number; threshold: number };
  /** Usual inside motion; a pause is motion below `threshold` of it. */
  motion: { usual: number; threshold: number };
  outOfBody: { threshold: number };
  /** Usual inside brightness; smoke that reads as "not tissue" must brighten the view above `threshold`. */
  brightness: { usual: number; threshold: number };
}

export interface CaseStates {
  /** One label per second; null where no track has data. */
  labels: (CaseState | null)[];
  segments: StateSegment[];
  levels: CaseLevels;
}

export interface StateModelOptions {
  /** Cost of changing state, in natural-log units of evidence. */
  switchCost: number;
  /** Shortest episode kept, seconds, per state; shorter ones become the clear view. */
  minSeconds: Record<Exclude<CaseState, 'clear'>, number>;
}

export const DEFAULT_STATE_OPTIONS: Readonly<StateModelOptions> = {
  switchCost: 4,
  minSeconds: { outside: 2, smoke: 2, bleeding: 2, pause: 4 },
};

/** Display-scale level above which a second reads as outside the patient. */
const OUT_CENTER = 0.35;
const OUT_WIDTH = 0.08;
/** Event tracks: the threshold sits this share of the way from usual to the inside's top, within limits. */
const EVENT_SHARE = 0.45;
const EVENT_MIN_RISE = 0.18;
const EVENT_MAX_RISE = 0.35;
const EVENT_WIDTH = 0.06;
/** A pause: motion under this share of the usual inside motion. */
const STILL_RATIO = 0.45;
const STILL_WIDTH = 0.1;
/** Motion so low that it is still whatever the case's usual level (a case mostly paused). */
const STILL_ABSOLUTE = 0.12;
/** Usual motion below this on the level scale leaves no contrast to a pause... */
const MIN_CONTRAST = 0.4;
/** ...and then only this little motion is one. */
const FROZEN = 0.03;
/** Seconds without data an episode may cross (an index still running, a read error). */
const MAX_MISSING = 5;
/** How much a dense veil on the smoke track speaks against a room view. */
const VEIL_DOUBT = 0.3;
/** How much brighter than the usual inside view smoke's airlight makes it (level-track units). */
const VEIL_BRIGHTER = 0.3;
/*
 * A room view and a smoky abdomen can look alike second by second (grey, bright, not tissue);
 * what tells them apart is how they begin: the camera leaves with a cut, smoke thickens. So going
 * straight from one to the other costs more, and a cut makes entering or leaving "outside" cheap.
 */
const OUTSIDE_SMOKE_COST = 2;
const CUT_BONUS = 3;
const CUT_LEVEL = 0.5;
/** Most evidence one second gives against a state (natural log). */
const CLIP = 3.5;
/** No single second is more certain than this: one odd second cannot flip an episode. */
const P_MIN = 0.02;

function has(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v) && v >= 0;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function bounded(p: number): number {
  return Math.min(1 - P_MIN, Math.max(P_MIN, p));
}

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

function eventLevel(values: readonly number[] | undefined, inside: readonly boolean[]): { usual: number; threshold: number } {
  const picked: number[] = [];
  if (values) for (let i = 0; i < values.length; i++) if (inside[i] && has(values[i])) picked.push(values[i]!);
  const usual = quantile(picked, 0.5) ?? 0;
  const top = quantile(picked, 0.97) ?? usual;
  const rise = Math.min(EVENT_MAX_RISE, Math.max(EVENT_MIN_RISE, EVENT_SHARE * (top - usual)));
  return { usual, threshold: usual + rise };
}

function brightnessLevel(values: readonly number[] | undefined, inside: readonly boolean[]): { usual: number; threshold: number } {
  const picked: number[] = [];
  if (values) for (let i = 0; i < values.length; i++) if (inside[i] && has(values[i])) picked.push(values[i]!);
  const usual = quantile(picked, 0.5) ?? 0.5;
  return { usual, threshold: Math.min(0.9, usual + VEIL_BRIGHTER) };
}

/** The case's levels: outside first, then the inside seconds' own baselines. */
export function caseLevels(tracks: StateTracks, n: number): CaseLevels {
  const out = tracks.outOfBody;
  const inside = Array.from({ length: n }, (_, i) => !(out && has(out[i]) && out[i]! >= OUT_CENTER));
  const motion: number[] = [];
  const m = tracks.motion;
  if (m) for (let i = 0; i < n; i++) if (inside[i] && has(m[i])) motion.push(m[i]!);
  // The usual motion is that of the busier half: pauses may fill a good part of a short case.
  const usual = quantile(motion, 0.6) ?? 0.5;
  return {
    haze: eventLevel(tracks.haze, inside),
    blood: eventLevel(tracks.blood, inside),
    // Motion is a level track (the stillest moments at 0): when the usual level is itself close to
    // 0 the recording has no still stretch that stands out, and only a frozen picture is a pause.
    motion: { usual, threshold: usual >= MIN_CONTRAST ? Math.max(STILL_ABSOLUTE, STILL_RATIO * usual) : FROZEN },
    outOfBody: { threshold: OUT_CENTER },
    brightness: brightnessLevel(tracks.brightness, inside),
  };
}

/** Log-evidence of each state for each second (rows of CASE_STATES.length); null without data. */
export function stateEvidence(tracks: StateTracks, n: number, levels: CaseLevels): (Float64Array | null)[] {
  const rows: (Float64Array | null)[] = [];
  const L = Math.log;
  for (let i = 0; i < n; i++) {
    const o = tracks.outOfBody?.[i];
    const h = tracks.haze?.[i];
    const b = tracks.blood?.[i];
    const m = tracks.motion?.[i];
    if (!has(o) && !has(h) && !has(b) && !has(m)) {
      rows.push(null);
      continue;
    }
    const pOut = has(o) ? bounded(sigmoid((o - OUT_CENTER) / OUT_WIDTH)) : 0.5;
    const pHaze = has(h) ? bounded(sigmoid((h - levels.haze.threshold) / EVENT_WIDTH)) : 0.5;
    const pBlood = has(b) ? bounded(sigmoid((b - levels.blood.threshold) / EVENT_WIDTH)) : 0.5;
    const br = tracks.brightness?.[i];
    const pBright = has(br) ? bounded(sigmoid((br - levels.brightness.threshold) / EVENT_WIDTH)) : 0.5;
    // A veil that explains a "not tissue" reading: hazy and brighter than usual.
    const pVeil = pHaze * pBright;
    const pStill = has(m) ? bounded(sigmoid((levels.motion.threshold - m) / (STILL_WIDTH * Math.max(0.2, levels.motion.usual)))) : 0.5;
    const inside = L(1 - pOut);
    const row = new Float64Array(CASE_STATES.length);
    // outside: the other tracks say little about a room; a dense veil is more likely smoke.
    row[0] = L(pOut) + L(1 - VEIL_DOUBT * pVeil);
    row[1] = inside + L(1 - pHaze) + L(1 - pBlood) + L(1 - pStill);
    // smoke hides blood and often slows the work: those tracks do not count against it; and a
    // dense grey veil reads as "not tissue" on the out-of-body track, so that does not either.
    row[2] = L(1 - pOut * (1 - pVeil)) + L(pHaze);
    row[3] = inside + L(pBlood) + L(1 - pHaze);
    row[4] = inside + L(pStill) + L(1 - pHaze) + L(1 - pBlood);
    // One second can speak for a state by at most CLIP: a flash on every track at once is no
    // episode, however sure each track is.
    let best = -Infinity;
    for (const v of row) best = Math.max(best, v);
    for (let s = 0; s < row.length; s++) row[s] = Math.max(-CLIP, row[s]! - best);
    rows.push(row);
  }
  return rows;
}

/** The cost of moving from state `from` to `to` on entering second `i` (0 for staying). */
export type SwitchCost = (i: number, from: number, to: number) => number;

/**
 * The most likely state sequence under per-second evidence and switching costs; seconds without
 * data carry no evidence, so they take the state around them.
 */
export function viterbi(evidence: readonly (Float64Array | null)[], k: number, cost: SwitchCost): number[] {
  const n = evidence.length;
  if (n === 0) return [];
  const back = new Int8Array(n * k);
  let score = new Float64Array(k);
  let next = new Float64Array(k);
  const first = evidence[0];
  for (let s = 0; s < k; s++) score[s] = first ? first[s]! : 0;
  for (let i = 1; i < n; i++) {
    const e = evidence[i];
    for (let s = 0; s < k; s++) {
      let from = s;
      let best = score[s]!;
      for (let p = 0; p < k; p++) {
        if (p === s) continue;
        const v = score[p]! - cost(i, p, s);
        if (v > best) {
          best = v;
          from = p;
        }
      }
      back[i * k + s] = from;
      next[s] = best + (e ? e[s]! : 0);
    }
    [score, next] = [next, score];
  }
  const path = new Array<number>(n);
  let s = 0;
  for (let j = 1; j < k; j++) if (score[j]! > score[s]!) s = j;
  for (let i = n - 1; i >= 0; i--) {
    path[i] = s;
    if (i > 0) s = back[i * k + s]!;
  }
  return path;
}

const OUTSIDE = CASE_STATES.indexOf('outside');
const SMOKE = CASE_STATES.indexOf('smoke');

function switchCosts(tracks: StateTracks, base: number): SwitchCost {
  const sc = tracks.sceneChange;
  const n = sc?.length ?? 0;
  const cuts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i - 1; j <= i + 1; j++) {
      const v = sc?.[j];
      if (has(v)) cuts[i] = Math.max(cuts[i]!, Math.min(1, v / CUT_LEVEL));
    }
  }
  return (i, from, to) => {
    let c = base;
    if ((from === OUTSIDE && to === SMOKE) || (from === SMOKE && to === OUTSIDE)) c += OUTSIDE_SMOKE_COST;
    if ((from === OUTSIDE || to === OUTSIDE) && i < n) c -= CUT_BONUS * cuts[i]!;
    return c;
  };
}

function segmentsOf(labels: readonly (CaseState | null)[]): StateSegment[] {
  const out: StateSegment[] = [];
  for (let i = 0; i < labels.length; i++) {
    const s = labels[i];
    if (s === null || s === undefined) continue;
    const last = out.at(-1);
    if (last && last.state === s && last.end === i) last.end = i + 1;
    else out.push({ state: s, start: i, end: i + 1 });
  }
  return out;
}

/** Labels every second of the case; see the module comment for the model. */
export function decodeCaseStates(tracks: StateTracks, opts: StateModelOptions = DEFAULT_STATE_OPTIONS): CaseStates {
  const n = Math.max(tracks.outOfBody?.length ?? 0, tracks.haze?.length ?? 0, tracks.blood?.length ?? 0, tracks.motion?.length ?? 0);
  if (n === 0) return { labels: [], segments: [], levels: caseLevels(tracks, 0) };
  const levels = caseLevels(tracks, n);
  const evidence = stateEvidence(tracks, n, levels);
  const path = viterbi(evidence, CASE_STATES.length, switchCosts(tracks, opts.switchCost));
  const labels: (CaseState | null)[] = path.map((s, i) => (evidence[i] ? CASE_STATES[s]! : null));
  // A few seconds without data inside an episode keep its state; a longer gap is unknown.
  for (let i = 0; i < n; ) {
    if (labels[i] !== null) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && labels[j] === null) j++;
    if (i > 0 && j < n && j - i <= MAX_MISSING) for (let t = i; t < j; t++) labels[t] = CASE_STATES[path[t]!]!;
    i = j;
  }
  // Episodes too short to be one are the clear view (an outside blip is a flash, not a withdrawal).
  for (const seg of segmentsOf(labels)) {
    if (seg.state === 'clear' || seg.end - seg.start >= opts.minSeconds[seg.state]) continue;
    for (let i = seg.start; i < seg.end; i++) labels[i] = 'clear';
  }
  return { labels, segments: segmentsOf(labels), levels };
}

function medianOver(values: readonly number[] | undefined, from: number, to: number): number | null {
  const picked: number[] = [];
  if (values) for (let i = from; i < to; i++) if (has(values[i])) picked.push(values[i]!);
  return quantile(picked, 0.5);
}

/**
 * Episodes the tracks cannot settle between a room and a smoky abdomen: an "outside" stretch that
 * is also hazy and bright (it may be smoke), or a smoke stretch that also reads as not tissue (it
 * may be a grey room). Each is given as the state it might be instead; only what the frames show
 * (the vision model's detections) can decide, so the scout looks at them before using one.
 */
export function doubtfulEpisodes(states: CaseStates, tracks: StateTracks): (StateSegment & { instead: CaseState })[] {
  const out: (StateSegment & { instead: CaseState })[] = [];
  for (const seg of states.segments) {
    if (seg.state === 'outside') {
      const h = medianOver(tracks.haze, seg.start, seg.end);
      const b = medianOver(tracks.brightness, seg.start, seg.end);
      if (h !== null && b !== null && h >= states.levels.haze.threshold && b >= states.levels.brightness.threshold) out.push({ ...seg, instead: 'smoke' });
    } else if (seg.state === 'smoke') {
      const o = medianOver(tracks.outOfBody, seg.start, seg.end);
      if (o !== null && o >= states.levels.outOfBody.threshold) out.push({ ...seg, instead: 'outside' });
    }
  }
  return out;
}
