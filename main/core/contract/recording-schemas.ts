import { z } from 'zod';
import { Id } from './schemas.js';

const SourcePath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'path contains a NUL byte');

/** A live source: a capture device, or a file fed in real time as if it were live (rehearsal, tests). */
export const RecordingSource = z.union([
  z.object({ replay: SourcePath }).strict(),
  z.object({ device: z.string().min(1).max(200) }).strict(),
]);
export type RecordingSource = z.infer<typeof RecordingSource>;

export const RecordingStartInput = z.object({
  source: RecordingSource,
  name: z.string().trim().min(1).max(200).optional(),
  /** Continue into this case (after an interruption): new segments follow its parts. */
  caseId: Id.optional(),
  /** Stop by itself after this many seconds. */
  duration: z.number().positive().max(24 * 3600).optional(),
  /** Segment length; short segments lose less in a crash and reach the index sooner. */
  segmentSeconds: z.number().min(1).max(600).default(10),
}).strict();

export const RecordingProgress = z.object({
  caseId: Id,
  /** Segments this recording has added to the case so far. */
  segments: z.number().int().min(0),
  /** Seconds recorded by this recording so far (closed segments). */
  duration: z.number().min(0),
});
export type RecordingProgress = z.infer<typeof RecordingProgress>;

export const RecordingStatus = z.object({
  active: RecordingProgress.extend({ recordingId: Id, startedAt: z.string(), stopping: z.boolean() }).nullable(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

export const RecordingEnded = RecordingProgress.extend({
  recordingId: Id,
  reason: z.enum(['stopped', 'source-ended', 'disk-full', 'failed']),
  message: z.string().optional(),
});
export type RecordingEnded = z.infer<typeof RecordingEnded>;

/** A recording cut short by a crash, found at start: its complete segments are in its case. */
export const InterruptedRecording = z.object({
  recordingId: Id,
  caseId: Id,
  caseName: z.string(),
  startedAt: z.string(),
  /** Segments recovered into the case at this start. */
  recovered: z.number().int().min(0),
  /** Segment files that could not be read (the one being written at the crash), left on disk. */
  skipped: z.array(z.string()),
});
export type InterruptedRecording = z.infer<typeof InterruptedRecording>;
