import { describe, expect, it } from 'vitest';
import { ProtocolStreamParser, parseProtocol } from '../../../../../../main/core/agent/protocol/index.js';
import { answers, calls, errors, feed, normalize, textOf } from '../../../../../support/protocol-helpers.js';

const CROP = { name: 'crop_video', arguments: { start: 750, end: 790 } };
const CROP_JSON = '{"name": "crop_video", "arguments": {"start": 750, "end": 790}}';

describe('stream parser: the protocol as specified', () => {
  it('reads a thought then a tool call', () => {
    const { events, thought } = parseProtocol(`<think>Bleeding is likely near 12:30.</think>\n<tool_call>\n${CROP_JSON}\n</tool_call>`);
    expect(normalize(events)).toEqual([
      { type: 'think-delta', text: 'Bleeding is likely near 12:30.' },
      { type: 'text', text: '\n' },
      { type: 'tool-call-start' },
      { type: 'tool-call', call: CROP, raw: CROP_JSON },
    ]);
    expect(thought).toBe('Bleeding is likely near 12:30.');
  });

  it('reads a thought then an answer, streaming the answer text', () => {
    const { events } = parseProtocol('<think>seen enough</think><answer>Bleeding from 00:12:30 to 00:13:10.</answer>');
    expect(textOf(events, 'answer-delta')).toBe('Bleeding from 00:12:30 to 00:13:10.');
    expect(answers(events)).toEqual([
      { text: 'Bleeding from 00:12:30 to 00:13:10.', evidence: [{ start: 750, end: 790, frames: [], claim: 'Bleeding from 00:12:30 to 00:13:10.' }] },
    ]);
  });

  it('streams thinking as it arrives, before </think>', () => {
    const p = new ProtocolStreamParser();
    expect(p.push('<think>hel')).toEqual([{ type: 'think-delta', text: 'hel' }]);
    expect(p.push('lo wor')).toEqual([{ type: 'think-delta', text: 'lo wor' }]);
    // "</th" may be the closing tag: held back, not shown as thought
    expect(p.push('ld</th')).toEqual([{ type: 'think-delta', text: 'ld' }]);
    expect(p.push('ink>')).toEqual([]);
    expect(p.thought).toBe('hello world');
  });

  it('waits when a chunk ends inside a tag name, then recognises the tag', () => {
    const p = new ProtocolStreamParser();
    expect(p.push('<too')).toEqual([]);
    expect(p.push('l_call>')).toEqual([{ type: 'tool-call-start' }]);
    expect(p.push('{"name": "get_frame", "argu')).toEqual([]);
    expect(p.push('ments": {"t": 751.25}}</tool_')).toEqual([]);
    expect(p.push('call>')).toEqual([{ type: 'tool-call', call: { name: 'get_frame', arguments: { t: 751.25 } }, raw: '{"name": "get_frame", "arguments": {"t": 751.25}}' }]);
    expect(p.end()).toEqual([]);
  });

  it('emits text outside any tag as text', () => {
    const { events } = parseProtocol('Sure. <think>a</think> Let me look.');
    expect(textOf(events, 'text')).toBe('Sure.  Let me look.');
    expect(textOf(events, 'think-delta')).toBe('a');
  });

  it('keeps a "<" that starts no tag', () => {
    const { events } = parseProtocol('<think>loss < 5 ml, <b>bold</b>, a<-b, <|not a token</think><answer>EBL <50 ml</answer>');
    expect(textOf(events, 'think-delta')).toBe('loss < 5 ml, <b>bold</b>, a<-b, <|not a token');
    expect(answers(events)[0]?.text).toBe('EBL <50 ml');
  });

  it('reports every call in order (parallel calls) and ignores nothing silently', () => {
    const { events } = parseProtocol(`<tool_call>${CROP_JSON}</tool_call><tool_call>{"name":"get_frame","arguments":{"t":1}}</tool_call>`);
    expect(calls(events).map((c) => c.name)).toEqual(['crop_video', 'get_frame']);
  });

  it('does nothing after end()', () => {
    const p = new ProtocolStreamParser();
    p.push('<think>x');
    expect(p.end()).toEqual([]);
    expect(p.isEnded).toBe(true);
    expect(p.push('<answer>late</answer>')).toEqual([]);
    expect(p.end()).toEqual([]);
    expect(p.thought).toBe('x');
  });
});

