import { pictureSize } from '../../main/node/image-size.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAgent, type AgentEvent, type RunRecord } from '../../main/core/agent/engine/index.js';
import { frameLabel } from '../../main/core/agent/protocol/index.js';
import { Settings } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { agentFrameFiles } from '../../main/host/agent/backends/frame-images.js';
import { createOpenAiBackend, type OpenAiBackendOptions } from '../../main/host/agent/backends/openai.js';
import { isLoopbackHost, parseServerUrl } from '../../main/host/agent/backends/openai-url.js';
import { SseDecoder } from '../../main/host/agent/backends/sse.js';
import { DEFAULT_SETTINGS } from '../../main/host/settings/settings-service.js';
import { encodePng } from '../../main/node/png.js';
import { tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';
import { FakeTools } from '../unit/agent/scripted-backend.js';

/*
 * The openai backend against a real HTTP server on loopback that speaks the OpenAI streaming
 * protocol, scripted turn by turn. What the server received (messages, images, flags) is checked
 * as well as what the engine made of the replies.
 */

interface ChatRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[];
}

interface Received {
  body: ChatRequest;
  headers: IncomingMessage['headers'];
  /** Resolves when the client closed the connection (or the response ended). */
  closed: Promise<number>;
}

type Turn = (res: ServerResponse, req: Received) => void | Promise<void>;

