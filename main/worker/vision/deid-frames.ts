/*
 * The `deidFrames` job: the frames a de-identified export reads, each decoded once at the
 * recording's size and handed to the text reader (PaddleOCR on onnxruntime, whose sessions run
 * on their own threads) and to the people detectors (CenterNet "person" and BlazeFace on
 * TensorFlow.js wasm, on this thread) at the same time, so the two models overlap instead of
 * taking turns; the next frame is decoded by ffmpeg meanwhile. A frame that looks like the last one
 * read is passed over (see frame-reads.ts): still stretches cost a decode, not two models.
 */

import { basename } from 'node:path';
import { OpscopeError } from '../../core/errors.js';
import { changeThumbnail, FrameReads } from '../../core/deid/frame-reads.js';
import { trackOptions } from '../../core/deid/text-regions.js';
import type { RgbFrame } from '../../core/signals/types.js';
import type { DeidFramesParams, DeidFramesResult, JobProgress, OcrDeviceInfo, OcrText, VisionDetection } from '../../core/worker-protocol.js';
import { explainMediaFailure } from '../media/errors.js';
import { readFrameText } from '../ocr/ocr-engine.js';
import { decodeFrame } from '../ocr/ocr-jobs.js';
import { visionRuntime, type VisionRuntime } from './runtime.js';

interface Ctx {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** What the detectors work at (they shrink to 640 px themselves; shrinking once serves both). */
const DETECT_SIDE = 640;
/** Everyone in a crowded theatre, not the default 20. */
const MAX_PEOPLE = 50;

/** A box-filtered copy at most DETECT_SIDE on its longest side (the frame itself when smaller). */
export function shrinkFrame(frame: RgbFrame, side = DETECT_SIDE): RgbFrame {
  const { width: w, height: h, data } = frame;
  const scale = Math.min(1, side / Math.max(w, h));
  if (scale === 1) return frame;
  const ow = Math.max(1, Math.round(w * scale));
  const oh = Math.max(1, Math.round(h * scale));
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    const y0 = Math.floor((y * h) / oh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / oh));
    for (let x = 0; x < ow; x++) {
      const x0 = Math.floor((x * w) / ow);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / ow));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0, j = (yy * w + x0) * 3; xx < x1; xx++, j += 3) {
          r += data[j]!;
          g += data[j + 1]!;
          b += data[j + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const k = (y * ow + x) * 3;
      out[k] = r / n;
      out[k + 1] = g / n;
      out[k + 2] = b / n;
    }
  }
  return { width: ow, height: oh, data: out };
}

function toSource(found: VisionDetection[], small: RgbFrame, frame: RgbFrame): VisionDetection[] {
  const sx = frame.width / small.width;
  const sy = frame.height / small.height;
  return found.map((d) => ({
    ...d,
    box: [Math.round(d.box[0] * sx), Math.round(d.box[1] * sy), Math.round(d.box[2] * sx), Math.round(d.box[3] * sy)],
  }));
}

async function findPeople(vision: VisionRuntime, frame: RgbFrame, min: { person: number; face: number }) {
  const small = shrinkFrame(frame);
  const objects = await vision.detectObjects(small, { minScore: min.person, maxResults: MAX_PEOPLE * 2 });
  const faces = await vision.detectFaces(small, { minScore: min.face, maxResults: MAX_PEOPLE });
  return {
    persons: toSource(objects.filter((o) => o.label === 'person').slice(0, MAX_PEOPLE), small, frame),
    faces: toSource(faces, small, frame),
  };
}

export async function deidFrames(p: DeidFramesParams, ctx: Ctx): Promise<DeidFramesResult> {
  const began = Date.now();
  let vision: VisionRuntime | null = null;
  if (p.people) {
    try {
      vision = await visionRuntime();
    } catch (err) {
      // A clip must not leave with its people unmasked because a model failed to load.
      throw new OpscopeError('unavailable', `The people detectors could not be loaded, so people cannot be masked: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const out: DeidFramesResult['samples'] = [];
  let ocrInfo: OcrDeviceInfo | null = null;
  let ocrMs = 0;
  let visionMs = 0;
  const known: OcrText[] = [];
  const reads = new FrameReads();
  const decode = (k: number) => {
    const job = decodeFrame(p.path, p.samples[k]!.seek, p.source, ctx.signal);
    // Settled later; a failure is reported when the frame is wanted.
    job.catch(() => undefined);
    return job;
  };
  let next = p.samples.length > 0 ? decode(0) : null;
  try {
    for (let k = 0; k < p.samples.length; k++) {
      if (ctx.signal.aborted) throw new OpscopeError('canceled', 'Canceled while looking for text and people.');
      const frame = await next!;
      next = k + 1 < p.samples.length ? decode(k + 1) : null;
      const stage = p.people ? 'Looking for burned-in text and people' : 'Looking for burned-in text';
      if (!reads.decide(p.samples[k]!.time, changeThumbnail(frame), k === p.samples.length - 1).read) {
        ctx.progress({ fraction: (k + 1) / p.samples.length, stage });
        continue;
      }
      const text = p.text
        ? (async () => {
            const t0 = Date.now();
            const r = await readFrameText(frame, { device: p.device, signal: ctx.signal, keepUnread: true, known, tolerance: trackOptions(frame.height).tolerance });
            ocrMs += Date.now() - t0;
            return r;
          })()
        : null;
      const people =
        vision && p.people
          ? (async () => {
              const t0 = Date.now();
              const r = await findPeople(vision, frame, p.people!);
              visionMs += Date.now() - t0;
              return r;
            })()
          : null;
      const [t, v] = await Promise.all([text, people]);
      if (t) {
        ocrInfo = t.info;
        for (const line of t.texts) if (!known.some((kn) => kn.box.every((x, i) => x === line.box[i]))) known.push(line);
      }
      out.push({ time: p.samples[k]!.time, texts: t?.texts ?? [], persons: v?.persons ?? [], faces: v?.faces ?? [] });
      ctx.progress({ fraction: (k + 1) / p.samples.length, stage });
    }
  } catch (err) {
    throw err instanceof OpscopeError && (err.code === 'canceled' || err.code === 'unavailable') ? err : explainMediaFailure(err, basename(p.path));
  }
  return {
    samples: out,
    sampled: p.samples.length,
    ocr: p.text ? { ...(ocrInfo ?? { device: 'none', fallbacks: [], loadMs: 0 }), ms: ocrMs } : null,
    vision: vision ? { backend: vision.info.backend, models: vision.info.models, loadMs: vision.info.loadMs, ms: visionMs } : null,
    ms: Date.now() - began,
  };
}
