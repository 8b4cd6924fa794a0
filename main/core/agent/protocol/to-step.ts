/*
 * Decides what one whole model turn means for the engine. The first usable call or answer wins:
 * anything a model writes after a call is its guess at the observation, not something to act on.
 * Errors are written to the model, which reads them as the next observation and retries.
 */
import { type AnswerDraft, type BackendStep } from '../types.js';
import { extractEvidenceFromText } from './answer.js';
import { readGroundingReply } from './grounding-text.js';
import { parseProtocol, type ProtocolEvent, type StreamParserOptions } from './stream-parser.js';

const HOW =
  'Call crop_video or get_frame as <tool_call>{"name": "crop_video", "arguments": {"start": 750, "end": 790}}</tool_call>, ' +
  'or give your final result inside <answer>…</answer>.';

export const MALFORMED_MESSAGES = {
  empty: `Your reply was empty. ${HOW}`,
  thoughtOnly: `You only thought and did not act. ${HOW}`,
  noAction: `No <tool_call> or <answer> found. ${HOW}`,
  emptyAnswer: 'Your <answer> was empty. Write the answer in words, with its evidence windows.',
  badCall: (reason: string) =>
    `Your tool call could not be read: ${reason}. Write one <tool_call>{"name": ..., "arguments": {...}}</tool_call> with valid JSON.`,
} as const;

/** The step for a turn whose events were already collected (a streaming backend forwards them as they come). */
export function stepFromEvents(events: readonly ProtocolEvent[], thought: string, raw: string): BackendStep {
  const t = thought.trim();
  let firstError: string | null = null;
  let emptyAnswer = false;
  let sawText = false;
  for (const e of events) {
    if (e.type === 'tool-call') return { kind: 'tool', thought: t, call: e.call };
    if (e.type === 'answer') {
      if (e.answer.text !== '' || e.answer.evidence.length > 0) return { kind: 'answer', thought: t, answer: e.answer };
      emptyAnswer = true;
    } else if (e.type === 'tool-call-error') firstError ??= e.error;
    else if (e.type === 'text' && e.text.trim() !== '') sawText = true;
  }
  // A model trained on a grounding benchmark may answer in its style alone, without tags.
  const reply = firstError === null && !emptyAnswer ? benchmarkReply(events) : null;
  if (reply) return { kind: 'answer', thought: t, answer: reply };
  let error: string;
  if (firstError !== null) error = MALFORMED_MESSAGES.badCall(firstError);
  else if (emptyAnswer) error = MALFORMED_MESSAGES.emptyAnswer;
  else if (t === '' && !sawText) error = MALFORMED_MESSAGES.empty; // nothing but whitespace and stop tokens
  else if (t !== '' && !sawText) error = MALFORMED_MESSAGES.thoughtOnly;
  else error = MALFORMED_MESSAGES.noAction;
  return { kind: 'malformed', thought: t, error, raw };
}

/** The reply's text outside any block, when it is nothing but the benchmark's spans or boxes. */
function benchmarkReply(events: readonly ProtocolEvent[]): AnswerDraft | null {
  const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('').trim();
  if (!readGroundingReply(text)) return null;
  return { text, evidence: extractEvidenceFromText(text) };
}

/** The step for a whole model turn. */
export function turnToStep(raw: string, opts: StreamParserOptions = {}): BackendStep {
  const { events, thought } = parseProtocol(raw, opts);
  return stepFromEvents(events, thought, raw);
}
