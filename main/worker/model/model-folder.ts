/*
 * What a local model folder holds, checked before anything is loaded: a folder that is not a
 * transformers.js ONNX export gets a message saying what is missing, instead of a stack trace
 * from deep inside the runtime.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OpscopeError } from '../../core/errors.js';

/** Vision-language architectures the library runs through AutoModelForImageTextToText. */
export const VLM_MODEL_TYPES: Record<string, string> = {
  qwen2_vl: 'Qwen2-VL',
  qwen2_5_vl: 'Qwen2.5-VL',
  qwen3_vl: 'Qwen3-VL',
  idefics3: 'SmolVLM (Idefics3)',
  smolvlm: 'SmolVLM',
};

/** File suffix of each precision in the transformers.js layout (`onnx/<session><suffix>.onnx`). */
const DTYPE_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Preferred precisions: full precision on a CPU where it is affordable, half on GPUs. */
const PREFERENCE: Record<'cpu' | 'gpu', string[]> = {
  cpu: ['fp32', 'q8', 'int8', 'uint8', 'q4', 'fp16', 'q4f16', 'bnb4'],
  gpu: ['fp16', 'q4f16', 'fp32', 'q8', 'q4', 'int8', 'uint8', 'bnb4'],
};

export interface ModelFolder {
  dir: string;
  modelType: string;
  /** Human name of the architecture. */
  family: string;
  /** Session base names found in onnx/ (e.g. vision_encoder, embed_tokens, decoder_model_merged). */
  sessions: string[];
  /** Precisions available for every session. */
  dtypes: string[];
}

function fail(dir: string, what: string): never {
  throw new OpscopeError(
    'unavailable',
    `The model folder ${dir} ${what}. Point agent.onnx.modelDir at a vision-language model exported in the ` +
      'transformers.js ONNX layout (config.json, tokenizer.json, preprocessor_config.json and onnx/*.onnx), e.g. an ' +
      'onnx-community export of Qwen2.5-VL or SmolVLM copied to this machine.',
  );
}

function sessionAndDtype(file: string): { session: string; dtype: string } | null {
  if (!file.endsWith('.onnx')) return null;
  const stem = file.slice(0, -'.onnx'.length);
  // Longest suffix first: "_q4f16" before "_fp16".
  const suffixes = Object.entries(DTYPE_SUFFIX).filter(([, s]) => s !== '').sort((a, b) => b[1].length - a[1].length);
  for (const [dtype, suffix] of suffixes) {
    if (stem.endsWith(suffix)) return { session: stem.slice(0, -suffix.length), dtype };
  }
  return { session: stem, dtype: 'fp32' };
}

export function readModelFolder(dir: string): ModelFolder {
  if (!dir.trim()) {
    throw new OpscopeError(
      'unavailable',
      'The onnx backend has no model: set agent.onnx.modelDir to a local folder holding a vision-language model in the ' +
        'transformers.js ONNX layout (see "Local models" in the README).',
    );
  }
  try {
    if (!statSync(dir).isDirectory()) fail(dir, 'is not a folder');
  } catch (err) {
    if (err instanceof OpscopeError) throw err;
    fail(dir, 'does not exist or cannot be read');
  }
  let config: { model_type?: unknown };
  try {
    config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { model_type?: unknown };
  } catch {
    fail(dir, 'has no readable config.json');
  }
  const modelType = typeof config.model_type === 'string' ? config.model_type : '';
  const family = VLM_MODEL_TYPES[modelType];
  if (!family) {
    const known = Object.values(VLM_MODEL_TYPES).join(', ');
    throw new OpscopeError(
      'unavailable',
      `The model in ${dir} is a "${modelType || 'unknown'}" model; the onnx backend runs vision-language models of these ` +
        `families: ${known}.`,
    );
  }
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) {
    try {
      statSync(join(dir, file));
    } catch {
      fail(dir, `has no ${file}`);
    }
  }
  let files: string[];
  try {
    files = readdirSync(join(dir, 'onnx'));
  } catch {
    fail(dir, 'has no onnx/ folder');
  }
  const bySession = new Map<string, Set<string>>();
  for (const f of files) {
    const sd = sessionAndDtype(f);
    if (!sd) continue;
    const set = bySession.get(sd.session) ?? new Set<string>();
    set.add(sd.dtype);
    bySession.set(sd.session, set);
  }
  if (bySession.size === 0) fail(dir, 'has no .onnx files in onnx/');
  const sessions = [...bySession.keys()].sort();
  const dtypes = Object.keys(DTYPE_SUFFIX).filter((d) => sessions.every((s) => bySession.get(s)!.has(d)));
  return { dir, modelType, family, sessions, dtypes };
}

/**
 * The precision to load: the one asked for (which must be there for every session), or for
 * 'auto' the first preferred one the folder has.
 */
export function chooseDtype(folder: ModelFolder, wanted: string, device: string): string {
  if (wanted !== 'auto') {
    if (!folder.dtypes.includes(wanted)) {
      const have = folder.dtypes.length ? folder.dtypes.join(', ') : 'none complete';
      throw new OpscopeError('unavailable', `The model folder ${folder.dir} has no ${wanted} files for every session (available: ${have}).`);
    }
    return wanted;
  }
  const order = PREFERENCE[device === 'cpu' ? 'cpu' : 'gpu'];
  const found = order.find((d) => folder.dtypes.includes(d));
  if (!found) {
    throw new OpscopeError(
      'unavailable',
      `The model folder ${folder.dir} has no precision with a file for every session (${folder.sessions.join(', ')}).`,
    );
  }
  return found;
}
