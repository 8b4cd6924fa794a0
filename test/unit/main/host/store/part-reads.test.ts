import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../../../main/host/store/migrations/index.js';
import { openPartReader } from '../../../../../main/host/store/part-reads.js';
import { Store } from '../../../../../main/host/store/store.js';
import { fakePart } from '../../../../support/feedback.js';
import { rawDb } from '../../../../support/raw-db.js';

describe('the read-only part reader', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let caseId: string;
  let partIds: string[];
  const scan = {
    frameTimes: Float64Array.from([0, 0.04, 0.08, 0.12]),
    packetTimes: Float64Array.from([0, 0.08, 0.04, 0.12]),
    packetSizes: Uint32Array.from([9000, 300, 200, 310]),
    packetKeys: Uint8Array.from([1, 0, 0, 0]),
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-part-reads-'));
    file = join(dir, 'opscope.db');
    store = new Store(file);
    ({ caseId, partIds } = store.createCase('Two parts', [fakePart('a.mp4', 600), fakePart('b.mp4', 61.5)]));
    store.savePacketScan(partIds[1]!, scan);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the case, its parts and their packet scans as the Store does', () => {
    const reader = openPartReader(file);
    if (!reader) throw new Error('the reader did not open');
    try {
      expect(reader.getCase(caseId)).toEqual(store.getCase(caseId));
      expect(reader.partsOf(caseId)).toEqual(store.partsOf(caseId));
      expect(reader.partsOf(caseId).map((p) => p.file_name)).toEqual(['a.mp4', 'b.mp4']);
      expect(reader.getPart(partIds[1]!)).toEqual(store.getPart(partIds[1]!));
      expect(reader.packetScan(partIds[1]!)).toEqual(scan);
      expect(reader.frameTimes(partIds[1]!)).toEqual(scan.frameTimes);
      expect(reader.packetScan(partIds[0]!)).toBeNull();
      expect(reader.getCase('nosuchcase1')).toBeUndefined();
      // It sees what the Store writes after it opened (another process's scan, say).
      store.savePacketScan(partIds[0]!, scan);
      expect(reader.frameTimes(partIds[0]!)).toEqual(scan.frameTimes);
    } finally {
      reader.close();
    }
  });

  it('does not open what only the Store may: no file yet, or another schema version', () => {
    expect(openPartReader(join(dir, 'none', 'opscope.db'))).toBeNull();
    const latest = migrations.at(-1)!.version;
    rawDb(store).pragma(`user_version = ${latest - 1}`);
    expect(openPartReader(file)).toBeNull();
    rawDb(store).pragma(`user_version = ${latest + 1}`);
    expect(openPartReader(file)).toBeNull();
    rawDb(store).pragma(`user_version = ${latest}`);
    const reader = openPartReader(file);
    expect(reader?.getCase(caseId)?.name).toBe('Two parts');
    reader?.close();
  });
});
