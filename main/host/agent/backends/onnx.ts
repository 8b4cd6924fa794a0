/*
 * The `onnx` backend: a vision-language model on this machine, in the transformers.js ONNX layout
 * (Qwen2-VL, Qwen2.5-VL, Qwen3-VL, SmolVLM; e.g. an export of MedScope-7B), run by the model
 * worker. Nothing is downloaded: the model comes from the folder in the settings, and frames go to
 * the worker as files inside the data folder. The conversation is the same one the openai backend
 * sends a server, so a model behaves the same whether it runs here or on a GPU server.
 */

import { basename } from 'node:path';
import { CROP_FRAMES } from '../../../core/agent/tools.js';
import type { BackendReady, TurnContext } from '../../../core/agent/engine/types.js';
import type { BackendStep } from '../../../core/agent/types.js';
import type { OnnxSettings } from '../../../core/contract/schemas.js';
import { OpscopeError } from '../../../core/errors.js';
import type { VlmLoadInfo, VlmMessage, VlmModelSpec, VlmPartial } from '../../../core/worker-protocol.js';
import type { HostBackend } from '../agent-service.js';
import type { WorkerSupervisor } from '../../workers/worker-supervisor.js';
import type { FrameFileResolver } from './frame-images.js';
import { Reply } from './model-reply.js';
import { buildMessages, imageRefs, type ChatMessage } from './openai-messages.js';

export interface OnnxBackendOptions {
  frameFiles: FrameFileResolver;
  /** The model worker. */
  worker: Pick<WorkerSupervisor, 'run'>;
  framesPerCrop?: number;
}

const DEVICE_NAMES: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML', webgpu: 'WebGPU' };

/** One line for the clinician: what runs where, and why a faster device was not used. */
export function describeLoad(info: VlmLoadInfo, family: string): string {
  const device = DEVICE_NAMES[info.device] ?? info.device;
  const fallbacks = info.fallbacks.map((f) => `${DEVICE_NAMES[f.device] ?? f.device}: ${f.error}`);
  const why = fallbacks.length ? ` (not used: ${fallbacks.join('; ')})` : '';
  const seconds = info.loadMs >= 1000 ? `, loaded in ${(info.loadMs / 1000).toFixed(1)} s` : '';
  return `${family} ${info.dtype} on ${device}${why}${seconds}.`;
}

/** The server-style chat as the model worker takes it: image parts carry the frame's file. */
export function toVlmMessages(messages: ChatMessage[]): VlmMessage[] {
  return messages.map((m) => ({
    role: m.role,
    content:
      typeof m.content === 'string'
        ? [{ type: 'text' as const, text: m.content }]
        : m.content.map((p) => (p.type === 'text' ? { type: 'text' as const, text: p.text } : { type: 'image' as const, file: p.image_url.url })),
  }));
}

function isPartial(value: unknown): value is VlmPartial {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

class OnnxBackend implements HostBackend {
  readonly name = 'onnx';
  readonly model: string;
  executionProvider: string | null = null;
  private readonly spec: VlmModelSpec;

  constructor(
    private readonly settings: OnnxSettings,
    private readonly opts: OnnxBackendOptions,
  ) {
    this.spec = { dir: settings.modelDir, device: settings.device, dtype: settings.dtype };
    this.model = basename(settings.modelDir);
  }

  async prepare(signal: AbortSignal, status: (text: string) => void): Promise<BackendReady> {
    const info = await this.opts.worker.run('vlmLoad', { model: this.spec }, {
      signal,
      onPartial: (p) => {
        if (isPartial(p) && p.kind === 'loading') status(p.stage);
      },
    });
    if (signal.aborted) throw new OpscopeError('canceled', 'Canceled.');
    this.executionProvider = info.device;
    return { executionProvider: info.device, detail: describeLoad(info, this.model) };
  }

  async next(ctx: TurnContext, signal: AbortSignal): Promise<BackendStep> {
    const maxImages = this.settings.maxImages;
    const files = new Map<string, string | null>();
    for (const ref of imageRefs(ctx, maxImages)) files.set(ref, this.opts.frameFiles(ref));
    const chat = buildMessages(ctx, files, { framesPerCrop: this.opts.framesPerCrop ?? CROP_FRAMES.default, maxImages });
    const reply = new Reply((delta) => ctx.onThought(delta));
    // Stops the model once a whole call or answer is read, and on the run's cancel.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.opts.worker.run(
        'vlmTurn',
        { model: this.spec, messages: toVlmMessages(chat), maxNewTokens: this.settings.maxNewTokens },
        {
          signal: stop.signal,
          onPartial: (p) => {
            if (!isPartial(p) || p.kind !== 'text' || reply.complete) return;
            reply.add({ content: p.text, reasoning: '', finish: null });
            if (reply.complete) stop.abort();
          },
        },
      );
      if (signal.aborted) throw new OpscopeError('canceled', 'Canceled.');
      this.executionProvider = result.load.device;
      if (result.finish === 'length') reply.finish = 'length';
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    reply.end();
    return reply.step();
  }
}

/**
 * The backend over the model folder in the settings. Throws 'unavailable' with what to set when
 * no folder is set; the folder itself is checked by the worker when the model is loaded.
 */
export function createOnnxBackend(settings: OnnxSettings, opts: OnnxBackendOptions): HostBackend {
  if (!settings.modelDir.trim()) {
    throw new OpscopeError(
      'unavailable',
      'The onnx backend is not set up: set agent.onnx.modelDir to a local folder holding a vision-language model in the ' +
        'transformers.js ONNX layout (config.json, tokenizer.json, onnx/*.onnx), such as an onnx-community export of ' +
        'Qwen2.5-VL or SmolVLM. Nothing is downloaded: copy the folder to this machine first.',
    );
  }
  return new OnnxBackend(settings, opts);
}
