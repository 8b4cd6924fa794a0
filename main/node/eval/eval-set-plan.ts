/*
 * Evaluation sets made unlike the ones the scout is tuned on: recordings of another make than
 * `make-bench` (real robotic tissue, or a procedural surface of another colour), each with its
 * own look (tissue colour, light, resolution from 480p to 4K, 1 to 60 fps and variable rates,
 * console text, letterboxing, a round field), events injected at known windows, and questions
 * in clinical words from templates of their own, including ones that relate two events.
 *
 * A set is named by its role: `tune` sets are for working on the code, the `held-out` set uses
 * another seed and another family of phrasings and is only run to report. Everything follows
 * from the seed, so the same command makes the same set anywhere.
 */

import type { BenchLine } from '../../core/eval/bench-file.js';
import { Random } from '../synthetic/random.js';

export type EvalEventKind = 'bleeding' | 'smoke' | 'out-of-body' | 'idle';
export const EVAL_KINDS: readonly EvalEventKind[] = ['bleeding', 'smoke', 'out-of-body', 'idle'];

export interface EvalEvent {
  kind: EvalEventKind;
  start: number;
  end: number;
}

/** What the picture is made of: the real robotic tissue clip, or a procedural surface. */
export type EvalSource = 'tissue' | 'procedural';

export interface EvalLook {
  /** Output size. */
  width: number;
  height: number;
  fps: number;
  /** Alternate 2 s segments at full and a third of the rate. */
  variableFrameRate: boolean;
  /** Seconds between keyframes. */
  gop: number;
  border: 'round' | 'letterbox' | 'none';
  /** Channel gains and a gamma: another light, another camera's white balance. */
  gain: [number, number, number];
  gamma: number;
  /** 0..1: how much the corners darken. */
  vignette: number;
  /** Procedural tissue base colour (RGB). */
  tissue: [number, number, number];
  /** Console text burned in, or ''. */
  overlay: string;
  overlayAt: 'top' | 'bottom';
  /** Out-of-body views: real photographs of people, or a grey operating room. */
  outside: 'photo' | 'room';
}

export interface EvalVideo {
  file: string;
  source: EvalSource;
  duration: number;
  seed: number;
  look: EvalLook;
  events: EvalEvent[];
}

export interface EvalSetPlan {
  name: string;
  videos: EvalVideo[];
  lines: BenchLine[];
}

export interface EvalSetOptions {
  name: string;
  seed: number;
  videos: number;
  source: EvalSource | 'mixed';
  /** Which family of question templates: the held-out set uses the other one. */
  phrasing: 'a' | 'b';
  /** Seconds per video (4K ones are made shorter). */
  duration: number;
  /** No events at all: for checking that nothing is claimed on clean footage. */
  empty?: boolean;
  /** Parts of the look fixed for every video (tests keep them small and quick). */
  look?: Partial<EvalLook>;
}

type Q = 'when' | 'first' | 'last' | 'duration';

/*
 * Two families of phrasings. Family a is what the scout is worked on; family b is kept for the
 * held-out set and never read while tuning.
 */
