/*
 * An index built by an older algorithm is rebuilt: the tracks it stored were read differently
 * (a motion track that counted a variable frame rate's frames as activity, keyframes only at low
 * frame rates), and answers read off them would differ from a fresh import of the same file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INDEX_VERSION, Store } from '../../../../../main/host/store/store.js';
import { fakePart } from '../../../../support/feedback.js';
import { rawDb } from '../../../../support/raw-db.js';

describe('index version', () => {
  let dir: string;
  let store: Store;
  let caseId: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-index-version-'));
    store = new Store(join(dir, 'opscope.db'));
    caseId = store.createCase('One', [fakePart('a.mp4', 10)]).caseId;
    for (const s of store.indexStates(caseId)) store.setIndexState(s.part_id, 'done', 1, 'Indexed');
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a case indexed by this version alone', () => {
    expect(store.interruptedIndexCases()).toEqual([]);
  });

  it('queues a case indexed by an older version again', () => {
    rawDb(store).prepare('UPDATE index_state SET version = ?').run(INDEX_VERSION - 1);
    expect(store.interruptedIndexCases()).toEqual([caseId]);
  });

  it('reports a part indexed by an older version as waiting, so whoever wants the index builds it again', () => {
    expect(store.indexStates(caseId).map((s) => s.state)).toEqual(['done']);
    rawDb(store).prepare('UPDATE index_state SET version = ?').run(INDEX_VERSION - 1);
    expect(store.indexStates(caseId)).toMatchObject([{ state: 'pending', progress: 0, stage: expect.stringMatching(/older version/) }]);
  });
});
