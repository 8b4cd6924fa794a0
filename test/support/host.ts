import { join } from 'node:path';
import { AppHost } from '../../main/host/app-host.js';
import { nodeWorkerLauncher } from '../../main/host/workers/node-worker.js';
import { inProcessWorkerLauncher } from '../../main/cli/in-process-worker.js';

/** A host on its own data folder with the real (built) worker process, as the app runs it. */
export function testHost(home: string, opts: { inProcess?: boolean; resumeIndexing?: boolean } = {}): AppHost {
  return new AppHost({
    dataDir: join(home, 'data'),
    launcher: opts.inProcess ? inProcessWorkerLauncher() : nodeWorkerLauncher(),
    transport: 'cli',
    resumeIndexing: opts.resumeIndexing ?? false,
  });
}

export async function importCase(host: AppHost, paths: string[], index = true): Promise<string> {
  const [r] = (await host.call('cases.import', { paths, index })) as { caseId: string | null; errors: { message: string }[] }[];
  if (!r?.caseId) throw new Error(`import failed: ${JSON.stringify(r?.errors)}`);
  if (index) await host.indexer.whenIdle(r.caseId);
  return r.caseId;
}

/** What a finished question came to, in the terms tests check. */
export interface AskedSummary {
  answer: string | null;
  evidence: { start: number; end: number; frames: number[] }[];
  outcome: string;
  toolCalls: number;
}

/** Asks a question about a case and waits for the run to end. */
export async function askAndWait(host: AppHost, caseId: string, question: string): Promise<AskedSummary> {
  const { runId } = (await host.call('agent.ask', { caseId, question })) as { runId: string };
  const done = await host.agent.whenDone(runId);
  const r = done.record;
  return {
    answer: r.answer,
    evidence: r.evidence.map((e) => ({ start: e.start, end: e.end, frames: e.frames })),
    outcome: done.state,
    toolCalls: r.usage.toolCalls,
  };
}
