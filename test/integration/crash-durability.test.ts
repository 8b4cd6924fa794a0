/*
 * The whole process killed (SIGKILL) while 100 agent runs and their reviews are being written:
 * a child process writes through the store and prints an ack as each review is stored; the test
 * kills it at a seeded random moment. After a restart the database passes SQLite's integrity
 * check, and every review that was acknowledged is there, with its run.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../main/host/store/store.js';
import { ROOT, tempHome } from '../support/cli.js';
import { mulberry32 as random } from '../../main/core/random.js';
import { rawDb } from '../support/raw-db.js';

const RUNS = 100;

interface Killed {
  acks: { feedbackId: string; runId: string }[];
  signal: NodeJS.Signals | null;
}

/** Starts the writer, kills it after `afterAcks` acks plus `delayMs`, and returns what it acknowledged. */
function writeAndKill(file: string, afterAcks: number, delayMs: number): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'store-writer-child.ts'), file, String(RUNS)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: Killed['acks'] = [];
    let stdout = '';
    let stderr = '';
    let killing = false;
    const kill = () => {
      if (killing) return;
      killing = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      let nl: number;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        const m = /^ack (\S+) (\S+)$/.exec(line);
        // Only what was acknowledged before the kill counts; lines read later are acks too.
        if (m) acks.push({ feedbackId: m[1]!, runId: m[2]! });
        if ((m && acks.length >= afterAcks) || line === 'all written') kill();
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended by itself (${code}): ${stderr}`));
      else resolve({ acks, signal });
    });
  });
}

describe('a process killed while writing 100 runs and their reviews', () => {
  let home: string;
  beforeAll(() => {
    home = tempHome('opscope-crash-');
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it.each([11, 29, 47])('loses no acknowledged review and leaves a sound database (seed %i)', async (seed) => {
    const rnd = random(seed);
    const afterAcks = 1 + Math.floor(rnd() * (RUNS - 1));
    const delayMs = Math.floor(rnd() * 25);
    const file = join(home, `crash-${seed}.db`);
    const killed = await writeAndKill(file, afterAcks, delayMs);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.acks.length).toBeGreaterThanOrEqual(afterAcks);

    const store = new Store(file);
    try {
      expect(store.integrityCheck().integrity).toBe('ok');
      expect(store.integrityCheck().foreignKeyProblems).toBe(0);
      for (const { feedbackId, runId } of killed.acks) {
        const row = rawDb(store).prepare('SELECT f.id, e.run_id FROM feedback f JOIN evidence e ON e.id = f.evidence_id WHERE f.id = ?').get(feedbackId) as
          | { id: string; run_id: string }
          | undefined;
        expect(row, `acknowledged review ${feedbackId}`).toEqual({ id: feedbackId, run_id: runId });
      }
      const reviews = (rawDb(store).prepare('SELECT COUNT(*) AS n FROM feedback').get() as { n: number }).n;
      // At most the review being written when the kill came is more than was acknowledged.
      expect(reviews).toBeGreaterThanOrEqual(killed.acks.length);
      expect(reviews).toBeLessThanOrEqual(killed.acks.length + 1);
      // Each review wrote its audit row in its own transaction.
      expect(rawDb(store).prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'feedback.add'").get()).toEqual({ n: reviews });
    } finally {
      store.close();
    }
  }, 120_000);
});
