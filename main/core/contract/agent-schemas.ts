/*
 * The agent's shapes on the wire: streamed engine events and the stored conversation. They mirror
 * the engine's TypeScript types (main/core/agent/engine/types.ts); agent-schemas-check.ts fails the
 * build when the two drift apart.
 */

import { z } from 'zod';
import { CaseSeconds, Id, TrackName } from './schemas.js';

export const AgentBudget = z.object({
  maxToolCalls: z.number().int().nonnegative(),
  maxFrames: z.number().int().nonnegative(),
  maxWallMs: z.number().nonnegative(),
});

export const RunOutcome = z.enum(['answered', 'budget', 'canceled', 'failed']);
export const BudgetKind = z.enum(['toolCalls', 'frames', 'wallTime']);
/** A stored run: still running, ended by the engine, or cut off by the process ending. */
export const RunState = z.enum(['running', ...RunOutcome.options, 'interrupted']);
export type RunState = z.infer<typeof RunState>;

/** One object the vision model found on a frame: label, score 0..1, [x1, y1, x2, y2] in frame pixels. */
export const FrameDetection = z.object({
  label: z.string(),
  score: z.number(),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

/**
 * An agent frame: an opaque id the media layer resolves, at a case time, with what the vision
 * model found on it when it ran there (absent when it did not).
 */
export const AgentFrame = z.object({ time: z.number(), ref: z.string(), detections: z.array(FrameDetection).readonly().optional() });

export const FrameSignals = z.object({
  time: z.number(),
  blood: z.number(),
  haze: z.number(),
  outOfBody: z.number(),
  brightness: z.number(),
});

const TrackWindow = z.object({ start: z.number(), end: z.number(), peak: z.number() });
const TrackSummary = z.object({
  mean: z.number().nullable(),
  max: z.number().nullable(),
  maxAt: z.number().nullable(),
  threshold: z.number(),
  windows: z.array(TrackWindow),
  coverage: z.number(),
});
export const TrackSummaries = z.partialRecord(TrackName, TrackSummary);

export const OverviewResult = z.object({
  frames: z.array(AgentFrame),
  tracks: TrackSummaries,
  series: z.partialRecord(TrackName, z.array(z.number())).optional(),
});

export const CheckedCall = z.discriminatedUnion('name', [
  z.object({ name: z.literal('crop_video'), start: z.number(), end: z.number(), frames: z.number().int() }),
  z.object({ name: z.literal('get_frame'), time: z.number() }),
  z.object({ name: z.literal('find_similar'), time: z.number(), limit: z.number().int() }),
]);

/** A window find_similar found: its best keyframe's score and moment, with the frame there. */
export const SimilarWindow = z.object({ start: z.number(), end: z.number(), score: z.number(), time: z.number(), frame: AgentFrame });

/** A call as the model wrote it; its arguments are whatever the model wrote. */
export const RawToolCall = z.object({ name: z.string(), arguments: z.unknown() });

/** Where an object is at one moment: [x1, y1, x2, y2] in pixels of the recording's frame. */
export const EvidenceBox = z.object({ time: CaseSeconds, box: z.tuple([z.number(), z.number(), z.number(), z.number()]) });

export const Evidence = z.object({
  id: z.string(),
  rank: z.number().int().positive(),
  start: CaseSeconds,
  end: CaseSeconds,
  frames: z.array(CaseSeconds),
  claim: z.string(),
  /** Only from model backends, for questions about where something is. */
  boxes: z.array(EvidenceBox).optional(),
});

const Usage = z.object({ toolCalls: z.number().int().nonnegative(), frames: z.number().int().nonnegative() });
const ToolEventName = z.enum(['crop_video', 'get_frame', 'find_similar', 'overview']);
const StepKind = z.enum(['tool', 'answer', 'malformed']);

const base = { runId: z.string(), seq: z.number().int().nonnegative(), time: z.number() };

export const AgentEvent = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('run-started'),
    question: z.string(),
    backend: z.string(),
    model: z.string().nullable(),
    budget: AgentBudget,
    duration: z.number(),
  }),
  z.object({ ...base, type: z.literal('backend-status'), text: z.string() }),
  z.object({ ...base, type: z.literal('backend-ready'), executionProvider: z.string().nullable(), detail: z.string() }),
  z.object({ ...base, type: z.literal('thought-delta'), step: z.number().int(), delta: z.string() }),
  z.object({
    ...base,
    type: z.literal('tool-started'),
    step: z.number().int(),
    name: ToolEventName,
    call: CheckedCall.nullable(),
    notes: z.array(z.string()),
  }),
  z.object({
    ...base,
    type: z.literal('tool-result'),
    step: z.number().int(),
    name: ToolEventName,
    frames: z.array(AgentFrame),
    signals: TrackSummaries.nullable(),
    samples: z.array(FrameSignals),
    windows: z.array(SimilarWindow).optional(),
    notes: z.array(z.string()),
  }),
  z.object({ ...base, type: z.literal('tool-error'), step: z.number().int(), name: z.string().nullable(), error: z.string() }),
  z.object({ ...base, type: z.literal('evidence'), evidence: Evidence }),
  z.object({ ...base, type: z.literal('answer'), text: z.string(), notes: z.array(z.string()) }),
  z.object({
    ...base,
    type: z.literal('run-ended'),
    outcome: RunOutcome,
    error: z.string().nullable(),
    exhausted: BudgetKind.nullable(),
    usage: Usage,
  }),
]);
export type AgentEvent = z.infer<typeof AgentEvent>;

