/** Interrupted recordings people dismissed, as kept in the window's storage (no DOM). */

/** How many dismissals are remembered (old recordings fall off). */
export const MAX_DISMISSED = 50;

/** The stored list; anything unreadable counts as none dismissed. */
export function parseDismissed(raw: string | null): string[] {
  try {
    const v = JSON.parse(raw ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function withDismissed(list: readonly string[], recordingId: string): string[] {
  return [...list, recordingId].slice(-MAX_DISMISSED);
}
