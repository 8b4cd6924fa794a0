/*
 * Checking a tool call as a model wrote it against the case. Every problem becomes a sentence the
 * model can act on (never an exception): a model that is told what was wrong usually corrects itself
 * on the next turn, whereas a crash would end the run.
 */

import { round3 } from '../round.js';
import { parseTime } from '../time-format.js';
import { TOOL_NAMES, type RawToolCall, type ToolName } from './types.js';
import { isRecord } from '../is-record.js';

/** Frames per crop: few enough to fit a model's context, enough to see a change. */
export interface CropFrameLimits {
  default: number;
  min: number;
  max: number;
}

export const CROP_FRAMES: Readonly<CropFrameLimits> = { default: 8, min: 2, max: 16 };

/** Windows find_similar returns, each with one frame: enough to see a pattern, few enough to look at. */
export const SIMILAR_WINDOWS = { default: 5, min: 1, max: 10 } as const;

/**
 * Argument names accepted for each tool, canonical name first. The aliases are the spellings
 * models are seen to use (OpenAI-style tool schemas, MedScope transcripts); accepting them costs
 * nothing and saves a turn.
 */
export const TOOL_ARGUMENTS = {
  crop_video: { start: ['start', 'start_time'], end: ['end', 'end_time'], frames: ['frames', 'num_frames'] },
  get_frame: { time: ['time', 't', 'timestamp'] },
  find_similar: { time: ['time', 't', 'timestamp'], limit: ['limit', 'k', 'top_k', 'max_results'] },
} as const satisfies Record<ToolName, Record<string, readonly string[]>>;

export type CheckedCall =
  | { name: 'crop_video'; start: number; end: number; frames: number }
  | { name: 'get_frame'; time: number }
  | { name: 'find_similar'; time: number; limit: number };

export type CallCheck = { ok: true; call: CheckedCall; notes: string[] } | { ok: false; error: string };

export type TimeCheck = { ok: true; value: number; note: string | null } | { ok: false; error: string };

export interface CallLimits {
  /** Case duration in seconds. */
  duration: number;
  cropFrames?: Partial<CropFrameLimits>;
}

const TIME_HINT = 'give seconds (e.g. 754.5) or a clock time "HH:MM:SS(.mmm)" or "MM:SS"';
const TOOL_HINT = 'the tools are crop_video(start, end, frames?), get_frame(time) and find_similar(time, limit?)';

/** Seconds as a note shows them: at most millisecond precision, no trailing zeros. */
export function showSeconds(s: number): string {
  return `${round3(s)} s`;
}

/** A value as the model wrote it, short enough to quote back. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function safeDuration(duration: number): number {
  return Number.isFinite(duration) && duration > 0 ? duration : 0;
}

/**
 * One time argument: seconds or a clock string, not negative; a time past the end of the case is
 * moved to the end and the note says so, because a model's guess near the end is still useful.
 */
export function checkTime(value: unknown, label: string, duration: number): TimeCheck {
  const dur = safeDuration(duration);
  if (value === undefined || value === null) return { ok: false, error: `${label} is missing: ${TIME_HINT}` };
  let seconds: number | null;
  let shown: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      return { ok: false, error: `${label} ${quote(value)} is not a finite time: ${TIME_HINT}` };
    }
    seconds = value;
    shown = showSeconds(value);
  } else if (typeof value === 'string') {
    seconds = parseTime(value);
    if (seconds === null) return { ok: false, error: `${label} ${quote(value)} is not a time: ${TIME_HINT}` };
    shown = `${quote(value)} (${showSeconds(seconds)})`;
  } else {
    const kind = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
    return { ok: false, error: `${label} is ${kind}, not a time: ${TIME_HINT}` };
  }
  if (seconds < 0) {
    return { ok: false, error: `${label} ${shown} is negative: times run from 0 to ${showSeconds(dur)}` };
  }
  if (seconds > dur) {
    return {
      ok: true,
      value: dur,
      note: `${label} ${shown} is past the end of the case (${showSeconds(dur)}); used ${showSeconds(dur)}`,
    };
  }
  return { ok: true, value: seconds, note: null };
}

function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

/** The first alias present; undefined when none is. */
function pick(args: Record<string, unknown>, aliases: readonly string[]): unknown {
  for (const key of aliases) if (args[key] !== undefined) return args[key];
  return undefined;
}

function unknownArgumentNotes(args: Record<string, unknown>, tool: ToolName): string[] {
  const known = new Set<string>(Object.values(TOOL_ARGUMENTS[tool]).flat());
  return Object.keys(args)
    .filter((k) => !known.has(k))
    .map((k) => `ignored unknown argument ${JSON.stringify(k)} of ${tool}`);
}

