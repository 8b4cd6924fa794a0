import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameService, type FrameJobs, type FrameStore } from '../../../../../main/host/frames/frame-service.js';
import { encodePng } from '../../../../../main/node/png.js';
import { Store } from '../../../../../main/host/store/store.js';
import { fakePart } from '../../../../support/feedback.js';

/** Ten frames at 25 fps, a keyframe every five. */
const scan = {
  frameTimes: Float64Array.from({ length: 10 }, (_, i) => i * 0.04),
  packetTimes: Float64Array.from({ length: 10 }, (_, i) => i * 0.04),
  packetSizes: Uint32Array.from({ length: 10 }, (_, i) => (i % 5 === 0 ? 9000 : 300)),
  packetKeys: Uint8Array.from({ length: 10 }, (_, i) => (i % 5 === 0 ? 1 : 0)),
};

describe('the frame service keeps what makes frames cheap, within bounds', () => {
  let dir: string;
  let store: Store;
  let caseId: string;
  let partIds: string[];
  let reads: { frameTimes: string[]; packetScan: string[] };
  let frames: FrameService;
  let decoded: number[];
  let written: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscope-frame-service-'));
    store = new Store(join(dir, 'opscope.db'));
    const video = join(dir, 'a.mp4');
    writeFileSync(video, 'not read: the jobs are fakes');
    const parts = Array.from({ length: 9 }, (_, k) => ({ ...fakePart(`p${k}.mp4`, 0.4), path: video }));
    ({ caseId, partIds } = store.createCase('Nine parts', parts));
    for (const id of partIds) store.savePacketScan(id, scan);
    reads = { frameTimes: [], packetScan: [] };
    decoded = [];
    written = [];
    const counted: FrameStore = {
      getCase: (id) => store.getCase(id),
      partsOf: (id) => store.partsOf(id),
      getPart: (id) => store.getPart(id),
      frameTimes: (id) => (reads.frameTimes.push(id), store.frameTimes(id)),
      packetScan: (id) => (reads.packetScan.push(id), store.packetScan(id)),
      savePacketScan: (id, s) => store.savePacketScan(id, s),
    };
    const jobs: FrameJobs = {
      packets: () => Promise.reject(new Error('every part is scanned already')),
      frame: (p) => (decoded.push(p.frame!.index), written.push(p.out), Promise.resolve({ width: 1920, height: 1080 })),
    };
    frames = new FrameService(counted, jobs, { frame: (c, p, i) => join(dir, 'frames', c, p, `${i}.png`) });
  });

  afterEach(() => {
    vi.useRealTimers();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a frame reads only its part\'s frame times, once; the keyframes are read on their first use', async () => {
    const a = await frames.get(caseId, 0.13);
    const b = await frames.get(caseId, 0.21);
    expect([a.frameIndex, b.frameIndex]).toEqual([3, 5]);
    expect(decoded).toEqual([3, 5]);
    expect(reads.frameTimes).toEqual([partIds[0]]);
    expect(reads.packetScan).toEqual([]);
    const timing = await frames.timing(partIds[0]!);
    expect(Array.from(timing.keyframes)).toEqual([0, 5]);
    expect(Array.from(timing.keyframes)).toEqual([0, 5]);
    expect(reads.packetScan).toEqual([partIds[0]]);
  });

  it('keeps the tables of at most 8 parts, and none after five minutes without frames', async () => {
    vi.useFakeTimers();
    for (const id of partIds) await frames.timing(id);
    await frames.timing(partIds[8]!);
    expect(reads.frameTimes).toEqual(partIds);
    // The ninth part pushed out the first, the least recently used.
    await frames.timing(partIds[0]!);
    expect(reads.frameTimes.filter((id) => id === partIds[0])).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    await frames.timing(partIds[8]!);
    expect(reads.frameTimes.filter((id) => id === partIds[8])).toHaveLength(1);
    // Used a minute ago, so kept for five minutes from then; after them, read again.
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 1);
    await frames.timing(partIds[8]!);
    expect(reads.frameTimes.filter((id) => id === partIds[8])).toHaveLength(2);
  });

  it('a frame asked into a file is written there, not to the frame cache; a cached frame is copied there whole', async () => {
    const into = join(dir, 'saved', 'frame.png');
    const fresh = await frames.get(caseId, 0.13, undefined, into);
    expect(written).toEqual([into]);
    expect(fresh.file).toBe(into);
    const cachedFile = join(dir, 'frames', caseId, partIds[0]!, '5.png');
    mkdirSync(dirname(cachedFile), { recursive: true });
    writeFileSync(cachedFile, await encodePng(new Uint8Array(4 * 2 * 3).fill(200), 4, 2));
    const copied = await frames.get(caseId, 0.21, undefined, into);
    expect(decoded).toEqual([3]);
    expect([copied.width, copied.height]).toEqual([4, 2]);
    expect(readFileSync(into).equals(readFileSync(cachedFile))).toBe(true);
    expect(readdirSync(dirname(into))).toEqual(['frame.png']);
  });
});
