/*
 * The text the model reads: the system prompt (tools as JSON schemas, the output format) and the
 * labels beside every frame. Vision-language models misplace times when left to infer them, so
 * each frame is named with its case time in both forms the tools accept.
 */
import { round3 } from '../../round.js';
import { formatClock } from '../../time-format.js';
import type { BookmarkMark } from '../question-scope.js';
import { SIMILAR_WINDOWS } from '../tools.js';
import { type RawToolCall, type ToolName } from '../types.js';

export interface ToolSchema {
  type: 'function';
  function: {
    name: ToolName;
    description: string;
    parameters: {
      type: 'object';
      properties: Record<string, { type: string | string[]; description: string }>;
      required: string[];
    };
  };
}

const TIME_TYPE = ['number', 'string'];
const TIME_NOTE = 'case time: seconds (750.5) or "HH:MM:SS(.mmm)" ("00:12:30.500")';

/** The tools, as JSON schemas; `framesPerCrop` is how many frames crop_video returns. */
export function toolSchemas(framesPerCrop: number): ToolSchema[] {
  return [
    {
      type: 'function',
      function: {
        name: 'crop_video',
        description:
          `Look densely at a window of the video: returns ${framesPerCrop} frames spread evenly over [start, end], ` +
          'each labelled with its time, plus a summary of the signal tracks (motion, bleeding/redness, smoke/haze, ' +
          'out-of-body, brightness, scene changes) over the window.',
        parameters: {
          type: 'object',
          properties: {
            start: { type: TIME_TYPE, description: `Window start, ${TIME_NOTE}.` },
            end: { type: TIME_TYPE, description: `Window end, ${TIME_NOTE}; after start.` },
          },
          required: ['start', 'end'],
        },
      },
    },
    {
      type: 'function',
      function: {
        name: 'get_frame',
        description: 'Verify one moment: returns the single frame at time t at full resolution, labelled with its time.',
        parameters: {
          type: 'object',
          properties: { t: { type: TIME_TYPE, description: `The moment, ${TIME_NOTE}.` } },
          required: ['t'],
        },
      },
    },
    {
      type: 'function',
      function: {
        name: 'find_similar',
        description:
          'Find the other moments of this case that look like the frame at time t (the same view, instrument or ' +
          'situation): returns windows best first, each with its start and end, its similarity score (cosine of ' +
          'picture embeddings, 1 = the same picture) and the frame of its most similar moment, labelled with its time. ' +
          'The window holding t itself is left out.',
        parameters: {
          type: 'object',
          properties: {
            t: { type: TIME_TYPE, description: `The moment to compare with, ${TIME_NOTE}.` },
            limit: { type: 'integer', description: `Most windows to return (${SIMILAR_WINDOWS.min} to ${SIMILAR_WINDOWS.max}, default ${SIMILAR_WINDOWS.default}); each costs one frame.` },
          },
          required: ['t'],
        },
      },
    },
  ];
}

export interface SystemPromptOptions {
  /** Frames crop_video returns (K). */
  framesPerCrop: number;
  /** Case length in seconds, so the model knows the valid range. */
  caseDuration?: number;
  /** The tool-call budget for the run, if the engine has one. */
  maxToolCalls?: number;
  /** The case is being recorded: it may have grown by the time the answer is read. */
  live?: boolean;
  /** The clinician's bookmarks, in time order. */
  bookmarks?: readonly BookmarkMark[];
}

