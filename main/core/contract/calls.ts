import { z } from 'zod';
import {
  AppInfo, BrowseResult, CaseDetail, CaseSeconds, CaseSummary, CaseTracks, DoctorReport, FrameRef,
  FrameTimes, Id, ImportResult, IndexStatus, PartThumbnails, Settings, ViewState,
} from './schemas.js';
import { CaseConversations, FinishedRun } from './agent-schemas.js';
import { AuditExportResult, AuditPage } from './audit-schemas.js';
import { ExportBatchInput, ExportClipInput, ExportPreview, ExportPreviewInput, ExportStarted, FrameText } from './export-schemas.js';
import { ActiveRecording, InterruptedRecording, RecordingChunkInput, RecordingEnded, RecordingStartInput, RecordingStatus } from './recording-schemas.js';
import { Feedback, FeedbackInput, ReviewCounts, ReviewFilter, ReviewItem, TrainingSetResult } from './feedback-schemas.js';
import { Bookmark, BookmarkAddInput, BookmarkUpdateInput } from './bookmark-schemas.js';
import { CasePatient, PacsDone, PacsRetrieveInput, PacsSearchInput, PacsSearchResult, PacsSendResult } from './pacs-schemas.js';
import { LibrarySearchInput, LibrarySearchResult, PictureIndexStatus, SimilarFindInput, SimilarResult } from './similar-schemas.js';

const def = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const none = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

/** Paths typed by a user or chosen in a dialog; the backend checks them before use. */
const UserPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'path contains a NUL byte');

/**
 * Every call the renderer (or any client) can make. Adding a call is one entry here and one
 * handler in the host's router; both transports pick it up from this table.
 */
