/* The agent engine's public API (pure: runs in the worker, the CLI or tests alike). */

export { runAgent, type RunAgentOptions } from './run.js';
export { DEFAULT_BUDGET, resolveBudget, budgetNotice } from './budget.js';
export { checkEvidence, type Evidence, type EvidenceBox, type EvidenceCheck } from './evidence.js';
export {
  DEFAULT_THRESHOLD,
  summarizeTrack,
  summarizeTracks,
  type SummaryOptions,
  type TrackSummaries,
  type TrackSummary,
  type TrackWindow,
} from './track-summary.js';
export type {
  AgentBackend,
  AgentBudget,
  AgentEvent,
  AgentEventBody,
  AgentEventType,
  AgentTools,
  BackendReady,
  BudgetKind,
  BudgetStatus,
  ConversationTurn,
  CropResult,
  FrameDetection,
  FrameInfo,
  FrameRef,
  FrameResult,
  FrameSignals,
  Observation,
  OverviewResult,
  RunOutcome,
  RunRecord,
  SimilarToolResult,
  SimilarWindow,
  StepRecord,
  ToolEventName,
  TurnContext,
  TurnStep,
} from './types.js';
export {
  checkFrameCount,
  checkTime,
  checkToolCall,
  CROP_FRAMES,
  SIMILAR_WINDOWS,
  TOOL_ARGUMENTS,
  type CallCheck,
  type CallLimits,
  type CheckedCall,
  type CropFrameLimits,
  type TimeCheck,
} from '../tools.js';
