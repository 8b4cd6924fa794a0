import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InterruptedRecording } from '../../main/core/contract/recording-schemas.js';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import { BIN, json, ROOT, runCli, tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { sleep, waitFor } from '../support/wait.js';
import { processInfo } from '../../main/node/record/orphans.js';


describe('a recording killed mid-case is recovered at the next start and can be continued', () => {
  let home: string;
  let source: string;
  const data = () => join(home, 'data');

  beforeAll(async () => {
    home = tempHome();
    source = await syntheticVideo({ duration: 14, width: 320, height: 180, fps: 25, events: [], seed: 42 });
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('recovers the complete segments, marks the recording interrupted, and --continue appends', async () => {
    // Its own process group, so the kill takes ffmpeg too, as a crash of the machine's app would.
    const child = spawn(process.execPath, [BIN, 'record', '--replay', source, '--segment-seconds', '2', '--json'], {
      cwd: ROOT,
      env: { ...process.env, OPSCOPE_HOME: data() },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((r) => child.on('exit', r));
    const listedNow = () => {
      const folders = existsSync(join(data(), 'recordings')) ? readdirSync(join(data(), 'recordings')) : [];
      const csv = folders[0] ? join(data(), 'recordings', folders[0], 'run-001', 'segments.csv') : '';
      return csv && existsSync(csv) ? readFileSync(csv, 'utf8').split('\n').filter(Boolean).length : 0;
    };
    const deadline = Date.now() + 30_000;
    while (listedNow() < 2 && Date.now() < deadline) await sleep(10);
    expect(listedNow()).toBeGreaterThanOrEqual(2);
    // At once: ffmpeg has closed the segment, the recorder has not added it yet (it inspects first).
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const db = new Database(join(data(), 'opscope.db'), { readonly: true });
    const rec = db.prepare('SELECT id, case_id, folder, state FROM recordings').get() as { id: string; case_id: string; folder: string; state: string };
    const partsBefore = (db.prepare('SELECT count(*) AS n FROM parts').get() as { n: number }).n;
    db.close();
    expect(rec.state).toBe('running');
    const listed = readFileSync(join(data(), rec.folder, 'run-001', 'segments.csv'), 'utf8').trim().split('\n').length;
    expect(listed).toBeGreaterThan(partsBefore);

    const host = testHost(home, { inProcess: true });
    const seen: unknown[] = [];
    host.bus.on('recording.interrupted', (payload) => seen.push(payload));
    let interrupted: InterruptedRecording[];
    try {
      interrupted = (await host.call('recording.interrupted', {})) as InterruptedRecording[];
      expect(interrupted).toHaveLength(1);
      expect(seen).toEqual([{ recordings: interrupted }]);
      expect(interrupted[0]).toMatchObject({ recordingId: rec.id, caseId: rec.case_id });
      const parts = host.store.partsOf(rec.case_id);
      expect(parts.length).toBe(partsBefore + interrupted[0]!.recovered);
      // Every segment ffmpeg closed is in the case; only the one cut mid-write may be skipped.
      expect(parts.length).toBeGreaterThanOrEqual(listed);
      expect(interrupted[0]!.skipped.length).toBeLessThanOrEqual(1);
      expect(parts.map((p) => p.ord)).toEqual(parts.map((_, i) => i));
      expect(host.store.recordingsIn('interrupted').map((r) => r.id)).toEqual([rec.id]);
    } finally {
      await host.close();
    }
    const recoveredParts = partsBefore + interrupted[0]!.recovered;

    const r = await runCli(['record', '--continue', rec.case_id, '--replay', source, '--duration', '4', '--segment-seconds', '2', '--json'], {
      home: data(),
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ caseId: string; segments: number; duration: number; caseParts: number }>(r);
    expect(out.caseId).toBe(rec.case_id);
    expect(out.segments).toBe(2);
    expect(out.duration).toBeCloseTo(4, 0);
    expect(out.caseParts).toBe(recoveredParts + 2);
    const after = new Database(join(data(), 'opscope.db'), { readonly: true });
    const rows = after.prepare('SELECT path FROM parts WHERE case_id = ? ORDER BY ord').all(rec.case_id) as { path: string }[];
    const states = after.prepare('SELECT state FROM recordings ORDER BY started_at').all() as { state: string }[];
    after.close();
    // The continued recording's segments come after the recovered ones.
    expect(rows.slice(0, recoveredParts).every((p) => p.path.includes(rec.folder.split(/[\\/]/).pop()!))).toBe(true);
    expect(rows.slice(recoveredParts).every((p) => !p.path.includes(rec.folder.split(/[\\/]/).pop()!))).toBe(true);
    expect(states.map((s) => s.state)).toEqual(['interrupted', 'stopped']);
    // The time the app was down is a gap where the continued recording begins.
    const reopened = testHost(home, { inProcess: true });
    try {
      const detail = (await reopened.call('cases.get', { caseId: rec.case_id })) as CaseDetail;
      expect(detail.gaps).toHaveLength(1);
      expect(detail.gaps[0]!.reason).toBe('interrupted');
      expect(detail.gaps[0]!.at).toBeCloseTo(detail.parts[recoveredParts]!.caseStart, 2);
    } finally {
      await reopened.close();
    }
  }, 60_000);

  it('stops the ffmpeg a crash left recording, then recovers every segment it wrote', async () => {
    const orphanHome = tempHome();
    const orphanData = join(orphanHome, 'data');
    try {
      // Only the app dies: its ffmpeg goes on reading the file, as it would go on reading a device.
      const child = spawn(process.execPath, [BIN, 'record', '--replay', source, '--segment-seconds', '2'], {
        cwd: ROOT,
        env: { ...process.env, OPSCOPE_HOME: orphanData },
        stdio: 'ignore',
      });
      const exited = new Promise((r) => child.on('exit', r));
      const row = () => {
        if (!existsSync(join(orphanData, 'opscope.db'))) return null;
        const db = new Database(join(orphanData, 'opscope.db'), { readonly: true, fileMustExist: true });
        try {
          return db.prepare('SELECT id, case_id, folder, ffmpeg_pid FROM recordings').get() as
            { id: string; case_id: string; folder: string; ffmpeg_pid: number | null } | undefined ?? null;
        } catch {
          return null;
        } finally {
          db.close();
        }
      };
      const rec = await waitFor('the recorder to start', () => {
        const r = row();
        return r?.ffmpeg_pid ? r : null;
      });
      await sleep(2500);
      child.kill('SIGKILL');
      await exited;
      const ffmpegPid = rec.ffmpeg_pid!;
      // Still recording with nobody to add its segments.
      expect((await processInfo(ffmpegPid)).running).toBe(true);

      const host = testHost(orphanHome, { inProcess: true });
      try {
        const [found] = (await host.call('recording.interrupted', {})) as InterruptedRecording[];
        expect(found?.recordingId).toBe(rec.id);
        expect((await processInfo(ffmpegPid)).running).toBe(false);
        // Every segment on disk is in the case (the last one closed by the stop, or salvaged).
        const files = readdirSync(join(orphanData, rec.folder, 'run-001')).filter((n) => n.endsWith('.mp4') && !n.includes('.salvaged'));
        const parts = host.store.partsOf(rec.case_id);
        expect(parts.length).toBe(files.length);
        expect(found!.skipped).toEqual([]);
        expect(parts.length).toBeGreaterThanOrEqual(2);
      } finally {
        await host.close();
      }
    } finally {
      rmSync(orphanHome, { recursive: true, force: true });
    }
  }, 60_000);
});
