/*
 * Bookmarks (bookmarks.* calls): moments a clinician marks in a case, most often live, while the
 * operation is recorded ("now"), and asks about later. Times are checked against the case as it
 * is: its recorded parts, or the moment being recorded when it is live.
 */

import type { Bookmark } from '../../core/contract/bookmark-schemas.js';
import { OpscopeError } from '../../core/errors.js';
import { formatTime } from '../../core/time-format.js';
import { caseDuration } from '../cases/case-model.js';
import type { EventBus } from '../event-bus.js';
import type { Store } from '../store/store.js';

/** Case time of the moment being recorded now, or null when the case is not being recorded. */
export type LiveEdge = (caseId: string) => number | null;

/** Case durations are float sums of part durations; a bookmark "at the end" is inside. */
const EPSILON = 1e-6;

/** "12:03", or "12:03.500" for a time between whole seconds. */
const clock = (t: number) => formatTime(t, { millis: Math.abs(t - Math.round(t)) > 0.0005 });

export class BookmarkService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly liveEdge: LiveEdge,
    /** Who is marking: the reviewer name in the settings, or null when none is set. */
    private readonly who: () => string | null = () => null,
  ) {}

  /** Marks a moment; without `time`, the live edge of the case being recorded. */
  add(input: { caseId: string; time?: number | undefined; label?: string | undefined }): Bookmark {
    const { caseId } = input;
    this.requireCase(caseId);
    const live = this.liveEdge(caseId);
    let time = input.time;
    if (time === undefined) {
      if (live === null) {
        throw new OpscopeError(
          'invalid-input',
          'This case is not being recorded, so there is no "now" to bookmark: give the time of the moment (e.g. 12:30).',
        );
      }
      time = live;
    }
    this.checkTime(caseId, time, live);
    const row = this.store.bookmarks.add({ caseId, time, label: input.label ?? null, createdBy: this.who() });
    this.bus.emit('bookmarks.changed', { caseId });
    return row;
  }

  list(caseId: string): Bookmark[] {
    this.requireCase(caseId);
    return this.store.bookmarks.list(caseId);
  }

  update(input: { bookmarkId: string; label: string | null; time?: number | undefined }): Bookmark {
    const before = this.require(input.bookmarkId);
    if (input.time !== undefined) this.checkTime(before.caseId, input.time, this.liveEdge(before.caseId));
    const row = this.store.bookmarks.update(input.bookmarkId, { label: input.label, time: input.time }, this.actor());
    this.bus.emit('bookmarks.changed', { caseId: row.caseId });
    return row;
  }

  delete(bookmarkId: string): { ok: true } {
    const gone = this.store.bookmarks.delete(bookmarkId, this.actor());
    this.bus.emit('bookmarks.changed', { caseId: gone.caseId });
    return { ok: true };
  }

  /** The case's length so far: its recorded parts, or the live edge when being recorded and later. */
  private limit(caseId: string, live: number | null): number {
    const recorded = caseDuration(this.store.partsOf(caseId));
    return live === null ? recorded : Math.max(recorded, live);
  }

  private checkTime(caseId: string, time: number, live: number | null): void {
    const limit = this.limit(caseId, live);
    if (!Number.isFinite(time) || time < 0 || time > limit + EPSILON) {
      const so = live === null ? '' : ' so far';
      throw new OpscopeError(
        'invalid-input',
        `The time ${Number.isFinite(time) ? clock(time) : String(time)} is outside the case, which runs from 0:00 to ${clock(limit)}${so}.`,
      );
    }
  }

  private actor(): string {
    return this.who() ?? 'user';
  }

  private require(bookmarkId: string): Bookmark {
    const b = this.store.bookmarks.get(bookmarkId);
    if (!b) throw new OpscopeError('not-found', 'There is no such bookmark (it or its case may have been deleted).');
    return b;
  }

  private requireCase(caseId: string): void {
    if (!this.store.getCase(caseId)) throw new OpscopeError('not-found', 'This case no longer exists.');
  }
}
