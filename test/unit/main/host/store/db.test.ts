import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { readable, type ReadableDB, type WritableDB } from '../../../../../main/host/store/db.js';
import { Store, type ReadableStore } from '../../../../../main/host/store/store.js';
import { fakePart } from '../../../../support/feedback.js';
import { rawDb } from '../../../../support/raw-db.js';

describe('reading and writing are different types', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-db-'));
    store = new Store(join(dir, 'opscope.db'));
    store.createCase('One', [fakePart('a.mp4', 10)]);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a read-only handle has no way to write, in its type', () => {
    const read = readable(rawDb(store));
    expectTypeOf(read).toEqualTypeOf<ReadableDB>();
    expectTypeOf(read).not.toHaveProperty('exec');
    expectTypeOf(read).not.toHaveProperty('transaction');
    expectTypeOf(read).not.toHaveProperty('pragma');
    expectTypeOf(read.prepare('SELECT 1')).not.toHaveProperty('run');
    // A writable connection is usable wherever only reading is needed, not the other way round.
    expectTypeOf<WritableDB>().toMatchTypeOf<ReadableDB>();
    expectTypeOf<ReadableDB>().not.toMatchTypeOf<WritableDB>();
    // @ts-expect-error a read-only handle's statements cannot run a change
    expect(() => read.prepare('SELECT 1').run()).toThrow(TypeError);
    // @ts-expect-error nor execute a script
    expect(() => read.exec('DELETE FROM cases')).toThrow(TypeError);
    expect(store.listCases()).toHaveLength(1);
  });

  it('a read-only handle refuses SQL that writes, at run time too', () => {
    const read = readable(rawDb(store));
    expect(read.prepare('SELECT name FROM cases').all()).toEqual([{ name: 'One' }]);
    expect(() => read.prepare("INSERT INTO settings (key, value_json) VALUES ('x', '1') RETURNING key").get()).toThrow(/read-only query.*INSERT INTO settings/);
    expect(() => read.prepare('DELETE FROM cases').all()).toThrow(/read-only query/);
    expect(store.listCases()).toHaveLength(1);
    expect(store.settingsRaw()).toEqual({});
  });

  it('the store keeps its connection to itself, and a read-only store view has no writing method', () => {
    // @ts-expect-error the connection is private to the store
    expect(store.db).toBeUndefined();
    const view: ReadableStore = store;
    expect(view.listCases().map((c) => c.name)).toEqual(['One']);
    expectTypeOf(view).not.toHaveProperty('createCase');
    expectTypeOf(view).not.toHaveProperty('audit');
    expectTypeOf(view.bookmarks).not.toHaveProperty('add');
    expectTypeOf(view.feedback).not.toHaveProperty('add');
    expectTypeOf(view.agent).not.toHaveProperty('startRun');
    expectTypeOf(view.dicom).not.toHaveProperty('linkCase');
    // Code typed with the view does not compile when it writes (never called: the compiler is the test).
    const _writer = (v: ReadableStore, caseId: string) => {
      // @ts-expect-error a read-only view cannot delete a case
      v.deleteCase(caseId);
      // @ts-expect-error nor review evidence
      v.feedback.add({ evidenceId: 'e', verdict: 'correct', reviewer: 'Dr A' });
    };
  });

  it('reports the integrity of the file', () => {
    expect(store.integrityCheck()).toEqual({ integrity: 'ok', foreignKeyProblems: 0 });
  });
});
