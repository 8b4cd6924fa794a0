import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHost } from '../../main/host/app-host.js';
import { createAgentTools } from '../../main/host/agent/agent-tools.js';
import type { AgentTools } from '../../main/core/agent/engine/types.js';
import { tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { recurringSceneCase } from '../support/picture-scenes.js';
import { TISSUE_CLIP, sharedData } from '../support/shared-data.js';

/*
 * find_similar through a host, on the case of similar.test.ts: generated video with a scene of the
 * real tissue clip at 6-10 s that comes back at 16-20 s. Before the picture index is built the tool
 * says so and queues it; once built, asked from 7 s it gives the 16-20 s window first with the
 * frame of its most similar moment written out; and the scout asked "when else does this happen?"
 * at a playhead of 7 s answers with that window, stored with the run.
 */

const clip = sharedData(TISSUE_CLIP);

describe.skipIf(!clip)('the agent tool find_similar through a host', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  let tools: AgentTools;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home, { inProcess: true });
    caseId = await importCase(host, [await recurringSceneCase(clip!)]);
    tools = createAgentTools(host, caseId);
  }, 300_000);

  afterAll(async () => {
    await host?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('says the case has no picture index yet and starts building it', async () => {
    expect((await host.call('similar.status', { caseId })).state).toBe('none');
    const r = await tools.findSimilar!(7, 3, signal);
    expect(r.windows).toEqual([]);
    expect(r.unavailable).toMatch(/^this case has no picture index yet, so nothing was compared; it is (queued to be built now|being built)/);
    expect(['pending', 'running', 'done']).toContain((await host.call('similar.status', { caseId })).state);
    expect((await host.call('similar.wait', { caseId })).state).toBe('done');
  }, 300_000);

  it('gives the recurring scene first, as one window with its score, moment and frame', async () => {
    const r = await tools.findSimilar!(7, 3, signal);
    expect(r.unavailable).toBeNull();
    const best = r.windows[0]!;
    expect(best.start).toBeGreaterThanOrEqual(16);
    expect(best.end).toBeLessThanOrEqual(20);
    expect(best.time).toBeGreaterThanOrEqual(16);
    expect(best.time).toBeLessThan(20);
    expect(best.score).toBeGreaterThan(0);
    expect(best.frame.time).toBeCloseTo(best.time, 1);
    const [partId, name] = best.frame.ref.split('/');
    expect(existsSync(host.layout.agentFrame(caseId, partId!, name!))).toBe(true);
    expect(r.windows.some((w) => w.start <= 7 && w.end > 7)).toBe(false);
    expect(r.windows.length).toBeLessThanOrEqual(3);
  }, 120_000);

  it('the scout, asked "when else does this happen?" at 7 s, answers with that window, stored with the run', async () => {
    const { runId } = await host.call('agent.ask', { caseId, question: 'When else does this happen?', backend: 'scout', playhead: 7 });
    const run = await host.call('agent.wait', { runId });
    expect(run.state).toBe('answered');
    expect(run.steps[0]!.checked).toEqual({ name: 'find_similar', time: 7, limit: 5 });
    expect(run.answer).toContain('the frame at 00:00:07 (where the player was)');
    const first = run.evidence[0]!;
    expect(first.start).toBeGreaterThanOrEqual(16);
    expect(first.end).toBeLessThanOrEqual(20);

    const stored = await host.call('agent.conversation', { caseId });
    const step = stored.conversations.at(-1)!.questions.at(-1)!.runs.at(-1)!.steps[0]!;
    expect(step.windows?.[0]?.start).toBe(run.steps[0]!.windows?.[0]?.start);
    expect(step.frames.length).toBe(step.windows!.length);
  }, 180_000);
});