function limitsOf(partial: Partial<CropFrameLimits> | undefined): CropFrameLimits {
  const min = Math.max(1, Math.round(partial?.min ?? CROP_FRAMES.min));
  const max = Math.max(min, Math.round(partial?.max ?? CROP_FRAMES.max));
  const def = Math.min(max, Math.max(min, Math.round(partial?.default ?? CROP_FRAMES.default)));
  return { default: def, min, max };
}

/** Frames per crop: a whole number in the limits; out-of-range counts are moved in and noted. */
export function checkFrameCount(
  value: unknown,
  partial?: Partial<CropFrameLimits>,
  words: { label: string; per: string } = { label: 'frames', per: 'per crop' },
): { ok: true; value: number; notes: string[] } | { ok: false; error: string } {
  const limits = limitsOf(partial);
  const { label, per } = words;
  if (value === undefined || value === null) return { ok: true, value: limits.default, notes: [] };
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) {
    const range = `${limits.min} to ${limits.max}`;
    return { ok: false, error: `${label} ${quote(value)} is not a number: give a whole number from ${range}` };
  }
  const notes: string[] = [];
  let used = Math.round(n);
  if (used !== n) notes.push(`${label} ${quote(value)} is not a whole number; used ${used}`);
  if (used < limits.min) {
    notes.push(`${label} ${used} is fewer than ${limits.min} ${per}; used ${limits.min}`);
    used = limits.min;
  } else if (used > limits.max) {
    notes.push(`${label} ${used} is more than ${limits.max} ${per}; used ${limits.max}`);
    used = limits.max;
  }
  return { ok: true, value: used, notes };
}

function checkCrop(args: Record<string, unknown>, limits: CallLimits): CallCheck {
  const names = TOOL_ARGUMENTS.crop_video;
  const start = checkTime(pick(args, names.start), 'start', limits.duration);
  if (!start.ok) return start;
  const end = checkTime(pick(args, names.end), 'end', limits.duration);
  if (!end.ok) return end;
  const frames = checkFrameCount(pick(args, names.frames), limits.cropFrames);
  if (!frames.ok) return frames;
  if (start.value >= end.value) {
    const dur = showSeconds(safeDuration(limits.duration));
    const error =
      start.note !== null
        ? `the window starts past the end of the case (${dur}): choose start < end within 0 to ${dur}`
        : `start ${showSeconds(start.value)} must be before end ${showSeconds(end.value)}: ` +
          'crop_video needs a window with start < end';
    return { ok: false, error };
  }
  const notes = [start.note, end.note].filter((n): n is string => n !== null);
  notes.push(...frames.notes, ...unknownArgumentNotes(args, 'crop_video'));
  return { ok: true, call: { name: 'crop_video', start: start.value, end: end.value, frames: frames.value }, notes };
}

function checkGetFrame(args: Record<string, unknown>, limits: CallLimits): CallCheck {
  const time = checkTime(pick(args, TOOL_ARGUMENTS.get_frame.time), 'time', limits.duration);
  if (!time.ok) return time;
  const notes = time.note !== null ? [time.note] : [];
  notes.push(...unknownArgumentNotes(args, 'get_frame'));
  return { ok: true, call: { name: 'get_frame', time: time.value }, notes };
}

function checkFindSimilar(args: Record<string, unknown>, limits: CallLimits): CallCheck {
  const names = TOOL_ARGUMENTS.find_similar;
  const time = checkTime(pick(args, names.time), 'time', limits.duration);
  if (!time.ok) return time;
  const limit = checkFrameCount(pick(args, names.limit), SIMILAR_WINDOWS, { label: 'limit', per: 'windows' });
  if (!limit.ok) return limit;
  const notes = time.note !== null ? [time.note] : [];
  notes.push(...limit.notes, ...unknownArgumentNotes(args, 'find_similar'));
  return { ok: true, call: { name: 'find_similar', time: time.value, limit: limit.value }, notes };
}

/** Checks a call as written; `notes` say what was changed to make it runnable. */
export function checkToolCall(raw: RawToolCall, limits: CallLimits): CallCheck {
  if (!isRecord(raw) || typeof raw.name !== 'string') {
    return { ok: false, error: `a tool call needs a "name" and "arguments": ${TOOL_HINT}` };
  }
  const name = raw.name.trim();
  if (!isToolName(name)) return { ok: false, error: `unknown tool ${quote(raw.name)}: ${TOOL_HINT}` };
  const args = raw.arguments;
  if (!isRecord(args)) {
    const example = name === 'crop_video' ? '{"start": 750, "end": 790}' : name === 'find_similar' ? '{"time": 754.5, "limit": 5}' : '{"time": 754.5}';
    const error = `the arguments of ${name} must be a JSON object such as ${example}, not ${quote(args)}`;
    return { ok: false, error };
  }
  if (name === 'crop_video') return checkCrop(args, limits);
  return name === 'find_similar' ? checkFindSimilar(args, limits) : checkGetFrame(args, limits);
}
