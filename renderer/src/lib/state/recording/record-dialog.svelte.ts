import { defaultRecordingName, SEGMENT_SECONDS, segmentSeconds } from '../../recording/capture.js';

/** What the record dialog is for. */
export type RecordDialogMode =
  | { kind: 'start' }
  /** Continue an interrupted recording into its case. */
  | { kind: 'continue'; caseId: string; caseName: string }
  /** The recording goes on with another device. */
  | { kind: 'switch' };

/** The record dialog: what it is open for, and its form (the case's name, the segment length). */
export class RecordDialogForm {
  mode = $state<RecordDialogMode | null>(null);
  name = $state('');
  segmentSeconds = $state<number>(SEGMENT_SECONDS.default);

  open(mode: RecordDialogMode, now: number): void {
    this.mode = mode;
    this.name = defaultRecordingName(now);
  }

  /** Closes the dialog; what it was open for. */
  close(): RecordDialogMode | null {
    const mode = this.mode;
    this.mode = null;
    return mode;
  }

  /** The segment length typed, made valid (the default when it is not a number); the value the field shows. */
  typeSegmentSeconds(text: string): number {
    this.segmentSeconds = segmentSeconds(text) ?? SEGMENT_SECONDS.default;
    return this.segmentSeconds;
  }
}
