/*
 * Picture embeddings for the picture index: MobileNetV2 pretrained on ImageNet, as shipped inside
 * the `nsfwjs` registry package (a Keras model converted to a TensorFlow.js layers model; its
 * classification head was fine-tuned for another task and is cut off here). The 1280 channels of
 * the last convolution, averaged over the picture, describe what is in view well enough to tell
 * one surgical scene from another; see the README for how it was chosen and measured.
 *
 * Runs on TensorFlow.js' WebAssembly backend (the same one the detectors of runtime.ts use), in
 * the model worker only: inference blocks its process. Loaded on first use, offline, from the
 * package's files.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tfCore from '@tensorflow/tfjs-core';
import type * as tfLayers from '@tensorflow/tfjs-layers';
import type { RgbFrame } from '../../core/signals/types.js';
import { PICTURE_MODEL } from '../../core/similar/picture-model.js';
import { readBundledModelArtifacts } from './model-files.js';

/** Pictures are squeezed to this square: the model's stride of 32 needs a multiple of 32. */
export const EMBED_SIDE = 224;
/** Frames embedded together: batches keep the backend busy between calls. */
export const EMBED_BATCH = 8;
const FEATURE_LAYER = 'flatten_1';

const localRequire = createRequire(import.meta.url);

export interface EmbedderInfo {
  model: string;
  dim: number;
  side: number;
  backend: string;
  loadMs: number;
}

interface KerasLayerConfig {
  class_name: string;
  config: { batch_input_shape?: (number | null)[]; pool_size?: number[]; strides?: number[] };
}

/** The package's model folder (found from its main entry: its `exports` map hides the files). */
export function embedderModelDir(): string {
  return join(dirname(localRequire.resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
}

/** The topology made to take `side`-pixel squares (the pooling window follows the input size). */
function resize(artifacts: tfCore.io.ModelArtifacts, side: number): void {
  const topology = artifacts.modelTopology as { model_config?: { config?: { layers?: KerasLayerConfig[] } } };
  const layers = topology.model_config?.config?.layers;
  if (!layers?.[0]?.config.batch_input_shape) throw new Error('the picture model has an unexpected layout (no input layer)');
  layers[0].config.batch_input_shape = [null, side, side, 3];
  const pool = layers.find((l) => l.class_name === 'AveragePooling2D');
  if (!pool) throw new Error('the picture model has an unexpected layout (no average pooling)');
  pool.config.pool_size = [side / 32, side / 32];
  pool.config.strides = [side / 32, side / 32];
}

async function wasmBackend(tf: typeof tfCore): Promise<string> {
  if (tf.getBackend() !== 'wasm') {
    const wasm = localRequire('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
    wasm.setWasmPaths(`${dirname(localRequire.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its WebAssembly backend');
  }
  await tf.ready();
  return tf.getBackend();
}

export class PictureEmbedder {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly tf: typeof tfCore,
    private readonly model: tfLayers.LayersModel,
    readonly info: EmbedderInfo,
  ) {}

  static async load(side = EMBED_SIDE): Promise<PictureEmbedder> {
    if (side % 32 !== 0 || side < 64) throw new RangeError(`the picture side must be a multiple of 32 from 64, not ${side}`);
    const began = Date.now();
    const tf = localRequire('@tensorflow/tfjs-core') as typeof tfCore;
    const tfl = localRequire('@tensorflow/tfjs-layers') as typeof tfLayers;
    const backend = await wasmBackend(tf);
    const artifacts = readBundledModelArtifacts(embedderModelDir());
    resize(artifacts, side);
    const full = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const layer = full.layers.find((l) => l.name === FEATURE_LAYER);
    if (!layer) throw new Error(`the picture model has no layer ${FEATURE_LAYER}`);
    const model = tfl.model({ inputs: full.inputs, outputs: layer.output as tfLayers.SymbolicTensor });
    const dim = (layer.outputShape as number[])[1]!;
    return new PictureEmbedder(tf, model, { model: PICTURE_MODEL, dim, side, backend, loadMs: Date.now() - began });
  }

  /** One raw feature vector per frame; every frame must be side x side RGB. */
  embed(frames: readonly RgbFrame[]): Promise<Float32Array[]> {
    return this.serial(async () => {
      const out: Float32Array[] = [];
      const { side, dim } = this.info;
      for (let k = 0; k < frames.length; k += EMBED_BATCH) {
        const batch = frames.slice(k, k + EMBED_BATCH);
        const pixels = new Uint8Array(batch.length * side * side * 3);
        batch.forEach((f, i) => {
          if (f.width !== side || f.height !== side || f.data.length < side * side * 3) throw new RangeError(`a frame to embed must be ${side}x${side}, not ${f.width}x${f.height}`);
          pixels.set(f.data.subarray(0, side * side * 3), i * side * side * 3);
        });
        const y = this.tf.tidy(() => {
          const x = this.tf.div(this.tf.cast(this.tf.tensor4d(pixels, [batch.length, side, side, 3], 'int32'), 'float32'), 255);
          return this.model.predict(x) as tfCore.Tensor;
        });
        try {
          const data = (await y.data()) as Float32Array;
          for (let i = 0; i < batch.length; i++) out.push(data.slice(i * dim, (i + 1) * dim));
        } finally {
          y.dispose();
        }
      }
      return out;
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

const shared = new Map<number, Promise<PictureEmbedder>>();

/** The process's embedder for a picture size, loaded on first use; a failed load is retried. */
export function pictureEmbedder(side = EMBED_SIDE): Promise<PictureEmbedder> {
  let p = shared.get(side);
  if (!p) {
    p = PictureEmbedder.load(side);
    shared.set(side, p);
    p.catch(() => shared.delete(side));
  }
  return p;
}
