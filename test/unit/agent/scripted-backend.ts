/* Test doubles for the agent engine: a backend that plays back a script, and tools over a fake case. */

import {
  summarizeTracks,
  type AgentBackend,
  type AgentTools,
  type CropResult,
  type FrameInfo,
  type OverviewResult,
  type TurnContext,
} from '../../../main/core/agent/engine/index.js';
import type { AnswerDraft, BackendStep, EvidenceDraft } from '../../../main/core/agent/types.js';

export type ScriptEntry = BackendStep | ((ctx: TurnContext, signal: AbortSignal) => BackendStep | Promise<BackendStep>);

/** Plays back its steps in order and keeps every context it was given. */
export class ScriptedBackend implements AgentBackend {
  readonly name = 'scripted';
  readonly seen: TurnContext[] = [];
  private position = 0;

  constructor(
    private readonly script: ScriptEntry[],
    private readonly options: { model?: string; streamThoughts?: boolean } = {},
  ) {}

  get model(): string | undefined {
    return this.options.model;
  }

  async next(ctx: TurnContext, signal: AbortSignal): Promise<BackendStep> {
    this.seen.push(ctx);
    const entry = this.script[this.position++];
    if (!entry) throw new Error(`the script has no step ${this.position}`);
    const step = typeof entry === 'function' ? await entry(ctx, signal) : entry;
    if (this.options.streamThoughts) for (const word of step.thought.split(/(?<= )/)) ctx.onThought(word);
    return step;
  }
}

export function tool(name: string, args: unknown, thought = ''): BackendStep {
  return { kind: 'tool', thought, call: { name, arguments: args } };
}

export function answer(text: string, evidence: EvidenceDraft[] = [], thought = ''): BackendStep {
  const draft: AnswerDraft = { text, evidence };
  return { kind: 'answer', thought, answer: draft };
}

export function malformed(error: string, raw = '<tool_call>{oops</tool_call>'): BackendStep {
  return { kind: 'malformed', thought: '', error, raw };
}

/** A promise that never settles: a hung model server or decoder. */
export function hang<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

type Hook<A extends unknown[], R> = (...args: A) => Promise<R>;

/**
 * Tools over a fake case of `duration` seconds whose blood track is high from 750 to 790 s.
 * Hooks replace one tool to make it hang or fail.
 */
export class FakeTools implements AgentTools {
  readonly calls: string[] = [];
  readonly signals: AbortSignal[] = [];
  readonly blood: number[];

  constructor(
    readonly duration: number,
    readonly hooks: {
      overview?: Hook<[AbortSignal], OverviewResult>;
      cropVideo?: Hook<[number, number, number, AbortSignal], CropResult>;
      getFrame?: Hook<[number, AbortSignal], FrameInfo>;
    } = {},
  ) {
    this.blood = Array.from({ length: Math.ceil(duration) }, (_, s) => (s >= 750 && s < 790 ? 0.9 : 0.05));
  }

  async overview(signal: AbortSignal): Promise<OverviewResult> {
    this.calls.push('overview');
    this.signals.push(signal);
    if (this.hooks.overview) return this.hooks.overview(signal);
    const frames = Array.from({ length: 8 }, (_, i) => {
      const time = ((i + 0.5) * this.duration) / 8;
      return { time, ref: `story-${i}` };
    });
    return { frames, tracks: summarizeTracks({ blood: this.blood }) };
  }

  async cropVideo(start: number, end: number, frames: number, signal: AbortSignal): Promise<CropResult> {
    this.calls.push(`crop ${start}-${end} x${frames}`);
    this.signals.push(signal);
    if (this.hooks.cropVideo) return this.hooks.cropVideo(start, end, frames, signal);
    const out = Array.from({ length: frames }, (_, i) => {
      const time = start + ((i + 0.5) * (end - start)) / frames;
      return { time, ref: `crop-${start}-${end}-${i}` };
    });
    const samples = out.map(({ time }) => {
      const b = this.blood[Math.min(this.blood.length - 1, Math.floor(time))] ?? 0;
      return { time, blood: Math.max(0, b), haze: 0, outOfBody: 0, brightness: 0.5 };
    });
    return { frames: out, signals: summarizeTracks({ blood: this.blood }, { from: start, to: end }), samples };
  }

  async getFrame(time: number, signal: AbortSignal): Promise<FrameInfo> {
    this.calls.push(`frame ${time}`);
    this.signals.push(signal);
    if (this.hooks.getFrame) return this.hooks.getFrame(time, signal);
    return { time, ref: `frame-${time}`, width: 1920, height: 1080 };
  }
}
