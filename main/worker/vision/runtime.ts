/*
 * The vision runtime of the model worker: real pretrained detectors that ship inside registry
 * packages, run offline on TensorFlow.js' WebAssembly backend. Other parts build on it (masking
 * faces and people in exports, picture embeddings), so it offers plain calls on RGB frames:
 *
 *   const vision = await visionRuntime();
 *   const objects = await vision.detectObjects(frame);   // COCO classes: person, chair, tv...
 *   const faces = await vision.detectFaces(frame);
 *
 * Models: CenterNet (MobileNetV3, COCO's 80 classes) and BlazeFace, from `@vladmandic/human`,
 * whose pre- and post-processing is used as shipped. Its Node entry needs `@tensorflow/tfjs-node`,
 * which downloads libtensorflow at install; the wasm entry (`dist/human.node-wasm.js`) is loaded by
 * file path instead, because the package's `exports` map does not expose it. Model files are read
 * from the package folder through a `file://` load router (model-files.ts): nothing is fetched.
 *
 * One runtime per process, loaded on first use (about 0.2 s); calls run one at a time, because a
 * TensorFlow.js backend is single-threaded and blocks the process while it runs: this belongs in the
 * model worker, never in the host or the media worker.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tfCore from '@tensorflow/tfjs-core';
import { round3 } from '../../core/round.js';
import type { RgbFrame } from '../../core/signals/types.js';
import type { VisionDetection } from '../../core/worker-protocol.js';
import { registerFileLoader } from './model-files.js';

/** One thing found on a frame; the box is [x, y, width, height] in the frame's pixels. */
export type Detection = VisionDetection;

export interface DetectOptions {
  /** Detections scoring below this are dropped (default: 0.3 for objects, 0.5 for faces). */
  minScore?: number;
  /** At most this many, best first (default 20). */
  maxResults?: number;
}

export interface VisionInfo {
  backend: string;
  /** Milliseconds it took to start the backend and load the models. */
  loadMs: number;
  models: { objects: string; faces: string };
}

/** The part of Human's API used here (its own typings pull in all of TensorFlow.js' types). */
interface HumanResultBox {
  score: number;
  boxRaw: [number, number, number, number];
  label?: string;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: tfCore.Tensor, config?: Record<string, unknown>): Promise<{ face: HumanResultBox[]; object: HumanResultBox[]; error?: string | null }>;
  tf: typeof tfCore;
}
interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}

/** Frames are shrunk to this longest side first: both models work at 512 px or less. */
const INPUT_SIDE = 640;
const OBJECT_MODEL = 'centernet.json';
const FACE_MODEL = 'blazeface.json';
/** What the models themselves keep; the callers' thresholds filter further. */
const MODEL_FLOOR = 0.15;
/** What an object must score to be reported when the caller does not say. */
export const OBJECT_MIN_SCORE = 0.3;
/**
 * What a person must score to count as a sign of the room. CenterNet calls real tissue a person at
 * up to about 0.35; people in a room, even seen from behind, score 0.4 to 0.6 and more.
 */
export const ROOM_PERSON_SCORE = 0.4;

const localRequire = createRequire(import.meta.url);

