/*
 * One turn of a local vision-language model: the chat goes through the model's own chat template
 * and processor, the reply streams back to the host piece by piece, and the host can stop it at
 * any moment (a cancel, or a complete tool call already read) without losing what came.
 */

import { OpscopeError } from '../../core/errors.js';
import type { JobParams, JobResult, VlmLoadInfo, VlmMessage, VlmModelSpec, VlmPartial } from '../../core/worker-protocol.js';
import type { JobContext } from '../jobs/index.js';
import { composeSheet, ONE_PICTURE_FAMILIES, sheetLayout } from './frame-sheet.js';
import { vlmFor } from './vlm-session.js';

type ChatPart = { type: 'text'; text: string } | { type: 'image' };

const SHEET_NOTE =
  'All frames of this conversation are shown in one picture, tiled left to right and top to bottom in the order they ' +
  'are mentioned; each tile has its case time drawn on it.';

/**
 * The chat in the library's shape, with the image files in the order their parts appear. With
 * `onePicture`, only the first image part stays (it will show every frame, tiled) and each later
 * one becomes a pointer to its tile.
 */
export function toChat(messages: VlmMessage[], onePicture = false): { chat: { role: string; content: ChatPart[] }[]; images: string[] } {
  const images: string[] = [];
  const chat = messages.map((m) => ({
    role: m.role,
    content: m.content.flatMap((p): ChatPart[] => {
      if (p.type === 'text') return [{ type: 'text', text: p.text }];
      images.push(p.file);
      if (!onePicture) return [{ type: 'image' }];
      if (images.length === 1) return [{ type: 'text', text: SHEET_NOTE }, { type: 'image' }];
      return [{ type: 'text', text: `(tile ${images.length} of the picture)` }];
    }),
  }));
  return { chat, images };
}

type Lib = Awaited<ReturnType<typeof vlmFor>>['lib'];
type Picture = InstanceType<Lib['RawImage']>;

/** Every frame tiled into one picture, at the first frame's aspect. */
async function tiled(lib: Lib, pictures: Picture[]): Promise<Picture> {
  const first = pictures[0]!;
  const layout = sheetLayout(pictures.length, first.width / first.height, 1344, first.width);
  const tiles = await Promise.all(pictures.map(async (p) => (await p.rgb().resize(layout.tileWidth, layout.tileHeight)) as Picture));
  return new lib.RawImage(composeSheet(tiles, layout), layout.width, layout.height, 3);
}

export async function loadVlm(spec: VlmModelSpec, ctx: JobContext): Promise<VlmLoadInfo> {
  const vlm = await vlmFor(spec, (stage) => ctx.partial({ kind: 'loading', stage } satisfies VlmPartial));
  return vlm.info;
}

export async function runVlmTurn(p: JobParams<'vlmTurn'>, ctx: JobContext): Promise<JobResult<'vlmTurn'>> {
  const send = (partial: VlmPartial) => ctx.partial(partial);
  const vlm = await vlmFor(p.model, (stage) => send({ kind: 'loading', stage }));
  send({ kind: 'loaded', load: vlm.info });
  if (ctx.signal.aborted) throw new OpscopeError('canceled', 'Canceled.');

  const { lib, processor, model } = vlm;
  const onePicture = ONE_PICTURE_FAMILIES.has(vlm.info.modelType);
  const { chat, images } = toChat(p.messages, onePicture);
  const prompt = processor.apply_chat_template(chat as never, { add_generation_prompt: true }) as string;
  let pictures;
  try {
    pictures = await Promise.all(images.map((file) => lib.RawImage.read(file)));
  } catch (err) {
    throw new OpscopeError('tool-failed', `a frame could not be read for the model: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (onePicture && pictures.length > 1) pictures = [await tiled(lib, pictures)];
  // Some processors (Idefics3) cannot take a prompt without pictures; the tokenizer alone can.
  const inputs = pictures.length ? await processor(prompt, pictures) : processor.tokenizer!(prompt);

  const stopping = new lib.InterruptableStoppingCriteria();
  const interrupt = () => stopping.interrupt();
  ctx.signal.addEventListener('abort', interrupt, { once: true });
  let tokens = 0;
  const streamer = new lib.TextStreamer(processor.tokenizer!, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (text: string) => {
      if (text) send({ kind: 'text', text });
    },
    token_callback_function: (ids: bigint[]) => {
      tokens += ids.length;
    },
  });
  let output;
  try {
    output = await model.generate({
      ...inputs,
      max_new_tokens: p.maxNewTokens,
      do_sample: false,
      streamer,
      stopping_criteria: stopping,
    } as never);
  } finally {
    ctx.signal.removeEventListener('abort', interrupt);
  }
  const promptLength = (inputs.input_ids as { dims: number[] }).dims.at(-1)!;
  const sequences = (output as { slice(...a: unknown[]): unknown }).slice(null, [promptLength, null]);
  const [text = ''] = processor.batch_decode(sequences as never, { skip_special_tokens: true });
  const finish = ctx.signal.aborted ? 'interrupted' : tokens >= p.maxNewTokens ? 'length' : 'eos';
  return { load: vlm.info, text, tokens, finish };
}
