import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysisGeometry, caseDuration, caseModel, displaySize, evenPixels, timelineOf } from '../../../../../main/host/cases/case-model.js';
import { Store } from '../../../../../main/host/store/store.js';
import { fakePart } from '../../../../support/feedback.js';

const part = (id: string, duration: number) => ({ id, duration });

describe('the case model', () => {
  it('is one timeline over the parts in order, and the case ends where it ends', () => {
    const parts = [part('a', 600.1), part('b', 0.2), part('c', 300.000001)];
    const tl = timelineOf(parts);
    expect(tl.starts).toEqual([0, 600.1, 600.1 + 0.2]);
    // The same float sum, in the same order, wherever a length is needed.
    expect(caseDuration(parts)).toBe(600.1 + 0.2 + 300.000001);
    expect(tl.duration).toBe(caseDuration(parts));
    expect(tl.locate(600.2)).toMatchObject({ partId: 'b', index: 1 });
    expect(tl.locate(600.4)).toMatchObject({ partId: 'c', index: 2 });
  });

  it('counts a part with a broken (negative) duration as empty, and an empty case as 0 s', () => {
    expect(caseDuration([part('a', 10), part('b', -5), part('c', 2)])).toBe(12);
    expect(timelineOf([part('a', 10), part('b', -5), part('c', 2)]).starts).toEqual([0, 10, 10]);
    expect(caseDuration([])).toBe(0);
  });

  it('turns the picture by its rotation and analyses it small, even-sized, with its aspect', () => {
    const portrait = { width: 1920, height: 1080, rotation: 90 };
    expect(displaySize(portrait)).toEqual({ w: 1080, h: 1920 });
    expect(displaySize({ ...portrait, rotation: -180 })).toEqual({ w: 1920, h: 1080 });
    expect(analysisGeometry({ width: 1920, height: 1080, rotation: 0 })).toEqual({ width: 128, height: 72 });
    expect(analysisGeometry(portrait)).toEqual({ width: 128, height: 228 });
    expect(analysisGeometry({ width: 0, height: 0, rotation: 0 })).toEqual({ width: 128, height: 2 });
    expect([evenPixels(71), evenPixels(72.9), evenPixels(0.4)]).toEqual([72, 72, 2]);
  });

  it("is read from the store's parts of a case", () => {
    const dir = mkdtempSync(join(tmpdir(), 'opscope-case-model-'));
    const store = new Store(join(dir, 'opscope.db'));
    try {
      const { caseId, partIds } = store.createCase('Two parts', [fakePart('a.mp4', 1200), fakePart('b.mp4', 61.5)]);
      const model = caseModel(store, caseId);
      expect(model.parts.map((p) => p.id)).toEqual(partIds);
      expect(model.duration).toBe(1261.5);
      expect([model.start(0), model.start(1), model.start(2)]).toEqual([0, 1200, 1261.5]);
      expect(caseModel(store, 'no-such-case').duration).toBe(0);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
