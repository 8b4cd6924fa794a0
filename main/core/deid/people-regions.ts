/**
 * People to mask over an export range, from the person and face detectors run on the frames read
 * (about one a second). Detections are tracked from read to read the way text regions are, and a
 * person is masked from the read before it was seen to the read after, with its boxes grown: the
 * detectors' boxes are tight, and staff in masks and caps score low. Pure: numbers in, numbers out.
 *
 * The detectors also see faces and people in tissue now and then (CenterNet calls tissue a person
 * at up to about 0.42, BlazeFace a face at up to about 0.36), so weak detections count only in a
 * frame that shows the room: one filmed outside the patient (the out-of-body check says so), or
 * one where someone is plainly seen. In a room frame every weak detection is masked too, and a
 * tracked person stays masked through the reads where it scores low.
 */

import { coveredShare, overlapShare, removedBy, union, type Rect } from './text-regions.js';
import type { Span } from './out-of-body-spans.js';

/** What the detectors must score to be kept at all (low: masked faces score 0.25-0.56). */
export const PERSON_MIN = 0.2;
export const FACE_MIN = 0.25;
/** A person or a face scoring this much makes its frame a room frame. */
export const PLAIN_PERSON = 0.5;
export const PLAIN_FACE = 0.5;
/** ... and so does a person from here up with a face inside its box. */
export const PAIRED_PERSON = 0.4;

export interface Detected {
  score: number;
  box: Rect;
}

export interface PeopleSample {
  /** Case seconds. */
  time: number;
  persons: Detected[];
  faces: Detected[];
}

export type PersonFinding = 'person' | 'face';

export interface PersonRegion {
  /** Grown, inside the frame, in the recording's pixels. */
  box: Rect;
  /** Case seconds; `end` exclusive. */
  start: number;
  end: number;
  /** Which detectors found it. */
  found: PersonFinding[];
  /** Best score of its detections. */
  score: number;
  /** Reads it was seen in. */
  seen: number;
  /** Seen in a frame the out-of-body check called inside the patient (the safety net). */
  insidePatientView: boolean;
}

export interface PeopleResult {
  regions: PersonRegion[];
  /** Frames read that show people (and are masked). */
  framesWithPeople: number;
  /** ... of which inside a span called inside the patient: masked all the same, and counted. */
  framesInsidePatientView: number;
}

/**
 * Grown generously: a person box by a tenth of its width on each side and an eighth of its height
 * above (the head's outline, a cap), a face box by half its size on each side and more above
 * (hair, cap, ears), cut to the frame.
 */
