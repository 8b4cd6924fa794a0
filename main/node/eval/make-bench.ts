/*
 * A synthetic evaluation set: endoscope-like recordings with injected events at known windows,
 * and a bench.jsonl of questions about them in the varied words clinicians use. Everything follows
 * from the seed, so two machines that make the same set score the same questions.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchLine } from '../../core/eval/bench-file.js';
import { formatTime } from '../../core/time-format.js';
import { OpscopeError } from '../../core/errors.js';
import { generateSyntheticVideo, type SyntheticEvent, type SyntheticEventKind, type SyntheticSpec } from '../synthetic/index.js';
import { Random } from '../synthetic/random.js';
import { writeWhole } from '../whole-file.js';

export interface BenchPlanOptions {
  videos: number;
  /** Seconds per video. */
  duration: number;
  seed: number;
}

export interface PlannedVideo {
  /** File name inside the output folder; the JSONL refers to it relatively. */
  file: string;
  spec: SyntheticSpec;
}

export interface BenchPlan {
  videos: PlannedVideo[];
  lines: BenchLine[];
}

export const BENCH_DEFAULTS: BenchPlanOptions = { videos: 4, duration: 90, seed: 1 };
export const MIN_DURATION = 30;
const MAX_VIDEOS = 500;

const KINDS: readonly SyntheticEventKind[] = ['bleeding', 'smoke', 'out-of-body', 'idle'];
/** Quiet seconds at either end and between events: the scout needs a calm stretch to see an event begin. */
const MARGIN = 4;
const GAP = 8;
const MIN_LENGTH = 6;
const MAX_LENGTH = 14;

type QuestionType = 'when' | 'first' | 'last' | 'duration';

/*
 * The ways one thing is asked. Each must name its event in words the scout knows and ask for the
 * occurrence its type says: test/unit/main/core/eval/bench-file.test.ts reads every phrasing back with the scout's
 * own parser.
 */
const PHRASINGS: Record<SyntheticEventKind, Record<QuestionType, readonly string[]>> = {
  bleeding: {
    when: [
      'When is there bleeding in this video?',
      'Is there any hemorrhage in this recording?',
      'Show me where blood pools in the field.',
      'Where is the oozing?',
    ],
    first: ['When does the first bleeding start?', 'When is the earliest hemorrhage?', 'When does blood first pool in the field?'],
    last: ['When is the last bleeding episode?', 'Show me the last hemorrhage.', 'When does the oozing happen the last time?'],
    duration: ['How long does the oozing last?', 'How long did the bleeding go on?', 'What is the duration of the hemorrhage?'],
  },
  smoke: {
    when: [
      'When is the view obscured by surgical smoke?',
      'Show me the plume from the cautery.',
      'When does the lens fog up?',
      'When is the image hazy?',
    ],
    first: ['When does the smoke first appear?', 'When is the first plume?', 'When does the view first get hazy?'],
    last: ['When is the last plume of smoke?', 'Show me the last episode of haze.'],
    duration: ['How long does the haze last?', 'How long was the view fogged?', 'How long did the plume obscure the view?'],
  },
  'out-of-body': {
    when: [
      'Was the camera outside the patient at any point?',
      'When was the scope withdrawn?',
      'When is the camera out of the body?',
      'When was the lens cleaned?',
    ],
    first: [
      'When is the camera first taken out of the patient?',
      'When is the scope withdrawn for the first time?',
      'When does the first lens cleaning happen?',
    ],
    last: ['When is the camera out of the body for the last time?', 'When was the scope withdrawn the last time?'],
    duration: ['How long was the camera outside the patient?', 'How long did the lens cleaning take?'],
  },
  idle: {
    when: [
      'When is nothing moving in the field?',
      'Find the period with no activity.',
      'When is the field static?',
      'Is there a pause in the operation?',
    ],
    first: ['When is the first pause?', 'When does the first idle period begin?'],
    last: ['When is the last pause?', 'When was the field last motionless?'],
    duration: ['How long was the pause?', 'How long did nothing move?'],
  },
};

const NAMES: Record<SyntheticEventKind, string> = {
  bleeding: 'Bleeding',
  smoke: 'Smoke',
  'out-of-body': 'The camera is out of the body',
  idle: 'Nothing moves',
};

