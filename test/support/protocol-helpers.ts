import { ProtocolStreamParser, type ProtocolEvent, type StreamParserOptions } from '../../main/core/agent/protocol/index.js';

/** Feeds `text` cut into pieces of the given sizes (cycled), then ends. */
export function feed(text: string, sizes: readonly number[] = [text.length || 1], opts: StreamParserOptions = {}) {
  const p = new ProtocolStreamParser(opts);
  const events: ProtocolEvent[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const size = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    events.push(...p.push(text.slice(i, i + size)));
    i += size;
  }
  events.push(...p.end());
  return { events, thought: p.thought };
}

type Delta = Extract<ProtocolEvent, { type: 'think-delta' | 'text' | 'answer-delta' }>;
const isDelta = (e: ProtocolEvent): e is Delta => e.type === 'think-delta' || e.type === 'text' || e.type === 'answer-delta';

/** Merges adjacent deltas of one kind: how text was split into events depends on chunking, nothing else may. */
export function normalize(events: readonly ProtocolEvent[]): ProtocolEvent[] {
  const out: ProtocolEvent[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (isDelta(e) && last !== undefined && isDelta(last) && last.type === e.type) {
      out[out.length - 1] = { type: e.type, text: last.text + e.text };
    } else out.push(isDelta(e) ? { ...e } : e);
  }
  return out;
}

export function textOf(events: readonly ProtocolEvent[], type: Delta['type']): string {
  return events
    .filter((e): e is Delta => e.type === type)
    .map((e) => e.text)
    .join('');
}

export function calls(events: readonly ProtocolEvent[]) {
  return events.flatMap((e) => (e.type === 'tool-call' ? [e.call] : []));
}

export function errors(events: readonly ProtocolEvent[]) {
  return events.flatMap((e) => (e.type === 'tool-call-error' ? [e.error] : []));
}

export function answers(events: readonly ProtocolEvent[]) {
  return events.flatMap((e) => (e.type === 'answer' ? [e.answer] : []));
}
