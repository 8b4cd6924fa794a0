/*
 * The scout: the embedded default backend. It needs no model weights: it answers questions about
 * bleeding, smoke, out-of-body views and pauses from the index tracks, refining on crops, and
 * declines everything else.
 */

import type { AgentBackend, TurnContext } from '../../engine/index.js';
import type { BackendStep } from '../../types.js';
import { decide, DEFAULT_SCOUT_OPTIONS, type ScoutOptions } from './policy.js';

export { parseIntent, EVENT_KINDS, type Intent, type EventIntent, type DeclineIntent, type EventKind, type Occurrence, type Ask } from './intent.js';
export { DEFAULT_SCOUT_OPTIONS, type ScoutOptions } from './policy.js';

export interface ScoutBackendOptions extends Partial<Omit<ScoutOptions, 'thresholds'>> {
  thresholds?: Partial<ScoutOptions['thresholds']>;
}

export function createScoutBackend(opts: ScoutBackendOptions = {}): AgentBackend {
  const options: ScoutOptions = {
    cropRadius: opts.cropRadius ?? DEFAULT_SCOUT_OPTIONS.cropRadius,
    cropFrames: opts.cropFrames ?? DEFAULT_SCOUT_OPTIONS.cropFrames,
    maxCropFrames: opts.maxCropFrames ?? DEFAULT_SCOUT_OPTIONS.maxCropFrames,
    thresholds: { ...DEFAULT_SCOUT_OPTIONS.thresholds, ...opts.thresholds },
  };
  return {
    name: 'scout',
    // Pure computation: nothing to wait for, so a canceled run never reaches it.
    next: async (ctx: TurnContext, signal: AbortSignal): Promise<BackendStep> => {
      signal.throwIfAborted();
      return decide(ctx, options);
    },
  };
}