const WORDING: Record<'a' | 'b', Record<EvalEventKind, Record<Q, readonly string[]>>> = {
  a: {
    bleeding: {
      when: ['When does the field bleed?', 'Where in the case is there haemorrhage?', 'Point me to the blood loss.'],
      first: ['When does bleeding begin for the first time?', 'Show the earliest blood in the field.'],
      last: ['When is the final bleed?', 'Where is the last haemorrhage?'],
      duration: ['How long does the haemorrhage go on?', 'For how many seconds is there bleeding?'],
    },
    smoke: {
      when: ['When does diathermy smoke fill the view?', 'Where is the field hazy?', 'When is there surgical plume?'],
      first: ['When does the first smoke appear?', 'Show the earliest haze.'],
      last: ['When is the final smoke episode?', 'Where is the last plume?'],
      duration: ['How long does the smoke obscure things?', 'For how long is the view hazy?'],
    },
    'out-of-body': {
      when: ['When is the laparoscope out of the patient?', 'When was the camera removed?', 'When is the view outside the body?'],
      first: ['When is the scope taken out the first time?', 'When does the camera first leave the abdomen?'],
      last: ['When is the camera out of the body the final time?', 'When is the scope withdrawn for the last time?'],
      duration: ['How long is the camera out of the patient?', 'For how long was the scope removed?'],
    },
    idle: {
      when: ['When does the surgery pause?', 'When is there no motion at all?', 'Where does the operation stand still?'],
      first: ['When is the first pause in the work?', 'When does activity stop for the first time?'],
      last: ['When is the final pause?', 'When is the last idle stretch?'],
      duration: ['How long does the pause last?', 'How long is nothing moving?'],
    },
  },
  b: {
    bleeding: {
      when: ['Is there any oozing of blood in this case?', 'At what point does the patient bleed?', 'Mark the hemorrhage.'],
      first: ['At what time does the initial bleed occur?', 'Find the onset of the first hemorrhage.'],
      last: ['Find the most recent bleeding episode.', 'At what time is the latest bleed?'],
      duration: ['What is the length of the bleed?', 'How much time does the oozing take?'],
    },
    smoke: {
      when: ['At what point is the image clouded by cautery vapour?', 'Is the lens fogged anywhere?', 'Mark the smoky part.'],
      first: ['At what time does vapour first cloud the image?', 'Find the onset of the initial plume.'],
      last: ['Find the most recent plume.', 'At what time is the latest haze?'],
      duration: ['What is the length of the smoke episode?', 'How much time is the view clouded?'],
    },
    'out-of-body': {
      when: ['Is the endoscope ever outside the patient?', 'At what point was the optic pulled out?', 'Mark the ex vivo view.'],
      first: ['At what time is the endoscope extracted the first time?', 'Find the initial removal of the camera.'],
      last: ['Find the most recent time the camera is outside the patient.', 'At what time is the latest lens cleaning?'],
      duration: ['What is the length of the out of body period?', 'How much time is the endoscope outside the cavity?'],
    },
    idle: {
      when: ['Is there any downtime?', 'At what point is the scene stationary?', 'Mark the inactivity.'],
      first: ['At what time does the initial break happen?', 'Find the onset of the first pause.'],
      last: ['Find the most recent pause.', 'At what time is the latest downtime?'],
      duration: ['What is the length of the break?', 'How much time is the scene motionless?'],
    },
  },
};

/** How each event is named inside a relation ("after the {oob}"). */
const NOUNS: Record<'a' | 'b', Record<EvalEventKind, readonly string[]>> = {
  a: {
    bleeding: ['the bleeding', 'the haemorrhage'],
    smoke: ['the smoke', 'the plume'],
    'out-of-body': ['the withdrawal of the camera', 'the out of body period'],
    idle: ['the pause', 'the idle period'],
  },
  b: {
    bleeding: ['the bleed', 'the oozing'],
    smoke: ['the vapour', 'the haze'],
    'out-of-body': ['the removal of the endoscope', 'the time outside the patient'],
    idle: ['the downtime', 'the break'],
  },
};

const SUBJECTS: Record<'a' | 'b', Record<EvalEventKind, readonly string[]>> = {
  a: {
    bleeding: ['Is there bleeding', 'When does blood appear'],
    smoke: ['Is there smoke', 'When is there plume'],
    'out-of-body': ['When is the camera out of the body', 'When is the scope withdrawn'],
    idle: ['Is there a pause', 'When does the work pause'],
  },
  b: {
    bleeding: ['Does the patient bleed', 'At what point is there oozing'],
    smoke: ['Is the view clouded by vapour', 'At what point is there haze'],
    'out-of-body': ['At what point is the endoscope outside the patient', 'Is the optic pulled out'],
    idle: ['Is there downtime', 'At what point is there a break'],
  },
};

function pick<T>(items: readonly T[], rnd: Random): T {
  return items[rnd.int(0, items.length - 1)]!;
}

