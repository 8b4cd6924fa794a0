/*
 * MedVidBench (MedGRPO, CVPR 2026) records, as its public evaluation code reads them: a JSON array
 * of records, each a question about a clip given as frame images sampled at `metadata.fps`, with
 * the ground truth in `struc_info`. Two kinds are scored here: temporal action grounding (`tal`,
 * spans in seconds of the clip) and spatio-temporal grounding (`stg`, a box per time). Every other
 * `qa_type` is counted and left out. A bad record is reported with its position and skipped; the
 * rest still runs.
 */

import { z } from 'zod';
import { formatBoxes, formatSpans, type Span, type TimedBox } from '../agent/protocol/grounding-text.js';
import { OpscopeError } from '../errors.js';

export const SCORED_TYPES = ['tal', 'stg'] as const;
export type ScoredType = (typeof SCORED_TYPES)[number];

/** The files write numbers as numbers or as text ("fps": "1.0", "input_video_start_frame": "0"). */
const Num = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
  z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be a finite number'),
);
const Text = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z.string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'must be text or a number') }),
);

const Metadata = z.object({
  fps: Num.refine((x) => x > 0, 'must be more than 0'),
  video_id: Text.pipe(z.string().trim().min(1, 'must not be empty')),
  input_video_start_frame: Num.optional(),
  input_video_end_frame: Num.optional(),
  input_video_start_time: Num.optional(),
  input_video_end_time: Num.optional(),
  start_frame: Num.optional(),
  end_frame: Num.optional(),
});

const Turn = z.object({ from: z.string(), value: z.string() });

const RecordBase = z.object({
  id: Text.optional(),
  qa_type: z.string(),
  dataset_name: z.string().optional(),
  data_source: z.string().optional(),
  video: z.array(z.string().trim().min(1, 'a frame path must not be empty')).min(1, 'needs at least one frame'),
  conversations: z.array(Turn),
  struc_info: z.unknown(),
  metadata: Metadata,
});

const TruthSpan = z.object({ start: Num, end: Num }).superRefine(({ start, end }, ctx) => {
  if (start < 0) ctx.addIssue({ code: 'custom', message: `starts before the clip does (${start} s)` });
  if (end === start) ctx.addIssue({ code: 'custom', message: `${start}-${end} has zero length` });
  else if (end < start) ctx.addIssue({ code: 'custom', message: `${start}-${end} ends before it starts` });
});
const TalAction = z.object({ action: z.string().optional(), spans: z.array(TruthSpan) });
/** A list of actions with their spans; older files give one object. */
const TalTruth = z.union([z.array(TalAction), TalAction.transform((a) => [a])]);

const BoxValue = z.array(Num).length(4, 'a box is [x1, y1, x2, y2]');
const StgItem = z.object({
  start: Num.optional(),
  end: Num.optional(),
  stride: Num.optional(),
  object: z.string().optional(),
  bbox_dict: z.record(z.string(), BoxValue),
});
const StgTruth = z.union([z.array(StgItem).min(1, 'needs an item with a bbox_dict'), StgItem.transform((i) => [i])]);

/** A true box: the time as the file keys it ("4.0"), in seconds, and [x1, y1, x2, y2]. */
export interface TruthBox {
  key: string;
  time: number;
  box: number[];
}

export type Truth = { kind: 'tal'; spans: Span[] } | { kind: 'stg'; object: string | null; boxes: TruthBox[] };

export interface MedVidRecord {
  /** Position in the file's array, from 0. */
  index: number;
  /** The record's id, or the one the benchmark's own scripts make from the clip: video&&start&&end&&fps. */
  id: string;
  qaType: ScoredType;
  dataset: string;
  /** The human turn without the `<video>` tag. */
  question: string;
  /** The reference answer (the gpt turn), when the file has it. */
  reference: string | null;
  /** Frame paths as written (relative to the root, or absolute). */
  frames: string[];
  fps: number;
  videoId: string;
  /** The clip within its video, as the metadata says it ("frames 0-100", "12.0-72.0 s"). */
  range: string;
  truth: Truth;
}

export interface BadRecord {
  index: number;
  id: string | null;
  message: string;
}

export interface ParsedMedVidBench {
  records: MedVidRecord[];
  /** Records of other kinds, by qa_type. */
  skipped: Record<string, number>;
  bad: BadRecord[];
}

function issueText(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_]\w*$/.test(String(p)) ? `${i > 0 ? '.' : ''}${String(p)}` : `["${String(p)}"]`))
    .join('');
  const message = issue.message.replace(/^Invalid input: /, '');
  if ((issue.code === 'invalid_type' && /received undefined$/.test(message)) || message === 'is missing') return `${path || 'the record'} is missing`;
  return path ? `${path}: ${message}` : message;
}

const issuesText = (error: z.ZodError, prefix = '') =>
  error.issues.map((i) => `${prefix}${issueText(i)}`).join('; ');

/** The question as the benchmark's inference asks it: the human turn without its `<video>` tag. */
export function questionOf(conversations: readonly { from: string; value: string }[]): string | null {
  const human = conversations.find((t) => t.from === 'human');
  if (!human) return null;
  const text = human.value.replace(/<video>\s*/gi, '').trim();
  return text === '' ? null : text;
}

