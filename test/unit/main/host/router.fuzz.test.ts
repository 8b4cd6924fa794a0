/*
 * Hostile input at the contract's door. For every call in the contract, `dispatch` given random
 * and malformed input (random JSON, wrong types, the call's own keys with random values, proto
 * keys, deep nesting, huge strings) either rejects with OpscopeError 'invalid-input' or reaches
 * the handler with input its schema accepts; never anything else, and never slowly. Then the same
 * against a real host's handlers, for the calls that touch neither the worker nor arbitrary files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_NAMES, calls, type CallName } from '../../../../main/core/contract/calls.js';
import { OpscopeError } from '../../../../main/core/errors.js';
import { AppHost } from '../../../../main/host/app-host.js';
import { dispatch, type Handlers } from '../../../../main/host/router.js';
import { seedTwoPartCase } from '../../../support/feedback.js';

const REACHED = 'reached the handler';

function keysOf(name: CallName): string[] {
  const shape = (calls[name].input as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** Values of every kind, including the ones JSON cannot carry but a buggy client could send. */
function hostileValue(ids: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.constantFrom(...ids, '', '../../etc/passwd', '..\\..\\x', 'a\0b', '__proto__', 'constructor', 'NaN', '-1', '1e309') },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, Number.NaN, Infinity, -Infinity, -0, 2 ** 53, -1, 1.5, true, [], {}, [[[[[]]]]]) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown) },
    { weight: 1, arbitrary: fc.constant(Array.from({ length: 10_000 }, (_, i) => i)) },
  );
}

/** Inputs for one call: anything at all, or an object with its own keys holding hostile values. */
function hostileInput(name: CallName, ids: readonly string[]): fc.Arbitrary<unknown> {
  const keys = keysOf(name);
  const value = hostileValue(ids);
  const shaped = keys.length
    ? fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] }).chain((o) =>
        fc.oneof(fc.constant(o), fc.record({ extra: value }).map((x) => ({ ...o, ...x }))),
      )
    : fc.constant({});
  return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: value });
}

async function settle(p: Promise<unknown>, ms: number): Promise<{ ok: true } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p, timeout]);
    return { ok: true };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('no answer within')) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

describe('dispatch under hostile input (every call)', () => {
  const reached: { name: CallName; input: unknown }[] = [];
  const handlers = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      (input: unknown) => {
        reached.push({ name, input });
        throw new OpscopeError('not-found', REACHED);
      },
    ]),
  ) as unknown as Handlers;

  it.each(CALL_NAMES)('%s: rejects as invalid-input, or hands the handler a payload its schema accepts', async (name) => {
    await fc.assert(
      fc.asyncProperty(hostileInput(name, ['abcdefgh', 'ABCDEFGH_-12']), async (input) => {
        reached.length = 0;
        const r = await settle(dispatch(handlers, name, input, { transport: 'web' }), 2000);
        expect(r.ok).toBe(false);
        const error = (r as { error: unknown }).error;
        expect(error).toBeInstanceOf(OpscopeError);
        const e = error as OpscopeError;
        if (e.code === 'not-found') {
          expect(e.message).toBe(REACHED);
          expect(reached).toHaveLength(1);
          expect(calls[name].input.safeParse(reached[0]!.input).success).toBe(true);
          expect(Object.prototype).not.toHaveProperty('polluted');
        } else {
          expect(e.code).toBe('invalid-input');
          expect(reached).toEqual([]);
          // The message names the problem without echoing a huge input back.
          expect(e.message.length).toBeLessThan(1000);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses every name that is not a call', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'app.info ')), fc.jsonValue(), async (name, input) => {
        fc.pre(!(CALL_NAMES as string[]).includes(name));
        const r = await settle(dispatch(handlers, name, input, { transport: 'web' }), 2000);
        expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      }),
      { numRuns: 300 },
    );
    for (const name of [null, undefined, 42, {}, ['app.info'], { toString: () => 'app.info' }]) {
      await expect(dispatch(handlers, name, {}, { transport: 'web' })).rejects.toMatchObject({ code: 'invalid-input' });
    }
  });
});

/** Calls left out of the real-host run: they start the worker or read or write paths they are given. */
const TOUCHES_WORKER_OR_FILES = new Set<CallName>([
  'cases.import', 'cases.frameTimes', 'index.start', 'frames.get', 'files.pick', 'files.browse', 'demo.create', 'agent.ask',
  'feedback.exportTrainingSet', 'export.clip', 'export.batch', 'audit.export', 'recording.start',
]);

/** Calls that need a server the user sets up: with none set, "unavailable" is the honest answer. */
const NEEDS_A_SERVER = (name: CallName) => name.startsWith('pacs.');

describe('a real host under hostile input', () => {
  let home: string;
  let host: AppHost;
  let ids: string[];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'opscope-fuzz-'));
    host = new AppHost({ dataDir: join(home, 'data'), transport: 'web', launcher: () => { throw new Error('no worker in this test'); } });
    const seeded = await seedTwoPartCase(host.store);
    ids = [seeded.caseId, seeded.runId, seeded.conversationId, ...seeded.evidenceIds, ...host.store.partsOf(seeded.caseId).map((p) => p.id)];
  });

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it.each(CALL_NAMES.filter((n) => !TOUCHES_WORKER_OR_FILES.has(n)))('%s: answers, or refuses with a clear code', async (name) => {
    await fc.assert(
      fc.asyncProperty(hostileInput(name, ids), async (input) => {
        const r = await settle(host.callUntyped(name, input, { transport: 'web' }), 5000);
        if (r.ok) return;
        expect(r.error).toBeInstanceOf(OpscopeError);
        const codes = ['invalid-input', 'not-found', 'conflict', ...(NEEDS_A_SERVER(name) ? ['unavailable'] : [])];
        expect(codes).toContain((r.error as OpscopeError).code);
      }),
      { numRuns: 60 },
    );
    expect(host.store.integrityCheck().integrity).toBe('ok');
  });
});