describe('stream parser: tolerated tag forms', () => {
  const tagged = [
    '<TOOL_CALL>%</TOOL_CALL>',
    '< tool_call >%</ tool_call >',
    '<Tool_Call>%</tool_call >',
    '<tool-call>%</tool-call>',
    '<toolcall>%</toolcall>',
    '<function_call>%</function_call>',
    '<tool_call\n>%</tool_call\n>',
  ];
  it.each(tagged)('reads %s', (form) => {
    const { events } = parseProtocol(form.replace('%', CROP_JSON));
    expect(calls(events)).toEqual([CROP]);
    expect(errors(events)).toEqual([]);
  });

  it.each(['<THINK>x</THINK>', '< think >x</ think>', '<thinking>x</thinking>', '<Think>x</think >'])('reads thinking in %s', (form) => {
    const { events, thought } = parseProtocol(`${form}<answer>ok</answer>`);
    expect(thought).toBe('x');
    expect(answers(events)).toEqual([{ text: 'ok', evidence: [] }]);
  });

  it('reads <ANSWER> and <final_answer>', () => {
    expect(answers(parseProtocol('<ANSWER>a</ANSWER>').events)[0]?.text).toBe('a');
    expect(answers(parseProtocol('<final_answer>b</final_answer>').events)[0]?.text).toBe('b');
  });

  it('ends the thought when a call opens without </think>', () => {
    const { events, thought } = parseProtocol(`<think>I should look <tool_call>${CROP_JSON}</tool_call>`);
    expect(thought).toBe('I should look ');
    expect(calls(events)).toEqual([CROP]);
  });

  it('takes text before a stray </think> as thought (the chat template opened it)', () => {
    const { events, thought } = parseProtocol(`The clip shows smoke.</think>\n<tool_call>${CROP_JSON}</tool_call>`);
    expect(thought).toBe('The clip shows smoke.');
    expect(calls(events)).toEqual([CROP]);
  });

  it('starts inside the thought when told the template opened <think>', () => {
    const { events, thought } = feed('reasoning here</think><answer>done</answer>', [3], { startInThink: true });
    expect(thought).toBe('reasoning here');
    expect(textOf(events, 'text')).toBe('');
    expect(answers(events)[0]?.text).toBe('done');
  });

  it('closes a block at a closing tag of another name', () => {
    const { events } = parseProtocol(`<tool_call>${CROP_JSON}</answer>`);
    expect(calls(events)).toEqual([CROP]);
  });

  it('treats a second <tool_call> as the end of an unclosed first one', () => {
    const { events } = parseProtocol(`<tool_call>${CROP_JSON}<tool_call>{"name":"get_frame","arguments":{"t":3}}</tool_call>`);
    expect(calls(events).map((c) => c.name)).toEqual(['crop_video', 'get_frame']);
  });

  it('ignores a repeated <think> or <answer> inside its own block', () => {
    expect(parseProtocol('<think>a<think>b</think>').thought).toBe('ab');
    expect(answers(parseProtocol('<answer>a<answer>b</answer>').events)).toEqual([{ text: 'ab', evidence: [] }]);
  });
});

describe('stream parser: stop tokens', () => {
  it.each(['<|im_end|>', '</s>', '<|endoftext|>', '<|eot_id|>', '<|end|>', '<end_of_turn>', '<eos>'])('drops %s', (stop) => {
    const { events } = parseProtocol(`<think>t</think><tool_call>${CROP_JSON}</tool_call>${stop}`);
    expect(calls(events)).toEqual([CROP]);
    expect(textOf(events, 'text')).toBe('');
  });

  it('ends an open block at a stop token', () => {
    const { events, thought } = parseProtocol(`<think>t<|im_end|>`);
    expect(thought).toBe('t');
    expect(events).toEqual([{ type: 'think-delta', text: 't' }]);
    expect(calls(parseProtocol(`<tool_call>${CROP_JSON}<|im_end|>`).events)).toEqual([CROP]);
    expect(answers(parseProtocol('<answer>yes</s>').events)).toEqual([{ text: 'yes', evidence: [] }]);
  });

  it('keeps parsing after a stop token in the middle of a turn', () => {
    const { events } = parseProtocol(`<think>t</think><|im_end|><tool_call>${CROP_JSON}</tool_call>`);
    expect(calls(events)).toEqual([CROP]);
  });
});

