/*
 * A model's reply to one turn, read as it streams: thinking is forwarded as it arrives, the text
 * goes through the protocol parser, and the reply is known to be complete as soon as a whole tool
 * call or answer has been read (the rest need not be waited for). Every backend that talks to a
 * language model shares this, so they all read replies the same way.
 */

import { ProtocolStreamParser, stepFromEvents, type ProtocolEvent } from '../../../core/agent/protocol/index.js';
import type { BackendStep } from '../../../core/agent/types.js';

/** One delta of a streamed chunk, or the message of a whole reply. */
export interface Piece {
  content: string;
  reasoning: string;
  finish: string | null;
}

/** What one turn's reply gathered. */
export class Reply {
  readonly parser = new ProtocolStreamParser();
  readonly events: ProtocolEvent[] = [];
  content = '';
  reasoning = '';
  finish: string | null = null;
  done = false;
  /** A usable call or answer was read: the rest of the reply is not needed. */
  complete = false;

  constructor(private readonly onThought: (delta: string) => void) {}

  get received(): number {
    return this.content.length + this.reasoning.length;
  }

  add(p: Piece): void {
    if (p.finish) this.finish = p.finish;
    if (p.reasoning) {
      this.reasoning += p.reasoning;
      this.onThought(p.reasoning);
    }
    if (p.content) {
      this.content += p.content;
      this.take(this.parser.push(p.content));
    }
  }

  end(): void {
    this.take(this.parser.end());
  }

  private take(events: ProtocolEvent[]): void {
    for (const e of events) {
      this.events.push(e);
      if (e.type === 'think-delta') this.onThought(e.text);
      else if (e.type === 'tool-call') this.complete = true;
      else if (e.type === 'answer' && (e.answer.text !== '' || e.answer.evidence.length > 0)) this.complete = true;
    }
  }

  step(): BackendStep {
    const thought = [this.reasoning.trim(), this.parser.thought.trim()].filter((t) => t !== '').join('\n');
    const raw = this.reasoning ? `<think>${this.reasoning}</think>${this.content}` : this.content;
    const step = stepFromEvents(this.events, thought, raw);
    if (step.kind === 'malformed' && this.finish === 'length') {
      return { ...step, error: `${step.error} Your reply was cut off at the length limit: think less, then act.` };
    }
    return step;
  }
}
