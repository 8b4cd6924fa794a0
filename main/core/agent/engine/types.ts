/*
 * The engine's contracts: what a backend sees each turn, what the tools return, the events a run
 * streams and the record a store persists. Frames are referred to by opaque ids, never pixels, so
 * all of this can cross a process boundary as JSON.
 */

import type { BookmarkMark, QuestionScope } from '../question-scope.js';
import type { CheckedCall } from '../tools.js';
import type { TrackName } from '../../contract/schemas.js';
import type { BackendStep, RawToolCall, ToolName } from '../types.js';
import type { Evidence } from './evidence.js';
import type { TrackSummaries } from './track-summary.js';

/**
 * One object a pretrained detector found on a frame: a COCO label ("person", "dining table"…) or
 * "face", its score 0..1 and [x1, y1, x2, y2] in pixels of the frame.
 */
export interface FrameDetection {
  label: string;
  score: number;
  box: [number, number, number, number];
}

/** A stored image at a case time; `ref` is an id the media layer resolves. */
export interface FrameRef {
  time: number;
  ref: string;
  /**
   * What the vision model found on the frame, best first; absent when it did not run on it
   * (storyboard frames, or the model is unavailable), empty when it ran and found nothing.
   */
  detections?: readonly FrameDetection[];
}

export interface FrameInfo extends FrameRef {
  width: number;
  height: number;
}

export interface OverviewResult {
  /** Storyboard over the whole case, in time order. */
  frames: FrameRef[];
  tracks: TrackSummaries;
  /**
   * The per-second tracks themselves (display scale 0..1, -1 = no data yet), for backends that
   * reason on numbers; models get the summaries and frames instead.
   */
  series?: Partial<Record<TrackName, number[]>>;
}

/**
 * What one frame returned by a crop shows, measured on that frame, on the same 0..1 scale as the
 * case's tracks: finer in time than the per-second tracks, which come from keyframes only.
 */
export interface FrameSignals {
  time: number;
  blood: number;
  haze: number;
  outOfBody: number;
  brightness: number;
}

export interface CropResult {
  frames: FrameRef[];
  /** The tracks over the cropped window only. */
  signals: TrackSummaries;
  /** One per returned frame, in time order. */
  samples: FrameSignals[];
  /** What the tools want the trace to say about this result (e.g. the vision model being unavailable). */
  notes?: string[];
}

/** A get_frame result: the frame and, like a crop, what the tools want the trace to say. */
export type FrameResult = FrameInfo & { notes?: string[] };

/**
 * One window find_similar found: a stretch of the case whose keyframes look like the frame asked
 * about (consecutive similar keyframes merged), its best keyframe's score (cosine similarity,
 * 1 = the same picture) and most similar moment, with the frame at that moment.
 */
export interface SimilarWindow {
  start: number;
  end: number;
  score: number;
  time: number;
  frame: FrameRef;
}

export interface SimilarToolResult {
  /** Best first; the window holding the moment asked about is left out. */
  windows: SimilarWindow[];
  /**
   * Why nothing could be searched (the case has no picture index yet, which is then being
   * built), in words for the model; null when the case was searched.
   */
  unavailable: string | null;
  notes?: string[];
}

/** Implemented by the media worker; every call must stop work when `signal` aborts. */
export interface AgentTools {
  overview(signal: AbortSignal): Promise<OverviewResult>;
  cropVideo(start: number, end: number, frames: number, signal: AbortSignal): Promise<CropResult>;
  getFrame(time: number, signal: AbortSignal): Promise<FrameResult>;
  /** Absent where the host has no picture index (the engine tells the backend so). */
  findSimilar?(time: number, limit: number, signal: AbortSignal): Promise<SimilarToolResult>;
}

export interface AgentBudget {
  /** Backend steps that are not answers: valid calls, invalid calls and malformed output alike. */
  maxToolCalls: number;
  /** Frames returned by crop_video and get_frame (the overview's storyboard is not counted). */
  maxFrames: number;
  /** Checked between steps; a step in progress is not cut short (cancel for that). */
  maxWallMs: number;
}

export type BudgetKind = 'toolCalls' | 'frames' | 'wallTime';

export interface BudgetStatus {
  toolCallsLeft: number;
  framesLeft: number;
  msLeft: number;
}

/** An earlier question and answer of the same case conversation, for follow-ups. */
export interface ConversationTurn {
  question: string;
  answer: string;
  evidence: Evidence[];
}

type CropCall = Extract<CheckedCall, { name: 'crop_video' }>;
type FrameCall = Extract<CheckedCall, { name: 'get_frame' }>;
type SimilarCall = Extract<CheckedCall, { name: 'find_similar' }>;

/** What a backend learns from its previous step. `notes` include clamping the engine did. */
export type Observation =
  | { kind: 'crop'; call: CropCall; frames: FrameRef[]; signals: TrackSummaries; samples: FrameSignals[]; notes: string[] }
  | { kind: 'frame'; call: FrameCall; frame: FrameInfo; notes: string[] }
  | { kind: 'similar'; call: SimilarCall; windows: SimilarWindow[]; unavailable: string | null; notes: string[] }
  | { kind: 'error'; error: string; notes: string[] };

export interface TurnStep {
  /** 1-based; 0 is the overview. */
  index: number;
  step: BackendStep;
  observation: Observation;
}

