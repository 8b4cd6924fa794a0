/** What people are told when a recording ends (no DOM). */

import type { RecordingEnded } from '../../../../main/core/contract/recording-schemas.js';
import { duration as fmtDuration, plural } from '../util/format.js';

export interface EndedNotice {
  kind: 'success' | 'error' | 'info';
  title: string;
  message: string;
}

/** The toast for a recording that ended; `caseName` is null when the library does not know the case. */
export function endedNotice(e: RecordingEnded, caseName: string | null): EndedNotice {
  const what = `${plural(e.segments, 'segment')}, ${fmtDuration(e.duration)}`;
  const into = caseName ? ` into “${caseName}”` : '';
  const message = e.message ?? '';
  switch (e.reason) {
    case 'stopped':
      return { kind: 'success', title: `Recording stopped: ${what}${into}`, message };
    case 'disk-full':
      return { kind: 'error', title: `Recording stopped: the disk is full (${what} kept)`, message };
    case 'failed':
      return { kind: 'error', title: `Recording failed (${what} kept)`, message };
    default:
      return { kind: 'info', title: `Recording ended: the source ended (${what})`, message };
  }
}
