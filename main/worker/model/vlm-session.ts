/*
 * One loaded vision-language model per worker process, kept between turns and runs: loading a
 * 7B model takes long, answering one turn much less. Loading tries the execution providers in
 * order and remembers which one worked and why the others did not.
 */

import type * as Lib from '@huggingface/transformers';
import { OpscopeError } from '../../core/errors.js';
import type { VlmLoadInfo, VlmModelSpec } from '../../core/worker-protocol.js';
import { deviceCandidates } from './devices.js';
import { chooseDtype, readModelFolder } from './model-folder.js';

type Transformers = typeof Lib;
type Processor = Awaited<ReturnType<Transformers['AutoProcessor']['from_pretrained']>>;
type Model = Awaited<ReturnType<Transformers['AutoModelForImageTextToText']['from_pretrained']>>;

export interface LoadedVlm {
  key: string;
  lib: Transformers;
  processor: Processor;
  model: Model;
  info: VlmLoadInfo;
}

let loaded: LoadedVlm | null = null;
let loading: { key: string; promise: Promise<LoadedVlm> } | null = null;

async function library(): Promise<Transformers> {
  const lib = await import('@huggingface/transformers');
  // Local folders only: no model hub, and no cache written next to the library (inside the
  // app's archive when packaged).
  lib.env.allowRemoteModels = false;
  lib.env.allowLocalModels = true;
  lib.env.useFSCache = false;
  lib.env.useBrowserCache = false;
  return lib;
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 300);
}

async function load(spec: VlmModelSpec, key: string, stage: (text: string) => void): Promise<LoadedVlm> {
  const folder = readModelFolder(spec.dir);
  const lib = await library();
  const began = Date.now();
  stage(`Reading the ${folder.family} tokenizer and processor`);
  let processor: Processor;
  try {
    processor = await lib.AutoProcessor.from_pretrained(spec.dir, { local_files_only: true });
  } catch (err) {
    throw new OpscopeError('unavailable', `The model folder ${spec.dir} has a processor or tokenizer that cannot be read: ${message(err)}`);
  }
  const fallbacks: VlmLoadInfo['fallbacks'] = [];
  for (const candidate of deviceCandidates(spec.device)) {
    if (candidate.skip) {
      fallbacks.push({ device: candidate.device, error: candidate.skip });
      continue;
    }
    const dtype = chooseDtype(folder, spec.dtype, candidate.device);
    stage(`Loading ${folder.family} (${dtype}) on ${candidate.device}`);
    try {
      const model = await lib.AutoModelForImageTextToText.from_pretrained(spec.dir, {
        local_files_only: true,
        device: candidate.device,
        dtype: dtype as 'fp32',
      });
      const info: VlmLoadInfo = { modelType: folder.modelType, device: candidate.device, dtype, fallbacks, loadMs: Date.now() - began };
      return { key, lib, processor, model, info };
    } catch (err) {
      fallbacks.push({ device: candidate.device, error: message(err) });
    }
  }
  const tried = fallbacks.map((f) => `${f.device}: ${f.error}`).join('; ');
  throw new OpscopeError('unavailable', `The model in ${spec.dir} could not be loaded (${tried}).`);
}

function keyOf(spec: VlmModelSpec): string {
  return JSON.stringify([spec.dir, spec.device, spec.dtype]);
}

/** The model for a spec, loading it (and dropping another one) when needed. */
export async function vlmFor(spec: VlmModelSpec, stage: (text: string) => void): Promise<LoadedVlm> {
  const key = keyOf(spec);
  if (loaded?.key === key) return loaded;
  if (loading?.key === key) return loading.promise;
  const previous = loaded;
  loaded = null;
  if (previous) await previous.model.dispose().catch(() => undefined);
  const promise = load(spec, key, stage);
  loading = { key, promise };
  try {
    loaded = await promise;
    return loaded;
  } finally {
    if (loading?.promise === promise) loading = null;
  }
}