export interface TurnContext {
  runId: string;
  question: string;
  /** Case duration so far, seconds. */
  duration: number;
  /** True while the case is being recorded: it may have grown by the time the answer is read. */
  live: boolean;
  /** Case seconds the player was at when the question was asked; null when not given. */
  playhead: number | null;
  /** The clinician's bookmarks of the case, in time order (numbered from 1). */
  bookmarks: readonly BookmarkMark[];
  /**
   * The part of the case the question is about when it says so ("in the last 5 minutes", "after
   * the second bookmark"), within [0, duration]; null for the whole case. A question naming a
   * bookmark the case lacks never reaches a backend.
   */
  scope: QuestionScope | null;
  history: readonly ConversationTurn[];
  overview: OverviewResult;
  /** Every step so far, oldest first, each with what it produced. */
  steps: readonly TurnStep[];
  budget: BudgetStatus;
  /** True on the one extra turn after the budget is spent: only an answer is used. */
  final: boolean;
  /** Why this is the final turn, in words for the model; null otherwise. */
  notice: string | null;
  /** Streams thought text; the engine forwards it as thought-delta events. */
  onThought(delta: string): void;
}

/** What a backend reports once it is ready to answer (e.g. a local model loaded). */
export interface BackendReady {
  /** Where the model runs: "cpu", "cuda", "local-server"... */
  executionProvider: string | null;
  /** One line for the clinician, e.g. "Qwen2.5-VL (fp16) on cuda; DirectML failed: …". */
  detail: string;
}

export interface AgentBackend {
  name: string;
  model?: string;
  /** Where the backend's model runs, when known without `prepare` (e.g. "local-server"). */
  executionProvider?: string | null;
  /**
   * Optional slow set-up before the first turn (loading a local model), run while the overview
   * is made. `status` streams what it is doing. Its time does not count against the wall-time
   * budget: a first load can take minutes and says nothing about the question.
   */
  prepare?(signal: AbortSignal, status: (text: string) => void): Promise<BackendReady>;
  next(ctx: TurnContext, signal: AbortSignal): Promise<BackendStep>;
}

export type RunOutcome = 'answered' | 'budget' | 'canceled' | 'failed';

export interface StepRecord {
  index: number;
  kind: BackendStep['kind'];
  thought: string;
  /** The call as written, for tool steps. */
  call: RawToolCall | null;
  /** The call as run, after checking, clamping and fitting to the budget. */
  checked: CheckedCall | null;
  notes: string[];
  frames: FrameRef[];
  signals: TrackSummaries | null;
  /** Per-frame signals of a crop; empty otherwise. */
  samples: FrameSignals[];
  /** The windows of a find_similar step; absent for other steps. */
  windows?: SimilarWindow[];
  /** Why the step produced nothing (invalid call, malformed output, budget, cancel, failure). */
  error: string | null;
  /** The backend's raw output, for malformed steps. */
  raw: string | null;
  startedAt: number;
  endedAt: number | null;
}

export interface RunRecord {
  runId: string;
  question: string;
  backend: { name: string; model: string | null; executionProvider: string | null };
  budget: AgentBudget;
  duration: number;
  timings: {
    startedAt: number;
    /** First event after run-started (what a user waits for), null if none came. */
    firstEventAt: number | null;
    endedAt: number;
  };
  outcome: RunOutcome;
  /** For 'failed' (and 'canceled'): what happened, in words. */
  error: string | null;
  /** The budget that ran out, if one did (also when the final turn still answered). */
  exhausted: BudgetKind | null;
  usage: { toolCalls: number; frames: number };
  overview: OverviewResult | null;
  steps: StepRecord[];
  evidence: Evidence[];
  answer: string | null;
  /** Notes on the answer, e.g. evidence dropped or clamped. */
  notes: string[];
}

interface EventBase {
  runId: string;
  /** 0, 1, 2... in emission order. */
  seq: number;
  /** The engine clock, ms. */
  time: number;
}

export type ToolEventName = ToolName | 'overview';

export type AgentEventBody =
  | {
      type: 'run-started';
      question: string;
      backend: string;
      model: string | null;
      budget: AgentBudget;
      duration: number;
    }
  | { type: 'backend-status'; text: string }
  | { type: 'backend-ready'; executionProvider: string | null; detail: string }
  | { type: 'thought-delta'; step: number; delta: string }
  | { type: 'tool-started'; step: number; name: ToolEventName; call: CheckedCall | null; notes: string[] }
  | {
      type: 'tool-result';
      step: number;
      name: ToolEventName;
      frames: FrameRef[];
      signals: TrackSummaries | null;
      samples: FrameSignals[];
      /** A find_similar step's windows. */
      windows?: SimilarWindow[];
      notes: string[];
    }
  | { type: 'tool-error'; step: number; name: string | null; error: string }
  | { type: 'evidence'; evidence: Evidence }
  | { type: 'answer'; text: string; notes: string[] }
  | {
      type: 'run-ended';
      outcome: RunOutcome;
      error: string | null;
      exhausted: BudgetKind | null;
      usage: { toolCalls: number; frames: number };
    };

export type AgentEvent = AgentEventBody & EventBase;
export type AgentEventType = AgentEvent['type'];
