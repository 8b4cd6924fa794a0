import { z } from 'zod';
import { Id } from './schemas.js';

/** What MediaRecorder writes: WebM or Matroska (the codec is read from the stream itself). */
const CaptureMime = z.string().max(120).regex(/^video\/(webm|x-matroska)\b/, 'a WebM or Matroska stream');

const SourcePath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'path contains a NUL byte');

/** A live source: a capture device, or a file fed in real time as if it were live (rehearsal, tests). */
export const RecordingSource = z.union([
  z.object({ replay: SourcePath }).strict(),
  z.object({ device: z.string().min(1).max(200) }).strict(),
  /** The app window captures the device (MediaRecorder) and sends the stream with `recording.chunk`. */
  z.object({
    capture: z.object({
      label: z.string().max(200),
      mimeType: CaptureMime,
      /** The device's frame rate: the segments are written at it (the browser's stream has capture-clock timestamps). */
      frameRate: z.number().min(1).max(240).optional(),
    }).strict(),
  }).strict(),
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

export const RecordingState = z.enum(['recording', 'waiting', 'stopping']);
export type RecordingState = z.infer<typeof RecordingState>;

export const ActiveRecording = RecordingProgress.extend({
  recordingId: Id,
  startedAt: z.string(),
  stopping: z.boolean(),
  /** `waiting`: the source went away (unplugged) and the recording resumes when it is back. */
  state: RecordingState,
  source: z.enum(['capture', 'device', 'replay']),
  /** The device's or file's name, as shown to people. */
  sourceLabel: z.string(),
  /**
   * Runs of this recording: a new one starts after the source came back or the recorder was
   * restarted. A window capturing for an older run must start a fresh stream.
   */
  run: z.number().int().min(1),
  /** Case time of the moment being recorded now (closed segments plus what is being written). */
  liveEdge: z.number().min(0),
  /** The encoder writing the segments, and whether it is hardware. */
  encoder: z.object({ name: z.string(), hardware: z.boolean() }).nullable(),
  message: z.string().optional(),
});
export type ActiveRecording = z.infer<typeof ActiveRecording>;

export const RecordingStatus = z.object({ active: ActiveRecording.nullable() });
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

/** One piece of a window capture's stream (base64: the same wire format over IPC and WebSocket). */
export const RecordingChunkInput = z.object({
  recordingId: Id,
  run: z.number().int().min(1),
  /** Pieces of a run are numbered from 0; a missing number means a lost piece and is refused. */
  seq: z.number().int().min(0),
  data: z.base64().max(24 * 1024 * 1024),
}).strict();

