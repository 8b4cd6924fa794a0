/*
 * A relation placed by a view outside the patient that only the frames can find ("what came
 * first, the withdrawal or the pause?", "bleeding after the camera goes back in"). The tracks may
 * have no out-of-body period at all while a stretch between two cuts is one: a photograph-like
 * room as warm as tissue reads as inside on the colours. The asked event is then found on the
 * tracks, but the other side of the relation would silently go missing. So before the relation is
 * placed, those stretches are looked at with one frame each, and the ones whose frame shows a room
 * join the labelling the relation is read on.
 */

import type { FrameRef, TurnStep } from '../../engine/types.js';
import { describe, type Candidate } from './candidates.js';
import { cutStretches, distinctStretches, type CaseLabels, type LabelTracks } from './case-labels.js';
import type { Relation } from './relation.js';
import type { EventKind } from './intent.js';
import { roomObjects, seesRoom, OVERTURN_SCORE } from './room-detections.js';
import { clock } from './wording.js';

/** A stretch that may be outside, and the time of the frame that settles it. */
export interface AnchorProbe {
  start: number;
  end: number;
  time: number;
}

/** The events a relation is placed by (not the one it asks about). */
export function relationEvents(r: Relation): EventKind[] {
  switch (r.kind) {
    case 'order':
      return [...r.events];
    case 'between':
      return [r.from.event, r.to.event];
    default:
      return [r.anchor.event];
  }
}

/**
 * The stretches to look at before a relation is placed: only when the relation needs the camera
 * outside and the tracks found no such period, the stretches between cuts (best first) and the
 * out-of-body readings that waited for the frames, each stretch once.
 */
export function anchorProbes(relation: Relation | null, tracks: LabelTracks, labels: CaseLabels): AnchorProbe[] {
  if (!relation || !relationEvents(relation).includes('outOfBody')) return [];
  if (labels.episodes.outOfBody.length > 0) return [];
  return distinctStretches([...cutStretches(tracks, labels), ...labels.uncut])
    .map((s) => ({ start: s.start, end: s.end, time: Math.floor((s.start + s.end) / 2) + 0.5 }))
    .sort((a, b) => a.start - b.start);
}

/**
 * How many of the run's first steps were these probes: the leading frames taken at the probes'
 * times, in order. Counting them (rather than taking the first steps) keeps a run whose budget
 * stopped the probes early from reading its later calls as probes.
 */
export function probesTaken(probes: readonly AnchorProbe[], steps: readonly TurnStep[]): number {
  let n = 0;
  while (n < probes.length && n < steps.length) {
    const obs = steps[n]!.observation;
    if (obs.kind !== 'frame' || Math.abs(obs.call.time - probes[n]!.time) > 1e-6) break;
    n++;
  }
  return n;
}

export interface Confirmed {
  labels: CaseLabels;
  /** What the frames showed, in words, for the answer. */
  notes: string[];
}

/**
 * The labelling with the probed stretches whose frame showed a room as out-of-body periods. The
 * probes' frames are the first steps of the run, in the order of `probes`.
 */
export function withConfirmed(labels: CaseLabels, probes: readonly AnchorProbe[], steps: readonly TurnStep[], outOfBody: readonly number[] | undefined): Confirmed {
  const found: Candidate[] = [];
  const notes: string[] = [];
  probes.forEach((p, i) => {
    const obs = steps[i]?.observation;
    if (obs?.kind !== 'frame') return;
    const frame: FrameRef = obs.frame;
    const at = `${clock(p.start)}–${clock(p.end)}`;
    if (frame.detections === undefined) {
      notes.push(`The stretch at ${at}, between two cuts, may be a view outside the patient; the vision model did not run on its frame, so it was not counted.`);
      return;
    }
    if (!seesRoom(frame)) return;
    const best = roomObjects(frame, OVERTURN_SCORE)[0]!;
    notes.push(`The vision model sees the room at ${clock(frame.time)} (${best.label} ${best.score.toFixed(2)}), so the camera was outside from about ${clock(p.start)} to ${clock(p.end)}.`);
    found.push(outOfBody ? describe(outOfBody, { start: p.start, end: p.end }) : { start: p.start, end: p.end, peak: 0, peakAt: p.start, mean: 0, strength: 0 });
  });
  if (found.length === 0) return { labels, notes };
  const episodes = { ...labels.episodes, outOfBody: [...labels.episodes.outOfBody, ...found].sort((a, b) => a.start - b.start) };
  return { labels: { ...labels, episodes }, notes };
}
