import { rmSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveRecording, RecordingEnded } from '../../main/core/contract/recording-schemas.js';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import { processInfo } from '../../main/node/record/orphans.js';
import { tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { waitFor } from '../support/wait.js';

describe('a recording outlives crashes of the workers', () => {
  let home: string;
  let source: string;

  beforeAll(async () => {
    home = tempHome();
    source = await syntheticVideo({ duration: 30, width: 320, height: 180, fps: 25, events: [], seed: 7 });
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('goes on when the media worker dies, and starts a new run after a gap when the recorder dies', async () => {
    // Real worker processes, as the app runs them: the recorder has its own.
    const host = testHost(home);
    const states: ActiveRecording[] = [];
    const warnings: string[] = [];
    host.bus.subscribe(({ name, payload }) => {
      if (name === 'recording.state') states.push(payload as ActiveRecording);
      if (name === 'recording.warning') warnings.push((payload as { message: string }).message);
    });
    const segments = () => host.recorder.status().active?.segments ?? 0;
    try {
      const { caseId, ended } = await host.recorder.start({ source: { replay: source }, segmentSeconds: 2, duration: 24 });
      await waitFor('2 segments', () => segments() >= 2);
      expect(host.worker.pid).toBeDefined();
      expect(host.recordWorker.pid).not.toBe(host.worker.pid);
      // On a busy machine the recorder gets the CPU first: indexing runs at a lower priority.
      expect(getPriority(host.worker.pid!)).toBeGreaterThan(getPriority(host.recordWorker.pid!));
      expect(getPriority(host.recordWorker.pid!)).toBe(getPriority(process.pid));

      // The media worker (indexing, inspecting) dies: the recording does not notice.
      process.kill(host.worker.pid!, 'SIGKILL');
      const before = segments();
      await waitFor('2 more segments after the media worker died', () => segments() >= before + 2);
      expect(states.every((s) => s.run === 1)).toBe(true);

      // The recorder itself dies: its ffmpeg is stopped and a new run starts at once.
      const ffmpegPid = host.store.recordingsIn('running')[0]!.ffmpeg_pid!;
      expect(ffmpegPid).toBeGreaterThan(0);
      process.kill(host.recordWorker.pid!, 'SIGKILL');
      await waitFor('run 2', () => states.find((s) => s.run === 2 && s.state === 'recording'));
      expect((await processInfo(ffmpegPid)).running).toBe(false);
      expect(warnings.join(' ')).toMatch(/recorder stopped .*recording goes on/);
      const atRestart = segments();
      await waitFor('segments of run 2', () => segments() >= atRestart + 2);

      const result: RecordingEnded = (await host.recorder.stop()) ?? (await ended);
      expect(result.reason).toBe('stopped');
      await host.indexer.whenIdle(caseId);
      const detail = (await host.call('cases.get', { caseId })) as CaseDetail;
      expect(detail.parts.some((p) => p.path.includes('run-001'))).toBe(true);
      expect(detail.parts.some((p) => p.path.includes('run-002'))).toBe(true);
      expect(detail.gaps.map((g) => g.reason)).toEqual(['recorder-restarted']);
      const firstOfRun2 = detail.parts.find((p) => p.path.includes('run-002'))!;
      expect(detail.gaps[0]!.at).toBeCloseTo(firstOfRun2.caseStart, 2);
      // Everything recorded is indexed, despite the media worker's crash mid-way.
      expect(detail.index.state).toBe('done');
    } finally {
      await host.close();
    }
  }, 120_000);
});
