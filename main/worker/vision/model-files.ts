/*
 * Loading TensorFlow.js graph models from a folder on disk. TensorFlow.js in Node fetches model
 * files with `fetch`, which does not read `file://` (only `@tensorflow/tfjs-node` adds that, and it
 * downloads libtensorflow at install). So a load router answers `file://` URLs by reading the
 * model's JSON and its weight shards with `fs`: the models shipped inside registry packages load
 * offline, the same way in Electron and in plain Node.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfCore from '@tensorflow/tfjs-core';

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: Record<string, object>;
  weightsManifest?: { paths: string[]; weights: tfCore.io.WeightsManifestEntry[] }[];
}

/** The model artifacts of a `model.json` and its shards, read from disk. */
export function readModelArtifacts(jsonFile: string): tfCore.io.ModelArtifacts {
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(jsonFile, 'utf8')) as ModelJson;
  } catch (err) {
    throw new Error(`cannot read the model file ${jsonFile}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${jsonFile} is not a TensorFlow.js model (no topology or weights manifest)`);
  }
  const dir = dirname(jsonFile);
  const weightSpecs: tfCore.io.WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) shards.push(readFileSync(join(dir, p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return {
    modelTopology: json.modelTopology as tfCore.io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData,
    ...(json.format !== undefined ? { format: json.format } : {}),
    ...(json.generatedBy !== undefined ? { generatedBy: json.generatedBy } : {}),
    ...(json.convertedBy !== undefined ? { convertedBy: json.convertedBy } : {}),
    ...(json.signature !== undefined ? { signature: json.signature as object } : {}),
    ...(json.userDefinedMetadata !== undefined ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
  };
}

let registered = false;

/** Lets `tf.loadGraphModel('file:///…/model.json')` (and libraries built on it) read from disk. */
export function registerFileLoader(tf: typeof tfCore): void {
  if (registered) return;
  registered = true;
  // TensorFlow.js asks every router and keeps the ones that answer; null means "not mine".
  const router = (url: string | string[]): tfCore.io.IOHandler | null => {
    const first = Array.isArray(url) ? url[0] : url;
    if (typeof first !== 'string' || !first.startsWith('file://')) return null;
    const file = fileURLToPath(first);
    return { load: () => Promise.resolve(readModelArtifacts(file)) };
  };
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
}

/**
 * The model artifacts of a model bundled as CommonJS modules (nsfwjs ships `model.min.js`, whose
 * export is the model JSON, and one `<shard>.min.js` per weights file, whose export is the shard in
 * base64). Required by file path: the packages' `exports` maps do not list these files.
 */
export function readBundledModelArtifacts(dir: string): tfCore.io.ModelArtifacts {
  const req = createRequire(join(dir, 'model.min.js'));
  let json: ModelJson;
  try {
    json = req(join(dir, 'model.min.js')) as ModelJson;
  } catch (err) {
    throw new Error(`cannot read the bundled model in ${dir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`${dir}/model.min.js is not a TensorFlow.js model (no topology or weights manifest)`);
  const weightSpecs: tfCore.io.WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const base64 = req(join(dir, `${p}.min.js`)) as unknown;
      if (typeof base64 !== 'string') throw new Error(`${dir}/${p}.min.js does not hold a weights shard`);
      shards.push(Buffer.from(base64, 'base64'));
    }
  }
  const all = Buffer.concat(shards);
  return {
    // A copy: callers may change the topology (e.g. the input size) without touching the module cache.
    modelTopology: structuredClone(json.modelTopology) as tfCore.io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
    ...(json.format !== undefined ? { format: json.format } : {}),
  };
}