/** A package's folder, found from its main entry (Human's `exports` map hides its package.json). */
function packageDir(name: string): string {
  let dir = dirname(localRequire.resolve(name));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the folder of the package ${name}`);
}

/** Where the runtime's files are; each is inside an installed registry package. */
export function visionFiles(): { human: string; modelDir: string; wasmDir: string } {
  const humanDir = packageDir('@vladmandic/human');
  const files = {
    human: join(humanDir, 'dist', 'human.node-wasm.js'),
    modelDir: join(humanDir, 'models'),
    wasmDir: join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'),
  };
  for (const f of [files.human, join(files.modelDir, OBJECT_MODEL), join(files.modelDir, FACE_MODEL), join(files.wasmDir, 'tfjs-backend-wasm.wasm')]) {
    if (!existsSync(f)) throw new Error(`the vision models are not installed: ${f} is missing (reinstall @vladmandic/human and @tensorflow/tfjs-backend-wasm)`);
  }
  return files;
}

function humanConfig(modelDir: string, wasmDir: string): Record<string, unknown> {
  const off = { enabled: false };
  return {
    backend: 'wasm',
    wasmPath: `${wasmDir}/`,
    modelBasePath: `${pathToFileURL(modelDir).href}/`,
    debug: false,
    async: true,
    warmup: 'none',
    // Every frame is analysed afresh: the frames handed in are not a continuous video stream.
    cacheSensitivity: 0,
    filter: off,
    gesture: off,
    body: off,
    hand: off,
    segmentation: off,
    face: {
      enabled: true,
      detector: { enabled: true, modelPath: FACE_MODEL, rotation: false, maxDetected: 50, minConfidence: MODEL_FLOOR, skipFrames: 0, skipTime: 0, return: false },
      mesh: off, iris: off, description: off, emotion: off, antispoof: off, liveness: off, attention: off, gear: off,
    },
    object: { enabled: true, modelPath: OBJECT_MODEL, minConfidence: MODEL_FLOOR, maxDetected: 50, skipFrames: 0, skipTime: 0 },
  };
}

/** A frame as an int32 batch of one, shrunk (box filter) to at most INPUT_SIDE on its longest side. */
function toTensor(tf: typeof tfCore, frame: RgbFrame): tfCore.Tensor4D {
  const { width: w, height: h, data } = frame;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0 || data.length < w * h * 3) {
    throw new RangeError(`bad frame: ${w}x${h} with ${data.length} bytes`);
  }
  const scale = Math.min(1, INPUT_SIDE / Math.max(w, h));
  const ow = Math.max(1, Math.round(w * scale));
  const oh = Math.max(1, Math.round(h * scale));
  const out = new Int32Array(ow * oh * 3);
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
      out[k] = Math.round(r / n);
      out[k + 1] = Math.round(g / n);
      out[k + 2] = Math.round(b / n);
    }
  }
  return tf.tensor4d(out, [1, oh, ow, 3], 'int32');
}

function toDetections(found: readonly HumanResultBox[], frame: RgbFrame, label: string | null, o: Required<DetectOptions>): Detection[] {
  return found
    .filter((d) => Number.isFinite(d.score) && d.score >= o.minScore)
    .map((d) => {
      // The models may reach past the picture's edge; the box is cut to the picture.
      const x0 = Math.min(1, Math.max(0, d.boxRaw[0]));
      const y0 = Math.min(1, Math.max(0, d.boxRaw[1]));
      const x1 = Math.min(1, Math.max(x0, d.boxRaw[0] + d.boxRaw[2]));
      const y1 = Math.min(1, Math.max(y0, d.boxRaw[1] + d.boxRaw[3]));
      const left = Math.round(x0 * frame.width);
      const top = Math.round(y0 * frame.height);
      const box: Detection['box'] = [left, top, Math.round(x1 * frame.width) - left, Math.round(y1 * frame.height) - top];
      return { label: label ?? d.label ?? 'object', score: round3(d.score), box };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, o.maxResults);
}

export class VisionRuntime {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly human: HumanInstance,
    readonly info: VisionInfo,
  ) {}

  static async load(): Promise<VisionRuntime> {
    const began = Date.now();
    const files = visionFiles();
    // Loaded by path: the wasm entry is not in the package's exports map.
    const tf = localRequire('@tensorflow/tfjs-core') as typeof tfCore;
    localRequire('@tensorflow/tfjs-backend-wasm');
    registerFileLoader(tf);
    const mod = localRequire(files.human) as HumanModule;
    const human = new mod.Human(humanConfig(files.modelDir, files.wasmDir));
    await human.load();
    const backend = human.tf.getBackend();
    if (backend !== 'wasm') throw new Error(`the vision models need the WebAssembly backend, but TensorFlow.js started "${backend}"`);
    return new VisionRuntime(human, { backend, loadMs: Date.now() - began, models: { objects: 'CenterNet MobileNetV3 (COCO)', faces: 'BlazeFace' } });
  }

  /** COCO objects (person, chair, dining table, tv, laptop, bottle...), best first. */
  detectObjects(frame: RgbFrame, opts: DetectOptions = {}): Promise<Detection[]> {
    const o = { minScore: opts.minScore ?? OBJECT_MIN_SCORE, maxResults: opts.maxResults ?? 20 };
    return this.serial(async () => (await this.run(frame, 'object')).map((found) => toDetections(found, frame, null, o))[0]!);
  }

  /** Faces (label "face"), best first. Masked or capped faces score low: combine with person boxes. */
  detectFaces(frame: RgbFrame, opts: DetectOptions = {}): Promise<Detection[]> {
    const o = { minScore: opts.minScore ?? 0.5, maxResults: opts.maxResults ?? 20 };
    return this.serial(async () => (await this.run(frame, 'face')).map((found) => toDetections(found, frame, 'face', o))[0]!);
  }

  private async run(frame: RgbFrame, which: 'object' | 'face'): Promise<HumanResultBox[][]> {
    const input = toTensor(this.human.tf, frame);
    try {
      const r = await this.human.detect(input, { face: { enabled: which === 'face' }, object: { enabled: which === 'object' } });
      if (r.error) throw new Error(`the ${which} detector failed: ${r.error}`);
      return [which === 'face' ? r.face : r.object];
    } finally {
      input.dispose();
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

let shared: Promise<VisionRuntime> | null = null;

/** The process's runtime, loaded on first use; a failed load is retried by the next call. */
export function visionRuntime(): Promise<VisionRuntime> {
  if (!shared) {
    shared = VisionRuntime.load();
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}