/** A model server: each request gets the next scripted turn. */
class ScriptedServer {
  readonly requests: Received[] = [];
  private readonly server: Server;
  private turns: Turn[] = [];
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const closed = new Promise<number>((resolve) => res.on('close', () => resolve(Date.now())));
        const received: Received = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest, headers: req.headers, closed };
        this.requests.push(received);
        const turn = this.turns.shift();
        if (!turn) {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error": {"message": "no more scripted turns"}}');
          return;
        }
        void turn(res, received);
      });
    });
  }

  script(turns: Turn[]): void {
    this.turns = [...turns];
    this.requests.length = 0;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** A streamed reply: content pieces (or `{reasoning}` pieces), then the end. */
function stream(pieces: (string | { reasoning: string } | { wait: () => Promise<unknown> })[]): Turn {
  return async (res) => {
    startSse(res);
    for (const p of pieces) {
      if (typeof p === 'string') res.write(chunk({ content: p }));
      else if ('reasoning' in p) res.write(chunk({ reasoning_content: p.reasoning }));
      else await p.wait();
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  };
}

function status(code: number, body: unknown): Turn {
  return (res) => void res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const never: Turn = () => undefined;

const DURATION = 1200;
const ANSWER =
  '<answer>{"answer": "Bleeding starts at 12:30.", "evidence": [{"start": 750, "end": 790, "frames": [760], "claim": "blood fills the field"}]}</answer>';

function textOf(content: ChatRequest['messages'][number]['content']): string {
  return typeof content === 'string' ? content : content.map((p) => p.text ?? '').join('\n');
}

function imagesOf(content: ChatRequest['messages'][number]['content']): string[] {
  return typeof content === 'string' ? [] : content.flatMap((p) => (p.image_url ? [p.image_url.url] : []));
}

describe('the openai backend against a streaming server', () => {
  const server = new ScriptedServer();
  let dir: string;
  /** The data URL each fake frame ref must arrive as. */
  const expected = new Map<string, string>();

  beforeAll(async () => {
    await server.start();
    dir = tempHome('opscope-openai-');
    // Small distinct PNGs for every ref the fake tools hand out in these scripts.
    const refs = [
      ...Array.from({ length: 8 }, (_, i) => `story-${i}`),
      ...Array.from({ length: 8 }, (_, i) => `crop-700-820-${i}`),
      'frame-760',
    ];
    for (const [i, ref] of refs.entries()) {
      const rgb = new Uint8Array(8 * 6 * 3).fill(i * 13);
      const png = await encodePng(rgb, 8, 6);
      writeFileSync(join(dir, `${ref}.png`), png);
      expected.set(ref, `data:image/png;base64,${png.toString('base64')}`);
    }
  });

  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const backend = (settings: Partial<Parameters<typeof createOpenAiBackend>[0]> = {}, opts: Partial<OpenAiBackendOptions> = {}) =>
    createOpenAiBackend(
      { baseUrl: server.url, model: 'medscope-7b', allowRemote: false, timeoutMs: 5000, maxRetries: 2, ...settings },
      { frameFiles: (ref) => join(dir, `${ref}.png`), retryDelayMs: 10, ...opts },
    );

  async function run(
    b = backend(),
    opts: { signal?: AbortSignal; onEvent?: (e: AgentEvent) => void } = {},
  ): Promise<{ record: RunRecord; events: AgentEvent[]; tools: FakeTools }> {
    const events: AgentEvent[] = [];
    const tools = new FakeTools(DURATION);
    const record = await runAgent({
      question: 'When does the bleeding start?',
      backend: b,
      tools,
      duration: DURATION,
      ...(opts.signal ? { signal: opts.signal } : {}),
      emit: (e) => {
        events.push(e);
        opts.onEvent?.(e);
      },
    });
    return { record, events, tools };
  }

  it('runs a coarse-to-fine question: streams thinking, sends frames as images, reads calls and the answer', async () => {
    let thoughtSeen!: () => void;
    const seen = new Promise<void>((resolve) => (thoughtSeen = resolve));
    server.script([
      stream([
        '<think>The blood track',
        ' peaks near 12:30, ',
        // The rest of this turn is sent only once the engine has streamed the thought so far.
        { wait: () => seen },
        'so I look there.</think>\n<tool_',
        'call>\n{"name": "crop_video", "arguments": {"start": 700, "end": 820}}\n</tool_call>',
      ]),
      stream([{ reasoning: 'Check one ' }, { reasoning: 'frame at full resolution.' }, '<tool_call>{"name": "get_frame", "arguments": {"t": 760}}</tool_call>']),
      stream(['<think>Enough seen.</think>', ANSWER]),
    ]);
    const { record, events, tools } = await run(backend(), {
      onEvent: (e) => {
        if (e.type === 'thought-delta') thoughtSeen();
      },
    });

    expect(record.outcome).toBe('answered');
    expect(record.backend).toEqual({ name: 'openai', model: 'medscope-7b', executionProvider: 'local-server' });
    expect(tools.calls).toEqual(['overview', 'crop 700-820 x8', 'frame 760']);
    expect(record.steps.map((s) => s.kind)).toEqual(['tool', 'tool', 'answer']);
    expect(record.steps[0]!.thought).toBe('The blood track peaks near 12:30, so I look there.');
    expect(record.steps[1]!.thought).toBe('Check one frame at full resolution.');
    expect(record.answer).toBe('Bleeding starts at 12:30.');
    expect(record.evidence.map((e) => [e.start, e.end])).toEqual([[750, 790]]);

    // Thought pieces went out as they arrived, before the step's tool started.
    const step1 = events.filter((e) => e.type === 'thought-delta' && e.step === 1).map((e) => (e as { delta: string }).delta);
    expect(step1.length).toBeGreaterThanOrEqual(2);
    expect(step1.join('')).toBe('The blood track peaks near 12:30, so I look there.');
    const step2 = events.filter((e) => e.type === 'thought-delta' && e.step === 2).map((e) => (e as { delta: string }).delta);
    expect(step2).toEqual(['Check one ', 'frame at full resolution.']);

    const [first, second, third] = server.requests.map((r) => r.body);
    for (const body of [first!, second!, third!]) {
      expect(body.stream).toBe(true);
      expect(body.model).toBe('medscope-7b');
      expect(body.messages[0]!.role).toBe('system');
      expect(textOf(body.messages[0]!.content)).toContain('<tools>');
      // Strictly alternating after the system prompt, ending with the user.
      body.messages.slice(1).forEach((m, i) => expect(m.role).toBe(i % 2 === 0 ? 'user' : 'assistant'));
    }
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');

    // Turn 1: the question, the storyboard as images, each after its label, and the tracks in words.
    const overview = first!.messages[1]!;
    expect(first!.messages).toHaveLength(2);
    const overviewText = textOf(overview.content);
    expect(overviewText).toContain('Question: When does the bleeding start?');
    expect(overviewText).toContain('bleeding/redness: mean');
    expect(overviewText).toContain('00:12:30.000–00:13:10.000 (750–790 s)');
    const story = Array.from({ length: 8 }, (_, i) => `story-${i}`);
    expect(imagesOf(overview.content)).toEqual(story.map((r) => expected.get(r)));
    const parts = overview.content as { type: string; text?: string }[];
    const firstImage = parts.findIndex((p) => p.type === 'image_url');
    expect(parts[firstImage - 1]!.text).toContain(`${frameLabel(75)}:`);

    // Turn 2: the model's call replayed, the crop's response with its 8 frames as images.
    expect(second!.messages).toHaveLength(4);
    expect(textOf(second!.messages[2]!.content)).toContain('"name":"crop_video"');
    expect(textOf(second!.messages[2]!.content)).toContain('<think>');
    const crop = second!.messages[3]!;
    expect(textOf(crop.content)).toMatch(/<tool_response>\ncrop_video 00:11:40\.000–00:13:40\.000 \(700–820 s\): 8 frames\./);
    expect(textOf(crop.content)).toContain('Measured on each frame');
    expect(textOf(crop.content)).toContain('Budget left:');
    expect(imagesOf(crop.content)).toEqual(Array.from({ length: 8 }, (_, i) => expected.get(`crop-700-820-${i}`)));

    // Turn 3: the full-resolution frame.
    const frame = third!.messages[5]!;
    expect(textOf(third!.messages[4]!.content)).toContain('"name":"get_frame"');
    expect(textOf(frame.content)).toContain('get_frame: frame at 00:12:40.000 (760 s), full resolution.');
    expect(imagesOf(frame.content)).toEqual([expected.get('frame-760')]);
    // Every image of the conversation is still there (well under the image cap).
    expect(third!.messages.flatMap((m) => imagesOf(m.content))).toHaveLength(17);
  });

  it('sends only the latest step\'s frames as images once the image cap is reached', async () => {
    server.script([
      stream(['<tool_call>{"name": "crop_video", "arguments": {"start": 700, "end": 820}}</tool_call>']),
      stream(['<tool_call>{"name": "get_frame", "arguments": {"time": 760}}</tool_call>']),
      stream([ANSWER]),
    ]);
    const { record } = await run(backend({}, { maxImages: 10 }));
    expect(record.outcome).toBe('answered');
    const last = server.requests[2]!.body;
    expect(last.messages.flatMap((m) => imagesOf(m.content))).toEqual([...Array.from({ length: 8 }, (_, i) => expected.get(`story-${i}`)), expected.get('frame-760')]);
    expect(textOf(last.messages[3]!.content)).toContain('(image not repeated, to save context)');
  });

  it('turns broken output into malformed steps the engine feeds back to the model', async () => {
    server.script([
      stream(['<think>Look at 12:30.</think><tool_call>{"name": "crop_video", "arguments": {"start": 700,</tool_call>']),
      stream(['I believe it is around 12:30.']),
      stream([ANSWER]),
    ]);
    const { record } = await run();
    expect(record.outcome).toBe('answered');
    expect(record.steps.map((s) => s.kind)).toEqual(['malformed', 'malformed', 'answer']);
    expect(record.steps[0]!.error).toMatch(/could not be read/);
    expect(record.steps[1]!.error).toMatch(/No <tool_call> or <answer> found/);
    const second = server.requests[1]!.body.messages;
    expect(textOf(second.at(-2)!.content)).toContain('{"start": 700,');
    expect(textOf(second.at(-1)!.content)).toMatch(/<tool_response>\nError: your last output was neither a tool call nor an answer: Your tool call could not be read/);
    expect(textOf(server.requests[2]!.body.messages.at(-1)!.content)).toContain('No <tool_call> or <answer> found');
  });

  it('accepts a non-streaming JSON reply with reasoning_content', async () => {
    server.script([
      status(200, {
        choices: [{ index: 0, message: { role: 'assistant', reasoning_content: 'The track says 12:30.', content: ANSWER }, finish_reason: 'stop' }],
      }),
    ]);
    const { record, events } = await run();
    expect(record.outcome).toBe('answered');
    expect(record.steps[0]!.thought).toBe('The track says 12:30.');
    expect(events.some((e) => e.type === 'thought-delta' && e.delta === 'The track says 12:30.')).toBe(true);
  });

  it('fails clearly, without retrying, when the server dies mid-stream', async () => {
    server.script([
      async (res) => {
        startSse(res);
        res.write(chunk({ content: '<think>The blood track peaks' }));
        await sleep(50);
        res.socket?.destroy();
      },
      stream([ANSWER]),
    ]);
    const { record } = await run();
    expect(record.outcome).toBe('failed');
    expect(record.error).toMatch(/the reply from the OpenAI-compatible server at http:\/\/127\.0\.0\.1:\d+\/v1 broke off after 28 characters/);
    expect(record.error).toContain('The blood track peaks');
    expect(server.requests).toHaveLength(1);
  });

  it('fails clearly on a stream that is not SSE JSON', async () => {
    server.script([
      (res) => {
        startSse(res);
        res.end('data: {"choices": [oops\n\n');
      },
    ]);
    const { record } = await run();
    expect(record.outcome).toBe('failed');
    expect(record.error).toMatch(/sent a stream that is not OpenAI's: an event is not JSON/);
    expect(server.requests).toHaveLength(1);
  });

  it('fails clearly when the stream ends without [DONE] or a finish', async () => {
    server.script([
      (res) => {
        startSse(res);
        res.end(chunk({ content: '<think>Half a thou' }));
      },
    ]);
    const { record } = await run();
    expect(record.error).toMatch(/ended before it was complete \(no \[DONE\]\) after 18 characters; received: "<think>Half a thou"/);
  });

  it('retries 500 and 429 before any content, then succeeds', async () => {
    server.script([status(500, { error: { message: 'CUDA out of memory' } }), status(429, { error: 'busy' }), stream([ANSWER])]);
    const { record } = await run();
    expect(record.outcome).toBe('answered');
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with the server\'s own message', async () => {
    server.script([status(503, { error: { message: 'loading model' } }), status(503, { error: { message: 'loading model' } })]);
    const { record } = await run(backend({ maxRetries: 1 }));
    expect(record.error).toMatch(/answered HTTP 503: loading model \(tried 2 times\)/);
    expect(server.requests).toHaveLength(2);
  });

  it('explains 401 (and sends the API key as a bearer token)', async () => {
    server.script([status(401, { error: { message: 'Invalid API key' } })]);
    const { record } = await run(backend({ apiKey: 'sk-test' }));
    expect(record.error).toMatch(/refused the request \(HTTP 401: Invalid API key\)\. Check agent\.openai\.apiKey/);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-test');
    expect(server.requests).toHaveLength(1);
  });

  it('explains 404 as a model the server does not have', async () => {
    server.script([status(404, { error: { message: 'The model `medscope-7b` does not exist.' } })]);
    const { record } = await run();
    expect(record.error).toMatch(/has no model "medscope-7b" or no \/chat\/completions \(HTTP 404: The model `medscope-7b` does not exist\.\)\. Check agent\.openai\.model/);
  });

  it('says when the server is not running', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { record } = await run(backend({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1 }));
    expect(record.error).toBe(
      `the backend "openai" failed: cannot reach the OpenAI-compatible server at http://127.0.0.1:${port}/v1 (connection refused); is it running? (tried 2 times)`,
    );
  });

  it('times out when the server does not answer, and when a stream stalls', async () => {
    server.script([never]);
    let t0 = Date.now();
    let { record } = await run(backend({ timeoutMs: 300 }));
    expect(record.error).toMatch(/did not answer within 0\.3 s \(agent\.openai\.timeoutMs\)/);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(server.requests).toHaveLength(1); // a timeout is not retried

    server.script([
      (res) => {
        startSse(res);
        res.write(chunk({ content: '<think>Looking' }));
      },
    ]);
    t0 = Date.now();
    ({ record } = await run(backend({ timeoutMs: 300 })));
    expect(record.error).toMatch(/stopped sending for 0\.3 s after 14 characters \("<think>Looking"\)/);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(server.requests).toHaveLength(1);
  });

  it('cancels promptly during a stream and closes the request', async () => {
    const controller = new AbortController();
    server.script([
      (res) => {
        startSse(res);
        res.write(chunk({ content: '<think>A long thought' }));
        // ...and nothing more until the client goes away.
      },
    ]);
    let canceledAt = 0;
    const { record } = await run(backend(), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'thought-delta' && canceledAt === 0) {
          canceledAt = Date.now();
          controller.abort();
        }
      },
    });
    expect(record.outcome).toBe('canceled');
    expect(Date.now() - canceledAt).toBeLessThan(500);
    const closedAt = await server.requests[0]!.closed;
    expect(closedAt - canceledAt).toBeLessThan(500);
  });

  it('refuses a server off this machine unless allowRemote, and needs baseUrl and model', () => {
    expect(() => backend({ baseUrl: 'http://10.1.2.3:8000/v1' })).toThrow(/patient video would leave the machine.*agent\.openai\.allowRemote/);
    expect(() => backend({ baseUrl: 'https://gpu.example.org/v1' })).toThrow(/Refusing to send this case to gpu\.example\.org/);
    expect(() => backend({ baseUrl: 'http://0.0.0.0:8000' })).toThrow(/use 127\.0\.0\.1 instead/);
    expect(backend({ baseUrl: 'http://10.1.2.3:8000/v1', allowRemote: true }).executionProvider).toBe('remote:10.1.2.3:8000');
    expect(backend({ baseUrl: 'http://localhost:11434' }).executionProvider).toBe('local-server');
    expect(() => backend({ baseUrl: '' })).toThrow(/not set up: set agent\.openai\.baseUrl in the settings.*agent\.openai\.model/);
    expect(() => backend({ model: ' ' })).toThrow(/not set up: set agent\.openai\.model/);
    try {
      backend({ baseUrl: '', model: '' });
    } catch (err) {
      expect(err).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/set agent\.openai\.baseUrl and agent\.openai\.model/) });
    }

    for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '[::ffff:7f00:1]', 'LOCALHOST.']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', '128.0.0.1', '0.0.0.0', '[::]', 'localhost.example.com', '127.0.0.1.nip.io', '[::ffff:a00:1]']) {
      expect(isLoopbackHost(h)).toBe(false);
    }
    expect(parseServerUrl('http://127.0.0.1:8000').base).toBe('http://127.0.0.1:8000/v1');
    expect(parseServerUrl('http://127.0.0.1:8000/v1/').base).toBe('http://127.0.0.1:8000/v1');
    expect(parseServerUrl('http://127.0.0.1:8080/v1/chat/completions').base).toBe('http://127.0.0.1:8080/v1');
    expect(parseServerUrl('http://[::1]:1234/api/v1').base).toBe('http://[::1]:1234/api/v1');
  });

  it('decodes SSE split anywhere, with CRLF, comments and multi-line data', () => {
    const text = ': keep-alive\r\ndata: {"a":1}\r\n\r\ndata: x\ndata: y\n\nevent: ping\ndata: [DONE]\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const d = new SseDecoder();
      const out = [...d.push(text.slice(0, cut)), ...d.push(text.slice(cut)), ...d.end()];
      expect(out).toEqual(['{"a":1}', 'x\ny', '[DONE]']);
    }
  });

  it('keeps the settings of earlier versions valid, with the openai defaults', () => {
    const old = { reviewerName: 'Dr A', thumbnailInterval: 2, makeProxies: true, theme: 'system', agent: { backend: 'scout', budget: {} } };
    const parsed = Settings.parse(old);
    expect(parsed.agent.openai).toEqual({ baseUrl: '', model: '', allowRemote: false, timeoutMs: 120_000, maxRetries: 2 });
    expect(DEFAULT_SETTINGS.agent.openai).toEqual(parsed.agent.openai);
    expect(Settings.safeParse({ ...old, agent: { ...old.agent, openai: { baseUrl: 'ftp://x' } } }).success).toBe(false);
    expect(Settings.parse({ ...old, agent: { ...old.agent, openai: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'qwen2.5-vl' } } }).agent.openai).toEqual({
      baseUrl: 'http://127.0.0.1:8000/v1', model: 'qwen2.5-vl', allowRemote: false, timeoutMs: 120_000, maxRetries: 2,
    });
  });
});