/** The system prompt: the task, the tools (Qwen's `<tools>` block of JSON schemas) and the output format. */
export function buildSystemPrompt(opts: SystemPromptOptions): string {
  const tools = toolSchemas(opts.framesPerCrop)
    .map((t) => JSON.stringify(t))
    .join('\n');
  const lines = [
    'You review a recorded surgical procedure (endoscopic/laparoscopic video) to answer a clinician\'s question,',
    'grounding every claim in moments of the video.',
    '',
    'Work coarse to fine: read the overview you are given, decide where the evidence probably is, look at that',
    'window densely with crop_video, verify a single moment at full resolution with get_frame, revise, then answer.',
    'When the question asks where else (or when else) something seen at a moment happens, find_similar(t) lists the',
    'windows that look like the frame at t; check the ones that matter with crop_video or get_frame.',
  ];
  if (opts.caseDuration !== undefined && Number.isFinite(opts.caseDuration)) {
    const length = `${formatClock(opts.caseDuration)} (${formatSeconds(opts.caseDuration)} s)`;
    lines.push(
      '',
      opts.live
        ? `The case is being recorded now and may still be growing: so far it lasts ${length}; times run from 0 to that.`
        : `The case lasts ${length}; times run from 0 to that.`,
    );
  }
  if (opts.bookmarks && opts.bookmarks.length > 0) {
    lines.push(
      '',
      'The clinician marked these moments with bookmarks (number, case time, label); questions may name them',
      '("after the second bookmark", "since bookmark \'trocar\'"):',
      ...opts.bookmarks.map((b) => `- bookmark ${b.number} at ${formatClock(b.time)} (${formatSeconds(b.time)} s)${b.label ? `: "${b.label}"` : ''}`),
    );
  }
  if (opts.maxToolCalls !== undefined) lines.push(`You may call tools at most ${opts.maxToolCalls} times.`);
  lines.push(
    '',
    `Times are ${TIME_NOTE}. Every frame you are shown is labelled with its time: cite those times, do not`,
    'guess times from the picture.',
    '',
    '# Tools',
    '',
    'You may call one function per turn. Function signatures, within <tools></tools>:',
    '<tools>',
    tools,
    '</tools>',
    '',
    '# Output format',
    '',
    'First think inside <think>…</think>. Then write exactly one of:',
    '',
    '<tool_call>',
    '{"name": <function-name>, "arguments": <args-json-object>}',
    '</tool_call>',
    '',
    'and stop to wait for the result, or your final answer:',
    '',
    '<answer>',
    '{"answer": "<the answer in words, for the clinician>",',
    ' "evidence": [{"start": <time>, "end": <time>, "frames": [<key moments>], "claim": "<what this window shows>"}]}',
    '</answer>',
    '',
    'List evidence best first. If the video does not show what was asked, say so in "answer" and give "evidence": [].',
    'When asked where something is, add to its evidence "boxes": [{"time": <time>, "box": [x1, y1, x2, y2]}], in pixels',
    'of the full-resolution frame (get_frame).',
  );
  return lines.join('\n');
}

/** Seconds as a short decimal: 751.25, 750 (millisecond precision, no trailing zeros). */
export function formatSeconds(t: number): string {
  if (!Number.isFinite(t)) return String(t);
  const rounded = round3(t);
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** "frame at 00:12:31.250 (751.25 s)": the text placed beside every frame a model sees. */
export function frameLabel(t: number): string {
  return `frame at ${formatClock(t)} (${formatSeconds(t)} s)`;
}

/** "00:12:30.000–00:13:10.000 (750–790 s)". */
export function windowLabel(start: number, end: number): string {
  return `${formatClock(start)}–${formatClock(end)} (${formatSeconds(start)}–${formatSeconds(end)} s)`;
}

/** Header of a crop_video observation; `notes` say what the engine changed (e.g. clamping). */
export function cropObservationHeader(o: { start: number; end: number; frameTimes: readonly number[]; notes?: readonly string[] }): string {
  const lines = [`crop_video ${windowLabel(o.start, o.end)}: ${o.frameTimes.length} frame${o.frameTimes.length === 1 ? '' : 's'}.`];
  for (const note of o.notes ?? []) lines.push(`Note: ${note}`);
  o.frameTimes.forEach((t, i) => lines.push(`${i + 1}. ${frameLabel(t)}`));
  return lines.join('\n');
}

/** Header of a get_frame observation. */
export function frameObservationHeader(o: { t: number; notes?: readonly string[] }): string {
  const lines = [`get_frame: ${frameLabel(o.t)}, full resolution.`];
  for (const note of o.notes ?? []) lines.push(`Note: ${note}`);
  return lines.join('\n');
}

/** Header of a find_similar observation: which moment was compared with, then one line per window. */
export function similarObservationHeader(o: {
  t: number;
  windows: readonly { start: number; end: number; score: number; time: number }[];
  unavailable: string | null;
  notes?: readonly string[];
}): string {
  const lines = [`find_similar: the windows that look like the ${frameLabel(o.t)}.`];
  for (const note of o.notes ?? []) lines.push(`Note: ${note}`);
  if (o.unavailable === null && o.windows.length === 0) lines.push('No other moment of the case stands out as similar.');
  o.windows.forEach((w, i) =>
    lines.push(`${i + 1}. ${windowLabel(w.start, w.end)}, score ${w.score.toFixed(2)}, most similar at ${frameLabel(w.time)}`),
  );
  return lines.join('\n');
}

/** A call as the model should have written it, for replaying the conversation history. */
export function formatToolCall(call: RawToolCall): string {
  return `<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.arguments })}\n</tool_call>`;
}

/** An observation as Qwen's chat template presents tool results. */
export function wrapToolResponse(text: string): string {
  return `<tool_response>\n${text}\n</tool_response>`;
}
