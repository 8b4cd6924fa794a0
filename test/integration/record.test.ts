import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessWorkerLauncher } from '../../main/cli/in-process-worker.js';
import { AppHost } from '../../main/host/app-host.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { frameTimestamps, syntheticVideo } from '../support/media.js';
import type { CaseTracks } from '../../main/core/contract/schemas.js';

interface RecordJson {
  caseId: string;
  segments: number;
  duration: number;
  reason: string;
  caseParts: number;
  caseDuration: number;
  index: { state: string } | null;
}

describe('opscope record --replay: a file fed as a live feed becomes a growing, indexed case', () => {
  let home: string;
  let source: string;

  beforeAll(async () => {
    home = tempHome();
    source = await syntheticVideo({ duration: 20, width: 320, height: 180, fps: 25, events: [], seed: 41 });
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('writes 5 s segments, adds each as a part and indexes them', async () => {
    const started = Date.now();
    const r = await runCli(['record', '--replay', source, '--name', 'OR 3 replay', '--segment-seconds', '5', '--json'], {
      home: join(home, 'data'),
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    // -re: the replay takes as long as the recording lasts.
    expect(Date.now() - started).toBeGreaterThan(18_000);
    const out = json<RecordJson>(r);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['caseId', 'segments', 'duration']));
    expect(out.reason).toBe('source-ended');
    expect(out.segments).toBe(4);
    const frames = await frameTimestamps(source);
    const sourceDuration = frames.at(-1)! + 1 / 25;
    expect(out.duration).toBeCloseTo(sourceDuration, 0);
    expect(out.caseDuration).toBeCloseTo(out.duration, 3);
    expect(out.index?.state).toBe('done');
    // Segments were added while recording, not at the end.
    for (let i = 1; i <= 4; i++) expect(r.stderr).toContain(`segment ${i} added`);

    const db = new Database(join(home, 'data', 'opscope.db'), { readonly: true });
    const parts = db.prepare('SELECT p.path, p.ord, p.duration, s.state FROM parts p JOIN index_state s ON s.part_id = p.id WHERE p.case_id = ? ORDER BY p.ord').all(out.caseId) as {
      path: string; ord: number; duration: number; state: string;
    }[];
    expect(parts.map((p) => p.ord)).toEqual([0, 1, 2, 3]);
    expect(parts.every((p) => p.state === 'done')).toBe(true);
    // Inside the data folder, never beside the source.
    expect(parts.every((p) => p.path.startsWith(join(home, 'data', 'recordings')))).toBe(true);
    for (const p of parts.slice(0, 3)) expect(p.duration).toBeCloseTo(5, 0);
    expect(db.prepare('SELECT name FROM cases WHERE id = ?').get(out.caseId)).toEqual({ name: 'OR 3 replay' });
    expect(db.prepare('SELECT state FROM recordings WHERE case_id = ?').all(out.caseId)).toEqual([{ state: 'stopped' }]);
    db.close();
  }, 90_000);

  it('measures a second-long last segment through the view of the segments before it', async () => {
    const host = new AppHost({ dataDir: join(home, 'short-tail'), launcher: inProcessWorkerLauncher(), transport: 'cli' });
    try {
      // 6 s in 5 s segments: the last one is a second long, one keyframe.
      const { caseId, ended } = await host.recorder.start({ source: { replay: source }, segmentSeconds: 5, duration: 6 });
      await ended;
      await host.indexer.whenIdle(caseId);
      const parts = host.store.partsOf(caseId);
      expect(parts.map((p) => Math.round(p.duration))).toEqual([5, 1]);
      const [first, last] = parts.map((p) => host.store.fov(p.id)!);
      expect(Buffer.from(last!.mask).equals(Buffer.from(first!.mask))).toBe(true);
      const tracks = (await host.call('cases.tracks', { caseId })) as CaseTracks;
      const track = (name: string) => tracks.tracks.find((t) => t.name === name)!.values;
      const brightness = track('brightness');
      // The picture is equally bright throughout: the short segment must not read the black border.
      expect(Math.abs(brightness[5]! - brightness[2]!)).toBeLessThan(0.1);
      // Nothing measures motion in one keyframe: unknown, never "still".
      expect(track('motion')[5]).toBe(-1);
    } finally {
      await host.close();
    }
  }, 60_000);

  it('refuses a missing replay file and an unknown device, naming what exists', async () => {
    const missing = await runCli(['record', '--replay', join(home, 'nope.mp4'), '--json'], { home: join(home, 'data') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
    const device = await runCli(['record', '--device', 'no-such-camera'], { home: join(home, 'data') });
    expect(device.code).toBe(1);
    expect(device.stderr).toMatch(process.platform === 'linux' ? /no capture device "no-such-camera"\. (Devices found|No video capture devices)/i : /not available/);
    const usage = await runCli(['record'], { home: join(home, 'data') });
    expect(usage.code).toBe(2);
  });

  it('does not start on a disk below the floor, says why, and leaves no empty case', async () => {
    const host = new AppHost({
      dataDir: join(home, 'small-disk'),
      launcher: inProcessWorkerLauncher(),
      transport: 'cli',
      recording: { disk: { floorBytes: 1e3, warnBytes: 1e4, statfs: async () => ({ bavail: 100, bsize: 1 }) } },
    });
    const seen: { name: string; payload: unknown }[] = [];
    host.bus.subscribe(({ name, payload }) => seen.push({ name, payload }));
    try {
      const { ended } = await host.recorder.start({ source: { replay: source }, segmentSeconds: 5 });
      const end = await ended;
      expect(end).toMatchObject({ reason: 'disk-full', segments: 0, message: expect.stringMatching(/Recording stopped: only/) });
      expect(seen.find((e) => e.name === 'recording.warning')?.payload).toMatchObject({ stopping: true, freeBytes: 100 });
      expect(host.store.listCases()).toEqual([]);
      expect(await host.call('recording.status', {})).toEqual({ active: null });
    } finally {
      await host.close();
    }
  });
});
