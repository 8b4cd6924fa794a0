import { describe, expect, it } from 'vitest';
import { summarizeProbe } from '../../main/core/media-info.js';
import { inputPath, runFfprobe } from '../../main/node/ffmpeg/run.js';
import { scanPackets } from '../../main/worker/media/packets.js';
import { probeThroughFfmpeg, readPacketsThroughFfmpeg } from '../../main/worker/media/probe-via-ffmpeg.js';
import { syntheticVideo } from '../support/media.js';

/*
 * Where ffprobe crashes on a file, the same facts are read through ffmpeg. These readers are
 * checked here against ffprobe itself, on files ffprobe reads fine, so they are proven on every
 * machine, not only where ffprobe happens to crash.
 */
describe('reading a recording through ffmpeg instead of ffprobe', () => {
  const specs = [
    { label: 'H.264 with B-frames and audio in MP4', spec: { duration: 6, width: 320, height: 180, fps: 25, events: [], audio: true, creationTime: '2024-03-05T08:30:00Z' } },
    { label: 'MPEG-2 in Matroska', spec: { duration: 6, width: 320, height: 180, fps: 25, events: [], codec: 'mpeg2' as const, container: 'mkv' as const } },
    { label: 'variable frame rate H.264', spec: { duration: 6, width: 320, height: 180, fps: 30, events: [], variableFrameRate: true } },
  ];

  for (const { label, spec } of specs) {
    it(`gives what ffprobe gives: ${label}`, async () => {
      const file = await syntheticVideo({ ...spec, seed: 41 });
      const { stdout } = await runFfprobe(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', inputPath(file)], { timeoutMs: 30_000 });
      const direct = summarizeProbe(stdout.toString('utf8'), 'x');
      const viaFfmpeg = await probeThroughFfmpeg(file, 'x', 30_000);
      expect(viaFfmpeg.formatName).toBe(direct.formatName);
      expect(viaFfmpeg.duration).toBeCloseTo(direct.duration, 1);
      expect(viaFfmpeg.startTime).toBeCloseTo(direct.startTime, 2);
      expect(viaFfmpeg.video).toMatchObject({
        codec: direct.video.codec,
        width: direct.video.width,
        height: direct.video.height,
        rotation: direct.video.rotation,
        pixFmt: direct.video.pixFmt,
      });
      expect(viaFfmpeg.audio?.codec).toBe(direct.audio?.codec);
      if (!spec.variableFrameRate) expect(viaFfmpeg.video.fps).toBeCloseTo(direct.video.fps, 2);
      if (direct.creationTime) expect(viaFfmpeg.creationTime).toBe(direct.creationTime);

      const scan = await scanPackets(file, direct.startTime);
      const times: number[] = [];
      const keys: boolean[] = [];
      const sizes: number[] = [];
      await readPacketsThroughFfmpeg(
        file,
        'x',
        (pts, size, key) => {
          times.push(pts - direct.startTime);
          sizes.push(size);
          keys.push(key);
        },
        { timeoutMs: 30_000, idleTimeoutMs: 30_000 },
      );
      expect(times.length).toBe(scan.packetTimes.length);
      times.forEach((t, i) => expect(t).toBeCloseTo(scan.packetTimes[i]!, 4));
      expect(sizes).toEqual(Array.from(scan.packetSizes));
      expect(keys).toEqual(Array.from(scan.packetKeys, (k) => k === 1));
    });
  }
});
