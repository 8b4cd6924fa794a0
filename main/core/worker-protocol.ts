import { z } from 'zod';
import type { SerializedError } from './errors.js';
import type { PacketScan, ProbeSummary } from './media-info.js';
import type { ExportClipParams, ExportClipResult, MaskImageParams } from './clip-job.js';
import type { DicomInstanceInfo } from './dicom/instance.js';

/**
 * The protocol between the host (Electron main, the Node host or the CLI) and the media worker
 * (an Electron utilityProcess, or a forked Node child). Same messages either way; payloads are
 * structured-cloned, so typed arrays travel without JSON.
 */

export interface InspectResult {
  size: number;
  mtimeMs: number;
  fingerprint: string;
  probe: ProbeSummary;
  /** A DICOM video: the instance, and the remuxed file that size, fingerprint and probe describe. */
  dicom?: DicomInstanceInfo;
}

export interface FovResult {
  mask: Uint8Array;
  width: number;
  height: number;
}

/** A decoded analysis sample: features of one keyframe. */
export interface ChunkSample {
  /** Seconds from the part's start. */
  time: number;
  features: unknown;
}

export interface ChunkThumbs {
  /** Sheet files written, in order (absolute paths inside the data directory). */
  files: string[];
  /** Part-relative time of every thumbnail in sheet order. */
  times: number[];
}

export interface ChunkResult {
  samples: ChunkSample[];
  thumbs: ChunkThumbs;
}

export interface AnalysisGeometry {
  width: number;
  height: number;
}

export interface ThumbGeometry {
  width: number;
  height: number;
  columns: number;
  rows: number;
  interval: number;
}

/** One frame the agent's tools want, already snapped to a real frame by the host. */
export interface AgentFrameRequest {
  /** Frame index in the part (presentation order) and its timestamp, part seconds. */
  index: number;
  time: number;
  /** Part seconds between which this frame's timestamp is the only one (halfway to its neighbours). */
  from: number;
  to: number;
  /** Case time drawn on the frame. */
  caseTime: number;
  /** File written, inside `outDir`, without extension. */
  name: string;
}

export type FrameFormat = 'png' | 'jpeg';

/** A frame by its index in the part's frame table, with what checks that the file agrees. */
export interface FrameTimingParams {
  index: number;
  /** Its timestamp, the first frame's and the number of frames (part seconds, from the packet scan). */
  time: number;
  first: number;
  count: number;
}

/** One decoder run over a part (see core/frame-decode-plan.ts). */
export interface AgentFramePass {
  /** 'key': only keyframes are decoded (every frame of the pass is one); 'all': every frame on the way. */
  mode: 'key' | 'all';
  /** Part seconds the decoder seeks to (the container seek lands on the keyframe at or before it). */
  seek: number;
  /** Seconds read from `seek` at most. */
  duration: number;
  /** Ascending. */
  frames: AgentFrameRequest[];
}

/** Raw features of one frame, on the scale of the index's raw per-second tracks. */
export interface AgentFrameFeatures {
  blood: number;
  haze: number;
  outOfBody: number;
  brightness: number;
}

export interface AgentFrameResult {
  index: number;
  time: number;
  /** Absolute path of the JPEG written. */
  file: string;
  width: number;
  height: number;
  /** Null unless `analysis` was given. */
  features: AgentFrameFeatures | null;
}

export interface AgentFramesParams {
  path: string;
  /** The part's start time as its packet scan saw it: frame timestamps are offsets from it. */
  startTime: number;
  /** Frames of this part, in the decoder runs that fetch them; results come back in this order. */
  passes: AgentFramePass[];
  outDir: string;
  /** Longest side of the frames written; 0 keeps the recording's size. */
  size: number;
  /** The recording's picture size as displayed (rotation applied). */
  source: { width: number; height: number };
  /** Measure signal features at this size inside this field-of-view mask (empty: whole frame). */
  analysis: (AnalysisGeometry & { mask: Uint8Array }) | null;
  /** The part's frame table (first timestamp, frame count): lets a warm decoder give the frames. */
  timing?: { first: number; count: number };
}

/** A chat as the model worker receives it: text parts and image files, in order. */
export type VlmContentPart = { type: 'text'; text: string } | { type: 'image'; file: string };

