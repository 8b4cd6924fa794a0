import { z } from 'zod';
import type { SerializedError } from './errors.js';
import type { PacketScan, ProbeSummary } from './media-info.js';

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

export interface Jobs {
  inspect: { params: { path: string }; result: InspectResult };
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
  frame: { params: { path: string; seek: number; out: string }; result: { width: number; height: number } };
  proxy: { params: { path: string; out: string; remuxOnly: boolean; duration: number }; result: { out: string } };
  demo: { params: { out: string }; result: { out: string } };
}

export type JobKind = keyof Jobs;
export type JobParams<K extends JobKind> = Jobs[K]['params'];
export type JobResult<K extends JobKind> = Jobs[K]['result'];

export const JOB_KINDS = ['inspect', 'packets', 'fov', 'indexChunk', 'tracks', 'frame', 'proxy', 'demo'] as const satisfies readonly JobKind[];

export interface JobProgress {
  fraction: number;
  stage?: string;
}

export type HostToWorker =
  | { type: 'run'; id: number; kind: JobKind; params: unknown }
  | { type: 'cancel'; id: number };

export type WorkerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; id: number; progress: JobProgress }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

export const HostToWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), id: z.number().int(), kind: z.enum(JOB_KINDS), params: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
]);
