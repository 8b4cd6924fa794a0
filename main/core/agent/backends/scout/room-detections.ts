/*
 * What the vision model saw decides where the camera was: people, a face, furniture or screens are
 * a room; an abdomen shows none.
 */

import type { FrameRef } from '../../engine/types.js';

/** Scores below this are too unsure to count. */
export const DETECTION_SCORE = 0.4;
/*
 * To overturn tracks that read the view as inside the patient, a detection must be surer than any
 * the detector gives on tissue: it has called generated tissue a person at up to 0.44, and people
 * in photographs of a room score 0.5 to 0.7.
 */
export const OVERTURN_SCORE = 0.5;
export const OVERTURN_FRAMES = 3;
export const ROOM_OBJECTS = new Set(['person', 'face', 'chair', 'couch', 'bed', 'dining table', 'tv', 'laptop', 'keyboard', 'mouse', 'cell phone', 'book', 'clock', 'potted plant', 'refrigerator', 'sink', 'bottle', 'cup']);

/** The room objects on a frame at or above `minScore`, best first. */
export function roomObjects(f: FrameRef, minScore = DETECTION_SCORE): { label: string; score: number }[] {
  return (f.detections ?? []).filter((d) => d.score >= minScore && ROOM_OBJECTS.has(d.label)).sort((a, b) => b.score - a.score);
}

/** A frame the detector surely sees a room on. */
export function seesRoom(f: FrameRef): boolean {
  return roomObjects(f, OVERTURN_SCORE).length > 0;
}
