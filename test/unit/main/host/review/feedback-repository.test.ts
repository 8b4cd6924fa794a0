import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calls } from '../../../../../main/core/contract/calls.js';
import { CaseConversations } from '../../../../../main/core/contract/agent-schemas.js';
import { Feedback, ReviewCounts, ReviewItem, TrainingExample } from '../../../../../main/core/contract/feedback-schemas.js';
import { EventBus } from '../../../../../main/host/event-bus.js';
import { FeedbackService, NO_REVIEWER_MESSAGE } from '../../../../../main/host/review/feedback-service.js';
import { SettingsService } from '../../../../../main/host/settings/settings-service.js';
import { Store } from '../../../../../main/host/store/store.js';
import { fakePart, seedRun, seedTwoPartCase } from '../../../../support/feedback.js';

import { ROOT } from '../../../../support/cli.js';
import { rawDb } from '../../../../support/raw-db.js';
const asRoot = process.getuid?.() === 0;

describe('feedback store', () => {
  let dir: string;
  let file: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-feedback-'));
    file = join(dir, 'opscope.db');
    store = new Store(file);
  });

  afterEach(() => {
    try {
      store.close();
    } catch {
      // closed by the test
    }
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends reviews: history is newest first, the latest is the current review, the evidence row mirrors it', async () => {
    const { caseId, evidenceIds } = await seedTwoPartCase(store);
    const [e1] = evidenceIds;
    const first = store.feedback.add({ evidenceId: e1!, verdict: 'incorrect', comment: '  wrong phase ', reviewer: 'Dr A' });
    expect(Feedback.parse(first)).toEqual(first);
    expect(first).toMatchObject({ evidenceId: e1, caseId, verdict: 'incorrect', start: null, end: null, comment: 'wrong phase', reviewer: 'Dr A' });
    const second = store.feedback.add({ evidenceId: e1!, verdict: 'adjusted', start: 101.033367, end: 127.5, reviewer: 'Dr B' });
    const third = store.feedback.add({ evidenceId: e1!, verdict: 'correct', reviewer: 'Dr A' });

    expect(store.feedback.history(e1!).map((f) => f.id)).toEqual([third.id, second.id, first.id]);
    expect(store.feedback.history(e1!)[1]).toEqual(second);
    expect(store.feedback.list('all', caseId).find((i) => i.evidenceId === e1)?.review).toEqual(third);

    // The log is append-only even for code that bypasses the store.
    expect(() => rawDb(store).prepare('UPDATE feedback SET verdict = ?').run('correct')).toThrow(/append-only/);
    expect(() => rawDb(store).prepare('DELETE FROM feedback').run()).toThrow(/append-only/);
    expect(rawDb(store).prepare('SELECT count(*) AS n FROM feedback').get()).toEqual({ n: 3 });

    // Conversations show each item's current review; the predicted window is untouched.
    store.feedback.add({ evidenceId: evidenceIds[2]!, verdict: 'adjusted', start: 748, end: 795, reviewer: 'Dr A' });
    const evidence = CaseConversations.parse({ caseId, conversations: store.agent.conversations(caseId) }).conversations[0]!.questions[0]!.runs[0]!.evidence;
    expect(evidence.map((e) => [e.status, e.start, e.end, e.correctedStart, e.correctedEnd])).toEqual([
      ['correct', 100, 130, null, null],
      ['unreviewed', 590, 620, null, null],
      ['adjusted', 750, 790, 748, 795],
    ]);
  });

  it('writes an audit row per review, with the reviewer as actor', async () => {
    const { evidenceIds } = await seedTwoPartCase(store);
    const f = store.feedback.add({ evidenceId: evidenceIds[1]!, verdict: 'adjusted', start: 592, end: 615, reviewer: 'Dr C' });
    const rows = rawDb(store).prepare("SELECT actor, subject, detail_json FROM audit_log WHERE action = 'feedback.add'").all() as {
      actor: string; subject: string; detail_json: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'Dr C', subject: evidenceIds[1] });
    expect(JSON.parse(rows[0]!.detail_json)).toMatchObject({ feedbackId: f.id, verdict: 'adjusted', start: 592, end: 615 });
  });

  it('filters and counts by the latest review across cases', async () => {
    const a = await seedTwoPartCase(store, 'Case A');
    const b = await seedTwoPartCase(store, 'Case B');
    const follow = await seedRun(store, b.caseId, 'And when does it stop?', [{ start: 800, end: 900, frames: [], claim: 'field clears' }], b.conversationId);
    store.createCase('Empty case', [fakePart('x.mp4', 60)]);

    store.feedback.add({ evidenceId: a.evidenceIds[0]!, verdict: 'incorrect', reviewer: 'Dr A' });
    store.feedback.add({ evidenceId: a.evidenceIds[1]!, verdict: 'incorrect', reviewer: 'Dr A' });
    store.feedback.add({ evidenceId: a.evidenceIds[1]!, verdict: 'adjusted', start: 595, end: 610, reviewer: 'Dr A' }); // flagged, then confirmed
    store.feedback.add({ evidenceId: b.evidenceIds[2]!, verdict: 'correct', reviewer: 'Dr B' });
    store.feedback.add({ evidenceId: follow.evidenceIds[0]!, verdict: 'correct', reviewer: 'Dr B' });
    store.feedback.add({ evidenceId: follow.evidenceIds[0]!, verdict: 'incorrect', reviewer: 'Dr A' }); // confirmed, then flagged

    const ids = (items: ReviewItem[]) => items.map((i) => i.evidenceId).sort();
    expect(ids(store.feedback.list('flagged'))).toEqual([a.evidenceIds[0], follow.evidenceIds[0]].sort());
    expect(ids(store.feedback.list('confirmed'))).toEqual([a.evidenceIds[1], b.evidenceIds[2]].sort());
    expect(ids(store.feedback.list('unreviewed'))).toEqual([a.evidenceIds[2], b.evidenceIds[0], b.evidenceIds[1]].sort());
    expect(store.feedback.list('all')).toHaveLength(7);
    expect(ids(store.feedback.list('unreviewed', a.caseId))).toEqual([a.evidenceIds[2]]);
    expect(ids(store.feedback.list('flagged', b.caseId))).toEqual([follow.evidenceIds[0]]);

    // In the order they were asked within a case, with what the list needs to show them.
    const ofB = store.feedback.list('all', b.caseId);
    expect(ofB.map((i) => [i.question, i.rank])).toEqual([
      ['When does the bleeding start?', 1], ['When does the bleeding start?', 2], ['When does the bleeding start?', 3], ['And when does it stop?', 1],
    ]);
    const item = ReviewItem.parse(ofB[0]);
    expect(item).toMatchObject({
      caseId: b.caseId, caseName: 'Case B', conversationId: b.conversationId, runId: b.runId, claim: 'first bleeding',
      predicted: { start: 100, end: 130, frames: [110] }, status: 'unreviewed', review: null, backend: { name: 'scripted', model: 'script-v1' },
    });

    const counts = store.feedback.counts().map((c) => ReviewCounts.parse(c));
    expect(counts.map(({ caseName, unreviewed, flagged, confirmed }) => ({ caseName, unreviewed, flagged, confirmed }))).toEqual([
      { caseName: 'Empty case', unreviewed: 0, flagged: 0, confirmed: 0 },
      { caseName: 'Case B', unreviewed: 2, flagged: 1, confirmed: 1 },
      { caseName: 'Case A', unreviewed: 1, flagged: 1, confirmed: 1 },
    ]);
  });

  it('refuses reviews that do not fit the evidence or its case, writing nothing', async () => {
    const { evidenceIds } = await seedTwoPartCase(store);
    const e = evidenceIds[0]!;
    const bad: [Parameters<Store['feedback']['add']>[0], string, RegExp][] = [
      [{ evidenceId: 'run9999-e1', verdict: 'correct', reviewer: 'Dr A' }, 'not-found', /no evidence item "run9999-e1"/],
      [{ evidenceId: e, verdict: 'adjusted', reviewer: 'Dr A' }, 'invalid-input', /needs the corrected window/],
      [{ evidenceId: e, verdict: 'adjusted', start: 10, reviewer: 'Dr A' }, 'invalid-input', /needs the corrected window/],
      [{ evidenceId: e, verdict: 'adjusted', start: 20, end: 20, reviewer: 'Dr A' }, 'invalid-input', /start before it ends/],
      [{ evidenceId: e, verdict: 'adjusted', start: 30, end: 20, reviewer: 'Dr A' }, 'invalid-input', /start before it ends/],
      [{ evidenceId: e, verdict: 'adjusted', start: 1190, end: 1200.5, reviewer: 'Dr A' }, 'invalid-input', /outside the case, which runs from 00:00:00.000 to 00:20:00.000/],
      [{ evidenceId: e, verdict: 'adjusted', start: -1, end: 5, reviewer: 'Dr A' }, 'invalid-input', /outside the case/],
      [{ evidenceId: e, verdict: 'adjusted', start: Number.NaN, end: 5, reviewer: 'Dr A' }, 'invalid-input', /finite/],
      [{ evidenceId: e, verdict: 'correct', start: 1, end: 5, reviewer: 'Dr A' }, 'invalid-input', /only with the verdict "adjusted"/],
      [{ evidenceId: e, verdict: 'incorrect', reviewer: '   ' }, 'invalid-input', /reviewer name/],
      [{ evidenceId: e, verdict: 'incorrect', reviewer: 'x'.repeat(121) }, 'invalid-input', /longer than 120/],
    ];
    for (const [input, code, message] of bad) {
      expect(() => store.feedback.add(input), JSON.stringify(input)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
    }
    expect(rawDb(store).prepare('SELECT count(*) AS n FROM feedback').get()).toEqual({ n: 0 });
    expect(rawDb(store).prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'feedback.add'").get()).toEqual({ n: 0 });
    // The whole case, to the frame: a window ending exactly at the end is inside.
    expect(store.feedback.add({ evidenceId: e, verdict: 'adjusted', start: 1199.966667, end: 1200, reviewer: 'Dr A' }).end).toBe(1200);
    expect(() => store.feedback.history('run9999-e1')).toThrow(/no evidence item/);
    // The synchronous level is back to NORMAL after a durable write, failed or not.
    expect(rawDb(store).pragma('synchronous', { simple: true })).toBe(1);
  });

  it('deletes the reviews of a deleted case, and only those', async () => {
    const a = await seedTwoPartCase(store, 'Case A');
    const b = await seedTwoPartCase(store, 'Case B');
    store.feedback.add({ evidenceId: a.evidenceIds[0]!, verdict: 'correct', reviewer: 'Dr A' });
    store.feedback.add({ evidenceId: a.evidenceIds[0]!, verdict: 'incorrect', reviewer: 'Dr A' });
    const kept = store.feedback.add({ evidenceId: b.evidenceIds[0]!, verdict: 'correct', reviewer: 'Dr A' });
    expect(store.deleteCase(a.caseId)).toBe(true);
    expect(rawDb(store).prepare('SELECT id FROM feedback').all()).toEqual([{ id: kept.id }]);
    expect(store.feedback.counts().map((c) => c.caseName)).toEqual(['Case B']);
    expect(() => store.feedback.history(a.evidenceIds[0]!)).toThrow(/no evidence item/);
  });

  it('a review acknowledged by a process killed right after is in the store, which is intact', async () => {
    const { evidenceIds } = await seedTwoPartCase(store);
    store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'feedback-child.ts'), file, evidenceIds[1]!], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const acked = await new Promise<string>((resolvePromise, reject) => {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /^ack (\S+)$/m.exec(stdout);
        if (m) {
          // Killed the moment it says the review is stored: no clean close, no checkpoint.
          child.kill('SIGKILL');
          resolvePromise(m[1]!);
        }
      });
      child.on('exit', (code, signal) => signal !== 'SIGKILL' && reject(new Error(`child ended (${code}) before its ack: ${stderr}`)));
    });
    await new Promise((r) => child.once('close', r));
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(`${file}-wal`)).toBe(true);

    store = new Store(file);
    expect(store.integrityCheck().integrity).toBe('ok');
    expect(store.feedback.history(evidenceIds[1]!)).toEqual([
      expect.objectContaining({ id: acked, verdict: 'adjusted', start: 592.5, end: 612.25, reviewer: 'Dr Kill' }),
    ]);
    expect(rawDb(store).prepare("SELECT actor FROM audit_log WHERE action = 'feedback.add'").all()).toEqual([{ actor: 'Dr Kill' }]);
  });
});

