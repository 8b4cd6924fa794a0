/*
 * The onnx backend end to end: a real case, the real media worker for the tools, and a real
 * model worker process running @huggingface/transformers on onnxruntime-node over a tiny model
 * folder written by the test (test/support/tiny-vlm.ts says exactly what such a folder proves:
 * the library's loading, preprocessing, chat template, image merge, KV-cached generation,
 * streaming and interruption; not any model quality). What this file adds: the host drives that
 * model turn by turn through the worker protocol, streams its thinking, parses its calls and
 * answers, records where it ran, and survives the model worker dying.
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../main/core/agent/engine/index.js';
import type { Settings } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { writeTinyVlm } from '../support/tiny-vlm.js';

const ANSWER =
  '<think>The blood track rises at about 8 s and the field turns red.</think>' +
  '<answer>{"answer": "Bleeding starts at 00:00:08.", "evidence": [{"start": 8, "end": 14, "frames": [9, 12], "claim": "blood pools in the field"}]}</answer>';
const LOOK = '<think>Look closer.</think><tool_call>{"name": "crop_video", "arguments": {"start": 6, "end": 16}}</tool_call>';
/** A long thought (every word unique, as the tiny model needs) so a run can be caught mid-reply. */
const LONG = `<think>${Array.from({ length: 700 }, (_, i) => `w${i}`).join(' ')}</think><answer>{"answer": "late", "evidence": []}</answer>`;

