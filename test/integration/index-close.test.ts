import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import { tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { waitFor } from '../support/wait.js';

describe('closing the app while a case is being indexed', () => {
  let home: string;
  let source: string;

  beforeAll(async () => {
    home = tempHome();
    source = await syntheticVideo({ duration: 90, width: 640, height: 360, fps: 25, events: [], seed: 5 });
  }, 180_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('stops writing before the store closes, and the next start resumes the index', async () => {
    const host = testHost(home, { inProcess: true });
    const caseId = await importCase(host, [source], false);
    const errors: unknown[] = [];
    const onRejection = (err: unknown) => errors.push(err);
    process.on('unhandledRejection', onRejection);
    try {
      host.indexer.enqueue(caseId);
      await waitFor('indexing to run', () => host.store.indexStates(caseId).some((s) => s.state === 'running' && s.progress > 0.05));
      await host.close();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(errors).toEqual([]);
    const db = new Database(join(home, 'data', 'opscope.db'), { readonly: true });
    const states = db.prepare('SELECT s.state FROM index_state s JOIN parts p ON p.id = s.part_id WHERE p.case_id = ?').all(caseId);
    db.close();
    // Interrupted, not canceled by the user nor failed.
    expect(states).toEqual([{ state: 'running' }]);

    const again = testHost(home, { inProcess: true, resumeIndexing: true });
    try {
      // Left running, not canceled: it is picked up again at the next start.
      await again.indexer.whenIdle(caseId);
      const detail = (await again.call('cases.get', { caseId })) as CaseDetail;
      expect(detail.index.state).toBe('done');
    } finally {
      await again.close();
    }
  }, 120_000);
});
