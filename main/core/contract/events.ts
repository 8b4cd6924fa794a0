import { z } from 'zod';
import { Id, IndexStatus, WorkerStatus } from './schemas.js';
import { AgentEventMessage } from './agent-schemas.js';
import { ExportDone, ExportProgress } from './export-schemas.js';
import { ActiveRecording, InterruptedRecording, RecordingEnded, RecordingProgress } from './recording-schemas.js';
import { PacsDone, PacsProgress } from './pacs-schemas.js';
import { PictureIndexStatus } from './similar-schemas.js';

/** Everything the backend tells clients without being asked. */
export const events = {
  /** The library changed: a case was added, removed, renamed or its parts changed. */
  'cases.changed': z.object({ caseId: Id.nullable() }),
  'index.progress': z.object({ caseId: Id, status: IndexStatus }),
  'import.progress': z.object({ done: z.number().int(), total: z.number().int(), path: z.string() }),
  'demo.progress': z.object({ progress: z.number().min(0).max(1), stage: z.string() }),
  'worker.status': WorkerStatus,
  /**
   * One engine event of a run, in order (`seq` increases). Consecutive thought deltas are merged
   * (so `seq` may skip), and `run-ended` comes once the run is in the store.
   */
  'agent.event': AgentEventMessage,
  /** A running teaching-clip export (at most ~10 a second). */
  'export.progress': ExportProgress,
  /** Once per export: its result, or why it failed or that it was canceled (nothing is left then). */
  'export.done': ExportDone,
  /** A review of an evidence item was added: lists and counts showing it should refresh. */
  'feedback.changed': z.object({ caseId: Id, evidenceId: Id }),
  /** A bookmark of the case was added, changed or deleted: its list (and the numbers) should be read again. */
  'bookmarks.changed': z.object({ caseId: Id }),
  /** A recording of a case no longer has the content it was imported with (its fingerprint changed). */
  'recording.changed': z.object({ caseId: Id, partId: Id, fileName: z.string() }),
  /** A live recording closed a segment and added it to its case (indexing follows). */
  'recording.segment': RecordingProgress,
  /**
   * Something a live recording's users must know: disk space is low (or so low that recording
   * stopped), the source went away, the recorder restarted. `freeBytes` is set for disk warnings.
   */
  'recording.warning': z.object({ caseId: Id, message: z.string(), freeBytes: z.number().nullable(), stopping: z.boolean() }),
  'recording.ended': RecordingEnded,
  /** The running recording changed state or run (a window capturing starts a fresh stream on a new run). */
  'recording.state': ActiveRecording,
  /** Recordings cut short by a crash, found and recovered at start. */
  'recording.interrupted': z.object({ recordings: z.array(InterruptedRecording) }),
  /** A retrieval from the PACS (at most ~10 a second). */
  'pacs.progress': PacsProgress,
  /** Once per retrieval: what was imported, what failed, or that it was canceled. */
  'pacs.done': PacsDone,
  /** A case's picture index is being built (at most ~10 a second), or stopped, failed or finished. */
  'similar.progress': z.object({ caseId: Id, status: PictureIndexStatus }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}