function check(o: BenchPlanOptions): void {
  if (!Number.isInteger(o.videos) || o.videos < 1 || o.videos > MAX_VIDEOS) {
    throw new OpscopeError('invalid-input', `--videos must be a whole number from 1 to ${MAX_VIDEOS} (got ${o.videos}).`);
  }
  if (!Number.isFinite(o.duration) || o.duration < MIN_DURATION || o.duration > 3600) {
    throw new OpscopeError('invalid-input', `--duration must be between ${MIN_DURATION} and 3600 seconds (got ${o.duration}).`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 31) {
    throw new OpscopeError('invalid-input', `--seed must be a whole number from 0 to 2^31 (got ${o.seed}).`);
  }
}

function shuffle<T>(items: readonly T[], rnd: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const half = (s: number) => Math.round(s * 2) / 2;

/** Events of varied kinds, lengths and positions; a kind may come twice (so "first" and "last" differ), never back to back. */
function planEvents(duration: number, rnd: Random): SyntheticEvent[] {
  const fit = Math.floor((duration - 2 * MARGIN + GAP) / (MIN_LENGTH + GAP));
  let kinds = shuffle(KINDS, rnd).slice(0, Math.min(fit, rnd.next() < 0.3 ? 3 : 4));
  if (kinds.length < fit && kinds.length >= 2 && rnd.next() < 0.6) {
    const again = kinds[rnd.int(0, kinds.length - 1)]!;
    // Placed where neither neighbour is the same kind.
    const slots = Array.from({ length: kinds.length + 1 }, (_, i) => i).filter((i) => kinds[i - 1] !== again && kinds[i] !== again);
    const at = slots[rnd.int(0, slots.length - 1)]!;
    kinds = [...kinds.slice(0, at), again, ...kinds.slice(at)];
  }
  const n = kinds.length;
  const room = duration - 2 * MARGIN - (n - 1) * GAP;
  const longest = Math.min(MAX_LENGTH, room / n);
  const lengths = kinds.map(() => half(rnd.range(MIN_LENGTH, longest)));
  // Spare time shared out at random between the gaps and both ends.
  const spare = Math.max(0, room - lengths.reduce((a, b) => a + b, 0));
  const weights = Array.from({ length: n + 1 }, () => rnd.range(0.2, 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const events: SyntheticEvent[] = [];
  let t = MARGIN + (spare * weights[0]!) / total;
  kinds.forEach((kind, i) => {
    const start = half(t);
    const end = Math.min(duration - MARGIN, start + lengths[i]!);
    events.push({ kind, start, end });
    t = end + GAP + (spare * weights[i + 1]!) / total;
  });
  return events;
}

function pick<T>(items: readonly T[], rnd: Random): T {
  return items[rnd.int(0, items.length - 1)]!;
}

const span = (e: SyntheticEvent) => `${formatTime(e.start)} to ${formatTime(e.end)}`;

/** Hands out each kind's phrasings in turn from a seeded start, so a set repeats a wording only once it has used them all. */
class Phrasings {
  private readonly next = new Map<string, number>();

  constructor(private readonly rnd: Random) {}

  take(kind: SyntheticEventKind, type: QuestionType): string {
    const list = PHRASINGS[kind][type];
    const key = `${kind}/${type}`;
    const i = this.next.get(key) ?? this.rnd.int(0, list.length - 1);
    this.next.set(key, i + 1);
    return list[i % list.length]!;
  }
}

/** The questions about one video: one per kind it shows, or "first" and "last" for a kind shown twice. */
function planQuestions(videoId: string, file: string, events: SyntheticEvent[], rnd: Random, phrasings: Phrasings): BenchLine[] {
  const lines: BenchLine[] = [];
  for (const kind of KINDS) {
    const seen = events.filter((e) => e.kind === kind);
    if (seen.length === 0) continue;
    const types: QuestionType[] = seen.length > 1 ? ['first', 'last'] : [pick(['when', 'when', 'first', 'duration'] as const, rnd)];
    for (const type of types) {
      const truth = type === 'first' ? [seen[0]!] : type === 'last' ? [seen.at(-1)!] : seen;
      const answer =
        type === 'duration'
          ? `${NAMES[kind]} for ${Math.round(truth[0]!.end - truth[0]!.start)} seconds, from ${span(truth[0]!)}.`
          : `${NAMES[kind]} from ${truth.map(span).join(' and from ')}.`;
      lines.push({
        id: `${videoId}-${kind}-${type}`,
        video: file,
        question: phrasings.take(kind, type),
        windows: truth.map((e) => [e.start, e.end] as [number, number]),
        answer,
        kind,
      });
    }
  }
  return lines;
}

/** What would be written for these options, without writing anything. */
export function planBench(opts: BenchPlanOptions): BenchPlan {
  check(opts);
  const master = new Random(opts.seed);
  const phrasings = new Phrasings(master.fork(0));
  const width = String(opts.videos).length < 2 ? 2 : String(opts.videos).length;
  const videos: PlannedVideo[] = [];
  const lines: BenchLine[] = [];
  for (let i = 0; i < opts.videos; i++) {
    const rnd = master.fork(i + 1);
    const videoId = `case-${String(i + 1).padStart(width, '0')}`;
    const file = `${videoId}.mp4`;
    const events = planEvents(opts.duration, rnd);
    // 640x360 with a keyframe every second: what the scout's integration tests use, and quick to make.
    videos.push({ file, spec: { duration: opts.duration, width: 640, height: 360, fps: 25, gop: 1, seed: rnd.seed(), events } });
    lines.push(...planQuestions(videoId, file, events, rnd, phrasings));
  }
  return { videos, lines };
}

export function benchJsonl(lines: readonly BenchLine[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

export interface MakeBenchOptions extends BenchPlanOptions {
  out: string;
  signal?: AbortSignal;
  /** Video `index` (0-based) of `count` is `fraction` written. */
  onProgress?: (index: number, count: number, fraction: number) => void;
}

export interface MadeBench {
  bench: string;
  videos: string[];
  questions: number;
}

/** Writes the videos and bench.jsonl into `out` (made if missing); bench.jsonl appears last, when every video is there. */
export async function makeBench(opts: MakeBenchOptions): Promise<MadeBench> {
  const plan = planBench(opts);
  await mkdir(opts.out, { recursive: true });
  const videos: string[] = [];
  for (const [i, v] of plan.videos.entries()) {
    const path = join(opts.out, v.file);
    await generateSyntheticVideo(path, v.spec, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (f) => opts.onProgress?.(i, plan.videos.length, f),
    });
    videos.push(path);
  }
  const bench = join(opts.out, 'bench.jsonl');
  await writeWhole(bench, (temp) => writeFile(temp, benchJsonl(plan.lines), 'utf8'));
  return { bench, videos, questions: plan.lines.length };
}