function shuffle<T>(items: readonly T[], rnd: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const RESOLUTIONS: ReadonlyArray<[number, number]> = [
  [854, 480],
  [1280, 720],
  [1920, 1080],
  [1440, 1080],
  [3840, 2160],
];
const RATES = [1, 5, 12.5, 25, 30, 50, 60];
const TISSUES: ReadonlyArray<[number, number, number]> = [
  [205, 110, 105],
  [170, 62, 52],
  [215, 128, 86],
  [222, 168, 156],
  [186, 96, 120],
];
const OVERLAYS = ['ISO 400  CH1  REC', 'MRN 0048213  LAP', 'ZOOM 1.0X  WB AUTO', 'ENDO 30  LIGHT 80%', 'SURGEON A  OR 4'];

function lookFor(rnd: Random, source: EvalSource): EvalLook {
  const [width, height] = pick(RESOLUTIONS, rnd);
  const fps = pick(RATES, rnd);
  const big = width * height > 3e6;
  // High rates at high resolution take long to make and index by the dozen: 4K up to 10 fps,
  // 1080p up to 30, 50 and 60 fps at 720p and below.
  const cap = big ? 10 : width * height > 1e6 ? 30 : 60;
  return {
    width,
    height,
    fps: Math.min(fps, cap),
    variableFrameRate: fps >= 5 && rnd.next() < 0.25,
    gop: pick([1, 2, 4, 10], rnd),
    border: pick(['round', 'letterbox', 'none'] as const, rnd),
    gain: [rnd.range(0.85, 1.15), rnd.range(0.75, 1.2), rnd.range(0.75, 1.3)],
    gamma: rnd.range(0.8, 1.25),
    vignette: rnd.range(0, 0.6),
    tissue: source === 'procedural' ? pick(TISSUES, rnd) : [0, 0, 0],
    overlay: rnd.next() < 0.6 ? pick(OVERLAYS, rnd) : '',
    overlayAt: rnd.next() < 0.5 ? 'top' : 'bottom',
    outside: rnd.next() < 0.6 ? 'photo' : 'room',
  };
}

const half = (s: number) => Math.round(s * 2) / 2;

/** 3 to 5 events of varied kinds and lengths (5 to 22 s, a pause at least 6 s); some kind twice. */
function planEvents(duration: number, rnd: Random): EvalEvent[] {
  let kinds = shuffle(EVAL_KINDS, rnd).slice(0, rnd.next() < 0.3 ? 3 : 4);
  if (rnd.next() < 0.6) {
    const again = pick(kinds, rnd);
    const slots = Array.from({ length: kinds.length + 1 }, (_, i) => i).filter((i) => kinds[i - 1] !== again && kinds[i] !== again);
    if (slots.length > 0) {
      const at = pick(slots, rnd);
      kinds = [...kinds.slice(0, at), again, ...kinds.slice(at)];
    }
  }
  const margin = 5;
  const gaps = kinds.length - 1;
  const minGap = 5;
  const room = duration - 2 * margin - gaps * minGap;
  const lengths = kinds.map((k) => half(rnd.range(k === 'idle' ? 7 : 5, 22)));
  const total = lengths.reduce((a, b) => a + b, 0);
  const scale = total > room ? room / total : 1;
  const fitted = lengths.map((l) => Math.max(4, half(l * scale)));
  const spare = Math.max(0, room - fitted.reduce((a, b) => a + b, 0));
  const weights = Array.from({ length: kinds.length + 1 }, () => rnd.range(0.1, 1));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const events: EvalEvent[] = [];
  let t = margin + (spare * weights[0]!) / wsum;
  kinds.forEach((kind, i) => {
    const start = half(t);
    const end = Math.min(duration - margin, start + fitted[i]!);
    events.push({ kind, start, end });
    t = end + minGap + (spare * weights[i + 1]!) / wsum;
  });
  return events;
}

const window = (e: EvalEvent): [number, number] => [e.start, e.end];

/** Questions that relate two events: the answer's window is one event, placed by another. */
function relationQuestions(id: string, file: string, events: EvalEvent[], rnd: Random, family: 'a' | 'b'): BenchLine[] {
  const lines: BenchLine[] = [];
  const noun = (k: EvalEventKind) => pick(NOUNS[family][k], rnd);
  const subject = (k: EvalEventKind) => pick(SUBJECTS[family][k], rnd);
  const after = family === 'a' ? ['after', 'following'] : ['after', 'subsequent to', 'later than'];
  const before = family === 'a' ? ['before', 'prior to'] : ['before', 'earlier than', 'preceding'];
  // "X after Y" / "X before Y": an X on both sides of the first Y, so the relation decides.
  for (const y of events) {
    if (events.find((e) => e.kind === y.kind) !== y) continue;
    for (const kind of EVAL_KINDS) {
      if (kind === y.kind) continue;
      const xs = events.filter((e) => e.kind === kind);
      const later = xs.filter((e) => e.start >= y.end);
      const earlier = xs.filter((e) => e.end <= y.start);
      if (later.length === 0 || earlier.length === 0) continue;
      if (rnd.next() < 0.5) {
        const q = `${subject(kind)} ${pick(after, rnd)} ${noun(y.kind)}?`;
        lines.push({ id: `${id}-${kind}-after-${y.kind}`, video: file, question: q, windows: later.map(window), kind });
      } else {
        const q = `${subject(kind)} ${pick(before, rnd)} ${noun(y.kind)}?`;
        lines.push({ id: `${id}-${kind}-before-${y.kind}`, video: file, question: q, windows: earlier.map(window), kind });
      }
    }
  }
  // "X between the two Ys".
  for (const kind of EVAL_KINDS) {
    const ys = events.filter((e) => e.kind === kind);
    if (ys.length !== 2) continue;
    const inside = events.filter((e) => e.kind !== kind && e.start >= ys[0]!.end && e.end <= ys[1]!.start);
    const x = inside[0];
    if (!x || inside.some((e) => e.kind !== x.kind) || events.filter((e) => e.kind === x.kind).length < 2) continue;
    const plural = { bleeding: 'bleeds', smoke: 'smoke episodes', 'out-of-body': 'out of body periods', idle: 'pauses' }[kind];
    const q = `${subject(x.kind)} between the two ${plural}?`;
    lines.push({ id: `${id}-${x.kind}-between-${kind}`, video: file, question: q, windows: [window(x)], kind: x.kind });
  }
  // "Which came first, X or Y?": the earlier one's window.
  const distinct = [...new Set(events.map((e) => e.kind))];
  if (distinct.length >= 2) {
    const [a, b] = shuffle(distinct, rnd).slice(0, 2) as [EvalEventKind, EvalEventKind];
    const fa = events.find((e) => e.kind === a)!;
    const fb = events.find((e) => e.kind === b)!;
    const firstOne = fa.start < fb.start ? fa : fb;
    const q =
      family === 'a'
        ? `What came first, ${noun(a)} or ${noun(b)}?`
        : `Which happened earlier: ${noun(a)} or ${noun(b)}?`;
    lines.push({ id: `${id}-first-of-${a}-${b}`, video: file, question: q, windows: [window(firstOne)], kind: firstOne.kind });
  }
  return lines.slice(0, 2);
}

function questions(id: string, file: string, events: EvalEvent[], rnd: Random, family: 'a' | 'b'): BenchLine[] {
  const lines: BenchLine[] = [];
  for (const kind of EVAL_KINDS) {
    const seen = events.filter((e) => e.kind === kind);
    if (seen.length === 0) continue;
    const types: Q[] = seen.length > 1 ? ['first', 'last'] : [pick(['when', 'when', 'first', 'duration'] as const, rnd)];
    for (const type of types) {
      const truth = type === 'first' ? [seen[0]!] : type === 'last' ? [seen.at(-1)!] : seen;
      lines.push({
        id: `${id}-${kind}-${type}`,
        video: file,
        question: pick(WORDING[family][kind][type], rnd),
        windows: truth.map(window),
        kind,
      });
    }
  }
  return [...lines, ...relationQuestions(id, file, events, rnd, family)];
}

export function planEvalSet(o: EvalSetOptions): EvalSetPlan {
  const master = new Random(o.seed);
  const videos: EvalVideo[] = [];
  const lines: BenchLine[] = [];
  for (let i = 0; i < o.videos; i++) {
    const rnd = master.fork(i + 1);
    const source: EvalSource = o.source === 'mixed' ? (i % 2 === 0 ? 'tissue' : 'procedural') : o.source;
    const look = { ...lookFor(rnd, source), ...o.look };
    const duration = look.width * look.height > 3e6 ? Math.min(o.duration, 50) : o.duration;
    const id = `${o.name}-${String(i + 1).padStart(2, '0')}`;
    const file = `${id}.mp4`;
    const events = o.empty ? [] : planEvents(duration, rnd);
    videos.push({ file, source, duration, seed: rnd.seed(), look, events });
    lines.push(...questions(id, file, events, rnd, o.phrasing));
  }
  return { name: o.name, videos, lines };
}

/** The questions asked of a recording that shows none of the events (one per event). */
export const NOTHING_QUESTIONS: readonly { kind: EvalEventKind; question: string }[] = [
  { kind: 'bleeding', question: 'Is there any bleeding in this case?' },
  { kind: 'smoke', question: 'When is the view obscured by smoke?' },
  { kind: 'out-of-body', question: 'When was the camera taken out of the patient?' },
  { kind: 'idle', question: 'Is there a pause where nothing moves?' },
];

/** The sets the README reports: three to work on, two kept aside (the second made when the first had been run once), and clean real footage. */
export const EVAL_SETS: readonly EvalSetOptions[] = [
  { name: 'tune-procedural', seed: 11, videos: 6, source: 'procedural', phrasing: 'a', duration: 80 },
  { name: 'tune-tissue', seed: 12, videos: 6, source: 'tissue', phrasing: 'a', duration: 80 },
  { name: 'tune-mixed', seed: 4242, videos: 6, source: 'mixed', phrasing: 'a', duration: 85 },
  { name: 'held-out', seed: 90210, videos: 8, source: 'mixed', phrasing: 'b', duration: 85 },
  { name: 'held-out-2', seed: 271828, videos: 8, source: 'mixed', phrasing: 'b', duration: 85 },
  { name: 'real-none', seed: 7, videos: 2, source: 'tissue', phrasing: 'a', duration: 60, empty: true },
];
