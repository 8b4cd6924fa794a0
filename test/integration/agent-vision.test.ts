import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepRecord } from '../../main/core/contract/agent-schemas.js';
import type { HostToWorker, WorkerToHost } from '../../main/core/worker-protocol.js';
import { AppHost } from '../../main/host/app-host.js';
import { nodeWorkerLauncher } from '../../main/host/workers/node-worker.js';
import type { WorkerHandle, WorkerLauncher } from '../../main/host/workers/worker-supervisor.js';
import { tempHome } from '../support/cli.js';
import { importCase } from '../support/host.js';
import { photoVideo, tissueVideo, wireLooker } from '../support/vision-case.js';

/*
 * The pretrained detector on the frames the agent looks at: a case made of footage inside a
 * patient and a real photograph of people (the room), asked about through the agent engine. The
 * room frames the tools return carry `person` detections, the tissue frames none; and a model
 * worker that cannot load the models leaves the run answered, its trace saying why.
 */

const QUESTION = 'When was the camera outside the patient?';

function host(home: string, modelLauncher?: WorkerLauncher): AppHost {
  return new AppHost({ dataDir: join(home, 'data'), launcher: nodeWorkerLauncher(), ...(modelLauncher ? { modelLauncher } : {}), transport: 'cli', resumeIndexing: false });
}

async function ask(h: AppHost, caseId: string): Promise<{ state: string; answer: string | null; steps: StepRecord[] }> {
  await wireLooker(h);
  const { runId } = await h.call('agent.ask', { caseId, question: QUESTION, backend: 'looker' });
  const done = await h.agent.whenDone(runId);
  if (done.state !== 'answered') throw new Error(`the run ${done.state}: ${JSON.stringify(done.record)}`);
  return { state: done.state, answer: done.record.answer, steps: done.record.steps };
}

/** A model worker whose vision models cannot load: it starts, and every job fails as the real one does then. */
function brokenVisionLauncher(): WorkerLauncher {
  return (): WorkerHandle => {
    const listeners: ((m: WorkerToHost) => void)[] = [];
    const exits: ((info: { code: number | null; signal: string | null }) => void)[] = [];
    const say = (m: WorkerToHost) => setImmediate(() => listeners.forEach((l) => l(m)));
    say({ type: 'ready', pid: process.pid });
    return {
      pid: process.pid,
      send(m: HostToWorker) {
        if (m.type !== 'run') return;
        say({ type: 'error', id: m.id, error: { code: 'unavailable', message: 'The vision models could not be loaded: tfjs-backend-wasm.wasm is missing' } });
      },
      onMessage: (l) => void listeners.push(l),
      onExit: (l) => void exits.push(l),
      kill: () => setImmediate(() => exits.forEach((l) => l({ code: null, signal: 'SIGTERM' }))),
    };
  };
}

describe('the vision model on the agent frames', () => {
  let home: string;
  let tissue: string;
  let room: string;

  beforeAll(async () => {
    home = tempHome();
    tissue = await tissueVideo();
    room = await photoVideo(home, 3);
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('finds people on the room frames and nothing on the tissue frames', async () => {
    const h = host(join(home, 'a'));
    try {
      const caseId = await importCase(h, [tissue, room]);
      const tissueEnd = (await h.call('cases.get', { caseId })).parts[0]!.duration;
      const r = await ask(h, caseId);
      expect(r.state).toBe('answered');
      const steps = r.steps.filter((s) => s.checked !== null);
      // The detector looks at the first, middle and last frame of a crop, and at every single frame.
      for (const s of steps) {
        const looked = s.frames.filter((f) => f.detections !== undefined);
        expect(looked.length).toBe(Math.min(3, s.frames.length));
        expect(looked[0]).toBe(s.frames[0]);
        expect(looked.at(-1)).toBe(s.frames.at(-1));
      }
      const frames = steps.flatMap((s) => s.frames).filter((f) => f.detections !== undefined);
      const roomFrames = frames.filter((f) => f.time > tissueEnd + 0.05);
      const tissueFrames = frames.filter((f) => f.time < tissueEnd - 0.05);
      expect(roomFrames.length).toBeGreaterThan(0);
      expect(tissueFrames.length).toBeGreaterThan(0);
      for (const f of roomFrames) expect(f.detections?.filter((d) => d.label === 'person').length, `people at ${f.time}`).toBeGreaterThan(0);
      for (const f of tissueFrames) expect(f.detections?.filter((d) => d.label === 'person'), `tissue at ${f.time}`).toEqual([]);
    } finally {
      await h.close();
    }
  }, 120_000);

  it('answers without detections when the model worker cannot load the models, and says so', async () => {
    const h = host(join(home, 'b'), brokenVisionLauncher());
    try {
      const caseId = await importCase(h, [tissue, room]);
      const r = await ask(h, caseId);
      expect(r.state).toBe('answered');
      expect(r.answer).toBeTruthy();
      const looked = r.steps.filter((s) => s.checked !== null);
      expect(looked.length).toBeGreaterThan(0);
      for (const s of looked) {
        expect(s.notes).toContain('vision unavailable: The vision models could not be loaded: tfjs-backend-wasm.wasm is missing');
        expect(s.frames.length).toBeGreaterThan(0);
        for (const f of s.frames) expect(f.detections).toBeUndefined();
      }
    } finally {
      await h.close();
    }
  }, 120_000);
});
