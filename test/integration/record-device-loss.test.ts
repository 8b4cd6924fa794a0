import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveRecording, RecordingEnded } from '../../main/core/contract/recording-schemas.js';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import { OpscopeError, serializeError } from '../../main/core/errors.js';
import type { HostToWorker, RecordOptions, RecordPartial, WorkerToHost } from '../../main/core/worker-protocol.js';
import { AppHost } from '../../main/host/app-host.js';
import { inProcessWorkerLauncher } from '../../main/cli/in-process-worker.js';
import type { WorkerHandle, WorkerLauncher } from '../../main/host/workers/worker-supervisor.js';
import { tempHome } from '../support/cli.js';
import { ffmpegVideo } from '../support/media.js';
import { sleep, waitFor } from '../support/wait.js';


/*
 * A capture card cannot be unplugged on a build machine, so the recording worker is played by a
 * script speaking the worker protocol: each run writes real segment files and then ends as ffmpeg
 * does when its V4L2 device disappears (or stops when asked). Everything else is the real host.
 */
type Step = (ctx: { folder: string; emit(p: RecordPartial): void; stopped: Promise<void> }) => Promise<void>;

function scriptedRecorder(runs: Step[]): { launcher: WorkerLauncher; started: RecordOptions[] } {
  const started: RecordOptions[] = [];
  const launcher: WorkerLauncher = (): WorkerHandle => {
    const listeners: ((m: WorkerToHost) => void)[] = [];
    const exits: ((e: { code: number | null; signal: string | null }) => void)[] = [];
    const cancels = new Map<number, () => void>();
    const deliver = (m: WorkerToHost) => queueMicrotask(() => listeners.forEach((l) => l(m)));
    deliver({ type: 'ready', pid: process.pid });
    return {
      send(msg: HostToWorker) {
        if (msg.type === 'cancel') return cancels.get(msg.id)?.();
        if (msg.type !== 'run' || msg.kind !== 'record') return;
        const params = msg.params as RecordOptions;
        started.push(params);
        const step = runs[started.length - 1];
        let stop = () => undefined as void;
        const stopped = new Promise<void>((r) => (stop = r));
        cancels.set(msg.id, stop);
        const run = step ? step({ folder: params.folder, emit: (data) => deliver({ type: 'partial', id: msg.id, data }), stopped }) : stopped;
        run.then(
          () => deliver({ type: 'result', id: msg.id, value: { segments: [] } }),
          (err: unknown) => deliver({ type: 'error', id: msg.id, error: serializeError(err) }),
        );
      },
      onMessage: (l) => listeners.push(l),
      onExit: (l) => exits.push(l),
      kill: () => queueMicrotask(() => exits.forEach((l) => l({ code: 0, signal: null }))),
      pid: process.pid,
    };
  };
  return { launcher, started };
}

describe('a capture device unplugged and plugged back', () => {
  let home: string;
  let segment: string;

  beforeAll(async () => {
    home = tempHome();
    segment = await ffmpegVideo('segment-2s.mp4', [
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=2', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    ]);
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('waits while the device is gone, resumes into the same case, and keeps the gap', async () => {
    let present = true;
    const write = (folder: string, i: number, emit: (p: RecordPartial) => void) => {
      const file = join(folder, `seg-${String(i).padStart(5, '0')}.mp4`);
      copyFileSync(segment, file);
      emit({ type: 'segment', index: i, file, start: i * 2, end: i * 2 + 2 });
    };
    const { launcher, started } = scriptedRecorder([
      async ({ folder, emit }) => {
        emit({ type: 'started', pid: 2 ** 22 + 17, encoder: 'libx264', hardware: false });
        write(folder, 0, emit);
        write(folder, 1, emit);
        await sleep(100);
        present = false;
        throw new OpscopeError('tool-failed', 'ffmpeg failed while recording (exit 1): /dev/video0: No such device');
      },
      async ({ folder, emit, stopped }) => {
        emit({ type: 'started', pid: 2 ** 22 + 18, encoder: 'libx264', hardware: false });
        write(folder, 0, emit);
        await stopped;
        write(folder, 1, emit);
      },
    ]);
    const host = new AppHost({
      dataDir: join(home, 'data'),
      launcher: inProcessWorkerLauncher(),
      recordLauncher: launcher,
      transport: 'cli',
      recording: {
        devices: { resolve: (name) => `/dev/${name}`, exists: () => present },
        devicePollMs: 50,
      },
    });
    const states: ActiveRecording[] = [];
    const warnings: string[] = [];
    host.bus.subscribe(({ name, payload }) => {
      if (name === 'recording.state') states.push(payload as ActiveRecording);
      if (name === 'recording.warning') warnings.push((payload as { message: string }).message);
    });
    try {
      const { caseId } = (await host.call('recording.start', { source: { device: 'video0' }, segmentSeconds: 2 })) as { caseId: string };
      const waiting = await waitFor('waiting', () => states.find((s) => s.state === 'waiting'));
      expect(waiting).toMatchObject({ run: 1, source: 'device', sourceLabel: '/dev/video0' });
      expect(waiting.message).toMatch(/disconnected/);
      expect(warnings.join(' ')).toMatch(/resumes into this case when it is back/);
      await sleep(400);
      expect(started).toHaveLength(1);
      present = true;
      await waitFor('run 2', () => states.find((s) => s.run === 2 && s.state === 'recording'));
      await waitFor('3 segments', () => (host.recorder.status().active?.segments ?? 0) >= 3);
      const ended = (await host.call('recording.stop', {})) as RecordingEnded;
      expect(ended).toMatchObject({ caseId, reason: 'stopped', segments: 4 });
      // Each run writes into its own folder, so names never collide and sort in recording order.
      expect(started.map((s) => s.folder.slice(-7))).toEqual(['run-001', 'run-002']);
      const detail = (await host.call('cases.get', { caseId })) as CaseDetail;
      expect(detail.parts).toHaveLength(4);
      expect(detail.duration).toBeCloseTo(8, 0);
      expect(detail.gaps).toHaveLength(1);
      expect(detail.gaps[0]).toMatchObject({ reason: 'source-lost' });
      expect(detail.gaps[0]!.at).toBeCloseTo(4, 1);
      expect(detail.gaps[0]!.seconds).toBeGreaterThanOrEqual(0.3);
    } finally {
      await host.close();
    }
  }, 60_000);

  it('ends with the reason when the recorder fails and the device is still there', async () => {
    const { launcher } = scriptedRecorder([
      async () => {
        throw new OpscopeError('tool-failed', 'ffmpeg failed while recording (exit 1): Invalid argument');
      },
    ]);
    const host = new AppHost({
      dataDir: join(home, 'data2'),
      launcher: inProcessWorkerLauncher(),
      recordLauncher: launcher,
      transport: 'cli',
      recording: { devices: { resolve: (name) => `/dev/${name}`, exists: () => true }, devicePollMs: 50 },
    });
    try {
      const { ended } = await host.recorder.start({ source: { device: 'video0' }, segmentSeconds: 2 });
      const result = await ended;
      expect(result.reason).toBe('failed');
      expect(result.message).toMatch(/Invalid argument/);
      // Nothing was recorded: no empty case is left behind.
      expect(host.store.listCases()).toHaveLength(0);
    } finally {
      await host.close();
    }
  }, 30_000);
});

