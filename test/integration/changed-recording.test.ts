/*
 * A recording that changes on disk under an open case: found by a size/time check and then the
 * content fingerprint, said with a `recording.changed` event and in the case's parts (the case
 * panel shows "File changed since import"). A file that was only touched is not reported.
 */
import { closeSync, copyFileSync, openSync, readSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { EventBus } from '../../main/host/event-bus.js';
import { ChangedFiles } from '../../main/host/cases/changed-files.js';
import { tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';

function flipByte(file: string, at: number): void {
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] = b[0]! ^ 0xff;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
}

/**
 * Flips a byte and sets the modification time in one step, as the host's own periodic check
 * (every 5 s) sees the file: changed on a copy, then renamed over it.
 */
function changeAtomically(file: string, at: number, mtime: Date): void {
  const copy = `${file}.editing`;
  copyFileSync(file, copy);
  flipByte(copy, at);
  utimesSync(copy, mtime, mtime);
  renameSync(copy, file);
}

describe('a recording changed on disk under an open case', () => {
  let home: string;
  let host: AppHost;
  let file: string;
  let caseId: string;
  const events: { name: string; payload: unknown }[] = [];

  beforeAll(async () => {
    home = tempHome('opscope-changed-');
    host = testHost(home, { inProcess: true });
    const video = await syntheticVideo({ duration: 6, width: 320, height: 180, fps: 25, gop: 1, seed: 61, events: [] });
    file = join(home, 'recording.mp4');
    copyFileSync(video, file);
    caseId = await importCase(host, [file], false);
    host.bus.subscribe(({ name, payload }) => events.push({ name, payload }));
  }, 300_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  const detail = async () => (await host.call('cases.get', { caseId })) as CaseDetail;
  const changedEvents = () => events.filter((e) => e.name === 'recording.changed');

  it('says nothing while the file is as imported, nor when it is only touched', async () => {
    expect((await detail()).parts[0]!.changed).toBe(false);
    expect(await host.recordings.check(caseId)).toEqual([]);
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
    expect(await host.recordings.check(caseId)).toEqual([]);
    expect((await detail()).parts[0]!.changed).toBe(false);
    expect(changedEvents()).toEqual([]);
  });

  it('finds content changed in place (same size) by its fingerprint, and tells the user once', async () => {
    const partId = host.store.partsOf(caseId)[0]!.id;
    const size = statSync(file).size;
    changeAtomically(file, 100, new Date(Date.now() + 120_000));
    try {
      expect(statSync(file).size).toBe(size);
      const found = await host.recordings.check(caseId);
      // Found by this check, or a moment before by the host's own periodic one: said once either way.
      expect([[], [partId]]).toContainEqual(found);
      expect(changedEvents()).toEqual([{ name: 'recording.changed', payload: { caseId, partId, fileName: 'recording.mp4' } }]);
      expect(events.some((e) => e.name === 'cases.changed' && (e.payload as { caseId: string }).caseId === caseId)).toBe(true);
      expect((await detail()).parts[0]!.changed).toBe(true);
      // Said once, not on every check.
      expect(await host.recordings.check(caseId)).toEqual([]);
      expect(changedEvents()).toHaveLength(1);
    } finally {
      // Put back as it was: no longer changed.
      changeAtomically(file, 100, new Date(Date.now() + 180_000));
    }
    await host.recordings.check(caseId);
    expect((await detail()).parts[0]!.changed).toBe(false);
  });

  it('notices on its own, without the case being opened again', async () => {
    const bus = new EventBus();
    const seen: unknown[] = [];
    bus.on('recording.changed', (payload) => seen.push(payload));
    const watch = new ChangedFiles(host.store, bus, { intervalMs: 50 });
    try {
      watch.watch(caseId);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toEqual([]);
      flipByte(file, 200);
      const later = new Date(Date.now() + 240_000);
      utimesSync(file, later, later);
      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
    } finally {
      watch.close();
      flipByte(file, 200);
    }
  });
});
