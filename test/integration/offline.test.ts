/*
 * The offline guarantee: with no `openai` backend configured, importing, indexing, asking (scout
 * and a local onnx model), reviewing and exporting open no network connection. Everything runs in
 * this process (the in-process worker and model worker), with every way out of it refused and
 * recorded: TCP/TLS sockets, DNS, fetch. Child processes are recorded too: only ffmpeg and
 * ffprobe may start, and none of their arguments may name a network location.
 */
import childProcess from 'node:child_process';
import dns from 'node:dns';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage } from '../../main/core/contract/audit-schemas.js';
import type { ExportDone } from '../../main/core/contract/export-schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { observeToolCalls } from '../../main/node/ffmpeg/run.js';
import { tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { writeTinyVlm } from '../support/tiny-vlm.js';

const ANSWER =
  '<think>Red spreads over the field at about 8 s.</think>' +
  '<answer>{"answer": "Bleeding starts at 00:00:08.", "evidence": [{"start": 8, "end": 14, "frames": [9], "claim": "blood pools in the field"}]}</answer>';

interface Attempt {
  what: string;
  where: string;
}

/** Refuses and records every way this process could reach the network; returns the undo. */
function isolate(attempts: Attempt[], spawned: string[]): () => void {
  const socketConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function refused(this: net.Socket, ...args: unknown[]) {
    const [first] = args;
    const where = typeof first === 'object' && first !== null ? JSON.stringify(first) : String(first);
    attempts.push({ what: 'socket', where });
    process.nextTick(() => this.destroy(new Error(`offline test: connection to ${where} refused`)));
    return this;
  } as typeof socketConnect;
  const originals = { lookup: dns.lookup, promisesLookup: dns.promises.lookup, resolve: dns.resolve, fetch: globalThis.fetch, spawn: childProcess.spawn };
  dns.lookup = ((host: string, ...rest: unknown[]) => {
    attempts.push({ what: 'dns', where: host });
    const cb = rest.at(-1) as (err: Error) => void;
    process.nextTick(() => cb(new Error(`offline test: lookup of ${host} refused`)));
  }) as typeof dns.lookup;
  dns.promises.lookup = (async (host: string) => {
    attempts.push({ what: 'dns', where: host });
    throw new Error(`offline test: lookup of ${host} refused`);
  }) as typeof dns.promises.lookup;
  dns.resolve = ((host: string, ...rest: unknown[]) => {
    attempts.push({ what: 'dns', where: host });
    const cb = rest.at(-1) as (err: Error) => void;
    process.nextTick(() => cb(new Error('offline test: resolve refused')));
  }) as typeof dns.resolve;
  globalThis.fetch = (async (input: unknown) => {
    attempts.push({ what: 'fetch', where: String(input instanceof Request ? input.url : input) });
    throw new TypeError('offline test: fetch refused');
  }) as typeof fetch;
  childProcess.spawn = ((command: string, ...rest: unknown[]) => {
    spawned.push(command);
    return (originals.spawn as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof childProcess.spawn;
  // Modules that imported these by name see the replacements too.
  syncBuiltinESMExports();
  return () => {
    net.Socket.prototype.connect = socketConnect;
    dns.lookup = originals.lookup;
    dns.promises.lookup = originals.promisesLookup;
    dns.resolve = originals.resolve;
    globalThis.fetch = originals.fetch;
    childProcess.spawn = originals.spawn;
    syncBuiltinESMExports();
  };
}

/** A network location in an argument: any "scheme://" (ffmpeg opens URLs as inputs and outputs). */
const URL_LIKE = /[A-Za-z][A-Za-z0-9+.-]*:\/\//;

describe('offline: no connection leaves the machine without an openai backend', () => {
  let home: string;
  let host: AppHost;
  let recordings: string;
  let exportsDir: string;
  let modelDir: string;
  const attempts: Attempt[] = [];
  const spawned: string[] = [];
  const toolCalls: { name: string; args: readonly string[] }[] = [];
  let restore: () => void = () => undefined;
  let stopObserving: () => void = () => undefined;

  beforeAll(async () => {
    home = tempHome('opscope-offline-');
    recordings = join(home, 'recordings');
    exportsDir = join(home, 'chosen exports');
    mkdirSync(recordings, { recursive: true });
    mkdirSync(exportsDir, { recursive: true });
    const video = await syntheticVideo({ duration: 24, width: 320, height: 180, fps: 25, gop: 1, seed: 51, events: [{ kind: 'bleeding', start: 8, end: 14 }] });
    copyFileSync(video, join(recordings, 'case 1.mp4'));
    modelDir = join(home, 'models', 'tiny');
    await writeTinyVlm(modelDir, { reply: ANSWER });
    // From here on, nothing may reach the network.
    restore = isolate(attempts, spawned);
    stopObserving = observeToolCalls((name, args) => toolCalls.push({ name, args }));
    host = testHost(home, { inProcess: true });
  }, 600_000);

  afterAll(async () => {
    await host?.close();
    stopObserving();
    restore();
    rmSync(home, { recursive: true, force: true });
  });

  const ask = async (question: string) => {
    const { runId } = (await host.call('agent.ask', { caseId, question })) as { runId: string };
    return host.agent.whenDone(runId);
  };
  let caseId = '';

  it('imports, indexes, asks with scout and onnx, reviews and exports: all without the network', async () => {
    expect(host.settings.get().agent.openai.baseUrl).toBe('');
    await host.call('settings.set', { reviewerName: 'Dr Offline' });
    const [imported] = (await host.call('cases.import', { paths: [join(recordings, 'case 1.mp4')], index: true })) as { caseId: string }[];
    caseId = imported!.caseId;
    await host.indexer.whenIdle(caseId);
    expect(((await host.call('cases.get', { caseId })) as { index: { state: string } }).index.state).toBe('done');

    const scout = await ask('When does the bleeding start?');
    expect(scout.state).toBe('answered');

    const agent = host.settings.get().agent;
    await host.call('settings.set', { agent: { ...agent, backend: 'onnx', onnx: { ...agent.onnx, modelDir, device: 'cpu' } } });
    const onnx = await ask('When does the bleeding start?');
    expect(onnx.state, onnx.record.error ?? '').toBe('answered');
    const evidence = onnx.record.evidence[0]!;

    await host.call('feedback.add', { evidenceId: evidence.id, verdict: 'correct' });

    const out = join(exportsDir, 'teaching clip.mp4');
    const done = new Promise<ExportDone>((resolve) => {
      const off = host.bus.subscribe(({ name, payload }) => {
        if (name !== 'export.done') return;
        off();
        resolve(payload as ExportDone);
      });
    });
    await host.call('export.clip', { caseId, evidenceId: evidence.id, out, captions: 'vtt' });
    const result = await done;
    expect(result.error).toBeNull();
    await host.call('feedback.exportTrainingSet', { out: join(exportsDir, 'reviews.jsonl') });
    await host.call('audit.export', { out: join(exportsDir, 'audit.csv') });

    expect(attempts).toEqual([]);
    // Each of those is in the audit log, by the reviewer.
    const { entries } = (await host.call('audit.list', {})) as AuditPage;
    for (const action of ['settings.change', 'feedback.add', 'export.clip', 'feedback.exportTrainingSet', 'audit.export']) {
      expect(entries.find((e) => e.action === action && e.actor === 'Dr Offline'), action).toBeDefined();
    }
    expect(entries.find((e) => e.action === 'export.clip')).toMatchObject({ subject: caseId, summary: expect.stringContaining('teaching clip.mp4') });
  }, 600_000);

  it('started no process but ffmpeg and ffprobe, and gave them no network location', () => {
    expect(toolCalls.length).toBeGreaterThan(5);
    expect(new Set(spawned.map((c) => basename(c).replace(/\.exe$/, '')))).toEqual(new Set(['ffmpeg', 'ffprobe']));
    for (const { name, args } of toolCalls) {
      for (const a of args) expect(URL_LIKE.test(a), `${name} ${a}`).toBe(false);
      // Every input is a file, through inputPath ("file:" keeps a name that starts with "-" a name),
      // a generated source, or the raw pictures Opscope itself writes to the tool's stdin.
      args.forEach((a, i) => {
        if (a !== '-i') return;
        const lavfi = args[i - 2] === '-f' && args[i - 1] === 'lavfi';
        if (!lavfi) expect(args[i + 1], `${name} ${args.join(' ')}`).toMatch(/^(file:|pipe:0$)/);
      });
    }
  });

  it('wrote the exports only where the user chose, and nothing beside the recordings', () => {
    expect(readdirSync(recordings)).toEqual(['case 1.mp4']);
    const written = readdirSync(exportsDir).sort();
    expect(written).toContain('teaching clip.mp4');
    expect(written).toContain('reviews.jsonl');
    // The clip's own sidecars only, named after it.
    for (const f of written) expect(f === 'reviews.jsonl' || f === 'audit.csv' || f.startsWith('teaching clip'), f).toBe(true);
  });
});
