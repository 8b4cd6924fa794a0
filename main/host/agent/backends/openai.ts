/*
 * The `openai` backend: a vision-language model behind any OpenAI-compatible server (vLLM,
 * llama.cpp server, Ollama, LM Studio). Each turn it sends the whole conversation with the frames
 * as images to POST {baseUrl}/chat/completions with `stream: true`, forwards the model's thinking
 * as it arrives, and reads the reply with the same protocol parser as every other backend.
 *
 * Network rules: a server off this machine is refused unless `allowRemote` is set (patient video
 * would leave the machine). A request is retried only when nothing of the reply has arrived yet
 * (connection refused or reset, 429, 5xx); a reply that breaks mid-way is never sent again,
 * because the model would think again from scratch and the thought already shown would not match.
 */

import { CROP_FRAMES } from '../../../core/agent/tools.js';
import type { TurnContext } from '../../../core/agent/engine/types.js';
import type { BackendStep } from '../../../core/agent/types.js';
import type { OpenAiSettings } from '../../../core/contract/schemas.js';
import { OpscopeError } from '../../../core/errors.js';
import type { HostBackend } from '../agent-service.js';
import { FrameImages, type FrameFileResolver } from './frame-images.js';
import { Reply, type Piece } from './model-reply.js';
import { buildMessages, imageRefs } from './openai-messages.js';
import { checkServerAllowed, parseServerUrl, type ServerUrl } from './openai-url.js';
import { SseDecoder } from './sse.js';

export interface OpenAiBackendOptions {
  /** The image file behind a frame ref. */
  frameFiles: FrameFileResolver;
  /** Most images per request (see imageRefs). Default 32. */
  maxImages?: number;
  /** Frames crop_video returns, for the system prompt. Default the engine's. */
  framesPerCrop?: number;
  /** The reply's length limit in tokens. Default 4096. */
  maxTokens?: number;
  /** First retry delay; doubles each retry. Default 500 ms. */
  retryDelayMs?: number;
  /** Longest wait a server's Retry-After may ask for. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Injectable for tests. */
  fetch?: typeof fetch;
}

const DEFAULT_MAX_IMAGES = 32;
const DEFAULT_MAX_TOKENS = 4096;
/** Quoted back in errors, so a clinician (or whoever runs the server) can see what came. */
const QUOTE_CHARS = 200;

type Settings = Pick<OpenAiSettings, 'baseUrl' | 'model' | 'allowRemote' | 'timeoutMs' | 'maxRetries'> & { apiKey?: string | undefined };

/** A failure before any of the reply arrived: sending the request again is safe. */
class Retryable extends Error {
  constructor(
    readonly error: OpscopeError,
    readonly retryAfterMs: number | null = null,
  ) {
    super(error.message);
  }
}

function quote(text: string, fromEnd = false): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= QUOTE_CHARS) return JSON.stringify(t);
  return JSON.stringify(fromEnd ? `…${t.slice(-QUOTE_CHARS)}` : `${t.slice(0, QUOTE_CHARS)}…`);
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    UND_ERR_SOCKET: 'connection closed',
    UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
    CERT_HAS_EXPIRED: 'TLS certificate expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  };
  if (code) return words[code] ?? code;
  if (typeof cause?.message === 'string' && cause.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The message in an error body, as the various servers shape it. */
function serverMessage(body: string): string {
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v === 'object' && v !== null) {
      const o = v as { error?: unknown; message?: unknown; detail?: unknown };
      if (typeof o.error === 'string') return o.error;
      if (typeof o.error === 'object' && o.error !== null && typeof (o.error as { message?: unknown }).message === 'string') {
        return (o.error as { message: string }).message;
      }
      if (typeof o.message === 'string') return o.message;
      if (typeof o.detail === 'string') return o.detail;
    }
  } catch {
    // not JSON: quote the text
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, QUOTE_CHARS);
}

function retryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new OpscopeError('canceled', 'Canceled.'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OpscopeError('canceled', 'Canceled.'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Reads a chunk (`choices[0].delta`) or a whole reply (`choices[0].message`); null if neither. */
function pieceOf(value: unknown): Piece | { error: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const o = value as { choices?: unknown; error?: unknown };
  if (o.error !== undefined && o.error !== null) return { error: serverMessage(JSON.stringify(o)) };
  if (!Array.isArray(o.choices)) return null;
  const choice = o.choices[0] as { delta?: unknown; message?: unknown; finish_reason?: unknown } | undefined;
  if (choice === undefined) return { content: '', reasoning: '', finish: null }; // e.g. a usage-only chunk
  const m = (choice.delta ?? choice.message ?? {}) as { content?: unknown; reasoning_content?: unknown; reasoning?: unknown };
  return {
    content: str(m.content),
    // vLLM's and llama.cpp's reasoning parsers send `reasoning_content`; Ollama and newer vLLM `reasoning`.
    reasoning: str(m.reasoning_content) || str(m.reasoning),
    finish: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
  };
}

class OpenAiBackend implements HostBackend {
  readonly name = 'openai';
  readonly model: string;
  readonly executionProvider: string;
  private readonly images: FrameImages;
  private readonly fetchImpl: typeof fetch;

  constructor(
    private readonly settings: Settings,
    private readonly server: ServerUrl,
    private readonly opts: OpenAiBackendOptions,
  ) {
    this.model = settings.model;
    this.executionProvider = server.loopback ? 'local-server' : `remote:${server.host}`;
    this.images = new FrameImages(opts.frameFiles);
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private get where(): string {
    return `the OpenAI-compatible server at ${this.server.base}`;
  }

  async next(ctx: TurnContext, signal: AbortSignal): Promise<BackendStep> {
    const maxImages = this.opts.maxImages ?? DEFAULT_MAX_IMAGES;
    const images = await this.images.load(imageRefs(ctx, maxImages));
    const messages = buildMessages(ctx, images, { framesPerCrop: this.opts.framesPerCrop ?? CROP_FRAMES.default, maxImages });
    const body = JSON.stringify({
      model: this.settings.model,
      messages,
      stream: true,
      max_tokens: this.opts.maxTokens ?? DEFAULT_MAX_TOKENS,
      // No `stop` sequences (servers differ on whether the stop text is kept): the stream is
      // closed as soon as a whole call or answer has been read instead (Reply.complete).
    });
    const retries = this.settings.maxRetries;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new OpscopeError('canceled', 'Canceled.');
      try {
        return await this.once(body, ctx, signal);
      } catch (err) {
        if (!(err instanceof Retryable)) throw err;
        if (attempt >= retries) {
          const tries = retries > 0 ? ` (tried ${retries + 1} times)` : '';
          throw new OpscopeError(err.error.code, `${err.error.message}${tries}`);
        }
        const base = (this.opts.retryDelayMs ?? 500) * 2 ** attempt;
        const wait = Math.min(this.opts.maxRetryDelayMs ?? 30_000, err.retryAfterMs ?? base * (1 + Math.random() * 0.25));
        await sleep(wait, signal);
      }
    }
  }

  /** One request; throws Retryable only when nothing of the reply has arrived. */
  private async once(body: string, ctx: TurnContext, signal: AbortSignal): Promise<BackendStep> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = this.settings.timeoutMs;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
    };
    const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
    const reply = new Reply((delta) => ctx.onThought(delta));
    /** The error for a failure while reading, by what stopped it. */
    const failure = (err: unknown, reading: boolean): Error => {
      if (signal.aborted) return new OpscopeError('canceled', 'Canceled.');
      if (timedOut) {
        if (!reading) return new OpscopeError('timeout', `${this.where} did not answer within ${seconds} (agent.openai.timeoutMs).`);
        const got = reply.received > 0 ? ` after ${reply.received} characters (${quote(reply.content || reply.reasoning, true)})` : ' before any of the reply';
        return new OpscopeError('timeout', `${this.where} stopped sending for ${seconds}${got} (agent.openai.timeoutMs).`);
      }
      if (err instanceof OpscopeError || err instanceof Retryable) return err;
      if (!reading || reply.received === 0) {
        return new Retryable(new OpscopeError('unavailable', `cannot reach ${this.where} (${causeOf(err)}); is it running?`));
      }
      return new OpscopeError(
        'tool-failed',
        `the reply from ${this.where} broke off after ${reply.received} characters (${causeOf(err)}); received: ${quote(reply.content || reply.reasoning, true)}`,
      );
    };

    try {
      arm();
      let res: Response;
      try {
        res = await this.fetchImpl(`${this.server.base}/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream, application/json',
            ...(this.settings.apiKey ? { authorization: `Bearer ${this.settings.apiKey}` } : {}),
          },
          body,
          signal: controller.signal,
        });
      } catch (err) {
        throw failure(err, false);
      }
      if (!res.ok) throw await this.statusError(res, arm, (err) => failure(err, false));
      if (!res.body) throw new OpscopeError('tool-failed', `${this.where} sent an empty reply (HTTP ${res.status}).`);
      const json = (res.headers.get('content-type') ?? '').includes('application/json');
      try {
        await (json ? this.readJson(res.body, reply, arm) : this.readSse(res.body, reply, arm, controller));
      } catch (err) {
        throw failure(err, true);
      }
      reply.end();
      return reply.step();
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Stops a server still generating (a reply read to its first call, a failure, a cancel).
      controller.abort();
    }
  }

  private async statusError(res: Response, arm: () => void, failure: (err: unknown) => Error): Promise<Error> {
    let text = '';
    try {
      arm();
      text = await res.text();
    } catch (err) {
      const f = failure(err);
      if (f instanceof OpscopeError && (f.code === 'canceled' || f.code === 'timeout')) return f;
    }
    const said = serverMessage(text);
    const tail = said ? `: ${said}` : '';
    const status = `HTTP ${res.status}`;
    if (res.status === 401 || res.status === 403) {
      return new OpscopeError(
        'unavailable',
        `${this.where} refused the request (${status}${tail}). Check agent.openai.apiKey: the server wants a valid API key.`,
      );
    }
    if (res.status === 404) {
      return new OpscopeError(
        'unavailable',
        `${this.where} has no model "${this.settings.model}" or no /chat/completions (${status}${tail}). Check agent.openai.model ` +
          'against the names the server lists at /v1/models, and that agent.openai.baseUrl is the API root (…/v1).',
      );
    }
    if (res.status === 429 || (res.status >= 500 && res.status !== 501 && res.status !== 505)) {
      return new Retryable(new OpscopeError('unavailable', `${this.where} answered ${status}${tail}`), retryAfter(res.headers.get('retry-after')));
    }
    const images = /image|vision|multimodal|mm_|modalit/i.test(said) ? ' (does this model take images? It needs a vision-language model)' : '';
    return new OpscopeError('tool-failed', `${this.where} could not take the request (${status}${tail})${images}.`);
  }

  private async readSse(stream: ReadableStream<Uint8Array>, reply: Reply, arm: () => void, controller: AbortController): Promise<void> {
    const reader = stream.getReader();
    const text = new TextDecoder();
    const sse = new SseDecoder();
    let started = false;
    let sniffed = '';
    const handle = (data: string) => {
      if (data.trim() === '[DONE]') {
        reply.done = true;
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        throw new OpscopeError('tool-failed', `${this.where} sent a stream that is not OpenAI's: an event is not JSON (${quote(data)}).`);
      }
      const piece = pieceOf(value);
      if (piece === null) throw new OpscopeError('tool-failed', `${this.where} sent a stream event without choices (${quote(data)}).`);
      if ('error' in piece) throw new OpscopeError('tool-failed', `${this.where} reported an error mid-reply: ${piece.error}`);
      reply.add(piece);
    };
    try {
      while (!reply.done && !reply.complete) {
        const { done, value } = await reader.read();
        if (done) break;
        arm();
        const chunk = text.decode(value, { stream: true });
        if (!started) {
          // A server that ignores `stream: true` and does not say it sends JSON.
          sniffed += chunk;
          const first = sniffed.trimStart();
          if (first === '') continue;
          started = true;
          if (first.startsWith('{')) return await this.readJsonRest(reader, text, sniffed, reply, arm);
          for (const data of sse.push(sniffed)) handle(data);
          continue;
        }
        for (const data of sse.push(chunk)) {
          handle(data);
          if (reply.done || reply.complete) break;
        }
      }
      if (!reply.done && !reply.complete) {
        for (const data of sse.push(text.decode())) handle(data);
        for (const data of sse.end()) handle(data);
      }
    } finally {
      if (reply.complete && !reply.done) controller.abort();
      reader.releaseLock();
    }
    if (reply.done || reply.complete || reply.finish !== null) return;
    if (reply.received === 0 && !started) throw new OpscopeError('tool-failed', `${this.where} closed the stream without sending anything.`);
    throw new OpscopeError(
      'tool-failed',
      `the reply from ${this.where} ended before it was complete (no [DONE]) after ${reply.received} characters; received: ` +
        quote(reply.content || reply.reasoning || sse.pending, true),
    );
  }

  private async readJson(stream: ReadableStream<Uint8Array>, reply: Reply, arm: () => void): Promise<void> {
    const reader = stream.getReader();
    try {
      await this.readJsonRest(reader, new TextDecoder(), '', reply, arm);
    } finally {
      reader.releaseLock();
    }
  }

  /** A whole (non-streamed) reply: `choices[0].message`. */
  private async readJsonRest(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    text: InstanceType<typeof TextDecoder>,
    start: string,
    reply: Reply,
    arm: () => void,
  ): Promise<void> {
    let all = start;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arm();
      all += text.decode(value, { stream: true });
    }
    all += text.decode();
    let value: unknown;
    try {
      value = JSON.parse(all);
    } catch {
      throw new OpscopeError('tool-failed', `${this.where} sent a reply that is not JSON (${quote(all)}).`);
    }
    const piece = pieceOf(value);
    if (piece === null) throw new OpscopeError('tool-failed', `${this.where} sent a reply without choices (${quote(all)}).`);
    if ('error' in piece) throw new OpscopeError('tool-failed', `${this.where} reported an error: ${piece.error}`);
    reply.add(piece);
    reply.done = true;
  }
}

/**
 * The backend over the configured server. Throws 'unavailable' with what to set when the
 * settings are incomplete or point off the machine without `allowRemote`.
 */
export function createOpenAiBackend(settings: Settings, opts: OpenAiBackendOptions): HostBackend {
  const baseUrl = settings.baseUrl.trim();
  const model = settings.model.trim();
  if (!baseUrl || !model) {
    const missing = [!baseUrl ? 'agent.openai.baseUrl' : null, !model ? 'agent.openai.model' : null].filter(Boolean).join(' and ');
    throw new OpscopeError(
      'unavailable',
      `The openai backend is not set up: set ${missing} in the settings. It needs agent.openai.baseUrl, the API root of an ` +
        'OpenAI-compatible server (e.g. http://127.0.0.1:8000/v1 for vLLM, http://127.0.0.1:11434/v1 for Ollama), and ' +
        'agent.openai.model, the name of a vision-language model that server serves.',
    );
  }
  const server = parseServerUrl(baseUrl);
  checkServerAllowed(server, settings.allowRemote);
  return new OpenAiBackend({ ...settings, baseUrl, model }, server, opts);
}
