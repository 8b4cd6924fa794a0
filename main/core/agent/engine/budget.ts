/* The run's limits and how much of them is left. */

import { showSeconds } from '../tools.js';
import type { AgentBudget, BudgetKind, BudgetStatus } from './types.js';

/**
 * About a dozen looks is what coarse-to-fine needs on a long case (overview, a few crops, a few
 * frames, with room for corrections); 96 frames is 12 crops of 8; two minutes bounds a slow model.
 */
export const DEFAULT_BUDGET: Readonly<AgentBudget> = { maxToolCalls: 12, maxFrames: 96, maxWallMs: 120_000 };

function count(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

/** Fills in defaults; a negative or non-finite limit is a configuration slip, not "no limit". */
export function resolveBudget(partial: Partial<AgentBudget> = {}): AgentBudget {
  return {
    maxToolCalls: count(partial.maxToolCalls, DEFAULT_BUDGET.maxToolCalls),
    maxFrames: count(partial.maxFrames, DEFAULT_BUDGET.maxFrames),
    maxWallMs: count(partial.maxWallMs, DEFAULT_BUDGET.maxWallMs),
  };
}

export class BudgetMeter {
  toolCalls = 0;
  frames = 0;

  constructor(
    readonly budget: AgentBudget,
    private startedAt: number,
    private readonly now: () => number,
  ) {}

  /** Time that does not count against the wall-time budget (a backend's set-up). */
  exclude(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.startedAt += ms;
  }

  status(): BudgetStatus {
    return {
      toolCallsLeft: Math.max(0, this.budget.maxToolCalls - this.toolCalls),
      framesLeft: Math.max(0, this.budget.maxFrames - this.frames),
      msLeft: Math.max(0, this.budget.maxWallMs - (this.now() - this.startedAt)),
    };
  }

  /** The first limit reached, if any. */
  spent(): BudgetKind | null {
    const s = this.status();
    if (s.toolCallsLeft <= 0) return 'toolCalls';
    if (s.framesLeft <= 0) return 'frames';
    if (s.msLeft <= 0) return 'wallTime';
    return null;
  }

  timeSpent(): boolean {
    return this.status().msLeft <= 0;
  }
}

/** The words the backend reads on its final turn. */
export function budgetNotice(kind: BudgetKind, budget: AgentBudget): string {
  const what =
    kind === 'toolCalls'
      ? `The tool-call budget (${budget.maxToolCalls} calls)`
      : kind === 'frames'
        ? `The frame budget (${budget.maxFrames} frames)`
        : `The time budget (${showSeconds(budget.maxWallMs / 1000)})`;
  return (
    `${what} is spent. Answer now from what you have seen, with your best evidence windows; ` +
    'tool calls are no longer run.'
  );
}