export function growBox(box: Rect, kind: PersonFinding, frame: { width: number; height: number }): Rect {
  const [x, y, w, h] = box;
  const g = kind === 'person' ? { l: 0.1 * w, r: 0.1 * w, t: 0.125 * h, b: 0.05 * h } : { l: 0.5 * w, r: 0.5 * w, t: 0.7 * h, b: 0.5 * h };
  const x0 = Math.max(0, Math.floor(x - g.l));
  const y0 = Math.max(0, Math.floor(y - g.t));
  const x1 = Math.min(frame.width, Math.ceil(x + w + g.r));
  const y1 = Math.min(frame.height, Math.ceil(y + h + g.b));
  return [x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
}

interface Hit {
  k: number;
  box: Rect;
  score: number;
  found: Set<PersonFinding>;
}

interface Track {
  hits: Hit[];
}

/** A frame that shows the room: filmed outside, or someone plainly in it. */
function isRoomFrame(s: PeopleSample, outside: boolean): boolean {
  if (outside) return true;
  if (s.persons.some((p) => p.score >= PLAIN_PERSON) || s.faces.some((f) => f.score >= PLAIN_FACE)) return true;
  return s.persons.some((p) => p.score >= PAIRED_PERSON && s.faces.some((f) => f.score >= FACE_MIN && coveredShare(f.box, p.box) >= 0.7));
}

/** A sample's detections as one list: a face inside a person's box belongs to that person. */
function hitsOf(s: PeopleSample, k: number, frame: { width: number; height: number }): Hit[] {
  const persons = s.persons
    .filter((p) => p.score >= PERSON_MIN)
    .map((p): Hit => ({ k, box: growBox(p.box, 'person', frame), score: p.score, found: new Set(['person']) }));
  const hits = [...persons];
  for (const f of s.faces.filter((x) => x.score >= FACE_MIN)) {
    const box = growBox(f.box, 'face', frame);
    const owner = persons.find((p) => coveredShare(f.box, p.box) >= 0.8);
    if (owner) {
      // The face's grown box may reach past the person's (a head cut at the box's top).
      owner.box = union(owner.box, box);
      owner.found.add('face');
      owner.score = Math.max(owner.score, f.score);
    } else hits.push({ k, box, score: f.score, found: new Set(['face']) });
  }
  return hits;
}

/** Two reads of the same person: their grown boxes overlap by half of the smaller. */
const SAME_PERSON = 0.5;
/** A track may miss this many reads in a row (a low score, a turned head) and still continue. */
const MAX_MISSED = 1;
/** Consecutive reads are masked with one box while their union stays within this share of growth. */
const STILL_GROWTH = 1.35;

const area = (r: Rect) => r[2] * r[3];

/**
 * `outside` are the spans the out-of-body check found (case seconds, frame-exact): a frame there
 * is a room frame, and a person seen there is not masked past the span's edge into frames the
 * check scored, one by one, as inside the patient (where no one can be seen).
 */
export function trackPeople(
  samples: readonly PeopleSample[],
  range: { start: number; end: number },
  frame: { width: number; height: number },
  outside: readonly Span[] = [],
): PeopleResult {
  const spanAt = (t: number) => outside.find((s) => t >= s.start - 1e-6 && t < s.end - 1e-6) ?? null;
  const room = samples.map((s) => isRoomFrame(s, spanAt(s.time) !== null));
  const tracks: Track[] = [];
  samples.forEach((s, k) => {
    const hits = hitsOf(s, k, frame).sort((a, b) => b.score - a.score);
    const taken = new Set<Track>();
    for (const h of hits) {
      let best: Track | null = null;
      let bestShare = SAME_PERSON;
      for (const tr of tracks) {
        const last = tr.hits.at(-1)!;
        if (taken.has(tr) || last.k >= k || k - last.k > MAX_MISSED + 1) continue;
        const share = overlapShare(last.box, h.box);
        if (share >= bestShare) {
          best = tr;
          bestShare = share;
        }
      }
      if (best) best.hits.push(h);
      else tracks.push((best = { hits: [h] }));
      taken.add(best);
    }
  });

  const regions: PersonRegion[] = [];
  const masked = new Set<number>();
  for (const tr of tracks) {
    // Weak detections count between sightings in room frames, and in the read right before and
    // right after them (a head turned away); further out they are tissue the track picked up.
    const firstRoom = tr.hits.findIndex((h) => room[h.k]);
    if (firstRoom < 0) continue;
    const lastRoom = tr.hits.findLastIndex((h) => room[h.k]);
    const lo = firstRoom > 0 && tr.hits[firstRoom - 1]!.k === tr.hits[firstRoom]!.k - 1 ? firstRoom - 1 : firstRoom;
    const hi = lastRoom < tr.hits.length - 1 && tr.hits[lastRoom + 1]!.k === tr.hits[lastRoom]!.k + 1 ? lastRoom + 1 : lastRoom;
    tr.hits = tr.hits.slice(lo, hi + 1);
    for (const h of tr.hits) masked.add(h.k);
    // Runs of reads where the person stays put become one mask.
    const runs: Hit[][] = [];
    for (const h of tr.hits) {
      const run = runs.at(-1);
      if (run) {
        const box = run.reduce((b, x) => union(b, x.box), h.box);
        const biggest = Math.max(area(h.box), ...run.map((x) => area(x.box)));
        if (area(box) <= STILL_GROWTH * biggest) {
          run.push(h);
          continue;
        }
      }
      runs.push([h]);
    }
    for (const run of runs) {
      const first = run[0]!;
      const last = run.at(-1)!;
      let start = first.k === 0 ? range.start : samples[first.k - 1]!.time;
      let end = last.k === samples.length - 1 ? range.end : samples[last.k + 1]!.time;
      const inFirst = spanAt(samples[first.k]!.time);
      const inLast = spanAt(samples[last.k]!.time);
      if (inFirst && first.k > 0 && !spanAt(samples[first.k - 1]!.time)) start = Math.max(start, inFirst.start);
      if (inLast && last.k < samples.length - 1 && !spanAt(samples[last.k + 1]!.time)) end = Math.min(end, inLast.end);
      const found = new Set<PersonFinding>();
      for (const h of run) for (const f of h.found) found.add(f);
      regions.push({
        box: run.reduce((b, h) => union(b, h.box), first.box),
        start: Math.max(range.start, start),
        end: Math.min(range.end, end),
        found: (['person', 'face'] as const).filter((f) => found.has(f)),
        score: Math.round(Math.max(...run.map((h) => h.score)) * 1000) / 1000,
        seen: run.length,
        insidePatientView: run.some((h) => !spanAt(samples[h.k]!.time)),
      });
    }
  }
  const inside = [...masked].filter((k) => !spanAt(samples[k]!.time)).length;
  return {
    regions: regions.filter((r) => r.end > r.start && r.box[2] > 0 && r.box[3] > 0).sort((a, b) => a.start - b.start || a.box[0] - b.box[0]),
    framesWithPeople: masked.size,
    framesInsidePatientView: inside,
  };
}

/** A reviewer's "not a person" rectangle takes out the masks it mostly covers or mostly lies in. */
export function personRemoved(region: Rect, removals: readonly Rect[]): boolean {
  return removedBy(region, removals);
}