export interface VlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: VlmContentPart[];
}

export type VlmDevice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

export interface VlmModelSpec {
  /** The model folder (transformers.js ONNX layout). */
  dir: string;
  device: VlmDevice;
  /** 'auto' picks the first precision whose files are all in the folder. */
  dtype: string;
}

export interface VlmTurnParams {
  model: VlmModelSpec;
  messages: VlmMessage[];
  maxNewTokens: number;
}

/** How the model was loaded: recorded with every run. */
export interface VlmLoadInfo {
  modelType: string;
  device: string;
  dtype: string;
  /** Devices tried before the one used, and why each failed. */
  fallbacks: { device: string; error: string }[];
  loadMs: number;
}

export interface VlmTurnResult {
  load: VlmLoadInfo;
  text: string;
  tokens: number;
  /** 'eos', 'length' (max tokens) or 'interrupted' (stopped early by the host). */
  finish: 'eos' | 'length' | 'interrupted';
}

/** Streamed by a vlmTurn: a load stage, then text pieces. */
export type VlmPartial = { kind: 'loading'; stage: string } | { kind: 'loaded'; load: VlmLoadInfo } | { kind: 'text'; text: string };

/** One line of burned-in text: where it is (source pixels, [x, y, w, h]) and what it reads. */
export interface OcrText {
  text: string;
  box: [number, number, number, number];
  /** Mean character probability of the reading (0 when unread). */
  score: number;
  /** Mean text probability of the detected region. */
  detScore: number;
}

/** Which execution provider the OCR models run on, and why better ones were not used. */
export interface OcrDeviceInfo {
  device: string;
  fallbacks: { device: string; error: string }[];
  loadMs: number;
}

export interface OcrFrameParams {
  path: string;
  /** Accurate seek landing on the wanted frame (part seconds). */
  seek: number;
  /** The picture as displayed (rotation applied). */
  source: { width: number; height: number };
  device: VlmDevice;
}

export interface OcrRangeParams {
  path: string;
  /** The frames to read: `time` is reported back, `seek` lands on the frame. */
  samples: { time: number; seek: number }[];
  source: { width: number; height: number };
  device: VlmDevice;
}

export interface OcrRangeResult {
  samples: { time: number; texts: OcrText[] }[];
  info: OcrDeviceInfo;
  /** Milliseconds spent decoding and reading. */
  ms: number;
}

/**
 * The frames a de-identified export reads, each decoded once and looked at by the text reader
 * and the people detectors side by side.
 */
export interface DeidFramesParams {
  path: string;
  samples: { time: number; seek: number }[];
  source: { width: number; height: number };
  device: VlmDevice;
  /** Read burned-in text (OCR). */
  text: boolean;
  /** Look for people (whole-person boxes) and faces, keeping those scoring at least these. */
  people: { person: number; face: number } | null;
}

export interface DeidFramesResult {
  /** The frames read, in time order: a sampled frame that looked like the last one read is left out. */
  samples: { time: number; texts: OcrText[]; persons: VisionDetection[]; faces: VisionDetection[] }[];
  /** Frames decoded and compared (all of `DeidFramesParams.samples`). */
  sampled: number;
  /** Null when no text was looked for. */
  ocr: (OcrDeviceInfo & { ms: number }) | null;
  /** Null when no people were looked for; `ms` is the detectors' own time. */
  vision: { backend: string; models: { objects: string; faces: string }; loadMs: number; ms: number } | null;
  /** Milliseconds for the whole job (decoding included; the two readers overlap). */
  ms: number;
}

/** Per-frame out-of-body scores over a run of consecutive frames of one part. */
export interface OutOfBodyFramesParams {
  path: string;
  /** Lands on the first frame of the run. */
  seek: number;
  frames: number;
  analysis: AnalysisGeometry & { mask: Uint8Array };
}

/** One thing a pretrained detector found on a frame; box [x, y, w, h] in that frame's pixels. */
export interface VisionDetection {
  label: string;
  score: number;
  box: [number, number, number, number];
}

/**
 * A frame for the vision runtime: a picture file already written (the agent's frames), or a
 * frame of a recording (an accurate seek landing on it). `time` is reported back as given.
 */