export const StepRecord = z.object({
  index: z.number().int().nonnegative(),
  kind: StepKind,
  thought: z.string(),
  call: RawToolCall.nullable(),
  checked: CheckedCall.nullable(),
  notes: z.array(z.string()),
  frames: z.array(AgentFrame),
  signals: TrackSummaries.nullable(),
  samples: z.array(FrameSignals),
  windows: z.array(SimilarWindow).optional(),
  error: z.string().nullable(),
  raw: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
});
export type StepRecord = z.infer<typeof StepRecord>;

/** Evidence as stored: the engine's item plus the clinician's review, which comes later. */
export const StoredEvidence = Evidence.extend({
  runId: z.string(),
  /** 'unreviewed' until a clinician reviews it; the review's vocabulary belongs to the feedback work. */
  status: z.string(),
  correctedStart: CaseSeconds.nullable(),
  correctedEnd: CaseSeconds.nullable(),
});
export type StoredEvidence = z.infer<typeof StoredEvidence>;

export const StoredRun = z.object({
  runId: z.string(),
  questionId: Id,
  state: RunState,
  backend: z.object({ name: z.string(), model: z.string().nullable() }),
  executionProvider: z.string().nullable(),
  budget: AgentBudget,
  /** Case duration the run saw, seconds. */
  duration: z.number(),
  timings: z.object({
    startedAt: z.number(),
    firstEventAt: z.number().nullable(),
    /** Null while running and for a run the process did not live to finish. */
    endedAt: z.number().nullable(),
  }),
  error: z.string().nullable(),
  exhausted: BudgetKind.nullable(),
  usage: Usage,
  overview: OverviewResult.nullable(),
  steps: z.array(StepRecord),
  evidence: z.array(StoredEvidence),
  answer: z.string().nullable(),
  notes: z.array(z.string()),
});
export type StoredRun = z.infer<typeof StoredRun>;

export const StoredQuestion = z.object({
  id: Id,
  text: z.string(),
  askedAt: z.string(),
  /** Oldest first; usually one. */
  runs: z.array(StoredRun),
});
export type StoredQuestion = z.infer<typeof StoredQuestion>;

export const Conversation = z.object({
  id: Id,
  caseId: Id,
  createdAt: z.string(),
  questions: z.array(StoredQuestion),
});
export type Conversation = z.infer<typeof Conversation>;

export const CaseConversations = z.object({
  caseId: Id,
  /** Oldest first. */
  conversations: z.array(Conversation),
});
export type CaseConversations = z.infer<typeof CaseConversations>;

/** A run once it has ended (what `agent.wait` returns): its outcome, answer, evidence and steps. */
export const FinishedRun = z.object({
  runId: z.string(),
  caseId: Id,
  conversationId: Id,
  state: RunState,
  backend: z.object({ name: z.string(), model: z.string().nullable() }),
  executionProvider: z.string().nullable(),
  answer: z.string().nullable(),
  error: z.string().nullable(),
  evidence: z.array(Evidence),
  steps: z.array(StepRecord),
  notes: z.array(z.string()),
  /** Why the run could not be written to the store, if it could not. */
  saveError: z.string().nullable(),
});
export type FinishedRun = z.infer<typeof FinishedRun>;

/** One streamed engine event, with the case and conversation it belongs to. */
export const AgentEventMessage = z.object({ caseId: Id, conversationId: Id, event: AgentEvent });
export type AgentEventMessage = z.infer<typeof AgentEventMessage>;
