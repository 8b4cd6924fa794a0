/*
 * A tiny SmolVLM (model_type "smolvlm", the Idefics3 family) in the transformers.js ONNX layout,
 * written from scratch so that tests need no downloaded weights.
 *
 * What loading and running a folder from writeTinyVlm() through @huggingface/transformers proves:
 * the real library's local-folder loading (config, generation config, processor and tokenizer
 * configs, the three ONNX sessions and their fp32 file names), the Idefics3 image preprocessing
 * (resizing, splitting into patches, image token expansion with row/column markers), the chat
 * template, tokenization, the merge of image features into the token embeddings, the KV-cached
 * greedy generation loop with EOS stopping, TextStreamer decoding and InterruptableStoppingCriteria.
 * With `replyBright` it also proves that pixels of every image reach the vision encoder and steer
 * the answer, and that the KV cache is carried between steps (the brightness is read back from the
 * cache at every step, so a broken cache changes the reply).
 *
 * What it does not prove: anything about model quality. The "model" is a lookup table: whatever
 * the chat says, it answers with a fixed text (one of two, chosen by image brightness).
 *
 * How it works. The tokenizer is a WordLevel vocabulary of the reply split into unique pieces,
 * plus SmolVLM's special tokens; prompt text becomes <unk>. A Fuse decoder and
 * clean_up_tokenization_spaces=false make decoding byte-exact. The hidden size is 3:
 * [token id, brightness, is-image]. embed_tokens maps an id to [id, 0, 0]; the vision encoder maps
 * each image patch to image_seq_len rows of [0, mean brightness, 1]. The decoder keeps channels
 * 1..2 of every position as its one-layer KV cache (1 head, head_dim 2), computes the mean
 * brightness of all image positions from that cache, and emits one-hot logits for the successor
 * of the last token in one of two successor tables (dark / bright). Each piece of a reply is
 * unique within that reply, so "successor of the last token" walks the reply and ends in EOS;
 * every other token (the generation prompt, <unk>, ...) leads to the first piece.
 *
 * Loading a folder (see test/integration/tiny-vlm.test.ts): transformers.js treats a string that
 * looks like a Hub id ("name" or "owner/name") as relative to env.localModelPath, and any other
 * string (an absolute path with several segments) as a path. So either set
 * env.localModelPath = dirname(dir) and pass basename(dir) as the id, or pass the absolute dir.
 * With env.allowLocalModels = true, env.allowRemoteModels = false and local_files_only: true
 * nothing is fetched; env.useFSCache = false keeps the library's file cache out of the way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TinyVlmOptions {
  /** The exact text generated for dark (or no) images. */
  reply: string;
  /** The exact text generated when the mean pixel value of the images is above mid-grey. */
  replyBright?: string;
}

export interface TinyVlmInfo {
  dir: string;
  modelType: string;
  /** Paths relative to dir, '/' separated. */
  files: string[];
  vocabSize: number;
  eosTokenId: number;
  imageTokenId: number;
  /** Image tokens per image patch (processor_config.json image_seq_len). */
  imageSeqLen: number;
  /** Longest edge of one vision-encoder patch; images larger than this are split. */
  patchSize: number;
  /** Token ids of `reply`, without EOS. */
  replyTokenIds: number[];
  /** Token ids of `replyBright` (same as replyTokenIds when it is not given), without EOS. */
  replyBrightTokenIds: number[];
}

// ---------------------------------------------------------------------------------------------
// Protobuf: just enough of the wire format to write onnx.ModelProto.

type Field = Uint8Array;

