import { CaseTimeline } from '../../core/case-time.js';
import type { AnalysisGeometry } from '../../core/worker-protocol.js';
import type { PartRow } from '../store/rows.js';
import type { ReadableStore } from '../store/store.js';

/*
 * The case model: what a case's recording parts add up to — its timeline (case time over the
 * parts, see core/case-time.ts), its length, and each part's picture as shown and as analysed.
 * Built here and nowhere else, so a view, a bookmark check, an export and a recording all agree
 * on where a case ends, to the last float.
 */

/** The width keyframes are analysed at (the height keeps the picture's aspect). */
const ANALYSIS_WIDTH = 128;

/** Video encoders and the analysis want even sizes; never below 2. */
export function evenPixels(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** Case time over these parts, in their order. */
export function timelineOf(parts: readonly Pick<PartRow, 'id' | 'duration'>[]): CaseTimeline {
  return new CaseTimeline(parts.map((p) => ({ id: p.id, duration: p.duration })));
}

/** How long the case is: where its timeline ends. */
export function caseDuration(parts: readonly Pick<PartRow, 'id' | 'duration'>[]): number {
  return timelineOf(parts).duration;
}

/** Display geometry after rotation metadata is applied (ffmpeg rotates while decoding). */
export function displaySize(p: Pick<PartRow, 'width' | 'height' | 'rotation'>): { w: number; h: number } {
  const swap = Math.round(p.rotation) % 180 !== 0;
  return swap ? { w: p.height, h: p.width } : { w: p.width, h: p.height };
}

/** The size keyframes are analysed at: small, with the picture's aspect. */
export function analysisGeometry(p: Pick<PartRow, 'width' | 'height' | 'rotation'>): AnalysisGeometry {
  const { w, h } = displaySize(p);
  return { width: ANALYSIS_WIDTH, height: evenPixels((ANALYSIS_WIDTH * h) / Math.max(1, w)) };
}

/** A case's parts with their timeline, read once. */
export class CaseModel {
  readonly timeline: CaseTimeline;

  constructor(readonly parts: readonly PartRow[]) {
    this.timeline = timelineOf(parts);
  }

  get duration(): number {
    return this.timeline.duration;
  }

  /** Case time where part `index` starts. */
  start(index: number): number {
    return this.timeline.starts[index] ?? this.timeline.duration;
  }
}

/** The case model of a stored case (no parts: an empty case of length 0). */
export function caseModel(store: Pick<ReadableStore, 'partsOf'>, caseId: string): CaseModel {
  return new CaseModel(store.partsOf(caseId));
}