export const calls = {
  'app.info': def(none, AppInfo),
  'app.doctor': def(none, DoctorReport),

  'cases.list': def(none, z.array(CaseSummary)),
  'cases.get': def(z.object({ caseId: Id }).strict(), CaseDetail),
  'cases.import': def(
    z.object({
      paths: z.array(UserPath).min(1).max(500),
      name: z.string().trim().min(1).max(200).optional(),
      /** One case for all files (parts of one procedure) or one case per file. */
      mode: z.enum(['one-case', 'case-per-file']).default('one-case'),
      index: z.boolean().default(true),
    }).strict(),
    z.array(ImportResult),
  ),
  'cases.rename': def(z.object({ caseId: Id, name: z.string().trim().min(1).max(200) }).strict(), ok),
  'cases.delete': def(z.object({ caseId: Id }).strict(), ok),
  'cases.reorderParts': def(z.object({ caseId: Id, partIds: z.array(Id).min(1) }).strict(), CaseDetail),
  'cases.setView': def(z.object({ caseId: Id, view: ViewState }).strict(), ok),
  'cases.tracks': def(z.object({ caseId: Id }).strict(), CaseTracks),
  'cases.thumbnails': def(z.object({ caseId: Id }).strict(), z.array(PartThumbnails)),
  'cases.frameTimes': def(z.object({ partId: Id }).strict(), FrameTimes),

  'index.start': def(z.object({ caseId: Id }).strict(), IndexStatus),
  'index.cancel': def(z.object({ caseId: Id }).strict(), IndexStatus),
  /** Resolves once nothing of the case is queued or running (at once when idle), with its status then. */
  'index.wait': def(z.object({ caseId: Id }).strict(), IndexStatus),

  'frames.get': def(z.object({ caseId: Id, time: CaseSeconds }).strict(), FrameRef),
  /** Reads the burned-in text of the frame shown at a case time (what de-identification would mask there). */
  'frames.text': def(z.object({ caseId: Id, time: CaseSeconds }).strict(), FrameText),

  'files.pick': def(none, z.object({ paths: z.array(z.string()) })),
  'files.browse': def(z.object({ dir: UserPath.optional() }).strict(), BrowseResult),

  'demo.create': def(none, ImportResult),

  /** Starts answering at once; the reasoning streams as `agent.event`. */
  'agent.ask': def(
    z.object({
      caseId: Id,
      question: z.string().trim().min(1).max(4000),
      /** Default: the backend in the settings. */
      backend: z.string().trim().min(1).max(64).optional(),
      /** Continue this conversation (a follow-up); default a new one. */
      conversationId: Id.optional(),
      /** Where the player is while asking: "this" in "when else does this happen?". */
      playhead: CaseSeconds.optional(),
    }).strict(),
    z.object({ runId: Id, conversationId: Id }),
  ),
  /** `canceled` is false when the run had already ended. */
  'agent.cancel': def(z.object({ runId: Id }).strict(), z.object({ canceled: z.boolean() })),
  /** Resolves when the run has ended (or at once for one that ended recently in this process). */
  'agent.wait': def(z.object({ runId: Id }).strict(), FinishedRun),
  'agent.conversation': def(z.object({ caseId: Id, conversationId: Id.optional() }).strict(), CaseConversations),

  /** Clinician review of evidence: append-only; without `reviewer` the settings' reviewerName is used. */
  'feedback.add': def(FeedbackInput, Feedback),
  /** Every review of an item, newest first. */
  'feedback.history': def(z.object({ evidenceId: Id }).strict(), z.array(Feedback)),
  'feedback.list': def(z.object({ filter: ReviewFilter.default('all'), caseId: Id.optional() }).strict(), z.array(ReviewItem)),
  'feedback.counts': def(none, z.array(ReviewCounts)),
  /** One JSON line per reviewed evidence item (latest review); never replaces a file without `overwrite`. */
  'feedback.exportTrainingSet': def(
    z.object({ out: UserPath, caseId: Id.optional(), overwrite: z.boolean().default(false) }).strict(),
    TrainingSetResult,
  ),

  /** Starts a teaching-clip export; progress as `export.progress`, the outcome as `export.done`. */
  'export.clip': def(ExportClipInput, ExportStarted),
  /** One clip per evidence item into a folder, numbered; all of them or none. */
  'export.batch': def(ExportBatchInput, ExportStarted),
  /** What de-identifying a range would mask: the text found (listed for the reviewer) and out-of-body spans. */
  'export.preview': def(ExportPreviewInput, ExportPreview),
  /** `canceled` is false when the export had already ended; a canceled export leaves no file. */
  'export.cancel': def(z.object({ exportId: Id }).strict(), z.object({ canceled: z.boolean() })),

  /**
   * Marks a moment of a case. Without `time`, "now": the live edge of the case being recorded (an
   * error when it is not being recorded). The time must lie within the case so far.
   */
  'bookmarks.add': def(BookmarkAddInput, Bookmark),
  /** The case's bookmarks in time order (their numbers are 1, 2, 3...). */
  'bookmarks.list': def(z.object({ caseId: Id }).strict(), z.array(Bookmark)),
  /** Changes a bookmark's label (null removes it) and, with `time`, moves it. */
  'bookmarks.update': def(BookmarkUpdateInput, Bookmark),
  'bookmarks.delete': def(z.object({ bookmarkId: Id }).strict(), ok),

  /** The audit log, newest first, a page at a time: who reviewed, exported or changed what, and when. */
  'audit.list': def(
    z.object({ limit: z.number().int().min(1).max(1000).default(100), before: z.number().int().positive().optional() }).strict(),
    AuditPage,
  ),
  /** The whole audit log to a file: CSV for a .csv name, else JSON Lines; never replaces a file without `overwrite`. */
  'audit.export': def(z.object({ out: UserPath, overwrite: z.boolean().default(false) }).strict(), AuditExportResult),

  /** Starts recording a live source into a new case (or `caseId`'s); segments stream as `recording.segment`. */
  'recording.start': def(RecordingStartInput, z.object({ recordingId: Id, caseId: Id })),
  /** Ends the recording cleanly: the segment being written is closed and added first. */
  'recording.stop': def(none, RecordingEnded.nullable()),
  'recording.status': def(none, RecordingStatus),
  /** Recordings found cut short at this start and not continued since (the UI offers to continue them). */
  'recording.interrupted': def(none, z.array(InterruptedRecording)),
  /**
   * A piece of the window's capture stream, in order within its run. `accepted: false` means the
   * run is over (stopped, or a new run started): the window stops sending it.
   */
  'recording.chunk': def(RecordingChunkInput, z.object({ accepted: z.boolean() })),
  /** The window's capture source went away (unplugged): the open segment is closed and the recording waits. */
  'recording.sourceLost': def(z.object({ recordingId: Id, message: z.string().max(500).optional() }).strict(), ActiveRecording),
  /** The source is back: a new run starts, after a gap shown on the timeline. */
  'recording.resume': def(z.object({ recordingId: Id }).strict(), ActiveRecording),

  /** The patient of a case read from DICOM (null for others); asked for by the user, and audited. */
  'cases.patient': def(z.object({ caseId: Id }).strict(), CasePatient),

  /** Studies on the PACS (QIDO-RS); modalities default to the settings' (ES and XC). */
  'pacs.search': def(PacsSearchInput, PacsSearchResult),
  /**
   * Retrieves a study (or one series) over WADO-RS into the data folder and imports it; progress as
   * `pacs.progress`, the outcome as `pacs.done`. Instances retrieved before are not fetched again.
   */
  'pacs.retrieve': def(PacsRetrieveInput, z.object({ retrievalId: Id })),
  /** Resolves with a retrieval's outcome (at once for one that ended recently in this process). */
  'pacs.wait': def(z.object({ retrievalId: Id }).strict(), PacsDone),
  /** `canceled` is false when it had already ended; instances complete so far stay cached. */
  'pacs.cancel': def(z.object({ retrievalId: Id }).strict(), z.object({ canceled: z.boolean() })),
  /** Sends a de-identified teaching clip Opscope exported to the PACS (STOW-RS) as a DICOM video. */
  'pacs.send': def(z.object({ clip: UserPath }).strict(), PacsSendResult),

  /** The case's picture index (embeddings of its keyframes): built after indexing, in the background. */
  'similar.status': def(z.object({ caseId: Id }).strict(), PictureIndexStatus),
  /** Builds (or resumes) the case's picture index; progress as `similar.progress`. */
  'similar.build': def(z.object({ caseId: Id }).strict(), PictureIndexStatus),
  /** Stops building it; what is embedded so far stays and the next build goes on from there. */
  'similar.cancel': def(z.object({ caseId: Id }).strict(), PictureIndexStatus),
  /** Resolves once the case's picture index is neither queued nor being built. */
  'similar.wait': def(z.object({ caseId: Id }).strict(), PictureIndexStatus),
  /** The moments that look like the frame at `time` (or a box of it), best first, in the case or the library. */
  'similar.find': def(SimilarFindInput, SimilarResult),
  /** Cases by events ("bleeding longer than 20 s") and words in questions, answers, comments and bookmark labels. */
  'search.library': def(LibrarySearchInput, LibrarySearchResult),

  'settings.get': def(none, Settings),
  'settings.set': def(Settings.partial().strict(), Settings),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
export type CallParsedInput<K extends CallName> = z.output<Calls[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>;

export const CALL_NAMES = Object.keys(calls) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
