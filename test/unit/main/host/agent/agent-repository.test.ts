import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAgent, type RunRecord } from '../../../../../main/core/agent/engine/index.js';
import { CaseConversations } from '../../../../../main/core/contract/agent-schemas.js';
import { INTERRUPTED_ERROR, type RunStart } from '../../../../../main/host/agent/agent-repository.js';
import initialSql from '../../../../../main/host/store/migrations/001-initial.js';
import { Store } from '../../../../../main/host/store/store.js';
import { answer, FakeTools, manualClock, ScriptedBackend, tool } from '../../../agent/scripted-backend.js';
import { rawDb } from '../../../../support/raw-db.js';

const DURATION = 1200;

async function answeredRecord(runId: string, question = 'When does the bleeding start?'): Promise<RunRecord> {
  const backend = new ScriptedBackend(
    [
      tool('crop_video', { start: 700, end: 820, frames: 4 }, 'The blood track peaks near 12:30.'),
      tool('get_frame', { time: 760 }, 'Look closer.'),
      answer('Bleeding starts at 12:30.', [{ start: 750, end: 790, frames: [760], claim: 'blood fills the field' }], 'Done.'),
    ],
    { model: 'script-v1' },
  );
  return runAgent({ runId, question, backend, tools: new FakeTools(DURATION), duration: DURATION, now: manualClock().now });
}

function start(runId: string, caseId: string, more: Partial<RunStart> = {}): RunStart {
  return {
    runId, caseId, question: 'When does the bleeding start?', backend: 'scripted', model: 'script-v1', executionProvider: 'cpu',
    budget: { maxToolCalls: 12, maxFrames: 96, maxWallMs: 120_000 }, duration: DURATION, startedAt: 1_000_000, ...more,
  };
}

describe('agent store', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let caseId: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-agent-store-'));
    file = join(dir, 'opscope.db');
    store = new Store(file);
    caseId = store.createCase('Lap chole', []).caseId;
  });

  afterEach(() => {
    try {
      store.close();
    } catch {
      // already closed by the test
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a version 1 database and keeps its cases', () => {
    store.close();
    const old = join(dir, 'v1.db');
    const raw = new Database(old);
    raw.exec(initialSql);
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO cases (id, name, created_at, updated_at) VALUES ('case000001', 'Old case', 'x', 'x')").run();
    raw.close();

    store = new Store(old);
    expect(rawDb(store).pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(2);
    expect(store.listCases().map((c) => c.name)).toEqual(['Old case']);
    const tables = (rawDb(store).prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['conversations', 'questions', 'runs', 'steps', 'evidence']));
  });

  it('saves a finished run and reads the conversation back in order', async () => {
    const record = await answeredRecord('run0000001');
    const { conversationId } = store.agent.startRun(start('run0000001', caseId, { startedAt: record.timings.startedAt }));
    expect(store.agent.finishRun(record, { executionProvider: 'cpu' })).toBe(true);

    const follow = await answeredRecord('run0000002', 'And when does it stop?');
    store.agent.saveRun({ ...start('', caseId), conversationId, question: follow.question }, follow);

    const [conversation, ...others] = store.agent.conversations(caseId);
    expect(others).toEqual([]);
    expect(CaseConversations.parse({ caseId, conversations: [conversation] })).toBeTruthy();
    expect(conversation!.questions.map((q) => q.text)).toEqual(['When does the bleeding start?', 'And when does it stop?']);
    const run = conversation!.questions[0]!.runs[0]!;
    expect(run).toMatchObject({
      runId: 'run0000001',
      state: 'answered',
      backend: { name: 'scripted', model: 'script-v1' },
      executionProvider: 'cpu',
      budget: record.budget,
      timings: record.timings,
      usage: record.usage,
      answer: 'Bleeding starts at 12:30.',
      overview: record.overview,
    });
    expect(run.steps).toEqual(record.steps);
    expect(run.steps.map((s) => s.index)).toEqual([1, 2, 3]);
    expect(run.evidence).toEqual(
      record.evidence.map((e) => ({ ...e, runId: 'run0000001', status: 'unreviewed', correctedStart: null, correctedEnd: null })),
    );
    expect(store.agent.history(conversationId)).toEqual([
      { question: record.question, answer: record.answer, evidence: record.evidence },
      { question: follow.question, answer: follow.answer, evidence: follow.evidence },
    ]);
  });

  it('keeps the boxes an answer placed an object with, and gives evidence without boxes none', async () => {
    const backend = new ScriptedBackend([
      answer('The hook, then the field.', [
        { start: 10, end: 14, frames: [10, 14], claim: 'the hook', boxes: [{ time: 14, box: [12, 22, 32, 42] }, { time: 10, box: [10, 20, 30, 40] }] },
        { start: 20, end: 30, frames: [], claim: 'the field' },
      ]),
    ]);
    const record = await runAgent({ runId: 'run0000010', question: 'Where is the hook?', backend, tools: new FakeTools(DURATION), duration: DURATION, now: manualClock().now });
    store.agent.startRun(start('run0000010', caseId, { question: 'Where is the hook?' }));
    store.agent.finishRun(record);
    const [boxed, plain] = store.agent.conversations(caseId)[0]!.questions[0]!.runs[0]!.evidence;
    expect(boxed!.boxes).toEqual([{ time: 10, box: [10, 20, 30, 40] }, { time: 14, box: [12, 22, 32, 42] }]);
    expect(plain).not.toHaveProperty('boxes');
    expect(CaseConversations.parse({ caseId, conversations: store.agent.conversations(caseId) })).toBeTruthy();
  });

  it('marks a run left running by a closed store as interrupted, keeping the steps it had', async () => {
    const record = await answeredRecord('run0000003');
    store.agent.startRun(start('run0000003', caseId));
    store.agent.checkpointStep('run0000003', record.steps[0]!);
    // A second store on the same file while the first is open: the run is alive, not interrupted.
    const other = new Store(file);
    expect(store.agent.runInfo('run0000003')?.state).toBe('running');
    other.close();
    store.close();

    store = new Store(file);
    const run = store.agent.conversations(caseId)[0]!.questions[0]!.runs[0]!;
    expect(run.state).toBe('interrupted');
    expect(run.error).toBe(INTERRUPTED_ERROR);
    expect(run.steps).toEqual([record.steps[0]]);
  });

  it('writes nothing of a run whose transaction fails', async () => {
    const record = await answeredRecord('run0000004');
    store.agent.startRun(start('run0000004', caseId));
    // Two evidence items with one id: the second insert fails after the steps were written.
    const broken: RunRecord = { ...record, evidence: [record.evidence[0]!, { ...record.evidence[0]!, rank: 2 }] };
    expect(() => store.agent.finishRun(broken)).toThrow(/UNIQUE/);
    const run = store.agent.conversations(caseId)[0]!.questions[0]!.runs[0]!;
    expect(run).toMatchObject({ state: 'running', steps: [], evidence: [], answer: null });

    const other = { ...broken, runId: 'run0000005' };
    expect(() => store.agent.saveRun(start('', caseId), other)).toThrow(/UNIQUE/);
    expect(store.agent.conversations(caseId)).toHaveLength(1);
    expect(store.agent.runInfo('run0000005')).toBeUndefined();
  });

  it('deletes the conversations of a deleted case', async () => {
    const record = await answeredRecord('run0000006');
    store.agent.saveRun(start('', caseId), record);
    store.deleteCase(caseId);
    for (const table of ['conversations', 'questions', 'runs', 'steps', 'evidence']) {
      expect(rawDb(store).prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
  });
});
