import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHost } from '../../main/host/app-host.js';
import type { SyntheticEvent } from '../../main/node/synthetic/index.js';
import { runCli, tempHome } from '../support/cli.js';
import { askAndWait, importCase, testHost, type AskedSummary } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { iou } from '../support/windows.js';

/*
 * The whole ask loop on real generated recordings: the worker's tools decode real frames, the
 * scout backend reads real index tracks and per-frame signals, and its best evidence window is
 * scored against the window the generator drew the event in (temporal IoU).
 */

const CASES: { seed: number; events: SyntheticEvent[] }[] = [
  {
    seed: 31,
    events: [
      { kind: 'bleeding', start: 14, end: 29 },
      { kind: 'smoke', start: 40, end: 51 },
      { kind: 'out-of-body', start: 62, end: 71 },
      { kind: 'idle', start: 80, end: 90 },
    ],
  },
  {
    seed: 32,
    events: [
      { kind: 'idle', start: 9, end: 17 },
      { kind: 'out-of-body', start: 26, end: 38 },
      { kind: 'bleeding', start: 50, end: 58 },
      { kind: 'smoke', start: 70, end: 85 },
    ],
  },
];

const QUESTIONS: { q: string; kind: SyntheticEvent['kind'] }[] = [
  { q: 'When does the bleeding start?', kind: 'bleeding' },
  { q: 'Is there any hemorrhage in this case?', kind: 'bleeding' },
  { q: 'how long did the oozing last', kind: 'bleeding' },
  { q: 'When was the view obscured by surgical smoke?', kind: 'smoke' },
  { q: 'Show me the plume from the cautery', kind: 'smoke' },
  { q: 'Was the camera outside the patient at any point?', kind: 'out-of-body' },
  { q: 'when was the scope withdrawn for lens cleaning', kind: 'out-of-body' },
  { q: 'How long was the pause?', kind: 'idle' },
  { q: 'When is nothing moving in the field?', kind: 'idle' },
  { q: 'find the period with no activity', kind: 'idle' },
];

const DECLINE = ['Which instrument is used to clip the cystic duct?', 'Is the critical view of safety achieved?'];

describe('asking a recording with the scout backend', () => {
  let home: string;
  let host: AppHost;
  const caseIds: string[] = [];
  const scores: { kind: string; iou: number }[] = [];

  const ask = (caseId: string, question: string): Promise<AskedSummary> => askAndWait(host, caseId, question);

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home);
    for (const c of CASES) {
      const video = await syntheticVideo({ duration: 96, width: 640, height: 360, fps: 25, gop: 1, seed: c.seed, events: c.events });
      caseIds.push(await importCase(host, [video]));
    }
  }, 900_000);

  afterAll(async () => {
    console.log(
      ['event        questions  mean IoU  min IoU', ...['bleeding', 'smoke', 'out-of-body', 'idle'].map((k) => {
        const xs = scores.filter((s) => s.kind === k).map((s) => s.iou);
        const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        return `${k.padEnd(12)} ${String(xs.length).padStart(9)}  ${mean.toFixed(3).padStart(8)}  ${Math.min(...xs).toFixed(3).padStart(7)}`;
      })].join('\n'),
    );
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('finds each event close to where it was drawn, over 20 questions in varied words', async () => {
    for (const [i, c] of CASES.entries()) {
      for (const { q, kind } of QUESTIONS) {
        const r = await ask(caseIds[i]!, q);
        expect(r.outcome, q).toBe('answered');
        const truth = c.events.find((e) => e.kind === kind)!;
        const best = r.evidence[0];
        expect(best, `${q} (case ${i + 1}): ${r.answer}`).toBeDefined();
        scores.push({ kind, iou: iou(best!, truth) });
        // Key frames lie inside the window they support.
        for (const f of best!.frames) expect(f).toBeGreaterThanOrEqual(best!.start - 0.5);
      }
    }
    expect(scores.length).toBeGreaterThanOrEqual(20);
    const mean = scores.reduce((a, s) => a + s.iou, 0) / scores.length;
    expect(mean).toBeGreaterThanOrEqual(0.7);
    for (const kind of ['bleeding', 'smoke', 'out-of-body', 'idle']) {
      const xs = scores.filter((s) => s.kind === kind).map((s) => s.iou);
      expect(xs.reduce((a, b) => a + b, 0) / xs.length, kind).toBeGreaterThanOrEqual(0.6);
    }
  }, 600_000);

  it('declines what it cannot see, with no evidence and no invented times', async () => {
    for (const q of DECLINE) {
      const r = await ask(caseIds[0]!, q);
      expect(r.evidence, q).toEqual([]);
      expect(r.toolCalls).toBe(0);
      expect(r.answer ?? '').toMatch(/onnx|openai|vision-language/i);
    }
  });

  it('keeps the conversation, and the command line answers with one JSON object', async () => {
    const r = await runCli(['ask', caseIds[0]!, 'when does the bleeding start?', '--json'], { home: join(home, 'data') });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      runId: string;
      answer: string;
      evidence: { id: string; start: number; end: number; frames: number[]; claim: string }[];
      steps: unknown[];
      backend: string;
      executionProvider: string | null;
    };
    expect(out.backend).toBe('scout');
    expect(out.steps.length).toBeGreaterThan(1);
    expect(iou(out.evidence[0]!, CASES[0]!.events[0]!)).toBeGreaterThanOrEqual(0.6);
    expect(out.evidence[0]!.claim.length).toBeGreaterThan(10);
    const stored = (await host.call('agent.conversation', { caseId: caseIds[0]! })) as { conversations: unknown[] };
    expect(stored.conversations.length).toBeGreaterThanOrEqual(QUESTIONS.length + DECLINE.length);
  });
});
