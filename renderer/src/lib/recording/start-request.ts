/** The `recording.start` call the record dialog makes (no DOM). */

import type { CallInput } from '../../../../main/core/contract/calls.js';
import { defaultRecordingName } from './capture.js';

/** What the dialog is started for: a new case, or continuing an interrupted one. */
export type StartFor = { kind: 'start' } | { kind: 'continue'; caseId: string };

export interface StartForm {
  /** The device's name as the recording shows it. */
  label: string;
  mimeType: string;
  /** The track's frame rate, when the browser says it. */
  frameRate: number | undefined;
  segmentSeconds: number;
  /** The case name typed (a new case only). */
  name: string;
  /** Now (ms), for the default name. */
  now: number;
}

/** The label a recording shows when the browser gave the device no name. */
export const UNNAMED_DEVICE = 'Capture device';

export function startRequest(what: StartFor, f: StartForm): CallInput<'recording.start'> {
  const frameRate = f.frameRate;
  return {
    // A frame rate the backend would refuse is left out: the segments then take the stream's own.
    source: { capture: { label: f.label, mimeType: f.mimeType, ...(frameRate && frameRate >= 1 && frameRate <= 240 ? { frameRate } : {}) } },
    segmentSeconds: f.segmentSeconds,
    ...(what.kind === 'continue' ? { caseId: what.caseId } : { name: f.name.trim() || defaultRecordingName(f.now) }),
  };
}
