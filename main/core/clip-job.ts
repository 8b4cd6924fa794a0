import type { CaptionCue } from './captions.js';

/** The worker's `exportClip` job: cuts (and re-encodes or copies) ranges of recordings into one clip. */

export type ClipMode = 'accurate' | 'stream-copy';

/** One range of one recording, in part seconds (offset 0 is where ffmpeg seeks to 0). */
export interface ClipSegment {
  path: string;
  /**
   * Accurate mode: the first frame in the clip is the first at or after `from` (the host picks a
   * point between the wanted frame and its predecessor) and the last is the last before `to`.
   * Stream copy: `from` is the time of the keyframe the copy starts with.
   */
  from: number;
  to: number;
  /**
   * Accurate mode: the times of the segment's first and last frames. With them, masks showing for
   * part of the segment are worked from decodes of their own windows (see mask-windows.ts); given
   * only for containers whose index makes a seek land where asked (MP4 and MOV).
   */
  first?: number;
  last?: number;
  /** Stream copy: how many frames to copy from the keyframe on (whole GOPs). */
  frames?: number;
  hasAudio: boolean;
  /** De-identification masks of this segment (accurate mode only; see ExportClipParams.deidentify). */
  masks?: SegmentMasks;
}

/** How burned-in text is hidden: smeared beyond reading, or covered with a solid box. */
export type MaskStyle = 'blur' | 'box';
/** How frames filmed outside the patient are hidden: heavily blurred, or replaced by a card. */
export type OutOfBodyTreatment = 'blur' | 'card';

/** A rectangle [x, y, w, h] in pixels of the picture as decoded (rotation applied). */
export type MaskBox = [number, number, number, number];

/** Times in seconds from the segment's first frame; `to` is exclusive. */
export interface SegmentMasks {
  /** The segment's picture as decoded, which the boxes are in. */
  width: number;
  height: number;
  regions: { box: MaskBox; from: number; to: number }[];
  outOfBody: { from: number; to: number }[];
  /** People and faces, hidden more heavily than text (see DeidentifyParams.people). */
  people?: { box: MaskBox; from: number; to: number }[];
}

export interface DeidentifyParams {
  mask: MaskStyle;
  outOfBody: OutOfBodyTreatment;
  /** How people and faces are hidden (default blur): smeared to a few blocks, or a solid box. */
  people?: MaskStyle;
  /** Drawn on the card that replaces out-of-body frames. */
  cardText: string;
}

/** The worker's `maskImage` job: a still with the masks of its moment applied. */
export interface MaskImageParams {
  input: string;
  out: string;
  boxes: MaskBox[];
  /** People and faces at the still's moment. */
  people?: MaskBox[];
  /** The still was filmed outside the patient. */
  outOfBody: boolean;
  deidentify: DeidentifyParams;
}

export interface ExportClipParams {
  segments: ClipSegment[];
  /** The file written (a temporary name the host renames once everything has succeeded). */
  out: string;
  /** Container: 'mp4' for .mp4/.m4v, 'mov' for .mov. */
  format: 'mp4' | 'mov';
  mode: ClipMode;
  /** Picture size of the clip (accurate mode): every segment is fitted into it. */
  size: { width: number; height: number };
  /** Frame rate of the title card (accurate mode); segments keep their own timestamps. */
  fps: number;
  /** Every segment has this constant frame rate (accurate mode); otherwise timestamps are kept finely. */
  uniformRate: boolean;
  captions: { cues: CaptionCue[]; burn: boolean };
  /** A running case clock drawn top-left (burned captions only); times in clip seconds. */
  clock: { start: number; end: number; caseTime: number } | null;
  keepAudio: boolean;
  keepMetadata: boolean;
  titleCard: { text: string; seconds: number } | null;
  /** Masks each segment's `masks` this way; null or absent: no masking. */
  deidentify?: DeidentifyParams | null;
}

export interface ExportClipResult {
  out: string;
  /** Measured from the written file, seconds. */
  duration: number;
  bytes: number;
  width: number;
  height: number;
  audio: boolean;
  /** Per segment, the part-relative range the clip really holds (measured in stream copy). */
  segments: { from: number; to: number }[];
}
