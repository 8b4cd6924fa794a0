/** Warnings about the running recording, as the strip over the case lists them (no DOM). */

export interface RecordingWarning {
  id: number;
  message: string;
  /** Disk space (bytes) when the warning is about the disk. */
  freeBytes: number | null;
  stopping: boolean;
  /** Said while the recording waited for its source (the banner over the picture says it too). */
  duringWait: boolean;
}

/** At most this many warnings are shown; older ones give way. */
export const MAX_WARNINGS = 4;

/** The list with `w` added last; null when the same message is shown already. */
export function withWarning(list: readonly RecordingWarning[], w: RecordingWarning): RecordingWarning[] | null {
  if (list.some((x) => x.message === w.message)) return null;
  return [...list.slice(-(MAX_WARNINGS - 1)), w];
}

/** The source is back: what was said about its absence is over. */
export function afterSourceBack(list: readonly RecordingWarning[]): RecordingWarning[] {
  return list.filter((w) => !w.duringWait);
}
