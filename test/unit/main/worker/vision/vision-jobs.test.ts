import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { visionDetect } from '../../../../../main/worker/vision/vision-jobs.js';
import { ROOM_PERSON_SCORE, visionRuntime } from '../../../../../main/worker/vision/runtime.js';
import { SHARED_DATA, TISSUE_CLIP, sharedData } from '../../../../support/shared-data.js';
import type { VisionImage } from '../../../../../main/core/worker-protocol.js';

/*
 * The real models on real pictures: group photographs shipped in @vladmandic/face-api's package,
 * and the real robotic-surgery clip of the shared test data (tissue: no person, no face).
 */
const require = createRequire(import.meta.url);
const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const tissueClip = sharedData(TISSUE_CLIP);
const ctx = { signal: new AbortController().signal, progress: () => undefined };

describe('vision runtime', () => {
  it('finds the people and their faces in real group photographs', async () => {
    const images: VisionImage[] = [1, 2, 5, 6].map((n) => ({ kind: 'file', file: join(demo, `sample${n}.jpg`), time: n }));
    const r = await visionDetect({ images, detect: ['objects', 'faces'] }, ctx);
    expect(r.info.backend).toBe('wasm');
    expect(r.frames.map((f) => f.time)).toEqual([1, 2, 5, 6]);
    for (const f of r.frames) {
      const people = f.objects.filter((o) => o.label === 'person');
      expect(people.length, `people in sample${f.time}`).toBeGreaterThanOrEqual(2);
      expect(people[0]!.score).toBeGreaterThan(0.4);
      expect(f.faces.length, `faces in sample${f.time}`).toBeGreaterThanOrEqual(3);
      // Boxes are in the picture's own pixels (1920 wide), inside it.
      expect(f.width).toBe(1920);
      for (const d of [...f.objects, ...f.faces]) {
        expect(d.box[0] + d.box[2]).toBeLessThanOrEqual(f.width + 1);
        expect(d.box[1] + d.box[3]).toBeLessThanOrEqual(f.height + 1);
        expect(d.box[2]).toBeGreaterThan(10);
      }
    }
  }, 120_000);

  it.skipIf(!tissueClip)('sees no person and no face inside a real patient (skipped without ../shared/data)', async () => {
    const images: VisionImage[] = [0.2, 1.0, 1.8].map((t) => ({ kind: 'video', path: tissueClip!, seek: t, time: t, source: { width: 1920, height: 1080 } }));
    const r = await visionDetect({ images, detect: ['objects', 'faces'] }, ctx);
    for (const f of r.frames) {
      expect(f.objects.filter((o) => o.label === 'person' && o.score >= ROOM_PERSON_SCORE)).toEqual([]);
      expect(f.faces).toEqual([]);
    }
  }, 120_000);

  it('offers detectObjects and detectFaces on RGB frames, and refuses a frame whose size is wrong', async () => {
    const vision = await visionRuntime();
    const grey = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3).fill(128) };
    expect(await vision.detectFaces(grey)).toEqual([]);
    await expect(vision.detectObjects({ width: 64, height: 48, data: new Uint8Array(10) })).rejects.toThrow(/bad frame/);
  }, 60_000);

  it('says which detector is missing when no detector is asked for', async () => {
    await expect(visionDetect({ images: [], detect: [] }, ctx)).rejects.toThrow(/at least one detector/);
  });
});

if (!tissueClip) console.warn(`vision-jobs.test: ${TISSUE_CLIP} is not in ${SHARED_DATA}; the real-tissue case is skipped`);
