/*
 * Agent events travel to a window over one channel per run (a MessagePort in the desktop app):
 * a run's events stay in order on their own channel, are not mixed into the general event stream,
 * and the channel closes with the run. The window side feeds them to the same listeners as any
 * other event, so the page does not know which transport it is on.
 */

import type { EventPayload } from '../../core/contract/events.js';

type AgentEventPayload = EventPayload<'agent.event'>;

export interface RunPort {
  post(payload: AgentEventPayload): void;
  close(): void;
}

export class RunChannels {
  private readonly ports = new Map<string, RunPort>();

  /** `open` makes the channel of a run and hands its other end to the window; null when there is no window. */
  constructor(private readonly open: (runId: string) => RunPort | null) {}

  /** False when the event could not be delivered (no window to deliver it to). */
  deliver(payload: AgentEventPayload): boolean {
    const { runId } = payload.event;
    let port = this.ports.get(runId);
    if (!port) {
      const opened = this.open(runId);
      if (!opened) return false;
      port = opened;
      this.ports.set(runId, port);
    }
    port.post(payload);
    if (payload.event.type === 'run-ended') {
      port.close();
      this.ports.delete(runId);
    }
    return true;
  }

  /** The page went away (reload, close): its ends of the channels are gone; later events open new ones. */
  reset(): void {
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
  }

  get size(): number {
    return this.ports.size;
  }
}
