/*
 * Teaching-clip export on the wire: what a client asks for, what it gets back, and the progress
 * and completion events of a running export.
 */

import { z } from 'zod';
import { CaseSeconds, FrameRef, Id } from './schemas.js';

/** Paths typed by a user or chosen in a dialog; the backend checks them before use. */
const OutPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'path contains a NUL byte');

export const ExportCaptions = z.enum(['none', 'vtt', 'burn']);
export type ExportCaptions = z.infer<typeof ExportCaptions>;

export const TitleCard = z
  .object({
    text: z.string().trim().min(1).max(500),
    seconds: z.number().min(0.5).max(30).default(3),
  })
  .strict();

/** A rectangle [x, y, width, height] in pixels of the recording (rotation applied). */
export const MaskRect = z.tuple([
  z.number().int().min(0).max(16384),
  z.number().int().min(0).max(16384),
  z.number().int().min(1).max(16384),
  z.number().int().min(1).max(16384),
]);
export type MaskRect = z.infer<typeof MaskRect>;

/**
 * De-identification of a clip: burned-in text found by OCR is masked (blurred beyond reading, or
 * covered by a box), frames filmed outside the patient are blurred or replaced by a card, and the
 * clip carries no sound and no metadata. The reviewer can add rectangles and take out found ones.
 */
export const Deidentify = z
  .object({
    mask: z.enum(['blur', 'box']).default('blur'),
    outOfBody: z.enum(['blur', 'card', 'none']).default('blur'),
    /** Look for burned-in text (OCR); without it only `add` rectangles are masked. */
    text: z.boolean().default(true),
    /** Masked for the whole range, in every part of it. */
    add: z.array(MaskRect).max(64).default([]),
    /** Found text regions mostly inside one of these are not masked. */
    remove: z.array(MaskRect).max(256).default([]),
    /**
     * People and faces found in every frame read: smeared to a few blocks, covered by a box, or
     * left ('none': only when `outOfBody` hides the room frames another way).
     */
    people: z.enum(['blur', 'box', 'none']).default('blur'),
    /** People masks drawn by the reviewer, for the whole range. */
    addPeople: z.array(MaskRect).max(64).default([]),
    /** Found people masks mostly inside one of these (or holding one) are not masked. */
    removePeople: z.array(MaskRect).max(256).default([]),
  })
  .strict();
export type Deidentify = z.infer<typeof Deidentify>;

/** Why `people: 'none'` is refused with `outOfBody: 'none'`: the room would leave unmasked. */
export const PEOPLE_NONE_REFUSED =
  'People can be left unmasked only when out-of-body frames are hidden another way: with --out-of-body none, keep --people blur or box.';

/** How a clip is made; the same for one clip and for a batch. */
export const ExportOptions = z.object({
  /** 'vtt' writes a WebVTT sidecar; 'burn' draws the captions into the picture. */
  captions: ExportCaptions.default('vtt'),
  /** Copy the recording's streams (fast, cuts at keyframes) instead of re-encoding frame-accurately. */
  streamCopy: z.boolean().default(false),
  /** The recording's sound; dropped by default (theatre talk is rarely meant for teaching). */
  keepAudio: z.boolean().default(false),
  /** Creation time, device and location tags; stripped by default. */
  keepMetadata: z.boolean().default(false),
  titleCard: TitleCard.optional(),
  /** Mask what identifies the patient (see Deidentify); needs re-encoding, no audio, no metadata. */
  deidentify: Deidentify.optional(),
  /** Replace files of the same name; without it an existing file is an error. */
  overwrite: z.boolean().default(false),
});
export type ExportOptions = z.infer<typeof ExportOptions>;

export const ExportClipInput = ExportOptions.extend({
  caseId: Id,
  /** The evidence item to export: its window (as corrected by review), question and claim. */
  evidenceId: Id.optional(),
  /** A case range instead of (or overriding the window of) an evidence item. */
  start: CaseSeconds.optional(),
  end: CaseSeconds.optional(),
  /** The clip file (.mp4, .m4v or .mov); sidecars are written beside it with the same stem. */
  out: OutPath,
})
  .strict()
  .refine((v) => v.evidenceId !== undefined || (v.start !== undefined && v.end !== undefined), {
    message: 'give an evidence item, or a start and an end',
  })
  .refine((v) => (v.start === undefined) === (v.end === undefined), { message: 'give both a start and an end' });
export type ExportClipInput = z.infer<typeof ExportClipInput>;

export const ExportBatchInput = ExportOptions.extend({
  caseId: Id,
  /** In this order; clips are numbered 01, 02, ... */
  evidenceIds: z.array(Id).min(1).max(500),
  /** An existing folder. */
  outDir: OutPath,
  /** File names are `<prefix>-01.mp4` and so on. */
  prefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,60}$/, 'letters, digits, space, _ . - only').default('clip'),
}).strict();
export type ExportBatchInput = z.infer<typeof ExportBatchInput>;

const Range = z.object({ start: z.number(), end: z.number() });

