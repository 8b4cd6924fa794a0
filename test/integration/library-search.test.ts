import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHost } from '../../main/host/app-host.js';
import type { SyntheticEvent } from '../../main/node/synthetic/index.js';
import { tempHome } from '../support/cli.js';
import { opscopeInProcess as opscope } from '../support/in-process-cli.js';
import { askAndWait, importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';

/*
 * Searching the library on real indexed recordings: one with two 12 s bleedings and one camera
 * withdrawal, one with nothing happening. Events come from the index; words from a question and
 * its answer (asked of the scout), a review comment and a bookmark label, through FTS5.
 */

const EVENTS: SyntheticEvent[] = [
  { kind: 'bleeding', start: 14, end: 26 },
  { kind: 'out-of-body', start: 36, end: 44 },
  { kind: 'bleeding', start: 62, end: 74 },
];

describe('searching the library by events and words', () => {
  let home: string;
  let host: AppHost;
  let eventful: string;
  let quiet: string;

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home, { inProcess: true });
    eventful = await importCase(host, [await syntheticVideo({ duration: 96, width: 640, height: 360, fps: 25, gop: 1, seed: 41, events: EVENTS })]);
    quiet = await importCase(host, [await syntheticVideo({ duration: 30, width: 640, height: 360, fps: 25, gop: 1, seed: 42, events: [] })]);
    await host.call('bookmarks.add', { caseId: eventful, time: 50, label: 'Clip applier closing on the cystic artery' });
    await host.call('bookmarks.add', { caseId: quiet, time: 5, label: 'trocar in' });
    const asked = await askAndWait(host, eventful, 'When does the bleeding start?');
    if (asked.evidence.length === 0) throw new Error(`the scout gave no evidence: ${asked.answer}`);
    const [item] = await host.call('feedback.list', { caseId: eventful });
    await host.call('feedback.add', { evidenceId: item!.evidenceId, verdict: 'correct', comment: 'Pulsatile vessel, cauterised late', reviewer: 'dr test' });
  }, 600_000);

  afterAll(async () => {
    await host?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('finds cases by how long an event lasted, with the episodes as moments', async () => {
    const r = await host.call('search.library', { query: 'bleeding longer than 5 s' });
    expect(r.understood.events).toEqual([{ event: 'bleeding', duration: { op: '>', seconds: 5 } }]);
    expect(r.cases.map((c) => c.caseId)).toEqual([eventful]);
    const episodes = r.cases[0]!.moments.filter((m) => m.kind === 'bleeding');
    expect(episodes).toHaveLength(2);
    expect(Math.abs(episodes[0]!.start - 14)).toBeLessThanOrEqual(3);
    expect(episodes[1]!.start).toBeGreaterThanOrEqual(61);
    expect(episodes[1]!.end).toBeLessThanOrEqual(77);
    // Both bleedings last 12 s, and each is read from where its blood first shows: both are longer than 10 s.
    const long = await host.call('search.library', { query: 'bleeding longer than 10 s' });
    expect(long.cases[0]!.moments.map((m) => m.start)).toEqual(episodes.map((e) => e.start));
    expect((await host.call('search.library', { query: 'bleeding longer than 20 s' })).cases).toEqual([]);
  });

  it('finds cases by how often an event happened', async () => {
    expect((await host.call('search.library', { query: 'out of the body at least once' })).cases.map((c) => c.caseId)).toEqual([eventful]);
    expect((await host.call('search.library', { query: 'out of the body more than twice' })).cases).toEqual([]);
    expect((await host.call('search.library', { query: 'bleeding twice' })).cases.map((c) => c.caseId)).toEqual([eventful]);
  });

  it('finds words in bookmark labels, questions, answers and comments, with their moments', async () => {
    const label = await host.call('search.library', { query: 'clip applier' });
    expect(label.cases.map((c) => c.caseId)).toEqual([eventful]);
    expect(label.cases[0]!.moments).toEqual([{ kind: 'bookmark', start: 50, end: 50, text: '[Clip] [applier] closing on the cystic artery' }]);

    const comment = await host.call('search.library', { query: 'pulsatile' });
    const m = comment.cases[0]!.moments[0]!;
    expect(m.kind).toBe('comment');
    expect(m.start).toBeGreaterThanOrEqual(10);
    expect(m.end).toBeLessThanOrEqual(30);

    // "bleeding" is an event; "start" is a word of the question.
    const question = await host.call('search.library', { query: 'bleeding start' });
    expect(question.cases.map((c) => c.caseId)).toEqual([eventful]);
    expect(question.cases[0]!.moments.some((x) => x.kind === 'question' && x.text!.includes('[start]'))).toBe(true);

    expect((await host.call('search.library', { query: 'trocar' })).cases.map((c) => c.caseId)).toEqual([quiet]);
    expect((await host.call('search.library', { query: 'nothing like this "NEAR(' })).cases).toEqual([]);
  });

  it('keeps the words in step when a label changes or a case goes', async () => {
    const [b] = await host.call('bookmarks.list', { caseId: quiet });
    await host.call('bookmarks.update', { bookmarkId: b!.bookmarkId, label: 'port placement' });
    expect((await host.call('search.library', { query: 'trocar' })).cases).toEqual([]);
    expect((await host.call('search.library', { query: 'port' })).cases.map((c) => c.caseId)).toEqual([quiet]);
  });

  it('opscope search prints the cases and moments', async () => {
    const r = await opscope(['search', 'clip', 'applier', '--json'], join(home, 'data'));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { cases: { caseId: string }[] };
    expect(out.cases.map((c) => c.caseId)).toEqual([eventful]);
    const text = await opscope(['search', 'bleeding longer than 10 s'], join(home, 'data'));
    expect(text.stdout).toMatch(/Looked for: bleeding \(lasting > 10 s\)/);
    expect(text.stdout).toContain(eventful);
  });
});
