/*
 * The shared vocabulary of the agent (pure: runs in any process). The protocol parser turns model
 * text into these; the engine drives a loop over them; backends produce them.
 */

/** The tools a backend may call. Times are case seconds, or "HH:MM:SS(.mmm)" strings as written. */
export const TOOL_NAMES = ['crop_video', 'get_frame', 'find_similar'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** A tool call exactly as the model wrote it: not yet checked. */
export interface RawToolCall {
  name: string;
  arguments: unknown;
}

/** One evidence item as an answer states it; times unchecked (seconds or clock strings). */
export interface EvidenceDraft {
  start: number | string;
  end: number | string;
  /** Key moments inside the window. */
  frames: (number | string)[];
  claim: string;
  /** Where the object asked about is at moments of the window; unchecked. */
  boxes?: BoxDraft[];
}

/** A box as an answer states it: a time (seconds or clock string) and, hopefully, [x1, y1, x2, y2]. */
export interface BoxDraft {
  time: number | string;
  box: unknown;
}

export interface AnswerDraft {
  /** The answer in words, for the clinician. */
  text: string;
  /** Best first. Empty when the backend declines or found nothing. */
  evidence: EvidenceDraft[];
}

/** What a backend decided for one turn of the loop. */
export type BackendStep =
  | { kind: 'tool'; thought: string; call: RawToolCall }
  | { kind: 'answer'; thought: string; answer: AnswerDraft }
  /** Output that is neither a usable call nor an answer; the engine tells the backend so. */
  | { kind: 'malformed'; thought: string; error: string; raw: string };
