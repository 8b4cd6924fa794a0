/*
 * Turns the JSON a model wrote for a tool call into a RawToolCall. Only the envelope is
 * interpreted here (name and arguments, under the names different model families use); whether
 * the tool exists and its arguments are valid is the engine's call, so it can say so to the model.
 */
import { TOOL_NAMES, type RawToolCall } from '../types.js';
import { isPlainObject, jsonStarts, parseLooseJson } from './loose-json.js';

export type ToolCallResult = { ok: true; call: RawToolCall } | { ok: false; error: string };

const NAME_KEYS = ['name', 'tool', 'tool_name', 'function'] as const;
// "arguments" (Qwen, OpenAI), "parameters" (Llama 3), "args"/"input" (assorted fine-tunes).
const ARG_KEYS = ['arguments', 'parameters', 'args', 'input', 'params', 'argument'] as const;
const ENVELOPE_KEYS = new Set<string>([...NAME_KEYS, ...ARG_KEYS, 'type', 'id', 'call_id']);

const EXAMPLE = '{"name": "crop_video", "arguments": {"start": 750, "end": 790}}';

/** Parses the text inside `<tool_call>…</tool_call>` (fences and surrounding prose tolerated). */
export function parseToolCallText(content: string): ToolCallResult {
  if (content.trim() === '') return { ok: false, error: `the tool call is empty; write ${EXAMPLE}` };
  let firstProblem: string | null = null;
  for (const start of jsonStarts(content)) {
    const parsed = parseLooseJson(content, start);
    if (!parsed.ok) {
      firstProblem ??= `the tool call is not valid JSON (${parsed.error})`;
      continue;
    }
    const r = toolCallFromValue(parsed.value);
    if (r.ok) return r;
    firstProblem ??= r.error;
  }
  return { ok: false, error: firstProblem ?? `the tool call must be a JSON object like ${EXAMPLE}` };
}

export function toolCallFromValue(value: unknown): ToolCallResult {
  if (Array.isArray(value)) {
    // Some models wrap a single call in a list; with several, the first is what they mean first.
    const first = value.find(isPlainObject);
    if (first === undefined) return { ok: false, error: `the tool call must be a JSON object like ${EXAMPLE}` };
    return toolCallFromValue(first);
  }
  if (!isPlainObject(value)) return { ok: false, error: `the tool call must be a JSON object like ${EXAMPLE}` };

  // OpenAI style: {"type": "function", "function": {"name": ..., "arguments": "..."}}
  const fn = Object.hasOwn(value, 'function') ? value['function'] : undefined;
  const obj = isPlainObject(fn) ? fn : value;

  const name = firstString(obj, NAME_KEYS);
  if (name === null || name.trim() === '') {
    return { ok: false, error: `the tool call has no "name" (expected one of ${TOOL_NAMES.join(', ')})` };
  }

  const argKey = ARG_KEYS.find((k) => Object.hasOwn(obj, k));
  let args: unknown;
  if (argKey !== undefined) {
    args = obj[argKey];
    if (typeof args === 'string') {
      // OpenAI sends arguments as a JSON string; models trained on it copy that.
      const text = args.trim();
      if (text === '') args = {};
      else {
        const parsed = parseLooseJson(text);
        if (!parsed.ok) return { ok: false, error: `"${argKey}" is a string that is not valid JSON (${parsed.error})` };
        // The lenient reader takes a bare word as a string; here only a whole object is meant.
        if (!isPlainObject(parsed.value) || text.slice(parsed.end).trim() !== '') {
          return { ok: false, error: `"${argKey}" is a string that is not a JSON object` };
        }
        args = parsed.value;
      }
    }
    if (args === null || args === undefined) args = {};
  } else {
    // {"name": "get_frame", "t": 751}: the arguments were written flat beside the name.
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!ENVELOPE_KEYS.has(k)) rest[k] = v;
    args = rest;
  }
  return { ok: true, call: { name: name.trim(), arguments: args } };
}

/**
 * A JSON object written outside any tag counts as a call only when it plainly is one: it names a
 * known tool or carries an arguments field. Other JSON in prose stays prose.
 */
export function bareToolCall(value: unknown): RawToolCall | null {
  if (!isPlainObject(value)) return null;
  const r = toolCallFromValue(value);
  if (!r.ok) return null;
  const fn = Object.hasOwn(value, 'function') ? value['function'] : undefined;
  const obj = isPlainObject(fn) ? fn : value;
  const known = (TOOL_NAMES as readonly string[]).includes(r.call.name.toLowerCase());
  const hasArgs = ARG_KEYS.some((k) => Object.hasOwn(obj, k));
  return known || hasArgs ? r.call : null;
}

function firstString(obj: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = Object.hasOwn(obj, k) ? obj[k] : undefined;
    if (typeof v === 'string') return v;
  }
  return null;
}
