import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bookmark } from '../../main/core/contract/bookmark-schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import type { SyntheticEvent } from '../../main/node/synthetic/index.js';
import { tempHome } from '../support/cli.js';
import { askAndWait, importCase, testHost, type AskedSummary } from '../support/host.js';
import { opscopeInProcess as opscope } from '../support/in-process-cli.js';
import { syntheticVideo } from '../support/media.js';
import { iou } from '../support/windows.js';

/*
 * Bookmarks on a real generated recording, and questions scoped by them or by "the last N
 * seconds": the scout reads the real index tracks and crops real frames, and must keep to the
 * time asked about. Two bleeding episodes, one either side of the second bookmark, tell a scope
 * kept from one ignored.
 */

const EVENTS: SyntheticEvent[] = [
  { kind: 'bleeding', start: 14, end: 26 },
  { kind: 'out-of-body', start: 36, end: 44 },
  { kind: 'bleeding', start: 62, end: 74 },
];
const SECOND = 50;

function within(a: AskedSummary & { answer: string }, start: number, end: number): void {
  for (const e of a.evidence) {
    expect(e.start, a.answer).toBeGreaterThanOrEqual(start);
    expect(e.end, a.answer).toBeLessThanOrEqual(end);
    for (const f of e.frames) expect(f >= e.start && f <= e.end).toBe(true);
  }
}

describe('bookmarks and questions scoped by them, on a generated recording', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  let duration: number;
  const changed: unknown[] = [];

  const ask = async (question: string): Promise<AskedSummary & { answer: string }> => {
    const r = await askAndWait(host, caseId, question);
    return { ...r, answer: r.answer ?? '' };
  };

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home);
    host.bus.on('bookmarks.changed', (payload) => changed.push(payload));
    const video = await syntheticVideo({ duration: 96, width: 640, height: 360, fps: 25, gop: 1, seed: 41, events: EVENTS });
    caseId = await importCase(host, [video]);
    duration = host.store.partsOf(caseId).reduce((s, p) => s + p.duration, 0);
    await host.call('bookmarks.add', { caseId, time: 85 });
    await host.call('bookmarks.add', { caseId, time: 8 });
    await host.call('bookmarks.add', { caseId, time: SECOND, label: 'trocar' });
  }, 900_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps the bookmarks numbered in time order and tells clients when they change', async () => {
    const list = (await host.call('bookmarks.list', { caseId })) as Bookmark[];
    expect(list.map((b) => [b.number, b.time, b.label])).toEqual([[1, 8, null], [2, SECOND, 'trocar'], [3, 85, null]]);
    expect(changed).toEqual([{ caseId }, { caseId }, { caseId }]);
    // The recording is not live: a bookmark needs its time, inside the case.
    await expect(host.call('bookmarks.add', { caseId })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(host.call('bookmarks.add', { caseId, time: duration + 1 })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('finds the bleeding after the second bookmark only, and says the scope', async () => {
    const r = await ask('Was there bleeding after the second bookmark?');
    expect(r.outcome).toBe('answered');
    expect(r.evidence.length, r.answer).toBe(1);
    within(r, SECOND, duration);
    expect(iou(r.evidence[0]!, EVENTS[2]!), r.answer).toBeGreaterThanOrEqual(0.6);
    expect(r.answer).toMatch(/^Yes, after the second bookmark \(0:50–1:36\): one bleeding episode seen/);
  }, 120_000);

  it('finds the other one before it, by its label', async () => {
    const r = await ask("When does the bleeding start before the 'trocar' bookmark?");
    expect(r.evidence.length, r.answer).toBeGreaterThanOrEqual(1);
    within(r, 0, SECOND);
    expect(iou(r.evidence[0]!, EVENTS[0]!), r.answer).toBeGreaterThanOrEqual(0.6);
    expect(r.answer).toMatch(/^Before bookmark "trocar" \(0:00–0:50\), the first bleeding episode starts at 00:00:1\d/);
  }, 120_000);

  it('"in the last N seconds": inside the window it is found, outside it is not', async () => {
    const inside = await ask('Was there bleeding in the last 40 seconds?');
    expect(inside.evidence.length, inside.answer).toBe(1);
    within(inside, duration - 40, duration);
    expect(iou(inside.evidence[0]!, EVENTS[2]!), inside.answer).toBeGreaterThanOrEqual(0.6);
    expect(inside.answer).toMatch(/^Yes, in the last 40 seconds \(0:56–1:36\): /);

    const outside = await ask('Was there bleeding in the last 15 seconds?');
    expect(outside.outcome).toBe('answered');
    expect(outside.evidence).toEqual([]);
    expect(outside.answer).toMatch(/^No bleeding episode was seen in the last 15 seconds \(1:21–1:36\)/);
  }, 120_000);

  it('a bookmark the case does not have is answered in words, without looking', async () => {
    const r = await ask('What happened after the fifth bookmark?');
    expect(r.outcome).toBe('answered');
    expect(r.answer).toBe('There is no fifth bookmark; this case has 3 (at 0:08, 0:50 "trocar", 1:25).');
    expect(r.evidence).toEqual([]);
    expect(r.toolCalls).toBe(0);
  });

  it('the command line adds, lists and deletes bookmarks on the same store', async () => {
    const data = join(home, 'data');
    const added = await opscope(['bookmark', 'add', caseId, '--at', '0:01:00', '--label', 'clip applied', '--json'], data);
    expect(added.code, added.stderr).toBe(0);
    const b = JSON.parse(added.stdout) as Bookmark;
    expect(b).toMatchObject({ caseId, time: 60, label: 'clip applied', number: 3 });

    const listed = await opscope(['bookmark', 'list', caseId, '--json'], data);
    expect(listed.code, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as Bookmark[];
    expect(list.map((x) => [x.number, x.time, x.label])).toEqual([[1, 8, null], [2, SECOND, 'trocar'], [3, 60, 'clip applied'], [4, 85, null]]);
    // The app sees what the command wrote.
    expect(((await host.call('bookmarks.list', { caseId })) as Bookmark[]).length).toBe(4);

    const table = await opscope(['bookmark', 'list', caseId], data);
    expect(table.stdout).toMatch(/^#\s+TIME\s+LABEL\s+ID\n1\s+0:08\s+/);
    expect(table.stdout).toContain('clip applied');

    const seconds = await opscope(['bookmark', 'add', caseId, '--at', '90.5'], data);
    expect(seconds.code, seconds.stderr).toBe(0);
    expect(seconds.stdout).toMatch(/^Bookmark 5 at 1:30\.500 \(/);

    const deleted = await opscope(['bookmark', 'delete', b.bookmarkId], data);
    expect(deleted.code, deleted.stderr).toBe(0);
    const after = JSON.parse((await opscope(['bookmark', 'list', caseId, '--json'], data)).stdout) as Bookmark[];
    expect(after.map((x) => x.time)).toEqual([8, SECOND, 85, 90.5]);

    // Not being recorded: "now" needs --at; a bad time is a usage error.
    const now = await opscope(['bookmark', 'add', caseId], data);
    expect(now.code).toBe(1);
    expect(now.stderr).toMatch(/not being recorded.*Use --at TIME\./);
    const bad = await opscope(['bookmark', 'add', caseId, '--at', 'soon'], data);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"soon" is not a time/);
    expect((await opscope(['bookmark', 'rename', caseId], data)).code).toBe(2);
  });
});