describe('onnx backend: a local vision-language model in the model worker', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  const models: Record<string, string> = {};

  beforeAll(async () => {
    home = tempHome('opscope-onnx-');
    mkdirSync(home, { recursive: true });
    host = testHost(home);
    const video = await syntheticVideo({ duration: 24, width: 320, height: 180, fps: 25, gop: 1, seed: 51, events: [{ kind: 'bleeding', start: 8, end: 14 }] });
    caseId = await importCase(host, [video]);
    for (const [name, reply] of Object.entries({ answer: ANSWER, look: LOOK, long: LONG })) {
      models[name] = join(home, 'models', `tiny-${name}`);
      await writeTinyVlm(models[name], { reply });
    }
    const notVlm = join(home, 'models', 'bert');
    mkdirSync(join(notVlm, 'onnx'), { recursive: true });
    writeFileSync(join(notVlm, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    models.bert = notVlm;
  }, 600_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  let before: Settings;
  beforeEach(() => {
    before = host.settings.get();
  });
  afterEach(() => {
    host.settings.set({ agent: before.agent });
  });

  function useModel(name: string, extra: Partial<Settings['agent']> = {}) {
    const agent = host.settings.get().agent;
    host.settings.set({ agent: { ...agent, ...extra, backend: 'onnx', onnx: { ...agent.onnx, modelDir: models[name]!, device: 'auto', dtype: 'auto' } } });
  }

  async function ask(question = 'When does the bleeding start?', onEvent?: (e: AgentEvent) => void) {
    const events: AgentEvent[] = [];
    const off = host.bus.subscribe(({ name, payload }) => {
      if (name !== 'agent.event') return;
      const { event } = payload as { event: AgentEvent };
      events.push(event);
      onEvent?.(event);
    });
    try {
      const { runId } = (await host.call('agent.ask', { caseId, question })) as { runId: string };
      const done = await host.agent.whenDone(runId);
      return { done, events };
    } finally {
      off();
    }
  }

  it('says what to set before a model folder is chosen', async () => {
    const agent = host.settings.get().agent;
    host.settings.set({ agent: { ...agent, backend: 'onnx', onnx: { ...agent.onnx, modelDir: '' } } });
    await expect(host.call('agent.ask', { caseId, question: 'When does the bleeding start?' })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/onnx backend is not set up: set agent\.onnx\.modelDir/),
    });
  });

  it('loads the model, streams its thinking and answers with evidence, recording where it ran', async () => {
    useModel('answer');
    const { done, events } = await ask();
    expect(done.record.error).toBeNull();
    expect(done.state).toBe('answered');
    expect(done.record.answer).toBe('Bleeding starts at 00:00:08.');
    expect(done.record.evidence.map((e) => [e.start, e.end, e.claim])).toEqual([[8, 14, 'blood pools in the field']]);
    // No GPU here: the CPU, and the record of why not CUDA on Linux x64.
    expect(done.executionProvider).toBe('cpu');
    expect(done.record.backend).toEqual({ name: 'onnx', model: 'tiny-answer', executionProvider: 'cpu' });
    const ready = events.find((e) => e.type === 'backend-ready');
    expect(ready).toMatchObject({ executionProvider: 'cpu', detail: expect.stringMatching(/^tiny-answer fp32 on CPU/) });
    if (process.platform === 'linux' && process.arch === 'x64') {
      expect((ready as { detail: string }).detail).toContain('CUDA: CUDA libraries not installed');
    }
    expect(events.filter((e) => e.type === 'backend-status').map((e) => (e as { text: string }).text)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Loading SmolVLM.* \(fp32\) on cpu$/)]),
    );
    const thought = events.filter((e) => e.type === 'thought-delta').map((e) => (e as { delta: string }).delta).join('');
    expect(thought).toContain('The blood track rises at about 8 s and the field turns red.');
    // Stored as it happened, execution provider included.
    const stored = host.store.agent.conversations(caseId).flatMap((c) => c.questions.flatMap((q) => q.runs)).find((r) => r.runId === done.runId);
    expect(stored).toMatchObject({ state: 'answered', executionProvider: 'cpu', backend: { name: 'onnx', model: 'tiny-answer' } });
  });

  it('runs tool calls turn after turn with the frames they return, until the budget ends it', async () => {
    useModel('look', { budget: { maxToolCalls: 2 } });
    const { done } = await ask();
    expect(done.state).toBe('budget');
    expect(done.record.steps.map((s) => s.checked?.name)).toEqual(['crop_video', 'crop_video', undefined]);
    expect(done.record.steps[0]!.frames.length).toBe(8);
    expect(done.record.steps[0]!.thought).toBe('Look closer.');
  });

  it('stops generating when the run is canceled, and the loaded model serves the next question', async () => {
    useModel('long');
    let runId = '';
    const { done, events } = await ask('When does the bleeding start?', (e) => {
      if (e.type === 'run-started') runId = e.runId;
      if (e.type === 'thought-delta' && runId) host.agent.cancel(runId);
    });
    expect(done.state).toBe('canceled');
    const thought = events.filter((e) => e.type === 'thought-delta').map((e) => (e as { delta: string }).delta).join('');
    expect(thought.length).toBeGreaterThan(0);
    expect(thought.length).toBeLessThan(LONG.length / 2);
    useModel('answer');
    const again = await ask();
    expect(again.done.state).toBe('answered');
  });

  it('fails the run with the reason when the model worker dies mid-reply, and the next question works', async () => {
    useModel('long');
    let killed = false;
    const { done } = await ask('When does the bleeding start?', (e) => {
      if (e.type === 'thought-delta' && !killed && host.modelWorker.pid) {
        killed = true;
        process.kill(host.modelWorker.pid, 'SIGKILL');
      }
    });
    expect(killed).toBe(true);
    expect(done.state).toBe('failed');
    expect(done.record.error).toMatch(/The model worker stopped unexpectedly \(signal SIGKILL\) while running the vision-language model/);
    // The media worker was not touched: frames still come.
    expect(host.worker.state).toBe('up');
    useModel('answer');
    const again = await ask();
    expect(again.done.state).toBe('answered');
    expect(host.store.integrityCheck().integrity).toBe('ok');
  });

  it('refuses a folder that holds no vision-language model, saying so in the run', async () => {
    useModel('bert');
    const { done } = await ask();
    expect(done.state).toBe('failed');
    expect(done.record.error).toMatch(/getting the backend "onnx" ready failed: The model in .* is a "bert" model; the onnx backend runs vision-language models/);
  });
});
