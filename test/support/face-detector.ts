/*
 * An independent face detector for checking de-identified clips: face-api's SSD MobileNetV1
 * (@vladmandic/face-api, a different model and code base from the BlazeFace the app masks with),
 * on TensorFlow.js' wasm backend, its weights read from the package folder.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

interface FaceApi {
  tf: { tensor3d(data: Int32Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void }; setBackend(b: string): Promise<boolean>; ready(): Promise<void> };
  nets: { ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void> } };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  detectAllFaces(input: unknown, options: unknown): Promise<{ score: number; box: { x: number; y: number; width: number; height: number } }[]>;
}

let loaded: Promise<FaceApi> | null = null;

function load(): Promise<FaceApi> {
  loaded ??= (async () => {
    const pkg = dirname(require.resolve('@vladmandic/face-api/package.json'));
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void };
    wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    const api = require(join(pkg, 'dist', 'face-api.node-wasm.js')) as FaceApi;
    await api.tf.setBackend('wasm');
    await api.tf.ready();
    await api.nets.ssdMobilenetv1.loadFromDisk(join(pkg, 'model'));
    return api;
  })();
  return loaded;
}

export type FaceBox = [number, number, number, number];

/** Faces scoring at least `minConfidence` on an RGB frame, boxes [x, y, w, h] in its pixels. */
export async function ssdFaces(frame: { width: number; height: number; data: Uint8Array }, minConfidence = 0.5): Promise<{ score: number; box: FaceBox }[]> {
  const api = await load();
  const t = api.tf.tensor3d(Int32Array.from(frame.data.subarray(0, frame.width * frame.height * 3)), [frame.height, frame.width, 3], 'int32');
  try {
    const found = await api.detectAllFaces(t, new api.SsdMobilenetv1Options({ minConfidence, maxResults: 50 }));
    return found.map((f) => ({ score: f.score, box: [Math.round(f.box.x), Math.round(f.box.y), Math.round(f.box.width), Math.round(f.box.height)] }));
  } finally {
    t.dispose();
  }
}