describe('stream parser: end() flushes unclosed blocks', () => {
  it('counts an unclosed <think> as thought', () => {
    const { events, thought } = parseProtocol('<think>still thinking about 12:3');
    expect(thought).toBe('still thinking about 12:3');
    expect(calls(events)).toEqual([]);
  });

  it('accepts an unclosed <tool_call> whose JSON is complete', () => {
    const { events } = parseProtocol(`<think>t</think><tool_call>\n${CROP_JSON}\n`);
    expect(calls(events)).toEqual([CROP]);
  });

  it('rejects an unclosed <tool_call> with truncated JSON, and says why', () => {
    const { events } = parseProtocol('<tool_call>{"name": "crop_video", "arguments": {"start": 750, "en');
    expect(calls(events)).toEqual([]);
    const [error] = errors(events);
    expect(error).toMatch(/not valid JSON/);
    expect(error).toMatch(/never closed/);
  });

  it('accepts an unclosed <answer>', () => {
    const { events } = parseProtocol('<answer>No bleeding is visible.');
    expect(answers(events)).toEqual([{ text: 'No bleeding is visible.', evidence: [] }]);
  });

  it('turns a tag cut short at the very end into text', () => {
    const { events } = parseProtocol('<think>a</think>done <tool_ca');
    expect(textOf(events, 'text')).toBe('done <tool_ca');
  });
});

describe('stream parser: tolerated tool-call JSON', () => {
  const forms: [string, string][] = [
    ['a ```json fence', '```json\n' + CROP_JSON + '\n```'],
    ['a bare ``` fence', '```\n' + CROP_JSON + '\n```'],
    ['single quotes', "{'name': 'crop_video', 'arguments': {'start': 750, 'end': 790}}"],
    ['trailing commas', '{"name": "crop_video", "arguments": {"start": 750, "end": 790,},}'],
    ['arguments as a JSON string (OpenAI style)', '{"name": "crop_video", "arguments": "{\\"start\\": 750, \\"end\\": 790}"}'],
    ['"parameters"', '{"name": "crop_video", "parameters": {"start": 750, "end": 790}}'],
    ['"args"', '{"name": "crop_video", "args": {"start": 750, "end": 790}}'],
    ['the OpenAI function envelope', '{"type": "function", "function": {"name": "crop_video", "arguments": "{\\"start\\": 750, \\"end\\": 790}"}}'],
    ['arguments written flat beside the name', '{"name": "crop_video", "start": 750, "end": 790}'],
    ['bare keys and a comment', '{name: "crop_video", arguments: {start: 750, end: 790 /* seconds */}}'],
    ['a missing comma between members', '{"name": "crop_video" "arguments": {"start": 750, "end": 790}}'],
    ['a one-element list', `[${CROP_JSON}]`],
    ['prose around the JSON', `I will call: ${CROP_JSON} now`],
    ['spaces around the name', '{"name": " crop_video ", "arguments": {"start": 750, "end": 790}}'],
  ];
  it.each(forms)('accepts %s', (_label, body) => {
    const { events } = parseProtocol(`<tool_call>${body}</tool_call>`);
    expect(errors(events)).toEqual([]);
    expect(calls(events)).toEqual([CROP]);
  });

  it('keeps time strings and unquoted clock times as strings for the engine to check', () => {
    const { events } = parseProtocol('<tool_call>{"name": "crop_video", "arguments": {"start": 00:12:30, "end": "00:13:10.500"}}</tool_call>');
    expect(calls(events)).toEqual([{ name: 'crop_video', arguments: { start: '00:12:30', end: '00:13:10.500' } }]);
  });

  it('reads Python literals and keeps an unknown tool name for the engine to reject', () => {
    const { events } = parseProtocol("<tool_call>{'name': 'zoom', 'arguments': {'hd': True, 'x': None}}</tool_call>");
    expect(calls(events)).toEqual([{ name: 'zoom', arguments: { hd: true, x: null } }]);
  });

  it('gives empty arguments when none are written', () => {
    expect(calls(parseProtocol('<tool_call>{"name": "get_frame"}</tool_call>').events)).toEqual([{ name: 'get_frame', arguments: {} }]);
    expect(calls(parseProtocol('<tool_call>{"name": "get_frame", "arguments": ""}</tool_call>').events)).toEqual([{ name: 'get_frame', arguments: {} }]);
  });

  it('keeps "__proto__" as data, not as a prototype', () => {
    const [call] = calls(parseProtocol('<tool_call>{"name": "get_frame", "arguments": {"__proto__": {"t": 1}}}</tool_call>').events);
    const args = call?.arguments as Record<string, unknown>;
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(Object.keys(args)).toEqual(['__proto__']);
  });
});

