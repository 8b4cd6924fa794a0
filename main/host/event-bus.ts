import { EventEmitter } from 'node:events';
import type { EventName, EventPayload } from '../core/contract/events.js';

/** Any contract event with its payload, discriminated by name (what transports forward). */
export type AnyEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];

/** Contract events inside the host; transports subscribe and forward them to their clients. */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    this.emitter.emit('event', { name, payload } as AnyEvent);
  }

  /** One event kind, with its payload typed from the contract. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.subscribe((event) => {
      if (event.name === name) listener(event.payload as EventPayload<E>);
    });
  }

  /** Every event, as a name-discriminated union: narrowing on `event.name` types the payload. */
  subscribe(listener: (event: AnyEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
