/*
 * Chunking invariance and generated-input checks for the stream parser. Runs are bounded so the
 * file takes a few seconds; a failure prints fast-check's seed and the shrunk input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RawToolCall } from '../../../../../../main/core/agent/types.js';
import { answers, calls, feed, normalize, textOf } from '../../../../../support/protocol-helpers.js';

const CROP_JSON = '{"name": "crop_video", "arguments": {"start": 750, "end": 790}}';

// Every tolerance the parser claims, in one corpus, to check that chunking never changes the result.
const SAMPLES = [
  `<think>Bleeding near 12:30.</think>\n<tool_call>\n${CROP_JSON}\n</tool_call><|im_end|>`,
  `<THINK>a</THINK>< tool_call >\`\`\`json\n{'name': 'get_frame', 'arguments': {'t': "00:12:31.250",},}\n\`\`\`</ TOOL_CALL ></s>`,
  `<think>x</think>{"name": "get_frame", "arguments": "{\\"t\\": 751}"}`,
  `<think>x</think>\`\`\`json\n${CROP_JSON}\n\`\`\``,
  'Prose first.</think><answer>Bleeding from 00:12:30 to 00:13:10; clip at 00:13:05.5. Also [750.0, 790.0].</answer>',
  '<think>oops <tool_call>{"name":"crop_video","parameters":{"start":1,"end":2}}',
  '<answer>{"answer": "Smoke", "evidence": [{"window": ["00:01:00", "01:10"], "claim": "plume"}]}</answer>',
  '<think>unclosed thought with < and <b> and <|x',
  '<tool_call>{"name": "crop_video", "arguments": {"start": 750 "end" 790}}</tool_call>',
  `Maybe {roughly. ${CROP_JSON} then {"a": 1} and <tool_call>${CROP_JSON}<tool_call>{"name":"get_frame","args":{"t":2}}`,
  '<think>a<think>b</think></answer><answer>x<answer>y</ANSWER><|endoftext|><tool_call></tool_call>',
  `I think {maybe <tool_call>${CROP_JSON}</tool_call> <final_answer>done</final_answer><eos>`,
  '<answer>EBL <50 ml at 00:04:05.5</answer><tool_ca',
];

function expectSameAsWhole(text: string, sizes: readonly number[]): void {
  const whole = feed(text);
  const chunked = feed(text, sizes);
  expect(normalize(chunked.events)).toEqual(normalize(whole.events));
  expect(chunked.thought).toBe(whole.thought);
}

describe('chunking invariance', () => {
  it.each(SAMPLES.map((s, i) => [i, s] as const))('sample %i gives the same events however it is cut', (_i, text) => {
    for (const sizes of [[1], [2], [3], [5], [7, 1], [13], [1, 2, 3, 4, 5]]) expectSameAsWhole(text, sizes);
    // and the per-kind text is the same as well as the merged event list
    const whole = feed(text).events;
    const bytes = feed(text, [1]).events;
    for (const kind of ['think-delta', 'text', 'answer-delta'] as const) expect(textOf(bytes, kind)).toBe(textOf(whole, kind));
  });

  it('holds for random chunk sizes over the samples', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 12 }), (text, sizes) => {
        expectSameAsWhole(text, sizes);
      }),
      { numRuns: 300 },
    );
  });
});

// Pieces of the protocol, broken and whole, for generated turns.
const FRAGMENTS = [
  '<think>', '</think>', '<tool_call>', '</tool_call>', '<answer>', '</answer>', '< TOOL_CALL >', '</ Think >',
  '<|im_end|>', '</s>', '<|', '|>', '<too', 'l_call>', '<', '>', '/', '{', '}', '[', ']', '"', "'", ':', ',', '\\',
  '```json', '```', '\n', ' ', '{"name":', '"crop_video"', '"arguments":', '{"start": 1, "end": 2}', CROP_JSON,
  '00:12:30', 'at 00:04:05.5', '750 s to 790 s', '[750.0, 790.0]', 'from', 'bleeding', '<b>', '\u{1F600}',
];
const noise = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 24 })
  .map((parts) => parts.join(''));
const chunkSizes = fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 8 });

describe('generated input', () => {
  it('never throws on random text, and output stays linear in the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), chunkSizes, (text, sizes) => {
        const { events } = feed(text, sizes);
        expect(events.length).toBeLessThanOrEqual(text.length + 2);
        expectSameAsWhole(text, sizes);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random mixtures of protocol fragments, whatever the chunking', () => {
    fc.assert(
      fc.property(noise, chunkSizes, (text, sizes) => {
        const { events } = feed(text, sizes);
        expect(events.length).toBeLessThanOrEqual(text.length + 2);
        for (const e of events) if (e.type === 'tool-call-error') expect(e.error).not.toContain('\n');
        expectSameAsWhole(text, sizes);
      }),
      { numRuns: 400 },
    );
  });

  const time = fc.oneof(
    fc.integer({ min: 0, max: 36_000_000 }).map((ms) => ms / 1000),
    fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(
      ([h, m, s]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`,
    ),
  );
  const call: fc.Arbitrary<RawToolCall> = fc.oneof(
    fc.record({ name: fc.constant('crop_video'), arguments: fc.record({ start: time, end: time }) }),
    fc.record({ name: fc.constant('get_frame'), arguments: fc.record({ t: time }) }),
  );
  // The ways models write the same call.
  const writeCall = (c: RawToolCall, style: number): string => {
    const args = JSON.stringify(c.arguments);
    switch (style) {
      case 0:
        return JSON.stringify(c);
      case 1:
        return `{"name": "${c.name}", "arguments": ${JSON.stringify(args)}}`;
      case 2:
        return `\`\`\`json\n{'name': '${c.name}', 'parameters': ${args.replaceAll('"', "'")},}\n\`\`\``;
      case 3:
        return `{"name": "${c.name}", "args": ${args.replace(/}$/, ',}')}}`;
      default:
        return `{"type": "function", "function": {"name": "${c.name}", "arguments": ${JSON.stringify(args)}}}`;
    }
  };
  const tags = fc.constantFrom(['<tool_call>', '</tool_call>'], ['<TOOL_CALL>', '</TOOL_CALL>'], ['< tool_call >', '</ tool_call >'], ['<tool-call>', '</tool-call>']);

  it('finds a valid tagged call embedded in noise, however it is written and cut', () => {
    fc.assert(
      fc.property(noise, call, fc.integer({ min: 0, max: 4 }), tags, noise, chunkSizes, (before, c, style, [open, close], after, sizes) => {
        const text = `${before}${open}\n${writeCall(c, style)}\n${close}${after}`;
        expect(calls(feed(text, sizes).events)).toContainEqual(c);
      }),
      { numRuns: 400 },
    );
  });

  it('finds a bare call written after the thought in prose', () => {
    const prose = fc.string({ unit: fc.constantFrom(...'abc xyz.,:;!?\n0123456789-'.split('')), maxLength: 60 });
    fc.assert(
      fc.property(prose, prose, call, fc.integer({ min: 0, max: 4 }), prose, chunkSizes, (thought, mid, c, style, after, sizes) => {
        const text = `<think>${thought}</think>${mid}${writeCall(c, style)}${after}`;
        const { events, thought: t } = feed(text, sizes);
        expect(calls(events)).toEqual([c]);
        expect(t).toBe(thought);
      }),
      { numRuns: 300 },
    );
  });

  it('on a truncated turn finds the call only when its JSON is complete, and never another one', () => {
    fc.assert(
      fc.property(call, fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), chunkSizes, (c, style, cut, sizes) => {
        const body = writeCall(c, style);
        const head = '<think>Check the window.</think>\n<tool_call>\n';
        const full = `${head}${body}\n</tool_call><|im_end|>`;
        const prefix = full.slice(0, Math.floor(cut * full.length));
        const found = calls(feed(prefix, sizes).events);
        // a fence around the JSON is not needed for the call to be complete
        const jsonEnd = head.length + body.replace(/\n```$/, '').length;
        if (prefix.length >= jsonEnd) expect(found).toEqual([c]);
        else expect(found).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('on a truncated answer always gives at most one answer, whose words begin the written ones', () => {
    const words = 'Bleeding from 00:12:30 to 00:13:10, controlled at 00:13:05.5.';
    const full = `<think>Enough.</think><answer>${words}</answer>`;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length }), chunkSizes, (cut, sizes) => {
        const prefix = full.slice(0, cut);
        const got = answers(feed(prefix, sizes).events);
        if (!prefix.includes('<answer>')) expect(got).toEqual([]);
        else {
          expect(got).toHaveLength(1);
          // a closing tag cut short stays literal text at the end of the answer
          expect(words.startsWith(got[0]?.text.replace(/<\/?a?n?s?w?e?r?$/, '') ?? '')).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('bounded work', () => {
  const hostile: [string, string][] = [
    ['"<" repeated', '<'.repeat(20_000)],
    ['"{" repeated', '{'.repeat(20_000)],
    ['nested braces with a call hint', '{'.repeat(3000) + '"name": "crop_video"' + '}'.repeat(3000)],
    ['unclosed tool call of "["', '<tool_call>' + '['.repeat(20_000)],
    ['tag openers', '<tool_call>'.repeat(2000)],
    ['special-token starts', '<|'.repeat(10_000)],
    ['spaces after "<"', ('<' + ' '.repeat(50)).repeat(400)],
    ['an answer of clock times', '<answer>' + '00:00:01 '.repeat(3000)],
  ];
  it.each(hostile)('parses %s one character at a time, quickly', (_label, text) => {
    const t0 = performance.now();
    const { events } = feed(text, [1]);
    const ms = performance.now() - t0;
    expect(events.length).toBeLessThanOrEqual(text.length + 2);
    // generous: linear work is a few ms here; quadratic work would take many seconds
    expect(ms).toBeLessThan(3000);
  });
});
