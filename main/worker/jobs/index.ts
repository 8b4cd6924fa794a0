import type { Readable } from 'node:stream';
import type { JobKind, JobParams, JobProgress, JobResult, RecordPartial } from '../../core/worker-protocol.js';
import { inspectMaybeDicom, inspectRecording } from '../media/inspect.js';
import { scanPackets } from '../media/packets.js';
import { extractFrame } from '../media/frame.js';
import { extractAgentFrames } from '../media/agent-frames.js';
import { makeProxy } from '../media/proxy.js';
import { encodeFrameSequence } from '../media/frame-sequence.js';
import { exportClip, maskImage } from '../media/clip-export.js';
import { estimateFov, indexChunk, computeTracks } from './index-jobs.js';
import { generateDemo } from './demo.js';
import { recordSegments } from '../../node/record/segment-recorder.js';

export interface JobContext {
  signal: AbortSignal;
  progress(p: JobProgress): void;
  /** Streams a piece of the job's output to the host, in order. */
  partial(data: unknown): void;
  /** The job's input stream, fed by the host (a live capture); ends when the host ends it. */
  input(): Readable;
}

type Handlers = { [K in JobKind]: (params: JobParams<K>, ctx: JobContext) => Promise<JobResult<K>> };

export const handlers: Handlers = {
  inspect: (p, ctx) => (p.dicomCache ? inspectMaybeDicom(p.path, p.dicomCache, ctx.signal) : inspectRecording(p.path, ctx.signal)),
  packets: (p, ctx) => scanPackets(p.path, p.startTime, ctx.signal),
  fov: (p, ctx) => estimateFov(p, ctx),
  indexChunk: (p, ctx) => indexChunk(p, ctx),
  tracks: async (p) => computeTracks(p),
  frame: (p, ctx) => extractFrame(p, ctx.signal),
  agentFrames: (p, ctx) => extractAgentFrames(p, ctx.signal),
  proxy: async (p, ctx) => {
    await makeProxy(p, ctx.signal, (fraction) => ctx.progress({ fraction, stage: 'Making a playable copy' }));
    return { out: p.out };
  },
  demo: (p, ctx) => generateDemo(p.out, ctx),
  // Loaded on first use: the media worker never pays for the model runtime.
  vlmTurn: async (p, ctx) => (await import('../model/vlm-turn.js')).runVlmTurn(p, ctx),
  vlmLoad: async (p, ctx) => (await import('../model/vlm-turn.js')).loadVlm(p.model, ctx),
  exportClip: (p, ctx) => exportClip(p, ctx),
  // The OCR models load with the first OCR job: other jobs never pay for them.
  ocrFrame: async (p, ctx) => (await import('../ocr/ocr-jobs.js')).ocrFrame(p, ctx),
  ocrRange: async (p, ctx) => (await import('../ocr/ocr-jobs.js')).ocrRange(p, ctx),
  // Loads the OCR sessions and the detectors only for what it is asked to look for.
  deidFrames: async (p, ctx) => (await import('../vision/deid-frames.js')).deidFrames(p, ctx),
  outOfBodyFrames: async (p, ctx) => (await import('../ocr/ocr-jobs.js')).outOfBodyFrames(p, ctx),
  // The detectors load with the first vision job: other jobs never pay for TensorFlow.js.
  visionDetect: async (p, ctx) => (await import('../vision/vision-jobs.js')).visionDetect(p, ctx),
  // The picture model loads with the first picture-index job.
  pictureEmbed: async (p, ctx) => (await import('../vision/picture-jobs.js')).pictureEmbed(p, ctx),
  maskImage: (p, ctx) => maskImage(p, ctx.signal),
  encodeFrames: (p, ctx) => encodeFrameSequence(p, ctx.signal, (fraction) => ctx.progress({ fraction, stage: 'Encoding the frames' })),
  record: (p, ctx) => {
    const send = (partial: RecordPartial) => ctx.partial(partial);
    let last = 0;
    return recordSegments(p, {
      finish: ctx.signal,
      ...(p.source.kind === 'stream' ? { input: ctx.input() } : {}),
      onSegment: (segment) => send({ type: 'segment', ...segment }),
      onStart: (pid, encoder) => send({ type: 'started', pid, encoder: encoder.encoder, hardware: encoder.hardware }),
      onProgress: (seconds) => {
        // The live edge, about four times a second.
        const now = Date.now();
        if (now - last < 250) return;
        last = now;
        send({ type: 'time', seconds });
      },
    }).then(({ segments }) => ({ segments }));
  },
};