export type VisionImage =
  | { kind: 'file'; file: string; time: number }
  | { kind: 'video'; path: string; seek: number; time: number; source: { width: number; height: number } };

export interface VisionDetectParams {
  images: VisionImage[];
  /** Which detectors to run on every image. */
  detect: ('objects' | 'faces')[];
  /** Overrides the detectors' default thresholds (objects 0.3, faces 0.5). */
  minScore?: { objects?: number; faces?: number };
}

export interface VisionFrameDetections {
  time: number;
  /** The size the boxes refer to (the file's, or the recording's displayed size). */
  width: number;
  height: number;
  objects: VisionDetection[];
  faces: VisionDetection[];
  /** Milliseconds the detectors took on this frame (decoding excluded). */
  ms: number;
}

export interface VisionDetectResult {
  frames: VisionFrameDetections[];
  info: { backend: string; loadMs: number; models: { objects: string; faces: string } };
  /** Milliseconds for the whole job, decoding and loading included. */
  ms: number;
}

/**
 * A live source: a file fed in real time, a capture device ffmpeg opens, or a stream the app's
 * window captures and sends in pieces (the job's input; WebM or Matroska from MediaRecorder).
 */
export type RecordSource =
  | { kind: 'replay'; path: string; offset?: number }
  | { kind: 'device'; device: string }
  | { kind: 'stream'; mimeType: string; frameRate?: number };

export interface RecordOptions {
  source: RecordSource;
  folder: string;
  segmentSeconds: number;
  /** Segment file names start with this (one per run of a recording, so names sort in recording order). */
  prefix?: string;
  /** Stop after this many seconds of recording. */
  durationS?: number;
}

/** What a record job streams back while it runs. */
export type RecordPartial =
  | { type: 'started'; pid: number; encoder: string; hardware: boolean }
  | { type: 'time'; seconds: number }
  | ({ type: 'segment' } & ClosedSegment);

/** A segment file the recorder has closed: complete and playable on its own. */
export interface ClosedSegment {
  index: number;
  file: string;
  /** Seconds into the recording. */
  start: number;
  end: number;
}

export interface EncodeFramesParams {
  /** Image files in display order (absolute paths). */
  frames: string[];
  /** Frames per second: frame i is shown from i / fps. */
  fps: number;
  /** The MP4 written (inside the data directory). */
  out: string;
}

/** Frames for the picture index: a part's keyframes over [from, to), or one frame (or a box of it) for a query. */
export interface PictureEmbedParams {
  path: string;
  codec: string;
  /** The recording's width (decoders of some codecs can skip work at a fraction of it). */
  sourceWidth: number;
  denseSampling: boolean;
  frames:
    | { kind: 'keyframes'; from: number; to: number; spacing: number; last: boolean }
    | { kind: 'at'; seek: number; box?: [number, number, number, number] };
}

export interface PictureEmbedResult {
  /** Part seconds of each embedded frame. */
  times: Float64Array;
  /** `times.length` raw vectors of `dim` numbers, one after another. */
  vectors: Float32Array;
  dim: number;
  model: string;
  ms: number;
}

