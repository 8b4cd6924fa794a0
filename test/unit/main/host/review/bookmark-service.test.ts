import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bookmark, BookmarkAddInput, BookmarkUpdateInput } from '../../../../../main/core/contract/bookmark-schemas.js';
import { calls } from '../../../../../main/core/contract/calls.js';
import { events } from '../../../../../main/core/contract/events.js';
import { OpscopeError } from '../../../../../main/core/errors.js';
import { AppHost } from '../../../../../main/host/app-host.js';
import { BookmarkService } from '../../../../../main/host/review/bookmark-service.js';
import { EventBus } from '../../../../../main/host/event-bus.js';
import { Store } from '../../../../../main/host/store/store.js';
import { fakePart } from '../../../../support/feedback.js';
import { rawDb } from '../../../../support/raw-db.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opscope-bookmarks-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function auditRows(store: Store, action: string) {
  return rawDb(store).prepare('SELECT actor, action, subject, detail_json FROM audit_log WHERE action = ? ORDER BY id').all(action) as {
    actor: string; action: string; subject: string; detail_json: string;
  }[];
}

describe('bookmark store', () => {
  let store: Store;
  let caseId: string;

  beforeEach(() => {
    store = new Store(join(dir, 'opscope.db'));
    caseId = store.createCase('Lap chole', [fakePart('p1.mp4', 600), fakePart('p2.mp4', 600)]).caseId;
  });

  afterEach(() => store.close());

  it('has its own table, made by migration 5', () => {
    expect(rawDb(store).pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(5);
    const cols = (rawDb(store).prepare('PRAGMA table_info(bookmarks)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(['id', 'case_id', 'time', 'label', 'created_at', 'created_by']);
    expect(() => rawDb(store).prepare("INSERT INTO bookmarks (id, case_id, time, created_at) VALUES ('x', ?, -1, 'now')").run(caseId)).toThrow(/CHECK/);
  });

  it('numbers bookmarks by their order in time, whatever the order they were made in', () => {
    const b = store.bookmarks.add({ caseId, time: 900, label: 'clip', createdBy: 'Dr A' });
    expect(Bookmark.parse(b)).toEqual(b);
    expect(b).toMatchObject({ caseId, time: 900, label: 'clip', number: 1 });
    const a = store.bookmarks.add({ caseId, time: 120.5, label: '  trocar  ', createdBy: null });
    expect(a).toMatchObject({ time: 120.5, label: 'trocar', number: 1 });
    const c = store.bookmarks.add({ caseId, time: 900, label: '', createdBy: null });
    expect(c.label).toBeNull();
    const list = store.bookmarks.list(caseId);
    expect(list.map((x) => [x.number, x.time, x.label])).toEqual([[1, 120.5, 'trocar'], [2, 900, 'clip'], [3, 900, null]]);
    // A tie in time keeps the order they were made in.
    expect(list.map((x) => x.bookmarkId)).toEqual([a.bookmarkId, b.bookmarkId, c.bookmarkId]);
    expect(store.bookmarks.get(c.bookmarkId)?.number).toBe(3);
  });

  it('renumbers when one is moved or deleted', () => {
    const ids = [100, 200, 300].map((time) => store.bookmarks.add({ caseId, time, createdBy: null }).bookmarkId);
    const moved = store.bookmarks.update(ids[0]!, { label: 'late', time: 400 }, 'Dr B');
    expect(moved).toMatchObject({ number: 3, time: 400, label: 'late' });
    expect(store.bookmarks.list(caseId).map((x) => x.bookmarkId)).toEqual([ids[1], ids[2], ids[0]]);
    expect(store.bookmarks.update(ids[0]!, { label: null }, 'Dr B')).toMatchObject({ time: 400, label: null });
    store.bookmarks.delete(ids[1]!, 'Dr B');
    expect(store.bookmarks.list(caseId).map((x) => [x.number, x.time])).toEqual([[1, 300], [2, 400]]);
    expect(store.bookmarks.get(ids[1]!)).toBeNull();
  });

  it('keeps each case to its own numbers', () => {
    const other = store.createCase('Other', [fakePart('o.mp4', 60)]).caseId;
    store.bookmarks.add({ caseId, time: 50, createdBy: null });
    store.bookmarks.add({ caseId: other, time: 10, createdBy: null });
    store.bookmarks.add({ caseId: other, time: 5, createdBy: null });
    expect(store.bookmarks.list(caseId).map((x) => x.number)).toEqual([1]);
    expect(store.bookmarks.list(other).map((x) => [x.number, x.time])).toEqual([[1, 5], [2, 10]]);
  });

  it('goes with its case', () => {
    store.bookmarks.add({ caseId, time: 10, createdBy: null });
    store.bookmarks.add({ caseId, time: 20, createdBy: null });
    expect(store.deleteCase(caseId)).toBe(true);
    expect(rawDb(store).prepare('SELECT count(*) AS n FROM bookmarks').get()).toEqual({ n: 0 });
    expect(store.bookmarks.list(caseId)).toEqual([]);
  });

  it('writes every change to the audit log, with who made it', () => {
    const b = store.bookmarks.add({ caseId, time: 61, label: 'trocar', createdBy: 'Dr A' });
    store.bookmarks.add({ caseId, time: 62, createdBy: null });
    store.bookmarks.update(b.bookmarkId, { label: 'trocar in', time: 65 }, 'Dr B');
    store.bookmarks.delete(b.bookmarkId, 'Dr C');
    const added = auditRows(store, 'bookmark.add');
    expect(added.map((r) => [r.actor, r.subject])).toEqual([['Dr A', b.bookmarkId], ['user', expect.any(String)]]);
    expect(JSON.parse(added[0]!.detail_json)).toEqual({ caseId, time: 61, label: 'trocar' });
    const [updated] = auditRows(store, 'bookmark.update');
    expect(updated!.actor).toBe('Dr B');
    expect(JSON.parse(updated!.detail_json)).toEqual({ caseId, time: 65, label: 'trocar in', from: 61 });
    const [deleted] = auditRows(store, 'bookmark.delete');
    expect([deleted!.actor, deleted!.subject]).toEqual(['Dr C', b.bookmarkId]);
    expect(JSON.parse(deleted!.detail_json)).toEqual({ caseId, time: 65, label: 'trocar in' });
  });

  it('refuses what cannot be a bookmark', () => {
    expect(() => store.bookmarks.add({ caseId: 'nosuchcase', time: 1, createdBy: null })).toThrow(/no longer exists/);
    expect(() => store.bookmarks.add({ caseId, time: -1, createdBy: null })).toThrow(/0 s or more/);
    expect(() => store.bookmarks.add({ caseId, time: Number.NaN, createdBy: null })).toThrow(OpscopeError);
    expect(() => store.bookmarks.add({ caseId, time: 1, label: 'x'.repeat(201), createdBy: null })).toThrow(/at most 200/);
    expect(() => store.bookmarks.update('nosuchbookmark', { label: null }, 'user')).toThrow(/no such bookmark/);
    expect(() => store.bookmarks.delete('nosuchbookmark', 'user')).toThrow(/no such bookmark/);
    expect(rawDb(store).prepare('SELECT count(*) AS n FROM bookmarks').get()).toEqual({ n: 0 });
  });
});

describe('bookmark service', () => {
  let store: Store;
  let caseId: string;
  let bus: EventBus;
  let seen: { name: string; payload: unknown }[];
  let edge: number | null;
  let service: BookmarkService;

  beforeEach(() => {
    store = new Store(join(dir, 'opscope.db'));
    caseId = store.createCase('Live', [fakePart('s1.mkv', 10), fakePart('s2.mkv', 10)]).caseId;
    bus = new EventBus();
    seen = [];
    bus.subscribe(({ name, payload }) => seen.push({ name, payload }));
    edge = null;
    service = new BookmarkService(store, bus, (id) => (id === caseId ? edge : null), () => 'Dr Who');
  });

  afterEach(() => store.close());

  it('bookmarks "now" at the live edge of a case being recorded', () => {
    edge = 27.5;
    const b = service.add({ caseId, label: 'trocar' });
    expect(b).toMatchObject({ time: 27.5, label: 'trocar', number: 1 });
    expect(seen).toEqual([{ name: 'bookmarks.changed', payload: { caseId } }]);
    expect(auditRows(store, 'bookmark.add')[0]!.actor).toBe('Dr Who');
    // While recording, any time up to the live edge is inside the case.
    expect(service.add({ caseId, time: 25 }).number).toBe(1);
    expect(() => service.add({ caseId, time: 28 })).toThrow('The time 0:28 is outside the case, which runs from 0:00 to 0:27.500 so far.');
  });

  it('needs a time when the case is not being recorded, and one inside the case', () => {
    expect(() => service.add({ caseId })).toThrow(/not being recorded, so there is no "now" to bookmark/);
    try {
      service.add({ caseId });
    } catch (err) {
      expect((err as OpscopeError).code).toBe('invalid-input');
    }
    expect(service.add({ caseId, time: 20 }).time).toBe(20);
    expect(() => service.add({ caseId, time: 20.5 })).toThrow('The time 0:20.500 is outside the case, which runs from 0:00 to 0:20.');
    expect(() => service.add({ caseId: 'nosuchcase', time: 1 })).toThrow(/no longer exists/);
    expect(seen).toHaveLength(1);
  });

  it('updates and deletes, checking a new time the same way, and says so on the bus', () => {
    const b = service.add({ caseId, time: 5 });
    const c = service.add({ caseId, time: 15 });
    expect(service.update({ bookmarkId: b.bookmarkId, label: 'moved', time: 18 })).toMatchObject({ number: 2, time: 18, label: 'moved' });
    expect(() => service.update({ bookmarkId: b.bookmarkId, label: null, time: 99 })).toThrow(/outside the case/);
    expect(service.delete(c.bookmarkId)).toEqual({ ok: true });
    expect(service.list(caseId).map((x) => [x.number, x.time, x.label])).toEqual([[1, 18, 'moved']]);
    expect(seen.map((e) => e.name)).toEqual(['bookmarks.changed', 'bookmarks.changed', 'bookmarks.changed', 'bookmarks.changed']);
    expect(() => service.list('nosuchcase')).toThrow(/no longer exists/);
  });
});

describe('bookmark contract', () => {
  it('declares the calls and the event', () => {
    expect(Object.keys(calls)).toEqual(expect.arrayContaining(['bookmarks.add', 'bookmarks.list', 'bookmarks.update', 'bookmarks.delete']));
    expect(events['bookmarks.changed'].safeParse({ caseId: 'abcdefgh' }).success).toBe(true);
  });

  it('accepts what a client may send and refuses the rest', () => {
    expect(BookmarkAddInput.parse({ caseId: 'abcdefgh' })).toEqual({ caseId: 'abcdefgh' });
    expect(BookmarkAddInput.parse({ caseId: 'abcdefgh', time: 12.5, label: '  trocar ' })).toEqual({ caseId: 'abcdefgh', time: 12.5, label: 'trocar' });
    for (const bad of [
      {}, { caseId: '../x' }, { caseId: 'abcdefgh', time: -1 }, { caseId: 'abcdefgh', time: Infinity }, { caseId: 'abcdefgh', time: '12:00' },
      { caseId: 'abcdefgh', label: 'x'.repeat(201) }, { caseId: 'abcdefgh', extra: 1 },
    ]) {
      expect(BookmarkAddInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(BookmarkUpdateInput.safeParse({ bookmarkId: 'abcdefgh', label: null }).success).toBe(true);
    expect(BookmarkUpdateInput.safeParse({ bookmarkId: 'abcdefgh' }).success).toBe(false);
    expect(calls['bookmarks.delete'].input.safeParse({ bookmarkId: 'abcdefgh' }).success).toBe(true);
    expect(calls['bookmarks.list'].output.safeParse([{ bookmarkId: 'abcdefgh', caseId: 'abcdefgh', time: 1, label: null, number: 0, createdAt: 'x' }]).success).toBe(false);
  });

  it('is served by the host, checked both ways', async () => {
    const host = new AppHost({ dataDir: join(dir, 'data'), transport: 'web', launcher: () => { throw new Error('no worker in this test'); } });
    try {
      const { caseId } = host.store.createCase('Case', [fakePart('a.mp4', 300)]);
      const changed: unknown[] = [];
      host.bus.on('bookmarks.changed', (payload) => changed.push(payload));
      const b = (await host.call('bookmarks.add', { caseId, time: 120, label: 'trocar' })) as Bookmark;
      await host.call('bookmarks.add', { caseId, time: 60 });
      expect(b.number).toBe(1);
      const list = (await host.call('bookmarks.list', { caseId })) as Bookmark[];
      expect(list.map((x) => [x.number, x.time, x.label])).toEqual([[1, 60, null], [2, 120, 'trocar']]);
      expect(await host.call('bookmarks.update', { bookmarkId: b.bookmarkId, label: 'trocar in' })).toMatchObject({ number: 2, label: 'trocar in' });
      expect(await host.call('bookmarks.delete', { bookmarkId: b.bookmarkId })).toEqual({ ok: true });
      expect(changed).toEqual([{ caseId }, { caseId }, { caseId }, { caseId }]);
      // Not recording: "now" has no time.
      await expect(host.call('bookmarks.add', { caseId })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/not being recorded/) });
      await expect(host.call('bookmarks.add', { caseId, time: 301 })).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(host.call('bookmarks.add', { caseId, time: -5 })).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(host.call('bookmarks.delete', { bookmarkId: 'nosuchbookmark' })).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      await host.close();
    }
  });
});
