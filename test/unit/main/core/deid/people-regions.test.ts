import { describe, expect, it } from 'vitest';
import { growBox, trackPeople, type PeopleSample } from '../../../../../main/core/deid/people-regions.js';
import { maskChains } from '../../../../../main/worker/media/deid-filters.js';

const FRAME = { width: 960, height: 540 };
const RANGE = { start: 0, end: 6 };
const empty = (time: number): PeopleSample => ({ time, persons: [], faces: [] });

describe('people to mask, tracked between frames read', () => {
  it('masks a person from the read before it was seen to the read after, grown, following it as it moves', () => {
    const samples = [0, 1, 2, 3, 4, 5].map(empty);
    samples[2]!.persons.push({ score: 0.8, box: [100, 100, 200, 400] });
    samples[3]!.persons.push({ score: 0.3, box: [130, 100, 200, 400] }); // turned away: a weak read, same person
    const r = trackPeople(samples, RANGE, FRAME);
    expect(r.regions).toHaveLength(1);
    const m = r.regions[0]!;
    expect([m.start, m.end]).toEqual([1, 4]);
    expect(m.box[0]).toBeLessThan(100);
    expect(m.box[0] + m.box[2]).toBeGreaterThan(330);
    expect(m.box[1]).toBeLessThan(100);
    expect(m.found).toEqual(['person']);
    // No out-of-body span known: the frames were called inside the patient, and are counted.
    expect(m.insidePatientView).toBe(true);
    expect(r.framesInsidePatientView).toBe(2);
  });

  it('keeps weak detections only in room frames: tissue blobs are not people', () => {
    const samples = [0, 1, 2, 3].map(empty);
    samples[3]!.persons.push({ score: 0.42, box: [300, 0, 600, 540] });
    samples[1]!.faces.push({ score: 0.36, box: [500, 200, 60, 60] });
    expect(trackPeople(samples, RANGE, FRAME).regions).toEqual([]);
    // The same weak face inside a span the out-of-body check found is masked, from the span's first frame.
    const r = trackPeople(samples, RANGE, FRAME, [{ start: 0.8, end: 1.6 }]);
    expect(r.regions).toHaveLength(1);
    expect(r.regions[0]).toMatchObject({ found: ['face'], start: 0.8, end: 1.6, insidePatientView: false });
    expect(r.framesInsidePatientView).toBe(0);
  });

  it('a masked face (low score) inside a person box joins that person; a weak person with a face is a room frame', () => {
    const s: PeopleSample = { time: 1, persons: [{ score: 0.41, box: [100, 100, 200, 400] }], faces: [{ score: 0.3, box: [160, 110, 60, 60] }] };
    const r = trackPeople([empty(0), s, empty(2)], RANGE, FRAME);
    expect(r.regions).toHaveLength(1);
    expect(r.regions[0]!.found).toEqual(['person', 'face']);
  });

  it('drops the tissue reads a track picked up before the room came into view', () => {
    const samples = [0, 1, 2, 3].map(empty);
    samples[0]!.persons.push({ score: 0.3, box: [100, 0, 700, 540] });
    samples[2]!.persons.push({ score: 0.9, box: [150, 50, 600, 490] });
    const r = trackPeople(samples, RANGE, FRAME);
    expect(r.regions.map((m) => [m.start, m.end])).toEqual([[1, 3]]);
    expect(r.framesWithPeople).toBe(1);
  });

  it('grows faces more than people, inside the frame', () => {
    expect(growBox([10, 10, 100, 100], 'face', FRAME)).toEqual([0, 0, 160, 160]);
    expect(growBox([100, 100, 100, 200], 'person', FRAME)).toEqual([90, 75, 120, 235]);
  });

  it('draws people as heavy blocks (or boxes) after the text masks', () => {
    const base = { input: 'in', output: 'out', width: 960, height: 540, cardText: null, tag: 'x' };
    const masks = { width: 960, height: 540, regions: [], outOfBody: [], people: [{ box: [100, 40, 240, 480] as [number, number, number, number], from: 1, to: 3 }] };
    const blur = maskChains({ ...base, masks, deidentify: { mask: 'blur', outOfBody: 'blur', cardText: 'x' } })!.join(';');
    // Six samples across the shorter side, however big the box.
    expect(blur).toContain('crop=240:480:100:40,scale=6:12:flags=area');
    expect(blur).toContain('enable=between(t\\,0.999900\\,2.999900)');
    const box = maskChains({ ...base, masks, deidentify: { mask: 'blur', outOfBody: 'blur', people: 'box', cardText: 'x' } })!.join(';');
    expect(box).toContain('drawbox=x=100:y=40:w=240:h=480:color=black:t=fill');
  });
});
