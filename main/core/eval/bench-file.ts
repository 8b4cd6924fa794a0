/*
 * The evaluation set a user brings: JSON Lines, one question per line,
 *   {"id": "...", "video": "clip.mp4", "question": "...", "windows": [[start, end], ...], "answer"?: "...", "kind"?: "..."}
 * with windows in seconds of that video. A bad line is reported with its number and skipped, so
 * one typo in a thousand annotated lines does not throw away an evening of model time; the run
 * still says how many lines it skipped and exits non-zero.
 */

import { z } from 'zod';

const Seconds = z.number().refine(Number.isFinite, 'must be a finite number of seconds');

const TruthWindow = z.tuple([Seconds, Seconds]).superRefine(([start, end], ctx) => {
  if (start < 0) ctx.addIssue({ code: 'custom', message: `starts before the video does (${start} s)` });
  if (end === start) ctx.addIssue({ code: 'custom', message: `[${start}, ${end}] has zero length` });
  else if (end < start) ctx.addIssue({ code: 'custom', message: `[${start}, ${end}] ends before it starts` });
});

export const BenchLine = z.object({
  id: z.string().trim().min(1, 'must not be empty').max(200),
  /** Relative to the bench file's folder, or absolute. */
  video: z.string().trim().min(1, 'must not be empty'),
  question: z.string().trim().min(1, 'must not be empty').max(4000),
  windows: z.array(TruthWindow).min(1, 'needs at least one [start, end] window'),
  /** A reference answer, kept in the report beside what the agent said. */
  answer: z.string().optional(),
  /** An event type ("bleeding", "smoke"...): rows that carry one get a table per type. */
  kind: z.string().trim().min(1).max(64).optional(),
});
export type BenchLine = z.infer<typeof BenchLine>;

export interface BenchRow extends BenchLine {
  /** 1-based line in the file. */
  line: number;
}

export interface BadLine {
  line: number;
  message: string;
}

export interface ParsedBench {
  rows: BenchRow[];
  bad: BadLine[];
}

function issueText(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`))
    .join('');
  const message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) return `${path || 'the line'} is missing`;
  return path ? `${path}: ${message}` : message;
}

export function parseBench(text: string): ParsedBench {
  const rows: BenchRow[] = [];
  const bad: BadLine[] = [];
  const idLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const source = raw.trim();
    if (!source) return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      bad.push({ line, message: `not valid JSON (${err instanceof Error ? err.message : String(err)})` });
      return;
    }
    const parsed = BenchLine.safeParse(value);
    if (!parsed.success) {
      bad.push({ line, message: parsed.error.issues.map(issueText).join('; ') });
      return;
    }
    // Results are kept by id to resume a run, so two rows must never share one.
    const first = idLine.get(parsed.data.id);
    if (first !== undefined) {
      bad.push({ line, message: `id "${parsed.data.id}" is already used on line ${first}` });
      return;
    }
    idLine.set(parsed.data.id, line);
    rows.push({ ...parsed.data, line });
  });
  return { rows, bad };
}
