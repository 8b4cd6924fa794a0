import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../main/core/agent/engine/index.js';
import { events as eventSchemas } from '../../main/core/contract/events.js';
import type { CaseConversations } from '../../main/core/contract/agent-schemas.js';
import { askCommand } from '../../main/cli/commands/ask.js';
import type { AppHost } from '../../main/host/app-host.js';
import type { AgentWiring } from '../../main/host/agent/agent-wiring.js';
import type { NewPart } from '../../main/host/store/store.js';
import { tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { answer, FakeTools, hang, ScriptedBackend, tool, type ScriptEntry } from '../unit/agent/scripted-backend.js';
import { rawDb } from '../support/raw-db.js';

const DURATION = 1200;

/** A part record without a file: the agent reads only the case's duration from it. */
function fakePart(): NewPart {
  return {
    path: '/nonexistent/case.mp4', file_name: 'case.mp4', size: 1, mtime_ms: 0, fingerprint: 'fp-agent-test', duration: DURATION,
    start_time: 0, width: 1920, height: 1080, fps: 30, vfr: 0, codec: 'h264', container: 'mp4', rotation: 0, has_audio: 0,
    keyframe_interval: 2, creation_time: null, playback: 'direct', probe_json: '{}',
  };
}

const bleeding: ScriptEntry[] = [
  tool('crop_video', { start: 700, end: 820, frames: 4 }, 'The blood track peaks near 12:30, so I look there. '),
  tool('get_frame', { time: 760 }, 'Check one frame. '),
  answer('Bleeding starts at 12:30.', [{ start: 750, end: 790, frames: [760], claim: 'blood fills the field' }], 'Enough seen.'),
];

interface Received {
  caseId: string;
  conversationId: string;
  event: AgentEvent;
}

describe('agent service over the host', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  let received: Received[];
  let backends: ScriptedBackend[];

  /** Wires fake tools and a scripted backend whose script comes from `scripts`, one per question. */
  async function wire(scripts: ScriptEntry[][], opts: { streamThoughts?: boolean; wiring?: AgentWiring } = {}) {
    backends = [];
    const queue = [...scripts];
    await host.wireAgent({
      toolsFor: () => new FakeTools(DURATION),
      backends: {
        scripted: () => {
          const b = new ScriptedBackend(queue.shift() ?? [], { model: 'script-v1', streamThoughts: opts.streamThoughts ?? true });
          backends.push(b);
          return Object.assign(b, { executionProvider: 'cpu' });
        },
      },
      ...opts.wiring,
    });
  }

  const ask = (input: Record<string, unknown>) =>
    host.call('agent.ask', { caseId, question: 'When does the bleeding start?', backend: 'scripted', ...input }) as Promise<{
      runId: string;
      conversationId: string;
    }>;
  const ofRun = (runId: string) => received.filter((r) => r.event.runId === runId).map((r) => r.event);
  const conversations = async () => (await host.call('agent.conversation', { caseId })) as CaseConversations;
  const nextEvent = (type: AgentEvent['type']) =>
    new Promise<AgentEvent>((resolve) => {
      const off = host.bus.subscribe(({ name, payload }) => {
        const e = (payload as Received).event;
        if (name === 'agent.event' && e.type === type) {
          off();
          resolve(e);
        }
      });
    });

  beforeEach(() => {
    home = tempHome('opscope-agent-');
    host = testHost(home, { inProcess: true });
    caseId = host.store.createCase('Lap chole', [fakePart()]).caseId;
    received = [];
    host.bus.subscribe(({ name, payload }) => {
      if (name !== 'agent.event') return;
      // Every event leaving the host is what the contract says.
      received.push(eventSchemas['agent.event'].parse(payload) as Received);
    });
  });

  afterEach(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('says plainly that the tools are not connected until they are wired', async () => {
    await host.wireAgent({});
    await expect(ask({})).rejects.toMatchObject({ code: 'unavailable', message: "The agent's tools are not connected yet." });
    await wire([bleeding]);
    await expect(ask({ backend: 'onnx' })).rejects.toMatchObject({ code: 'unavailable', message: /"onnx" is not available \(available: scripted\)/ });
  });

  it('streams the run in order, batches thought pieces, and stores exactly what it streamed', async () => {
    await wire([bleeding]);
    const { runId, conversationId } = await ask({});
    expect(ofRun(runId)).toEqual([]); // the reply comes before the first event
    const done = await host.agent.whenDone(runId);
    expect(done).toMatchObject({ state: 'answered', conversationId, executionProvider: 'cpu', saveError: null });

    const events = ofRun(runId);
    expect(received.every((r) => r.caseId === caseId && r.conversationId === conversationId)).toBe(true);
    expect(events.map((e) => e.type)).toEqual([
      'run-started',
      'tool-started', 'tool-result', // overview
      'thought-delta', 'tool-started', 'tool-result',
      'thought-delta', 'tool-started', 'tool-result',
      'thought-delta', 'evidence', 'answer',
      'run-ended',
    ]);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
    // The backend streamed word by word; each step's thought went out as one event.
    const deltas = events.filter((e) => e.type === 'thought-delta');
    expect(deltas.map((d) => d.delta)).toEqual(done.record.steps.map((s) => s.thought));
    expect(done.record.steps[0]!.thought.split(' ').length).toBeGreaterThan(5);

    const stored = (await conversations()).conversations[0]!.questions[0]!.runs[0]!;
    expect(stored.state).toBe('answered');
    for (const step of stored.steps) {
      const streamed = deltas.filter((d) => d.step === step.index).map((d) => d.delta).join('');
      expect(step.thought).toBe(streamed);
      const result = events.find((e) => e.type === 'tool-result' && e.step === step.index);
      if (result?.type === 'tool-result') expect(step.frames).toEqual(result.frames);
    }
    const evidence = events.flatMap((e) => (e.type === 'evidence' ? [e.evidence] : []));
    expect(stored.evidence.map(({ id, rank, start, end, frames, claim }) => ({ id, rank, start, end, frames, claim }))).toEqual(evidence);
    const said = events.find((e) => e.type === 'answer');
    expect(stored.answer).toBe(said?.type === 'answer' ? said.text : undefined);
    const ended = events.at(-1);
    expect(ended?.type === 'run-ended' && ended.usage).toEqual(stored.usage);
  });

  it('sends thoughts streamed slower than the batch window as several events', async () => {
    const slow: ScriptEntry = async (ctx) => {
      for (const piece of ['Looking ', 'at ', 'the ', 'overview.']) {
        ctx.onThought(piece);
        await new Promise((r) => setTimeout(r, 40));
      }
      return answer('Nothing found.', [], '');
    };
    await wire([[slow]], { streamThoughts: false, wiring: { batchMs: 16 } });
    const { runId } = await ask({});
    await host.agent.whenDone(runId);
    const deltas = ofRun(runId).filter((e) => e.type === 'thought-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => (d.type === 'thought-delta' ? d.delta : '')).join('')).toBe('Looking at the overview.');
  });

  it('runs one question per case at a time, and cancels', async () => {
    await wire([[() => hang()], bleeding]);
    const first = await ask({});
    await nextEvent('tool-result'); // the overview is done; the backend now hangs
    await expect(ask({})).rejects.toMatchObject({ code: 'conflict', message: /still being answered/ });

    expect(await host.call('agent.cancel', { runId: first.runId })).toEqual({ canceled: true });
    const done = await host.agent.whenDone(first.runId);
    expect(done.state).toBe('canceled');
    expect(await host.call('agent.cancel', { runId: first.runId })).toEqual({ canceled: false });
    const stored = (await conversations()).conversations[0]!.questions[0]!.runs[0]!;
    expect(stored).toMatchObject({ state: 'canceled', error: 'the run was canceled', answer: null });
    expect(ofRun(first.runId).at(-1)).toMatchObject({ type: 'run-ended', outcome: 'canceled' });

    // Once it has ended the case takes a new question.
    const second = await ask({});
    expect((await host.agent.whenDone(second.runId)).state).toBe('answered');
  });

  it('gives a follow-up the earlier turns of its conversation', async () => {
    await wire([bleeding, [answer('It stops at 13:10.', [{ start: 780, end: 800, frames: [], claim: 'field clears' }])]]);
    const first = await ask({});
    await host.agent.whenDone(first.runId);
    const follow = await ask({ question: 'When does it stop?', conversationId: first.conversationId });
    expect(follow.conversationId).toBe(first.conversationId);
    await host.agent.whenDone(follow.runId);

    const history = backends[1]!.seen[0]!.history;
    expect(history).toEqual([
      {
        question: 'When does the bleeding start?',
        answer: 'Bleeding starts at 12:30.',
        evidence: [{ id: `${first.runId}-e1`, rank: 1, start: 750, end: 790, frames: [760], claim: 'blood fills the field' }],
      },
    ]);
    const [conversation] = (await conversations()).conversations;
    expect(conversation!.questions.map((q) => q.text)).toEqual(['When does the bleeding start?', 'When does it stop?']);

    const elsewhere = host.store.createCase('Other', []).caseId;
    await expect(
      host.call('agent.ask', { caseId: elsewhere, question: 'x', backend: 'scripted', conversationId: first.conversationId }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });

  it('stores a run as interrupted when the host closes mid-run, and forgets it with its case', async () => {
    await wire([[() => hang()]]);
    const { runId } = await ask({});
    await nextEvent('tool-result');
    await host.close();
    host = testHost(home, { inProcess: true });
    const run = (await conversations()).conversations[0]!.questions[0]!.runs[0]!;
    expect(run).toMatchObject({ runId, state: 'interrupted', error: 'Opscope was closed before this run finished.' });

    await wire([[() => hang()]]);
    await ask({});
    await nextEvent('tool-result');
    await host.call('cases.delete', { caseId });
    expect(rawDb(host.store).prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 0 });
  });

  it('uses the backend and budget from the settings when a question names none', async () => {
    await wire([bleeding]);
    await host.call('settings.set', { agent: { backend: 'scripted', budget: { maxToolCalls: 1 } } });
    const { runId } = (await host.call('agent.ask', { caseId, question: 'When does the bleeding start?' })) as { runId: string };
    const done = await host.agent.whenDone(runId);
    expect(done.record.backend.name).toBe('scripted');
    expect(done.record.budget.maxToolCalls).toBe(1);
    expect(done.record.exhausted).toBe('toolCalls');
    await expect(host.call('settings.set', { agent: { backend: 'scripted', budget: { maxToolCalls: -1 } } })).rejects.toMatchObject({
      code: 'invalid-input',
    });
  });

  it('validates the agent calls against the contract', async () => {
    await wire([bleeding]);
    const invalid = { code: 'invalid-input' };
    await expect(host.call('agent.ask', { caseId: 'not an id!', question: 'x' })).rejects.toMatchObject(invalid);
    await expect(host.call('agent.ask', { caseId, question: '   ' })).rejects.toMatchObject(invalid);
    await expect(host.callUntyped('agent.ask', { caseId, question: 'x', extra: 1 })).rejects.toMatchObject(invalid);
    await expect(host.callUntyped('agent.cancel', { runId: 42 })).rejects.toMatchObject(invalid);
    await expect(host.callUntyped('agent.conversation', {})).rejects.toMatchObject(invalid);
    await expect(host.call('agent.cancel', { runId: 'unknown-run' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(host.call('agent.ask', { caseId: 'nosuchcase', question: 'x' })).rejects.toMatchObject({ code: 'not-found' });
    expect(await host.call('agent.conversation', { caseId })).toEqual({ caseId, conversations: [] });
  });

  it('opscope ask prints one JSON object, or the reasoning as it happens', async () => {
    await host.close();
    const run = async (argv: string[]) => {
      let out = '';
      const code = await askCommand(argv, {
        openHost: () => {
          host = testHost(home, { inProcess: true });
          const scripted = () => Object.assign(new ScriptedBackend(bleeding, { streamThoughts: true }), { executionProvider: 'cpu' });
          void host.wireAgent({ toolsFor: () => new FakeTools(DURATION), backends: { scripted } });
          return host;
        },
        stdout: (t) => (out += t),
        stderr: () => undefined,
      });
      return { code, out };
    };
    // The index of a part without a file cannot be built; the case is marked indexed so ask goes ahead.
    host = testHost(home, { inProcess: true });
    for (const p of host.store.partsOf(caseId)) host.store.setIndexState(p.id, 'done', 1, 'Indexed');
    await host.close();

    const json = await run([caseId, 'When does the bleeding start?', '--backend', 'scripted', '--json']);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.out) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['answer', 'backend', 'evidence', 'executionProvider', 'outcome', 'runId', 'steps']);
    expect(out).toMatchObject({
      answer: 'Bleeding starts at 12:30.',
      evidence: [{ start: 750, end: 790, frames: [760], claim: 'blood fills the field' }],
      backend: 'scripted',
      executionProvider: 'cpu',
      outcome: 'answered',
    });
    expect(out.steps).toHaveLength(3);

    const text = await run([caseId, 'When does the bleeding start?', '--backend', 'scripted']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('The blood track peaks near 12:30, so I look there.');
    expect(text.out).toMatch(/→ crop_video 11:40–13:40, 4 frames/);
    expect(text.out).toMatch(/→ get_frame 12:40/);
    expect(text.out).toMatch(/Answer: Bleeding starts at 12:30\.\nEvidence:\n {2}1\. 12:30–13:10 {2}blood fills the field {2}\(frames 12:40\)/);

    await expect(run([caseId])).rejects.toThrow(/usage: opscope ask/);
    // Opened again by afterEach's close.
    host = testHost(home, { inProcess: true });
  });
});
