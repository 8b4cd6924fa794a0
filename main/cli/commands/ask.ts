import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { FinishedRun } from '../../core/contract/agent-schemas.js';
import { Id } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';
import type { AppHost } from '../../host/app-host.js';
import { AskPrinter } from '../ask-printer.js';
import { openHost } from '../context.js';
import { Progress } from '../output.js';
import { USAGE, UsageError } from '../usage.js';

export interface AskDeps {
  /** Default: the host on the user's data folder. Tests pass one with fake tools and backends. */
  openHost?: () => AppHost;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export async function askCommand(argv: string[], deps: AskDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { backend: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [target, ...words] = positionals;
  const question = words.join(' ').trim();
  if (!target || !question) throw new UsageError(`usage: ${USAGE.ask}`);
  const stdout = deps.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = deps.stderr ?? ((t: string) => void process.stderr.write(t));
  const host = (deps.openHost ?? openHost)();
  const printer = values.json ? null : new AskPrinter(stdout);
  let caseId: string | null = null;
  let runId: string | null = null;
  const off = host.bus.on('agent.event', (m) => {
    if (m.caseId !== caseId || (runId !== null && m.event.runId !== runId)) return;
    printer?.event(m.event);
  });
  // Ctrl-C stops the run; what it found so far is still stored.
  const onInterrupt = () => void (runId !== null && host.call('agent.cancel', { runId }).catch(() => undefined));
  process.once('SIGINT', onInterrupt);
  try {
    caseId = await indexedCase(host, target, stderr);
    const started = await host.call('agent.ask', {
      caseId,
      question,
      ...(values.backend ? { backend: values.backend } : {}),
    });
    runId = started.runId;
    const finished = await host.call('agent.wait', { runId });
    if (values.json) stdout(`${JSON.stringify(askJson(finished))}\n`);
    if (finished.saveError) stderr(`warning: ${finished.saveError}\n`);
    return finished.state === 'answered' ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    off();
    await host.close();
  }
}

/** The case to ask about: an existing case id, or a video file imported (once) and indexed. */
async function indexedCase(host: AppHost, target: string, stderr: (t: string) => void): Promise<string> {
  const progress = new Progress();
  const off = host.bus.on('index.progress', (p) => progress.update('Indexing', p.status.progress, p.status.stage));
  try {
    let caseId: string;
    if (existsSync(target) && statSync(target).isFile()) {
      // A file already in the library comes back as a duplicate of its part, with its case.
      const [result] = await host.call('cases.import', { paths: [target], index: true });
      const id = result?.caseId ?? result?.files[0]?.caseId;
      if (!id) throw new OpscopeError('unsupported-media', result?.errors[0]?.message ?? `Could not import ${target}.`);
      caseId = id;
    } else if (await caseExists(host, target)) {
      caseId = target;
    } else {
      throw new OpscopeError('not-found', `"${target}" is neither a case id nor a video file.`);
    }
    if ((await host.call('cases.get', { caseId })).index.state !== 'done') await host.call('index.start', { caseId });
    const index = await host.call('index.wait', { caseId });
    progress.done();
    if (index.state !== 'done') stderr(`warning: the case is not fully indexed (${index.state}${index.message ? `: ${index.message}` : ''}).\n`);
    return caseId;
  } finally {
    off();
  }
}

async function caseExists(host: AppHost, caseId: string): Promise<boolean> {
  if (!Id.safeParse(caseId).success) return false;
  return host.call('cases.get', { caseId }).then(() => true, (err: unknown) => {
    if (err instanceof OpscopeError && err.code === 'not-found') return false;
    throw err;
  });
}

/** The --json object: one per run, evidence best first, times in case seconds. */
export function askJson(run: FinishedRun) {
  return {
    runId: run.runId,
    answer: run.answer,
    evidence: run.evidence.map((e) => ({ id: e.id, start: e.start, end: e.end, frames: e.frames, claim: e.claim })),
    steps: run.steps.map((s) => ({
      index: s.index,
      kind: s.kind,
      thought: s.thought,
      call: s.checked ?? s.call,
      notes: s.notes,
      frames: s.frames.map((f) => f.time),
      error: s.error,
    })),
    backend: run.backend.name,
    executionProvider: run.executionProvider,
    outcome: run.state,
  };
}
