/** Bookmarks and gaps of a live recording as the timeline shows them (no DOM). */

import type { RecordingGap } from '../../../../main/core/contract/schemas.js';
import { duration as fmtDuration } from '../util/format.js';

/** A bookmark as the timeline draws it. */
export interface BookmarkMark {
  id: string;
  number: number;
  time: number;
  label: string | null;
}

/** Something in the marks row people can point at: its horizontal extent in CSS pixels. */
export type MarkHit =
  | { kind: 'bookmark'; x0: number; x1: number; time: number; mark: BookmarkMark }
  | { kind: 'gap'; x0: number; x1: number; time: number; gap: RecordingGap };

/** What a gap's tag says: "signal lost 0:42". */
export function gapLabel(g: RecordingGap): string {
  const what = g.reason === 'source-lost' ? 'signal lost' : g.reason === 'recorder-restarted' ? 'recorder restarted' : 'interrupted';
  // Under a second (a window reloaded, a source back at once) "0:00" would read as nothing lost.
  return `${what} ${g.seconds < 1 ? '<1 s' : fmtDuration(g.seconds)}`;
}

/** The mark under x (the last drawn wins, as it is on top). */
export function markAt(hits: readonly MarkHit[], x: number): MarkHit | null {
  for (let i = hits.length - 1; i >= 0; i--) {
    const h = hits[i]!;
    if (x >= h.x0 && x <= h.x1) return h;
  }
  return null;
}