export const ExportResult = z.object({
  exportId: Id,
  /** Absolute paths of what was written. */
  output: z.string(),
  manifest: z.string(),
  vtt: z.string().nullable(),
  stills: z.array(z.string()),
  /** Seconds, measured from the written clip (title card included). */
  duration: z.number(),
  mode: z.enum(['accurate', 'stream-copy']),
  evidenceId: Id.nullable(),
  /** Case range asked for, and the one the clip really holds (stream copy snaps to keyframes). */
  requested: Range,
  actual: Range,
  bytes: z.number(),
  /** What de-identification masked; absent or null when the clip was not de-identified. */
  deidentified: z
    .object({
      textRegions: z.number().int(),
      outOfBodySpans: z.number().int(),
      /** People masks in the clip (found and drawn, not those taken out). */
      peopleMasks: z.number().int().optional(),
      /** Frames read inside spans called inside the patient where someone was found (and masked). */
      peopleInsidePatientView: z.number().int().optional(),
    })
    .nullable()
    .optional(),
});
export type ExportResult = z.infer<typeof ExportResult>;

/** A text region that would be masked (or was taken out by the reviewer). */
export const MaskRegion = z.object({
  /** Stable for the same box of the same part: a key for lists. */
  id: z.string(),
  partId: Id,
  box: MaskRect,
  /** Case seconds; `end` exclusive. */
  start: z.number(),
  end: z.number(),
  /** What OCR read in it (empty when it could not read it: it is masked all the same). */
  texts: z.array(z.string()),
  score: z.number(),
  /** In the same place in most sampled frames: masked for the whole range. */
  steady: z.boolean(),
  source: z.enum(['ocr', 'manual']),
  /** Taken out by the reviewer: listed, not masked. */
  removed: z.boolean(),
});
export type MaskRegion = z.infer<typeof MaskRegion>;

/** A person or a face that would be masked (or was taken out by the reviewer). */
export const PersonMask = z.object({
  id: z.string(),
  partId: Id,
  box: MaskRect,
  /** Case seconds; `end` exclusive: from the frame read before it was seen to the one after. */
  start: z.number(),
  end: z.number(),
  /** Which detectors found it; empty for a reviewer's box. */
  found: z.array(z.enum(['person', 'face'])),
  score: z.number(),
  source: z.enum(['detector', 'reviewer']),
  /** Seen in frames the index called inside the patient: masked all the same (the safety net). */
  insidePatientView: z.boolean(),
  removed: z.boolean(),
});
export type PersonMask = z.infer<typeof PersonMask>;

export const ExportPreviewInput = z
  .object({
    caseId: Id,
    evidenceId: Id.optional(),
    start: CaseSeconds.optional(),
    end: CaseSeconds.optional(),
    deidentify: Deidentify.optional(),
  })
  .strict()
  .refine((v) => v.evidenceId !== undefined || (v.start !== undefined && v.end !== undefined), {
    message: 'give an evidence item, or a start and an end',
  })
  .refine((v) => (v.start === undefined) === (v.end === undefined), { message: 'give both a start and an end' });
export type ExportPreviewInput = z.infer<typeof ExportPreviewInput>;

/** The burned-in text read on the frame shown at a case time (boxes in the recording's pixels). */
export const FrameText = z.object({
  time: z.number(),
  partId: Id,
  width: z.number().int(),
  height: z.number().int(),
  device: z.string(),
  texts: z.array(z.object({ text: z.string(), box: z.tuple([z.number(), z.number(), z.number(), z.number()]), score: z.number() })),
});
export type FrameText = z.infer<typeof FrameText>;

/** What a de-identified export of a range would mask, and a frame of it to show the boxes on. */
export const ExportPreview = z.object({
  caseId: Id,
  start: z.number(),
  end: z.number(),
  regions: z.array(MaskRegion),
  /** Case-time spans filmed outside the patient, and how they would be hidden. */
  outOfBody: z.array(Range),
  outOfBodyTreatment: z.enum(['blur', 'card', 'none']),
  /** Frames sampled for text and people (about one a second). */
  samples: z.number().int(),
  /** ... of which read by the text reader and the people detectors; the others looked like the frame read before them. */
  read: z.number().int(),
  /** The frame the boxes are drawn on (regions of its part apply to it). */
  still: FrameRef.nullable(),
  /** Where OCR ran and how long it took; null when no text was looked for. */
  ocr: z.object({ device: z.string(), ms: z.number() }).nullable(),
  /** People and faces found (and drawn), with how they would be hidden. */
  people: z.array(PersonMask),
  peopleTreatment: z.enum(['blur', 'box', 'none']),
  /** Frames read inside spans called inside the patient where someone was found. */
  peopleInsidePatientView: z.number().int(),
  /** Where the people detectors ran and how long they took; null when people were not looked for. */
  vision: z.object({ backend: z.string(), ms: z.number() }).nullable(),
});
export type ExportPreview = z.infer<typeof ExportPreview>;

export const ExportBatchResult = z.object({
  exportId: Id,
  outDir: z.string(),
  clips: z.array(ExportResult),
});
export type ExportBatchResult = z.infer<typeof ExportBatchResult>;

export const ExportStarted = z.object({ exportId: Id });

export const ExportProgress = z.object({
  exportId: Id,
  /** 0..1 over the whole export (a batch: over all its clips). */
  fraction: z.number().min(0).max(1),
  stage: z.string(),
  /** In a batch: which clip, from 1. */
  item: z.number().int().positive().optional(),
  items: z.number().int().positive().optional(),
});
export type ExportProgress = z.infer<typeof ExportProgress>;

/** Once per export: exactly one of `result` (one clip), `batch` or `error`. */
export const ExportDone = z.object({
  exportId: Id,
  result: ExportResult.nullable(),
  batch: ExportBatchResult.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ExportDone = z.infer<typeof ExportDone>;
