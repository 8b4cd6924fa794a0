import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../../main/core/agent/engine/index.js';
import { RunChannels, type RunPort } from '../../../../../main/host/agent/run-channels.js';

function event(runId: string, seq: number, type: AgentEvent['type'] = 'thought-delta'): { caseId: string; conversationId: string; event: AgentEvent } {
  const base = { runId, seq, time: seq };
  const e = (type === 'run-ended'
    ? { ...base, type, outcome: 'answered', error: null, exhausted: null, usage: { toolCalls: 0, frames: 0 } }
    : { ...base, type: 'thought-delta', step: 1, delta: `d${seq}` }) as AgentEvent;
  return { caseId: 'c1', conversationId: 'v1', event: e };
}

class FakePort implements RunPort {
  posted: number[] = [];
  closed = false;
  post(p: { event: AgentEvent }) {
    if (this.closed) throw new Error('posted to a closed port');
    this.posted.push(p.event.seq);
  }
  close() {
    this.closed = true;
  }
}

describe('one channel per agent run', () => {
  it('opens a run its own port, keeps its events in order on it, and closes it with the run', () => {
    const opened = new Map<string, FakePort>();
    const runs = new RunChannels((runId) => {
      const port = new FakePort();
      opened.set(runId, port);
      return port;
    });
    runs.deliver(event('a', 0));
    runs.deliver(event('b', 0));
    runs.deliver(event('a', 1));
    runs.deliver(event('a', 2, 'run-ended'));
    runs.deliver(event('b', 1));
    expect([...opened.keys()]).toEqual(['a', 'b']);
    expect(opened.get('a')).toMatchObject({ posted: [0, 1, 2], closed: true });
    expect(opened.get('b')).toMatchObject({ posted: [0, 1], closed: false });
    expect(runs.size).toBe(1);
  });

  it('gives a reloaded page new ports for the runs still going', () => {
    const ports: FakePort[] = [];
    const runs = new RunChannels(() => {
      ports.push(new FakePort());
      return ports.at(-1)!;
    });
    runs.deliver(event('a', 0));
    runs.reset();
    expect(ports[0]!.closed).toBe(true);
    runs.deliver(event('a', 1));
    expect(ports).toHaveLength(2);
    expect(ports[1]!.posted).toEqual([1]);
  });

  it('says when there is no window to deliver to, and tries again with the next event', () => {
    let windowOpen = false;
    const runs = new RunChannels(() => (windowOpen ? new FakePort() : null));
    expect(runs.deliver(event('a', 0))).toBe(false);
    windowOpen = true;
    expect(runs.deliver(event('a', 1))).toBe(true);
  });
});
