/*
 * Between the engine and the bus. A streaming model writes a thought a few characters at a time;
 * forwarding each piece would flood every client, so consecutive pieces of one step go out as one
 * event per batch window (about an animation frame). Everything else goes out at once, after any
 * pending thought, so order is kept.
 */

import type { AgentEvent, StepRecord } from '../../core/agent/engine/index.js';

type ThoughtDelta = Extract<AgentEvent, { type: 'thought-delta' }>;

export class ThoughtBatcher {
  private pending: ThoughtDelta | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (event: AgentEvent) => void,
    private readonly windowMs = 16,
  ) {}

  push(event: AgentEvent): void {
    if (event.type !== 'thought-delta') {
      this.flush();
      this.send(event);
      return;
    }
    if (this.pending && this.pending.step === event.step) {
      // The merged event keeps the first piece's seq and time: when the thought began.
      this.pending = { ...this.pending, delta: this.pending.delta + event.delta };
      return;
    }
    this.flush();
    this.pending = { ...event };
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref?.();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = null;
    if (pending) this.send(pending);
  }
}

/**
 * The steps of a run as its events tell them, so each finished step can be written while the run
 * goes on: if the process dies, the store still shows how far the run got. The engine's own
 * record replaces these when the run ends (it also has the calls as the model wrote them).
 */
export class LiveSteps {
  private readonly steps = new Map<number, StepRecord>();

  constructor(private readonly finished: (step: StepRecord) => void) {}

  observe(event: AgentEvent): void {
    if (!('step' in event) || event.step < 1) return;
    const step = this.stepAt(event.step, event.time);
    switch (event.type) {
      case 'thought-delta':
        step.thought += event.delta;
        return;
      case 'tool-started':
        step.checked = event.call;
        step.notes = event.notes;
        return;
      case 'tool-result':
        Object.assign(step, { frames: event.frames, signals: event.signals, samples: event.samples, endedAt: event.time });
        if (event.windows) step.windows = event.windows;
        break;
      case 'tool-error':
        Object.assign(step, { error: event.error, endedAt: event.time, kind: event.name === null ? 'malformed' : 'tool' });
        break;
    }
    this.finished(step);
  }

  private stepAt(index: number, time: number): StepRecord {
    let step = this.steps.get(index);
    if (!step) {
      step = {
        index, kind: 'tool', thought: '', call: null, checked: null, notes: [], frames: [], signals: null, samples: [],
        error: null, raw: null, startedAt: time, endedAt: null,
      };
      this.steps.set(index, step);
    }
    return step;
  }
}