describe('feedback service and training-set export', () => {
  let dir: string;
  let store: Store;
  let bus: EventBus;
  let service: FeedbackService;
  let settings: SettingsService;
  let changed: unknown[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-training-'));
    store = new Store(join(dir, 'opscope.db'));
    bus = new EventBus();
    settings = new SettingsService(store);
    service = new FeedbackService(store, settings, bus);
    changed = [];
    bus.on('feedback.changed', (payload) => changed.push(payload));
  });

  afterEach(() => {
    store.close();
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the reviewer from the settings, refuses a review without one, and tells open views', async () => {
    const { caseId, evidenceIds } = await seedTwoPartCase(store);
    expect(() => service.add({ evidenceId: evidenceIds[0]!, verdict: 'correct' })).toThrow(NO_REVIEWER_MESSAGE);
    expect(NO_REVIEWER_MESSAGE).toMatch(/opscope settings set reviewerName=/);
    settings.set({ reviewerName: 'Dr Settings' });
    expect(service.add({ evidenceId: evidenceIds[0]!, verdict: 'correct' }).reviewer).toBe('Dr Settings');
    expect(service.add({ evidenceId: evidenceIds[0]!, verdict: 'incorrect', reviewer: ' Dr Given ' }).reviewer).toBe('Dr Given');
    expect(changed).toEqual([{ caseId, evidenceId: evidenceIds[0] }, { caseId, evidenceId: evidenceIds[0] }]);
  });

  it('checks the add input in the contract too', () => {
    const input = calls['feedback.add'].input;
    expect(input.safeParse({ evidenceId: 'run0001-e1', verdict: 'adjusted', start: 1 }).success).toBe(false);
    expect(input.safeParse({ evidenceId: 'run0001-e1', verdict: 'adjusted', start: 5, end: 5 }).success).toBe(false);
    expect(input.safeParse({ evidenceId: 'run0001-e1', verdict: 'correct', start: 1, end: 5 }).success).toBe(false);
    expect(input.safeParse({ evidenceId: 'run0001-e1', verdict: 'maybe' }).success).toBe(false);
    expect(input.safeParse({ evidenceId: 'run0001-e1', verdict: 'adjusted', start: 1.5, end: 5 }).success).toBe(true);
    expect(input.safeParse({ evidenceId: 'run0001-e1', verdict: 'incorrect', start: null, end: null, comment: 'no' }).success).toBe(true);
  });

  it('exports one line per reviewed item with its latest review, mapped onto the parts of a two-part case', async () => {
    const { caseId, runId, conversationId, evidenceIds } = await seedTwoPartCase(store);
    const other = await seedTwoPartCase(store, 'Other case');
    const [e1, e2, e3] = evidenceIds as [string, string, string];
    service.add({ evidenceId: e1, verdict: 'incorrect', reviewer: 'Dr A' });
    service.add({ evidenceId: e1, verdict: 'correct', comment: 'on second look, yes', reviewer: 'Dr A' });
    const adjusted = service.add({ evidenceId: e2, verdict: 'adjusted', start: 595.5, end: 640.25, reviewer: 'Dr B' });
    service.add({ evidenceId: e3, verdict: 'incorrect', comment: 'that is irrigation', reviewer: 'Dr B' });
    service.add({ evidenceId: other.evidenceIds[0]!, verdict: 'correct', reviewer: 'Dr C' });

    const out = join(dir, 'train.jsonl');
    expect(await service.exportTrainingSet({ out, caseId })).toEqual({ out, count: 3 });
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((l) => TrainingExample.parse(JSON.parse(l)));
    expect(lines.map((l) => l.evidenceId)).toEqual([e1, e2, e3]);
    const recording = {
      duration: 1200,
      parts: [
        { index: 0, fingerprint: 'fp-one', fileName: 'part1.mp4', caseStart: 0, duration: 600 },
        { index: 1, fingerprint: 'fp-two', fileName: 'part2.mp4', caseStart: 600, duration: 600 },
      ],
    };
    expect(lines[0]).toEqual({
      format: 'opscope-feedback/1', caseId, conversationId, runId, evidenceId: e1,
      question: 'When does the bleeding start?', answer: 'Answer to: When does the bleeding start?', backend: 'scripted', model: 'script-v1',
      claim: 'first bleeding', rank: 1,
      predicted: { start: 100, end: 130, segments: [{ part: 0, start: 100, end: 130 }], frames: [{ time: 110, part: 0, offset: 110 }] },
      verdict: 'correct',
      corrected: { start: 100, end: 130, segments: [{ part: 0, start: 100, end: 130 }] },
      comment: 'on second look, yes', reviewer: 'Dr A', reviewedAt: expect.any(String), recording,
    });
    expect(lines[1]).toMatchObject({
      verdict: 'adjusted', reviewer: 'Dr B', reviewedAt: adjusted.createdAt, comment: null,
      predicted: {
        start: 590, end: 620,
        segments: [{ part: 0, start: 590, end: 600 }, { part: 1, start: 0, end: 20 }],
        frames: [{ time: 595, part: 0, offset: 595 }, { time: 605, part: 1, offset: 5 }],
      },
      corrected: { start: 595.5, end: 640.25, segments: [{ part: 0, start: 595.5, end: 600 }, { part: 1, start: 0, end: 40.25 }] },
    });
    expect(lines[2]).toMatchObject({ verdict: 'incorrect', corrected: null, comment: 'that is irrigation', predicted: { segments: [{ part: 1, start: 150, end: 190 }] } });
    // File names only: the folders (patient name, record number) stay on this machine.
    expect(text).not.toContain('Doe_Jane');
    expect(text).not.toContain('/recordings/');

    // All cases; an existing file is kept unless overwriting is asked for.
    await expect(service.exportTrainingSet({ out })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already exists/) });
    expect(readFileSync(out, 'utf8')).toBe(text);
    expect(await service.exportTrainingSet({ out, overwrite: true })).toEqual({ out, count: 4 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a missing folder, a folder as the target and a relative path without a base clearly', async () => {
    await expect(service.exportTrainingSet({ out: join(dir, 'nope', 'train.jsonl') })).rejects.toMatchObject({
      code: 'not-found', message: `The folder ${join(dir, 'nope')} does not exist.`,
    });
    mkdirSync(join(dir, 'sub'));
    await expect(service.exportTrainingSet({ out: join(dir, 'sub'), overwrite: true })).rejects.toMatchObject({ code: 'invalid-input', message: /is a folder/ });
    await expect(service.exportTrainingSet({ out: 'train.jsonl' })).rejects.toMatchObject({ code: 'invalid-input', message: /full path/ });
    expect(await service.exportTrainingSet({ out: 'rel.jsonl', cwd: dir })).toEqual({ out: join(dir, 'rel.jsonl'), count: 0 });
    await expect(service.exportTrainingSet({ out: join(dir, 'x.jsonl'), caseId: 'nocase000' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('leaves nothing in a read-only folder', async (ctx) => {
    if (asRoot) ctx.skip('root writes into read-only folders; test/integration/feedback-cli.test.ts runs this case as an unprivileged user');
    if (process.platform === 'win32') ctx.skip('Windows folders are not made read-only by mode bits');
    const { evidenceIds } = await seedTwoPartCase(store);
    service.add({ evidenceId: evidenceIds[0]!, verdict: 'correct', reviewer: 'Dr A' });
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'old.jsonl'), 'old\n');
    chmodSync(locked, 0o555);
    try {
      await expect(service.exportTrainingSet({ out: join(locked, 'train.jsonl') })).rejects.toMatchObject({ code: 'unavailable', message: /permission denied/ });
      await expect(service.exportTrainingSet({ out: join(locked, 'old.jsonl'), overwrite: true })).rejects.toMatchObject({ code: 'unavailable' });
      expect(readdirSync(locked)).toEqual(['old.jsonl']);
      expect(readFileSync(join(locked, 'old.jsonl'), 'utf8')).toBe('old\n');
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});