function varint(value: number | bigint): Uint8Array {
  // int64 fields hold negative numbers as 10-byte two's complement.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const pbInt = (field: number, value: number | bigint): Field => concat([varint(field << 3), varint(value)]);
const pbBytes = (field: number, bytes: Uint8Array): Field => concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
const pbString = (field: number, s: string): Field => pbBytes(field, new TextEncoder().encode(s));
const pbMsg = (field: number, parts: Field[]): Field => pbBytes(field, concat(parts));
function pbFloat(field: number, value: number): Field {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return concat([varint((field << 3) | 5), b]);
}

// ---------------------------------------------------------------------------------------------
// ONNX (field numbers from onnx.proto3).

const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;
type ElemType = typeof FLOAT | typeof INT64 | typeof BOOL;

function tensor(name: string, dims: number[], type: typeof FLOAT | typeof INT64, values: ArrayLike<number>): Field[] {
  const raw = new Uint8Array(values.length * (type === FLOAT ? 4 : 8));
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (type === FLOAT) view.setFloat32(i * 4, v, true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  }
  return [...dims.map((d) => pbInt(1, d)), pbInt(2, type), pbString(8, name), pbBytes(9, raw)];
}

type Attr = number | number[] | { floats: number[] } | { tensor: Field[] };

function attribute(name: string, value: Attr): Field[] {
  if (typeof value === 'number') return [pbString(1, name), pbInt(20, 2), pbInt(3, value)];
  if (Array.isArray(value)) return [pbString(1, name), pbInt(20, 7), ...value.map((v) => pbInt(8, v))];
  if ('floats' in value) return [pbString(1, name), pbInt(20, 6), ...value.floats.map((v) => pbFloat(7, v))];
  return [pbString(1, name), pbInt(20, 4), pbMsg(5, value.tensor)];
}

function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): Field {
  return pbMsg(1, [
    ...inputs.map((i) => pbString(1, i)),
    ...outputs.map((o) => pbString(2, o)),
    pbString(3, `${op}_${outputs[0] ?? ''}`),
    pbString(4, op),
    ...Object.entries(attrs).map(([k, v]) => pbMsg(5, attribute(k, v))),
  ]);
}

/** A graph input or output; string dims are symbolic (transformers.js resolves "batch_size"). */
function valueInfo(field: 11 | 12, name: string, type: ElemType, dims: (number | string)[]): Field {
  const dim = dims.map((d) => pbMsg(1, [typeof d === 'number' ? pbInt(1, d) : pbString(2, d)]));
  return pbMsg(field, [pbString(1, name), pbMsg(2, [pbMsg(1, [pbInt(1, type), pbMsg(2, dim)])])]);
}

interface GraphSpec {
  name: string;
  nodes: Field[];
  initializers: Field[][];
  inputs: [string, ElemType, (number | string)[]][];
  outputs: [string, ElemType, (number | string)[]][];
}

const OPSET = 13;