type Meta = z.infer<typeof Metadata>;

function rangeOf(m: Meta): { start: number | null; end: number | null; label: string } {
  const pair = (start: number | undefined, end: number | undefined) => start !== undefined && end !== undefined;
  if (pair(m.input_video_start_frame, m.input_video_end_frame)) {
    return { start: m.input_video_start_frame!, end: m.input_video_end_frame!, label: `frames ${m.input_video_start_frame}-${m.input_video_end_frame}` };
  }
  if (pair(m.input_video_start_time, m.input_video_end_time)) {
    return { start: m.input_video_start_time!, end: m.input_video_end_time!, label: `${m.input_video_start_time}-${m.input_video_end_time} s` };
  }
  if (pair(m.start_frame, m.end_frame)) return { start: m.start_frame!, end: m.end_frame!, label: `frames ${m.start_frame}-${m.end_frame}` };
  return { start: null, end: null, label: 'whole video' };
}

const validBox = (b: readonly number[]) => b.length === 4 && b[2]! > b[0]! && b[3]! > b[1]!;

function truthOf(type: ScoredType, struc: unknown): { ok: true; truth: Truth } | { ok: false; message: string } {
  if (type === 'tal') {
    const parsed = TalTruth.safeParse(struc);
    if (!parsed.success) return { ok: false, message: issuesText(parsed.error, 'struc_info') };
    const spans = parsed.data.flatMap((a) => a.spans.map((s): Span => [s.start, s.end]));
    if (spans.length === 0) return { ok: false, message: 'struc_info has no span' };
    return { ok: true, truth: { kind: 'tal', spans } };
  }
  const parsed = StgTruth.safeParse(struc);
  if (!parsed.success) return { ok: false, message: issuesText(parsed.error, 'struc_info') };
  const item = parsed.data[0]!;
  const boxes: TruthBox[] = [];
  for (const [key, box] of Object.entries(item.bbox_dict)) {
    const time = Number(key);
    if (key.trim() === '' || !Number.isFinite(time) || time < 0) return { ok: false, message: `struc_info bbox_dict key "${key}" is not a time in seconds` };
    boxes.push({ key, time, box });
  }
  // In time order: a missing prediction falls back to the one before it in time.
  boxes.sort((a, b) => a.time - b.time);
  if (!boxes.some((b) => validBox(b.box))) return { ok: false, message: 'struc_info bbox_dict has no box with x1 < x2 and y1 < y2' };
  return { ok: true, truth: { kind: 'stg', object: item.object ?? null, boxes } };
}

/** Reads a MedVidBench file; throws 'invalid-input' only when it is not a JSON array at all. */
export function parseMedVidBench(text: string): ParsedMedVidBench {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new OpscopeError('invalid-input', `Not a MedVidBench file: not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!Array.isArray(data)) throw new OpscopeError('invalid-input', 'Not a MedVidBench file: it must be a JSON array of records.');
  const records: MedVidRecord[] = [];
  const skipped: Record<string, number> = {};
  const bad: BadRecord[] = [];
  data.forEach((value: unknown, index) => {
    const rawId = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    const shownId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;
    const type = typeof value === 'object' && value !== null ? (value as { qa_type?: unknown }).qa_type : undefined;
    if (typeof type !== 'string' || type.trim() === '') {
      bad.push({ index, id: shownId, message: 'qa_type is missing' });
      return;
    }
    if (!(SCORED_TYPES as readonly string[]).includes(type)) {
      skipped[type] = (skipped[type] ?? 0) + 1;
      return;
    }
    const parsed = RecordBase.safeParse(value);
    if (!parsed.success) {
      bad.push({ index, id: shownId, message: issuesText(parsed.error) });
      return;
    }
    const r = parsed.data;
    const question = questionOf(r.conversations);
    if (question === null) {
      bad.push({ index, id: shownId, message: 'conversations has no human turn with a question' });
      return;
    }
    const truth = truthOf(type as ScoredType, r.struc_info);
    if (!truth.ok) {
      bad.push({ index, id: shownId, message: truth.message });
      return;
    }
    const range = rangeOf(r.metadata);
    records.push({
      index,
      id: r.id ?? `${r.metadata.video_id}&&${range.start ?? ''}&&${range.end ?? ''}&&${r.metadata.fps}`,
      qaType: type as ScoredType,
      dataset: r.dataset_name?.trim() || r.data_source?.trim() || 'Unknown',
      question,
      reference: r.conversations.find((t) => t.from === 'gpt')?.value ?? null,
      frames: r.video,
      fps: r.metadata.fps,
      videoId: r.metadata.video_id,
      range: range.label,
      truth: truth.truth,
    });
  });
  return { records, skipped, bad };
}

/** What a record was answered with: spans (tal) or boxes (stg), seconds of the clip. */
export type Prediction = { kind: 'tal'; spans: Span[] } | { kind: 'stg'; boxes: TimedBox[] };

/** The prediction as the benchmark's answers read, for its submission file. */
export function predictionText(p: Prediction): string {
  return p.kind === 'tal' ? formatSpans(p.spans) : formatBoxes(p.boxes);
}
