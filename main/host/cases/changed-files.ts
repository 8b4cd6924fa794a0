import { stat } from 'node:fs/promises';
import { fingerprintFile } from '../../node/fingerprint.js';
import type { EventBus } from '../event-bus.js';
import type { ReadableStore } from '../store/store.js';

interface Seen {
  size: number;
  mtimeMs: number;
  changed: boolean;
}

/**
 * Notices a recording that changes on disk under an open case: the index, the evidence times and
 * any export would no longer match the file. A cheap check (size and modification time) runs
 * every few seconds for the cases opened lately; only when it trips is the content fingerprint
 * read, so a copied or touched file that kept its content is not reported.
 */
export class ChangedFiles {
  /** Case id → when it was last opened; the most recent few are watched. */
  private readonly watched = new Map<string, number>();
  /** Part id → the file state last judged, and the verdict. */
  private readonly seen = new Map<string, Seen>();
  private readonly inFlight = new Map<string, Promise<string[]>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: ReadableStore,
    private readonly bus: EventBus,
    opts: { intervalMs?: number; maxCases?: number } = {},
  ) {
    this.maxCases = opts.maxCases ?? 4;
    this.timer = setInterval(() => {
      for (const caseId of this.watched.keys()) void this.check(caseId).catch(() => undefined);
    }, opts.intervalMs ?? 5000);
    this.timer.unref();
  }

  private readonly maxCases: number;

  /** A case was opened: watch it, and check it now. */
  watch(caseId: string): void {
    this.watched.delete(caseId);
    this.watched.set(caseId, Date.now());
    while (this.watched.size > this.maxCases) this.watched.delete(this.watched.keys().next().value!);
    void this.check(caseId).catch(() => undefined);
  }

  isChanged(partId: string): boolean {
    return this.seen.get(partId)?.changed ?? false;
  }

  /**
   * Checks every part of a case; resolves with the parts found changed by this check. Checks of one
   * case run one after another, so a check asked for now sees the file as it is now.
   */
  check(caseId: string): Promise<string[]> {
    const before = this.inFlight.get(caseId) ?? Promise.resolve([]);
    const p: Promise<string[]> = before
      .catch(() => [])
      .then(() => this.checkParts(caseId))
      .finally(() => {
        if (this.inFlight.get(caseId) === p) this.inFlight.delete(caseId);
      });
    this.inFlight.set(caseId, p);
    return p;
  }

  private async checkParts(caseId: string): Promise<string[]> {
    const newlyChanged: string[] = [];
    let any = false;
    for (const part of this.store.partsOf(caseId)) {
      let st: { size: number; mtimeMs: number };
      try {
        st = await stat(part.path);
      } catch {
        continue; // Missing files are reported as missing, by the case view.
      }
      const last = this.seen.get(part.id) ?? { size: part.size, mtimeMs: part.mtime_ms, changed: false };
      if (st.size === last.size && st.mtimeMs === last.mtimeMs) continue;
      let changed: boolean;
      try {
        changed = st.size !== part.size || (await fingerprintFile(part.path)).fingerprint !== part.fingerprint;
      } catch {
        continue;
      }
      this.seen.set(part.id, { size: st.size, mtimeMs: st.mtimeMs, changed });
      if (changed !== last.changed) any = true;
      if (changed && !last.changed) {
        newlyChanged.push(part.id);
        this.bus.emit('recording.changed', { caseId, partId: part.id, fileName: part.file_name });
      }
    }
    if (any) this.bus.emit('cases.changed', { caseId });
    return newlyChanged;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
