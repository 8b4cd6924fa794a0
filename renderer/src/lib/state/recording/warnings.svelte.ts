import { afterSourceBack, withWarning, type RecordingWarning } from '../../recording/warnings.js';

/** Warnings about the running recording (disk space, a lost source, a restarted recorder), shown under its strip. */
export class RecordingWarnings {
  list = $state<RecordingWarning[]>([]);
  private nextId = 1;

  add(message: string, freeBytes: number | null, stopping: boolean, duringWait: boolean): void {
    const next = withWarning(this.list, { id: this.nextId, message, freeBytes, stopping, duringWait });
    if (!next) return;
    this.nextId++;
    this.list = next;
  }

  /** The source is back: what was said about its absence is over. */
  sourceBack(): void {
    this.list = afterSourceBack(this.list);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((w) => w.id !== id);
  }

  clear(): void {
    this.list = [];
  }
}
