import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveRecording, RecordingEnded } from '../../main/core/contract/recording-schemas.js';
import type { CaseDetail } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { ffmpegVideo } from '../support/media.js';
import { sleep, waitFor } from '../support/wait.js';


/** What MediaRecorder sends: a WebM stream, here cut into pieces as a window would send them. */
function pieces(file: string, size = 48 * 1024): string[] {
  const bytes = readFileSync(file);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size).toString('base64'));
  return out;
}


async function send(host: AppHost, recordingId: string, run: number, chunks: string[]): Promise<void> {
  for (const [seq, data] of chunks.entries()) {
    const r = (await host.call('recording.chunk', { recordingId, run, seq, data })) as { accepted: boolean };
    expect(r.accepted).toBe(true);
  }
}

describe('a recording captured by the app window', () => {
  let home: string;
  let webm: string;
  let host: AppHost;

  beforeAll(async () => {
    home = tempHome();
    // VP8 in WebM at 640x360, a keyframe a second: what Chromium's MediaRecorder gives without H.264.
    webm = await ffmpegVideo('capture-vp8-9s.webm', [
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=9',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '800k', '-g', '15', '-f', 'webm',
    ]);
    host = testHost(home, { inProcess: true });
  }, 180_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('becomes a case segment by segment, waits while the device is unplugged, and resumes after a gap', async () => {
    const states: ActiveRecording[] = [];
    const ended: RecordingEnded[] = [];
    host.bus.subscribe(({ name, payload }) => {
      if (name === 'recording.state') states.push(payload as ActiveRecording);
      if (name === 'recording.ended') ended.push(payload as RecordingEnded);
    });
    const { recordingId, caseId } = (await host.call('recording.start', {
      source: { capture: { label: 'Endoscope (USB capture)', mimeType: 'video/webm;codecs=vp8', frameRate: 15 } },
      name: 'Window capture',
      segmentSeconds: 3,
    })) as { recordingId: string; caseId: string };
    const first = await waitFor('run 1', () => states.find((s) => s.run === 1 && s.state === 'recording'));
    expect(first).toMatchObject({ source: 'capture', sourceLabel: 'Endoscope (USB capture)', caseId });

    const chunks = pieces(webm);
    await send(host, recordingId, 1, chunks);
    // A piece out of order is refused, never spliced in.
    expect(await host.call('recording.chunk', { recordingId, run: 7, seq: 0, data: chunks[0]! })).toEqual({ accepted: false });

    // Unplugged: the open segment is closed and the recording waits.
    const lost = (await host.call('recording.sourceLost', { recordingId, message: 'Endoscope (USB capture) was disconnected.' })) as ActiveRecording;
    expect(lost.recordingId).toBe(recordingId);
    // A piece already on its way when the source went is refused, not written into the ended stream.
    expect(await host.call('recording.chunk', { recordingId, run: 1, seq: chunks.length, data: chunks[0]! })).toEqual({ accepted: false });
    const waiting = await waitFor('waiting', () => states.find((s) => s.state === 'waiting'));
    expect(waiting.message).toContain('disconnected');
    // The three segments of the run are inspected and added after it closed; on a loaded machine
    // that can take a while, and a failure says where the recording stood.
    await waitFor('run 1 added', () => (host.recorder.status().active?.segments ?? 0) >= 3, 90_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; the recording stood at ${JSON.stringify(host.recorder.status().active)}`, { cause: err });
    });
    const beforeGap = (await host.call('cases.get', { caseId })) as CaseDetail;
    expect(beforeGap.duration).toBeGreaterThan(8.5);
    expect(beforeGap.duration).toBeLessThan(9.5);
    // Nor once the run has finished.
    expect(await host.call('recording.chunk', { recordingId, run: 1, seq: chunks.length, data: chunks[0]! })).toEqual({ accepted: false });

    await sleep(600);
    await host.call('recording.resume', { recordingId });
    await waitFor('run 2', () => states.find((s) => s.run === 2 && s.state === 'recording'));
    await send(host, recordingId, 2, chunks);
    const result = (await host.call('recording.stop', {})) as RecordingEnded;
    expect(result).toMatchObject({ recordingId, caseId, reason: 'stopped' });
    expect(result.segments).toBeGreaterThanOrEqual(6);
    expect(ended).toHaveLength(1);

    const detail = (await host.call('cases.get', { caseId })) as CaseDetail;
    expect(detail.duration).toBeGreaterThan(17.5);
    expect(detail.duration).toBeLessThan(18.5);
    expect(detail.parts.every((p) => p.codec === 'h264')).toBe(true);
    // Written at the device's rate, whatever the stream's millisecond timestamps.
    expect(detail.parts.every((p) => Math.abs(p.fps - 15) < 0.01)).toBe(true);
    expect(detail.parts.map((p) => p.path.match(/run-(\d+)/)?.[1])).toEqual(expect.arrayContaining(['001', '002']));
    // The gap is where recording resumed, as long as the source was away.
    expect(detail.gaps).toHaveLength(1);
    expect(detail.gaps[0]!.reason).toBe('source-lost');
    expect(detail.gaps[0]!.at).toBeCloseTo(beforeGap.duration, 1);
    expect(detail.gaps[0]!.seconds).toBeGreaterThan(0.5);
    expect(detail.gaps[0]!.seconds).toBeLessThan(30);
    expect(host.recorder.status().active).toBeNull();
  }, 120_000);

  it('takes a window that stopped sending as a lost source, and refuses a piece that skips one', async () => {
    const states: ActiveRecording[] = [];
    const off = host.bus.on('recording.state', (payload) => states.push(payload));
    try {
      const { recordingId } = (await host.call('recording.start', {
        source: { capture: { label: 'Camera', mimeType: 'video/webm' } },
        segmentSeconds: 3,
      })) as { recordingId: string };
      await waitFor('run 1', () => states.find((s) => s.run === 1));
      const chunks = pieces(webm);
      // Piece 1 before piece 0: the stream cannot be mended, so the run ends and the window must start again.
      expect(await host.call('recording.chunk', { recordingId, run: 1, seq: 1, data: chunks[1]! })).toEqual({ accepted: false });
      const waiting = await waitFor('waiting', () => states.find((s) => s.state === 'waiting'));
      expect(waiting.message).toMatch(/lost/);
      await host.call('recording.resume', { recordingId });
      await waitFor('run 2', () => states.find((s) => s.run === 2 && s.state === 'recording'));
      await send(host, recordingId, 2, chunks.slice(0, 3));
      // Then nothing more arrives: the window closed. The host does not wait forever.
      const stalled = await waitFor('stall', () => states.find((s) => s.run === 2 && s.state === 'waiting'), 20_000);
      expect(stalled.message).toMatch(/No video has arrived/);
      await host.call('recording.stop', {});
    } finally {
      off();
    }
  }, 60_000);
});