describe('the openai backend through the whole host', () => {
  const server = new ScriptedServer();
  let home: string;
  let host: AppHost;
  let caseId: string;

  beforeAll(async () => {
    await server.start();
    home = tempHome('opscope-openai-host-');
    mkdirSync(home, { recursive: true });
    host = testHost(home);
    const video = await syntheticVideo({ duration: 24, width: 320, height: 180, fps: 25, gop: 1, seed: 51, events: [{ kind: 'bleeding', start: 8, end: 14 }] });
    caseId = await importCase(host, [video]);
  }, 600_000);

  afterAll(async () => {
    await host.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  let settingsBefore: Settings;
  beforeEach(() => {
    settingsBefore = host.settings.get();
  });
  afterEach(() => {
    host.settings.set({ agent: settingsBefore.agent });
  });

  it('says which settings are missing until the server is configured', async () => {
    // A settings row written by an earlier version (no `openai`) still reads, with the defaults.
    host.store.saveSettings({ agent: { backend: 'scout', budget: {} } as unknown as Settings['agent'] }, 'test');
    expect(host.settings.get().agent.openai.baseUrl).toBe('');
    await expect(host.call('agent.ask', { caseId, question: 'When does the bleeding start?', backend: 'openai' })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/openai backend is not set up: set agent\.openai\.baseUrl and agent\.openai\.model/),
    });
  });

  it('sends the real frames of the case to the server as images', async () => {
    const agent = host.settings.get().agent;
    host.settings.set({ agent: { ...agent, openai: { ...agent.openai, baseUrl: server.url, model: 'test-vl', maxRetries: 0, timeoutMs: 30_000 } } });
    server.script([
      stream(['<think>Redness rises near 8 s.</think>', '<tool_call>{"name": "crop_video", "arguments": {"start": 6, "end": 16}}</tool_call>']),
      stream(['<think>Verify.</think><tool_call>{"name": "get_frame", "arguments": {"t": 9}}</tool_call>']),
      stream(['<answer>{"answer": "Bleeding from 8 s.", "evidence": [{"start": 8, "end": 14, "frames": [9], "claim": "red field"}]}</answer>']),
    ]);
    const { runId } = (await host.call('agent.ask', { caseId, question: 'When does the bleeding start?', backend: 'openai' })) as { runId: string };
    const done = await host.agent.whenDone(runId);
    expect(done.record.error).toBeNull();
    expect(done).toMatchObject({ state: 'answered', executionProvider: 'local-server' });
    expect(done.record.backend).toEqual({ name: 'openai', model: 'test-vl', executionProvider: 'local-server' });
    expect(done.record.answer).toBe('Bleeding from 8 s.');

    const files = agentFrameFiles(host);
    const dataUrl = (ref: string) => {
      const file = files(ref);
      expect(file).not.toBeNull();
      const bytes = readFileSync(file!);
      // Agent frames are JPEG; the data URL names the type the bytes are.
      const type = bytes[0] === 0xff && bytes[1] === 0xd8 ? 'image/jpeg' : 'image/png';
      return `data:${type};base64,${bytes.toString('base64')}`;
    };
    const [first, second, third] = server.requests.map((r) => r.body);
    const overviewFrames = done.record.overview!.frames;
    expect(overviewFrames.length).toBeGreaterThan(4);
    expect(imagesOf(first!.messages[1]!.content)).toEqual(overviewFrames.map((f) => dataUrl(f.ref)));
    for (const f of overviewFrames) expect(textOf(first!.messages[1]!.content)).toContain(frameLabel(f.time));

    const cropFrames = done.record.steps[0]!.frames;
    expect(cropFrames.length).toBe(8);
    expect(imagesOf(second!.messages[3]!.content)).toEqual(cropFrames.map((f) => dataUrl(f.ref)));
    const frame = done.record.steps[1]!.frames[0]!;
    expect(imagesOf(third!.messages[5]!.content)).toEqual([dataUrl(frame.ref)]);
    // Real pictures, the full-resolution one at the recording's size.
    const picture = Buffer.from(imagesOf(third!.messages[5]!.content)[0]!.split(',')[1]!, 'base64');
    expect(pictureSize(picture)).toEqual({ width: 320, height: 180 });
  });
});