function model(g: GraphSpec): Uint8Array {
  const graph = [
    ...g.nodes,
    pbString(2, g.name),
    ...g.initializers.map((t) => pbMsg(5, t)),
    ...g.inputs.map(([n, t, d]) => valueInfo(11, n, t, d)),
    ...g.outputs.map(([n, t, d]) => valueInfo(12, n, t, d)),
  ];
  return concat([
    pbInt(1, 7), // IR version 7 goes with opset 13
    pbString(2, 'opscope-tiny-vlm'),
    pbMsg(7, graph),
    pbMsg(8, [pbString(1, ''), pbInt(2, OPSET)]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

const UNK = '<unk>';
const BOS = '<|im_start|>';
const EOS = '<end_of_utterance>';
const IMAGE = '<image>';
const FAKE_AROUND_IMAGE = '<fake_token_around_image>';
const GLOBAL_IMAGE = '<global-img>';
/** Not special, so a streamed prompt would show it; it ends every generation prompt. */
const ASSISTANT = 'Assistant:';
const MAX_SPLITS = 6;

function rowColTokens(): string[] {
  const out: string[] = [];
  for (let r = 1; r <= MAX_SPLITS; r++) for (let c = 1; c <= MAX_SPLITS; c++) out.push(`<row_${r}_col_${c}>`);
  return out;
}

/**
 * Splits text into pieces that are unique within it (a successor table can only walk a sequence
 * whose elements differ) and differ from every reserved token. Starts from "leading whitespace +
 * non-space run" pieces and glues a repeated piece onto the next one until it is new.
 */
export function uniquePieces(text: string, reserved: ReadonlySet<string>): string[] {
  if (text.length === 0) return [];
  const segments = text.match(/\s*\S+|\s+/g) ?? [text];
  const used = new Set<string>();
  const out: string[] = [];
  let pending = '';
  for (const seg of segments) {
    pending += seg;
    if (!used.has(pending) && !reserved.has(pending)) {
      used.add(pending);
      out.push(pending);
      pending = '';
    }
  }
  // A repeated tail: glue it onto earlier pieces until the result is new again.
  while (pending !== '') {
    const prev = out.pop();
    if (prev === undefined) {
      // The whole text is one reserved token (say "<image>"): two pieces keep it out of the way.
      if (reserved.has(pending) && pending.length > 1) out.push(pending.slice(0, 1), pending.slice(1));
      else out.push(pending);
      break;
    }
    used.delete(prev);
    pending = prev + pending;
    if (!used.has(pending) && !reserved.has(pending)) {
      used.add(pending);
      out.push(pending);
      pending = '';
    }
  }
  return out;
}

// Works with @huggingface/jinja: string content, or a list of {type:'text'|'image'} parts.
const CHAT_TEMPLATE = [
  "{%- for message in messages -%}",
  "{{- '<|im_start|>' + (message['role'] | capitalize) + ':' -}}",
  "{%- if message['content'] is string -%}",
  "{{- ' ' + message['content'] -}}",
  '{%- else -%}',
  "{%- for part in message['content'] -%}",
  "{%- if part['type'] == 'image' -%}{{- '<image>' -}}",
  "{%- elif part['type'] == 'text' -%}{{- ' ' + part['text'] -}}",
  '{%- endif -%}',
  '{%- endfor -%}',
  '{%- endif -%}',
  "{{- '<end_of_utterance>\\n' -}}",
  '{%- endfor -%}',
  "{%- if add_generation_prompt -%}{{- '<|im_start|>Assistant:' -}}{%- endif -%}",
].join('');

// ---------------------------------------------------------------------------------------------

const HIDDEN = 3; // [token id, brightness, is-image]
const HEAD_DIM = 2; // cache channels: [brightness, is-image]
const IMAGE_SEQ_LEN = 2;
const PATCH = 32; // vision encoder input edge (max_image_size.longest_edge)
const RESIZE_LONGEST = 64; // size.longest_edge: frames of any size become at most 64 px, 2x2 patches + global
const LOGIT = 50; // far enough above 0 that even sampling picks the table's token

function embedTokensGraph(vocabSize: number): Uint8Array {
  const table = new Float32Array(vocabSize * HIDDEN);
  for (let id = 0; id < vocabSize; id++) table[id * HIDDEN] = id;
  return model({
    name: 'embed_tokens',
    nodes: [node('Gather', ['embed_table', 'input_ids'], ['inputs_embeds'], { axis: 0 })],
    initializers: [tensor('embed_table', [vocabSize, HIDDEN], FLOAT, table)],
    inputs: [['input_ids', INT64, ['batch_size', 'sequence_length']]],
    outputs: [['inputs_embeds', FLOAT, ['batch_size', 'sequence_length', HIDDEN]]],
  });
}

function visionEncoderGraph(): Uint8Array {
  const scale = new Float32Array(IMAGE_SEQ_LEN * HIDDEN);
  const offset = new Float32Array(IMAGE_SEQ_LEN * HIDDEN);
  for (let i = 0; i < IMAGE_SEQ_LEN; i++) {
    scale[i * HIDDEN + 1] = 1;
    offset[i * HIDDEN + 2] = 1;
  }
  return model({
    name: 'vision_encoder',
    nodes: [
      // pixel_values are normalised to [-1, 1] by the processor (mean = std = 0.5).
      node('ReduceMean', ['pixel_values'], ['patch_mean'], { axes: [2, 3, 4], keepdims: 0 }),
      node('Mul', ['patch_mean', 'half'], ['patch_half']),
      node('Add', ['patch_half', 'half'], ['brightness']),
      // Every patch of every image becomes image_seq_len rows, matching the processor's tokens.
      node('Reshape', ['brightness', 'per_patch_shape'], ['brightness_col']),
      node('Mul', ['brightness_col', 'feature_scale'], ['scaled']),
      node('Add', ['scaled', 'feature_offset'], ['features']),
      // The mask only matters for padded batches; using it keeps it an input of the session.
      node('Cast', ['pixel_attention_mask'], ['mask_f'], { to: FLOAT }),
      node('ReduceMax', ['mask_f'], ['mask_any'], { keepdims: 0 }),
      node('Mul', ['features', 'mask_any'], ['image_features']),
    ],
    initializers: [
      tensor('half', [], FLOAT, [0.5]),
      tensor('per_patch_shape', [3], INT64, [-1, 1, 1]),
      tensor('feature_scale', [1, IMAGE_SEQ_LEN, HIDDEN], FLOAT, scale),
      tensor('feature_offset', [1, IMAGE_SEQ_LEN, HIDDEN], FLOAT, offset),
    ],
    inputs: [
      ['pixel_values', FLOAT, ['batch_size', 'num_images', 3, 'height', 'width']],
      ['pixel_attention_mask', BOOL, ['batch_size', 'num_images', 'height', 'width']],
    ],
    outputs: [['image_features', FLOAT, ['num_patches', IMAGE_SEQ_LEN, HIDDEN]]],
  });
}

function decoderGraph(vocabSize: number, nextDark: number[], nextBright: number[]): Uint8Array {
  const past: (number | string)[] = ['batch_size', 1, 'past_sequence_length', HEAD_DIM];
  const present: (number | string)[] = ['batch_size', 1, 'total_sequence_length', HEAD_DIM];
  return model({
    name: 'decoder_model_merged',
    nodes: [
      node('Slice', ['inputs_embeds', 'cache_start', 'cache_end', 'axis_2'], ['new_kv']),
      node('Unsqueeze', ['new_kv', 'axis_1'], ['new_kv_heads']),
      node('Concat', ['past_key_values.0.key', 'new_kv_heads'], ['present.0.key'], { axis: 2 }),
      node('Concat', ['past_key_values.0.value', 'new_kv_heads'], ['present.0.value'], { axis: 2 }),
      // Mean brightness of all image positions so far, read from the cache.
      node('Cast', ['attention_mask'], ['mask_f'], { to: FLOAT }),
      node('ReduceMax', ['mask_f'], ['mask_any'], { keepdims: 0 }),
      node('Mul', ['present.0.key', 'mask_any'], ['kv_masked']),
      node('ReduceSum', ['kv_masked', 'axes_heads_seq'], ['kv_sums'], { keepdims: 0 }),
      node('Gather', ['kv_sums', 'index_0'], ['bright_sum'], { axis: 1 }),
      node('Gather', ['kv_sums', 'index_1'], ['image_count'], { axis: 1 }),
      node('Add', ['image_count', 'epsilon'], ['image_count_safe']),
      node('Div', ['bright_sum', 'image_count_safe'], ['mean_brightness']),
      node('Greater', ['mean_brightness', 'half'], ['is_bright']),
      // Successor of the last token.
      node('Gather', ['inputs_embeds', 'index_last'], ['last_embed'], { axis: 1 }),
      node('Gather', ['last_embed', 'index_0'], ['last_id_f'], { axis: 1 }),
      node('Round', ['last_id_f'], ['last_id_r']),
      node('Cast', ['last_id_r'], ['last_id'], { to: INT64 }),
      node('Gather', ['next_dark', 'last_id'], ['dark_id'], { axis: 0 }),
      node('Gather', ['next_bright', 'last_id'], ['bright_id'], { axis: 0 }),
      node('Where', ['is_bright', 'bright_id', 'dark_id'], ['next_id']),
      node('OneHot', ['next_id', 'depth', 'onehot_values'], ['next_onehot'], { axis: -1 }),
      node('Cast', ['position_ids'], ['pos_f'], { to: FLOAT }),
      node('ReduceMin', ['pos_f'], ['pos_min'], { keepdims: 0 }),
      node('Mul', ['pos_min', 'zero'], ['pos_zero']),
      node('Add', ['next_onehot', 'pos_zero'], ['next_logits']),
      node('Unsqueeze', ['next_logits', 'axis_1'], ['logits']),
    ],
    initializers: [
      tensor('cache_start', [1], INT64, [1]),
      tensor('cache_end', [1], INT64, [1 + HEAD_DIM]),
      tensor('axis_1', [1], INT64, [1]),
      tensor('axis_2', [1], INT64, [2]),
      tensor('axes_heads_seq', [2], INT64, [1, 2]),
      tensor('index_0', [], INT64, [0]),
      tensor('index_1', [], INT64, [1]),
      tensor('index_last', [], INT64, [-1]),
      tensor('epsilon', [], FLOAT, [1e-6]),
      tensor('half', [], FLOAT, [0.5]),
      tensor('zero', [], FLOAT, [0]),
      tensor('next_dark', [vocabSize], INT64, nextDark),
      tensor('next_bright', [vocabSize], INT64, nextBright),
      tensor('depth', [], INT64, [vocabSize]),
      tensor('onehot_values', [2], FLOAT, [0, LOGIT]),
    ],
    inputs: [
      ['inputs_embeds', FLOAT, ['batch_size', 'sequence_length', HIDDEN]],
      ['attention_mask', INT64, ['batch_size', 'total_sequence_length']],
      ['position_ids', INT64, ['batch_size', 'sequence_length']],
      ['past_key_values.0.key', FLOAT, past],
      ['past_key_values.0.value', FLOAT, past],
    ],
    outputs: [
      ['logits', FLOAT, ['batch_size', 1, vocabSize]],
      ['present.0.key', FLOAT, present],
      ['present.0.value', FLOAT, present],
    ],
  });
}

/** Successor table: every token leads to the first piece, each piece to the next, the last to EOS. */
function successors(vocabSize: number, ids: number[], eos: number): number[] {
  const next = new Array<number>(vocabSize).fill(ids[0] ?? eos);
  ids.forEach((id, i) => (next[id] = ids[i + 1] ?? eos));
  next[eos] = eos;
  return next;
}

export async function writeTinyVlm(dir: string, opts: TinyVlmOptions): Promise<TinyVlmInfo> {
  const added: { content: string; special: boolean }[] = [
    { content: UNK, special: true },
    { content: BOS, special: true },
    { content: EOS, special: true },
    { content: IMAGE, special: true },
    { content: FAKE_AROUND_IMAGE, special: true },
    { content: GLOBAL_IMAGE, special: true },
    { content: ASSISTANT, special: false },
    ...rowColTokens().map((content) => ({ content, special: true })),
  ];
  const reserved = new Set(added.map((a) => a.content));
  const darkPieces = uniquePieces(opts.reply, reserved);
  const brightPieces = opts.replyBright === undefined ? darkPieces : uniquePieces(opts.replyBright, reserved);

  const vocab = new Map<string, number>();
  for (const t of [...added.map((a) => a.content), ...darkPieces, ...brightPieces]) if (!vocab.has(t)) vocab.set(t, vocab.size);
  const id = (t: string): number => vocab.get(t) as number;
  const vocabSize = vocab.size;
  const eos = id(EOS);
  const replyTokenIds = darkPieces.map(id);
  const replyBrightTokenIds = brightPieces.map(id);

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map((a) => ({
      id: id(a.content),
      content: a.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: a.special,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    // Fuse concatenates pieces as they are: spaces, newlines and markup survive decoding.
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab: Object.fromEntries(vocab), unk_token: UNK },
  };
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: BOS,
    eos_token: EOS,
    unk_token: UNK,
    pad_token: UNK,
    add_bos_token: false,
    add_eos_token: false,
    // The default (true) would rewrite " ." and " 's" in decoded text.
    clean_up_tokenization_spaces: false,
    model_max_length: 1_000_000,
    padding_side: 'left',
    additional_special_tokens: [FAKE_AROUND_IMAGE, IMAGE, GLOBAL_IMAGE, EOS],
    chat_template: CHAT_TEMPLATE,
  };
  const textConfig = {
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    vocab_size: vocabSize,
    hidden_size: HIDDEN,
    intermediate_size: HIDDEN,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    head_dim: HEAD_DIM,
    max_position_embeddings: 1_000_000,
    bos_token_id: id(BOS),
    eos_token_id: eos,
    pad_token_id: id(UNK),
    tie_word_embeddings: false,
  };
  const config = {
    architectures: ['SmolVLMForConditionalGeneration'],
    model_type: 'smolvlm',
    image_token_id: id(IMAGE),
    scale_factor: 1,
    tie_word_embeddings: false,
    text_config: textConfig,
    vision_config: { model_type: 'smolvlm_vision', hidden_size: HIDDEN, image_size: PATCH, patch_size: PATCH, num_channels: 3 },
    // Lets from_pretrained() without a dtype pick the only files there are.
    'transformers.js_config': { dtype: 'fp32' },
  };
  const generationConfig = { bos_token_id: id(BOS), eos_token_id: eos, pad_token_id: id(UNK), do_sample: false };
  const preprocessorConfig = {
    processor_class: 'SmolVLMProcessor',
    image_processor_type: 'SmolVLMImageProcessor',
    do_convert_rgb: true,
    do_resize: true,
    size: { longest_edge: RESIZE_LONGEST },
    resample: 1,
    do_image_splitting: true,
    max_image_size: { longest_edge: PATCH },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    do_pad: true,
  };
  const processorConfig = { processor_class: 'SmolVLMProcessor', image_seq_len: IMAGE_SEQ_LEN };

  const nextDark = successors(vocabSize, replyTokenIds, eos);
  const nextBright = successors(vocabSize, replyBrightTokenIds, eos);
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  const files: [string, string | Uint8Array][] = [
    ['config.json', json(config)],
    ['generation_config.json', json(generationConfig)],
    ['preprocessor_config.json', json(preprocessorConfig)],
    ['processor_config.json', json(processorConfig)],
    ['tokenizer.json', json(tokenizer)],
    ['tokenizer_config.json', json(tokenizerConfig)],
    ['special_tokens_map.json', json({ bos_token: BOS, eos_token: EOS, unk_token: UNK, pad_token: UNK })],
    // dtype 'fp32' has no file-name suffix: onnx/<session>.onnx.
    ['onnx/embed_tokens.onnx', embedTokensGraph(vocabSize)],
    ['onnx/vision_encoder.onnx', visionEncoderGraph()],
    ['onnx/decoder_model_merged.onnx', decoderGraph(vocabSize, nextDark, nextBright)],
  ];
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await Promise.all(files.map(([name, data]) => writeFile(join(dir, ...name.split('/')), data)));

  return {
    dir,
    modelType: 'smolvlm',
    files: files.map(([name]) => name),
    vocabSize,
    eosTokenId: eos,
    imageTokenId: id(IMAGE),
    imageSeqLen: IMAGE_SEQ_LEN,
    patchSize: PATCH,
    replyTokenIds,
    replyBrightTokenIds,
  };
}