describe('stream parser: tool-call errors', () => {
  const bad: [string, string, RegExp][] = [
    ['empty', '<tool_call>  </tool_call>', /empty/],
    ['prose, not JSON', '<tool_call>crop the video please</tool_call>', /must be a JSON object like \{"name"/],
    ['broken JSON, with the position', '<tool_call>{"name": "crop_video", "arguments": {"start": 750 "end" 790}}</tool_call>', /expected ':' after "end" at character \d+/],
    ['no name', '<tool_call>{"arguments": {"t": 1}}</tool_call>', /no "name".*crop_video, get_frame/],
    ['arguments string not JSON', '<tool_call>{"name": "get_frame", "arguments": "t=751"}</tool_call>', /"arguments" is a string that is not (valid JSON|a JSON object)/],
    ['a number', '<tool_call>42</tool_call>', /must be a JSON object/],
    ['a list of numbers', '<tool_call>[1, 2]</tool_call>', /must be a JSON object/],
    ['an unterminated string', '<tool_call>{"name": "get_frame</tool_call>', /unterminated string/],
    ['deep nesting', `<tool_call>${'['.repeat(500)}</tool_call>`, /nested too deeply/],
  ];
  it.each(bad)('reports %s', (_label, text, reason) => {
    const { events } = parseProtocol(text);
    expect(calls(events)).toEqual([]);
    const errs = errors(events);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(reason);
    expect(errs[0]).not.toContain('\n'); // one line, for the model
    const err = events.find((e) => e.type === 'tool-call-error');
    expect(err?.type === 'tool-call-error' && err.raw).toBe(text.replace(/<\/?tool_call>/g, '').trim());
  });
});

describe('stream parser: bare JSON calls', () => {
  it('reads a call written without tags after the thought', () => {
    const { events, thought } = parseProtocol(`<think>Look closer.</think>\n${CROP_JSON}`);
    expect(thought).toBe('Look closer.');
    expect(calls(events)).toEqual([CROP]);
    expect(textOf(events, 'text')).toBe('\n');
  });

  it('reads a bare call inside a ```json fence, the fence staying text', () => {
    const { events } = parseProtocol('<think>t</think>```json\n{"name": "get_frame", "arguments": {"t": "00:12:31"}}\n```');
    expect(calls(events)).toEqual([{ name: 'get_frame', arguments: { t: '00:12:31' } }]);
    expect(textOf(events, 'text')).toBe('```json\n\n```');
  });

  it('reads a bare call after a stray unbalanced "{" in prose', () => {
    const { events } = parseProtocol(`Maybe {roughly here. ${CROP_JSON}`);
    expect(calls(events)).toEqual([CROP]);
    expect(textOf(events, 'text')).toBe('Maybe {roughly here. ');
  });

  it('leaves JSON that is not a call as text', () => {
    const text = 'The track says {"motion": 0.4, "blood": 0.9} and {name: "x"}.';
    const { events } = parseProtocol(text);
    expect(calls(events)).toEqual([]);
    expect(textOf(events, 'text')).toBe(text);
  });

  it('does not let an unclosed "{" swallow a later tag', () => {
    const { events } = parseProtocol(`I think {maybe <tool_call>${CROP_JSON}</tool_call>`);
    expect(calls(events)).toEqual([CROP]);
    expect(textOf(events, 'text')).toBe('I think {maybe ');
  });

  it('does not read JSON inside the thought as a call', () => {
    const { events } = parseProtocol(`<think>I could send ${CROP_JSON}</think>`);
    expect(calls(events)).toEqual([]);
  });

  it('gives up on a "{" that never closes and returns the text', () => {
    const prose = '{' + 'word '.repeat(2000);
    const { events } = parseProtocol(prose);
    expect(textOf(events, 'text')).toBe(prose);
  });
});