export interface Jobs {
  /** With `dicomCache`, a DICOM video file is remuxed into that folder (once per SOP Instance UID) and that file inspected. */
  inspect: { params: { path: string; dicomCache?: string }; result: InspectResult };
  packets: { params: { path: string; startTime: number }; result: PacketScan };
  fov: { params: { path: string; times: number[]; codec: string; analysis: AnalysisGeometry }; result: FovResult };
  indexChunk: {
    params: {
      path: string;
      codec: string;
      from: number;
      to: number;
      keyframeTimes: number[];
      analysis: AnalysisGeometry;
      mask: Uint8Array;
      thumbs: ThumbGeometry;
      thumbDir: string;
      thumbPrefix: string;
      duration: number;
      denseSampling: boolean;
    };
    result: ChunkResult;
  };
  tracks: {
    params: { samples: ChunkSample[]; packetTimes: Float64Array; packetSizes: Uint32Array; packetKeys: Uint8Array; duration: number };
    result: Record<string, Float32Array>;
  };
  /**
   * The frame at `seek` as a file: PNG (default) or JPEG. With `frame` (its index and the part's
   * frame table), a warm decoder gives it when the file allows; else an exact seek in a new ffmpeg.
   */
  frame: { params: { path: string; seek: number; out: string; format?: FrameFormat; frame?: FrameTimingParams }; result: { width: number; height: number } };
  agentFrames: { params: AgentFramesParams; result: { frames: AgentFrameResult[] } };
  proxy: { params: { path: string; out: string; remuxOnly: boolean; duration: number }; result: { out: string } };
  demo: { params: { out: string }; result: { out: string } };
  /** One turn of a local vision-language model (the model worker); text streams as partials. */
  vlmTurn: { params: VlmTurnParams; result: VlmTurnResult; partial: VlmPartial };
  /** Loads the model ahead of the first turn (stages stream as partials). */
  vlmLoad: { params: { model: VlmModelSpec }; result: VlmLoadInfo; partial: VlmPartial };
  /** A teaching clip cut from one or more recordings (see clip-job.ts). */
  exportClip: { params: ExportClipParams; result: ExportClipResult };
  /** Burned-in text of one frame (the model worker: OCR sessions block their process). */
  ocrFrame: { params: OcrFrameParams; result: { texts: OcrText[]; info: OcrDeviceInfo; width: number; height: number } };
  /** Burned-in text of sampled frames of one part, for masking an export range. */
  ocrRange: { params: OcrRangeParams; result: OcrRangeResult };
  /** Text, people and faces on sampled frames of one part, for de-identifying an export range. */
  deidFrames: { params: DeidFramesParams; result: DeidFramesResult };
  /** Out-of-body score of every frame of a run, at the index's analysis size. */
  outOfBodyFrames: { params: OutOfBodyFramesParams; result: { scores: Float32Array } };
  /** Pretrained detectors (objects, faces) on frames (the model worker: inference blocks its process). */
  visionDetect: { params: VisionDetectParams; result: VisionDetectResult };
  /** Picture embeddings for the picture index (the model worker: inference blocks its process). */
  pictureEmbed: { params: PictureEmbedParams; result: PictureEmbedResult };
  /** Masks drawn into a still image (PNG in, PNG out). */
  maskImage: { params: MaskImageParams; result: { out: string } };
  /**
   * A live source recorded into segments; each closed segment streams as a partial. Canceling
   * ends the recording cleanly (the open segment is closed), it does not discard it.
   */
  record: { params: RecordOptions; result: { segments: ClosedSegment[] }; partial: RecordPartial };
  /** Frame images (a benchmark's sampled clip) made into an MP4 at their frame rate. */
  encodeFrames: { params: EncodeFramesParams; result: { out: string; frames: number } };
}

export type JobKind = keyof Jobs;
export type JobParams<K extends JobKind> = Jobs[K]['params'];
export type JobResult<K extends JobKind> = Jobs[K]['result'];
/** What a job streams back while it runs (`never` for jobs that stream nothing). */
export type JobPartial<K extends JobKind> = Jobs[K] extends { partial: infer P } ? P : never;

export const JOB_KINDS = ['inspect', 'packets', 'fov', 'indexChunk', 'tracks', 'frame', 'agentFrames', 'proxy', 'demo', 'vlmTurn', 'vlmLoad', 'exportClip', 'ocrFrame', 'ocrRange', 'deidFrames', 'outOfBodyFrames', 'visionDetect', 'pictureEmbed', 'maskImage', 'record', 'encodeFrames'] as const satisfies readonly JobKind[];

export interface JobProgress {
  fraction: number;
  stage?: string;
}

export type HostToWorker =
  | { type: 'run'; id: number; kind: JobKind; params: unknown }
  | { type: 'cancel'; id: number }
  /** A piece of a job's input stream (a live capture); null ends it. */
  | { type: 'input'; id: number; data: Uint8Array | null };

export type WorkerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; id: number; progress: JobProgress }
  /** A piece of a job's streamed output (model text), in order. */
  | { type: 'partial'; id: number; data: unknown }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

export const HostToWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), id: z.number().int(), kind: z.enum(JOB_KINDS), params: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
  z.object({ type: z.literal('input'), id: z.number().int(), data: z.instanceof(Uint8Array).nullable() }),
]);
