/*
 * Compile-time proof that the agent's wire schemas describe exactly what the engine produces: a
 * field added, removed or retyped on either side fails `tsc` here instead of failing validation
 * at run time.
 */

import type { z } from 'zod';
import type * as Engine from '../agent/engine/index.js';
import type * as Wire from './agent-schemas.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type AgentSchemaChecks = [
  Assert<Same<z.output<typeof Wire.AgentEvent>, Engine.AgentEvent>>,
  Assert<Same<z.output<typeof Wire.AgentBudget>, Engine.AgentBudget>>,
  Assert<Same<z.output<typeof Wire.StepRecord>, Engine.StepRecord>>,
  Assert<Same<z.output<typeof Wire.Evidence>, Engine.Evidence>>,
  Assert<Same<z.output<typeof Wire.OverviewResult>, Engine.OverviewResult>>,
  Assert<Same<z.output<typeof Wire.FrameSignals>, Engine.FrameSignals>>,
  Assert<Same<z.output<typeof Wire.AgentFrame>, Engine.FrameRef>>,
  Assert<Same<z.output<typeof Wire.CheckedCall>, Engine.CheckedCall>>,
  Assert<Same<z.output<typeof Wire.SimilarWindow>, Engine.SimilarWindow>>,
  Assert<Same<z.output<typeof Wire.RunOutcome>, Engine.RunOutcome>>,
  Assert<Same<z.output<typeof Wire.BudgetKind>, Engine.BudgetKind>>,
  Assert<Same<z.output<typeof Wire.TrackSummaries>, Engine.TrackSummaries>>,
];
