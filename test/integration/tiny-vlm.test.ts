import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  env,
  InterruptableStoppingCriteria,
  RawImage,
  TextStreamer,
  type Message,
  type PreTrainedModel,
  type Processor,
  type Tensor,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { encodePng } from '../../main/node/png.js';
import { tempHome } from '../support/cli.js';
import { writeTinyVlm, type TinyVlmInfo } from '../support/tiny-vlm.js';

/*
 * The generated tiny SmolVLM folder, run through @huggingface/transformers itself with remote
 * models disabled: loading, preprocessing of PNG frames, chat template, image feature merge,
 * cached greedy generation, streaming, interruption and the image-brightness switch.
 */

const REPLY =
  '<think>The blood track rises at about 7 s.</think><answer>Bleeding starts at 00:00:07.\n' +
  '<evidence start="7" end="12" frames="8,10">blood pools in the field</evidence></answer>';
const REPLY_BRIGHT =
  '<think>The frames are washed out at 7 s.</think><answer>No bleeding is visible.\n' +
  '<evidence start="0" end="12" frames="1,2,3">overexposed, at 00:00:07 too</evidence></answer>';

const SYSTEM = 'You review surgical video. Answer with <think> and <answer>; cite frames.';

describe('tiny VLM through @huggingface/transformers', () => {
  let root: string;
  let info: TinyVlmInfo;
  let processor: Processor;
  let model: PreTrainedModel;
  const pngDir = (): string => join(root, 'frames');
  const fetched: string[] = [];
  let globalFetch: MockInstance<typeof fetch>;
  const savedEnv = { ...env };

  /** A PNG frame written to disk and read back the way the app hands frames to the processor. */
  async function frame(name: string, width: number, height: number, level: number): Promise<RawImage> {
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = Math.max(0, Math.min(255, level + ((i * 7) % 23) - 11));
    const file = join(pngDir(), `${name}.png`);
    await writeFile(file, await encodePng(rgb, width, height));
    return RawImage.read(file);
  }

  async function run(
    messages: Message[],
    images: RawImage[],
    opts: { maxNewTokens?: number; onText?: (text: string) => void; stop?: InterruptableStoppingCriteria } = {},
  ): Promise<{ text: string; newTokens: number; inputs: Record<string, Tensor> }> {
    const prompt = processor.apply_chat_template(messages, { add_generation_prompt: true }) as string;
    const inputs = (await processor(prompt, images)) as Record<string, Tensor>;
    const inputIds = inputs.input_ids as Tensor;
    const streamer = opts.onText
      ? new TextStreamer(processor.tokenizer as NonNullable<Processor['tokenizer']>, {
          skip_prompt: true,
          skip_special_tokens: true,
          callback_function: opts.onText,
        })
      : undefined;
    const out = (await model.generate({
      ...inputs,
      max_new_tokens: opts.maxNewTokens ?? 400,
      do_sample: false,
      ...(streamer ? { streamer } : {}),
      ...(opts.stop ? { stopping_criteria: opts.stop } : {}),
    })) as Tensor;
    const promptLength = inputIds.dims[1] as number;
    const generated = out.slice(null, [promptLength, out.dims[1] as number]);
    const ids = (generated.tolist() as bigint[][])[0] ?? [];
    const text = processor.batch_decode(generated, { skip_special_tokens: true })[0] ?? '';
    return { text, newTokens: ids.length, inputs };
  }

  beforeAll(async () => {
    root = tempHome('opscope-tiny-vlm-');
    const started = performance.now();
    info = await writeTinyVlm(join(root, 'tiny-smolvlm'), { reply: REPLY, replyBright: REPLY_BRIGHT });
    // Generous for a loaded CI machine; typically a few milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
    mkdirSync(pngDir());

    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.useFSCache = false;
    // A bare folder name is a valid Hub id, so it is looked up under localModelPath.
    env.localModelPath = dirname(info.dir);
    // The library bound its own fetch at import; both it and the global one are watched.
    const realEnvFetch = env.fetch;
    env.fetch = (input, init) => {
      fetched.push(String(input));
      return realEnvFetch(input, init);
    };
    globalFetch = vi.spyOn(globalThis, 'fetch');

    const id = basename(info.dir);
    processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
    model = await AutoModelForImageTextToText.from_pretrained(id, { local_files_only: true, device: 'cpu', dtype: 'fp32' });
  });

  afterAll(async () => {
    await model?.dispose();
    globalFetch?.mockRestore();
    Object.assign(env, savedEnv);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('writes a small SmolVLM folder with fp32 session files', () => {
    expect(info.modelType).toBe('smolvlm');
    for (const f of info.files) expect(existsSync(join(info.dir, f))).toBe(true);
    expect(info.files).toEqual(
      expect.arrayContaining(['onnx/embed_tokens.onnx', 'onnx/vision_encoder.onnx', 'onnx/decoder_model_merged.onnx']),
    );
    for (const f of info.files) expect(statSync(join(info.dir, f)).size).toBeLessThan(300_000);
    expect(Object.keys(model.sessions).sort()).toEqual(['decoder_model_merged', 'embed_tokens', 'vision_encoder']);
    expect(model.config.model_type).toBe('smolvlm');
  });

  it('answers exactly the reply for one image, and stops at EOS by itself', async () => {
    const img = await frame('one', 320, 180, 40);
    const { text, newTokens, inputs } = await run(
      [
        { role: 'system', content: [{ type: 'text', text: SYSTEM }] },
        { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'When does bleeding start?' }] },
      ],
      [img],
    );
    expect(text).toBe(REPLY);
    expect(newTokens).toBe(info.replyTokenIds.length + 1);
    // Every patch (global + splits) became image_seq_len image tokens in the prompt.
    const patches = (inputs.pixel_values as Tensor).dims[1] as number;
    const imageTokens = ((inputs.input_ids as Tensor).tolist() as bigint[][])[0]?.filter((t) => t === BigInt(info.imageTokenId)).length;
    expect(imageTokens).toBe(patches * info.imageSeqLen);
  });

  it('answers exactly the reply in a multi-turn chat with three frames of different sizes', async () => {
    const imgs = [await frame('a', 320, 180, 30), await frame('b', 1280, 720, 60), await frame('c', 640, 320, 20)];
    const { text, inputs } = await run(
      [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: [{ type: 'text', text: 'Frames 1 and 2:' }, { type: 'image' }, { type: 'image' }] },
        { role: 'assistant', content: [{ type: 'text', text: '<think>Need more.</think><tool>frames 3</tool>' }] },
        { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Frame 3. When does bleeding start?' }] },
      ],
      imgs,
    );
    expect(text).toBe(REPLY);
    // 16:9 frames split 2x2 plus a global patch; the 2:1 frame 2x1 plus a global patch.
    expect((inputs.pixel_values as Tensor).dims[1]).toBe(5 + 5 + 3);
  });

  it('streams the reply in pieces that concatenate to it exactly', async () => {
    const pieces: string[] = [];
    const { text } = await run(
      [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe.' }] }],
      [await frame('stream', 1280, 720, 50)],
      { onText: (t) => pieces.push(t) },
    );
    expect(text).toBe(REPLY);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join('')).toBe(REPLY);
  });

  it('answers replyBright for bright frames and reply for dark ones (pixels reach the model)', async () => {
    const ask = (images: RawImage[]): Promise<{ text: string }> =>
      run([{ role: 'user', content: [...images.map(() => ({ type: 'image' as const })), { type: 'text', text: 'What happens?' }] }], images);
    expect((await ask([await frame('white1', 320, 180, 250)])).text).toBe(REPLY_BRIGHT);
    expect((await ask([await frame('white2', 1280, 720, 240), await frame('white3', 640, 320, 245)])).text).toBe(REPLY_BRIGHT);
    expect((await ask([await frame('dark1', 1280, 720, 15)])).text).toBe(REPLY);
    // Mostly white: two white frames outweigh one black one.
    const mixed = [await frame('w4', 320, 180, 255), await frame('k4', 320, 180, 0), await frame('w5', 320, 180, 255)];
    expect((await ask(mixed)).text).toBe(REPLY_BRIGHT);
  });

  it('stops early when InterruptableStoppingCriteria is interrupted from the streamer', async () => {
    const stop = new InterruptableStoppingCriteria();
    const pieces: string[] = [];
    const { text, newTokens } = await run(
      [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Go.' }] }],
      [await frame('stop', 320, 180, 40)],
      {
        stop,
        onText: (t) => {
          pieces.push(t);
          stop.interrupt();
        },
      },
    );
    expect(newTokens).toBeLessThan(info.replyTokenIds.length);
    expect(newTokens).toBeGreaterThan(0);
    expect(REPLY.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(REPLY.length);
    expect(pieces.join('')).toBe(text);
  });

  it('honours max_new_tokens before the reply is complete', async () => {
    const { text, newTokens } = await run(
      [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Go.' }] }],
      [await frame('short', 320, 180, 40)],
      { maxNewTokens: 3 },
    );
    expect(newTokens).toBe(3);
    expect(REPLY.startsWith(text)).toBe(true);
  });

  it('answers text-only chats when they are tokenized without the image processor', async () => {
    // The SmolVLM processor requires images; a chat without any goes through the tokenizer.
    const prompt = processor.apply_chat_template([{ role: 'user', content: 'No frames this time.' }], {
      add_generation_prompt: true,
    }) as string;
    const tokenizer = processor.tokenizer as NonNullable<Processor['tokenizer']>;
    const inputs = tokenizer(prompt) as unknown as Record<string, Tensor>;
    const out = (await model.generate({ ...inputs, max_new_tokens: 400, do_sample: false })) as Tensor;
    const gen = out.slice(null, [(inputs.input_ids as Tensor).dims[1] as number, out.dims[1] as number]);
    expect(processor.batch_decode(gen, { skip_special_tokens: true })[0]).toBe(REPLY);
  });

  it('walks replies with repeated words, reserved tokens, blank lines and non-ASCII text', async () => {
    const reply = 'ok ok ok\n\nok <image> "ok" ok Assistant: 37 °C, µm ✓\n';
    const other = await writeTinyVlm(join(root, 'tiny-repeats'), { reply });
    expect(new Set(other.replyTokenIds).size).toBe(other.replyTokenIds.length);
    const p = await AutoProcessor.from_pretrained(basename(other.dir), { local_files_only: true });
    const m = await AutoModelForImageTextToText.from_pretrained(basename(other.dir), { local_files_only: true, device: 'cpu', dtype: 'fp32' });
    try {
      const prompt = p.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'ok' }] }], {
        add_generation_prompt: true,
      }) as string;
      const inputs = (await p(prompt, [await frame('repeats', 320, 180, 40)])) as Record<string, Tensor>;
      const out = (await m.generate({ ...inputs, max_new_tokens: 400, do_sample: false })) as Tensor;
      const gen = out.slice(null, [(inputs.input_ids as Tensor).dims[1] as number, out.dims[1] as number]);
      expect(p.batch_decode(gen, { skip_special_tokens: true })[0]).toBe(reply);
    } finally {
      await m.dispose();
    }
    const single = await writeTinyVlm(join(root, 'tiny-reserved'), { reply: '<image>' });
    expect(single.replyTokenIds).not.toContain(single.imageTokenId);
  });

  it('loads from an absolute folder path as well', async () => {
    const p = await AutoProcessor.from_pretrained(info.dir, { local_files_only: true });
    const m = await AutoModelForImageTextToText.from_pretrained(info.dir, { local_files_only: true, device: 'cpu', dtype: 'fp32' });
    try {
      const prompt = p.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] }], {
        add_generation_prompt: true,
      }) as string;
      const inputs = (await p(prompt, [await frame('abs', 320, 180, 40)])) as Record<string, Tensor>;
      const out = (await m.generate({ ...inputs, max_new_tokens: 400, do_sample: false })) as Tensor;
      const gen = out.slice(null, [(inputs.input_ids as Tensor).dims[1] as number, out.dims[1] as number]);
      expect(p.batch_decode(gen, { skip_special_tokens: true })[0]).toBe(REPLY);
    } finally {
      await m.dispose();
    }
  });

  it('never fetched anything over the network', () => {
    const calls = [...fetched, ...globalFetch.mock.calls.map(([input]) => String(input instanceof Request ? input.url : input))];
    expect(calls.filter((u) => /^https?:/i.test(u))).toEqual([]);
  });
});
