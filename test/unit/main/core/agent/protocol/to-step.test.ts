import { describe, expect, it } from 'vitest';
import {
  MALFORMED_MESSAGES,
  buildSystemPrompt,
  cropObservationHeader,
  formatSeconds,
  formatToolCall,
  frameLabel,
  frameObservationHeader,
  parseProtocol,
  stepFromEvents,
  toolSchemas,
  turnToStep,
  windowLabel,
  wrapToolResponse,
} from '../../../../../../main/core/agent/protocol/index.js';

const CROP_JSON = '{"name": "crop_video", "arguments": {"start": 750, "end": 790}}';

describe('turnToStep', () => {
  it('turns a call into a tool step with the trimmed thought', () => {
    expect(turnToStep(`<think>\n  Look at 12:30.\n</think>\n<tool_call>${CROP_JSON}</tool_call><|im_end|>`)).toEqual({
      kind: 'tool',
      thought: 'Look at 12:30.',
      call: { name: 'crop_video', arguments: { start: 750, end: 790 } },
    });
  });

  it('turns an answer into an answer step', () => {
    expect(turnToStep('<think>done</think><answer>{"answer": "Yes.", "evidence": [{"start": 1, "end": 2}]}</answer>')).toEqual({
      kind: 'answer',
      thought: 'done',
      answer: { text: 'Yes.', evidence: [{ start: 1, end: 2, frames: [], claim: '' }] },
    });
  });

  it('acts on the first call and ignores an answer the model imagined after it', () => {
    const step = turnToStep(`<tool_call>${CROP_JSON}</tool_call><tool_response>frames…</tool_response><answer>Imagined.</answer>`);
    expect(step.kind).toBe('tool');
  });

  it('uses a later valid call when an earlier one is broken', () => {
    const step = turnToStep(`<tool_call>{"name": </tool_call><tool_call>${CROP_JSON}</tool_call>`);
    expect(step).toMatchObject({ kind: 'tool', call: { name: 'crop_video' } });
  });

  it('says no call or answer was found, for the model to correct itself', () => {
    const raw = 'I think the bleeding is around 12 minutes.';
    expect(turnToStep(raw)).toEqual({ kind: 'malformed', thought: '', error: MALFORMED_MESSAGES.noAction, raw });
    expect(MALFORMED_MESSAGES.noAction).toMatch(/^No <tool_call> or <answer> found\. Call crop_video or get_frame/);
  });

  it('says when the model only thought', () => {
    expect(turnToStep('<think>hmm, where is it</think>')).toMatchObject({ kind: 'malformed', thought: 'hmm, where is it', error: MALFORMED_MESSAGES.thoughtOnly });
  });

  it('says when the reply was empty', () => {
    expect(turnToStep('  <|im_end|>')).toMatchObject({ kind: 'malformed', error: MALFORMED_MESSAGES.empty });
    expect(turnToStep('')).toMatchObject({ kind: 'malformed', error: MALFORMED_MESSAGES.empty });
  });

  it('passes the parse error of a broken call on to the model, on one line', () => {
    const step = turnToStep('<think>t</think><tool_call>{"name": "get_frame", "arguments": {"t": 751.25</tool_call>');
    expect(step.kind).toBe('malformed');
    if (step.kind !== 'malformed') return;
    expect(step.error).toMatch(/^Your tool call could not be read: the tool call is not valid JSON \(.+ at character \d+/);
    expect(step.error).not.toContain('\n');
    expect(step.thought).toBe('t');
    expect(step.raw).toContain('751.25');
  });

  it('rejects an empty answer', () => {
    expect(turnToStep('<answer>  </answer>')).toMatchObject({ kind: 'malformed', error: MALFORMED_MESSAGES.emptyAnswer });
  });

  it('gives the same step from streamed events as from the whole text', () => {
    const raw = `<think>t</think>${CROP_JSON}`;
    const { events, thought } = parseProtocol(raw);
    expect(stepFromEvents(events, thought, raw)).toEqual(turnToStep(raw));
    expect(turnToStep(raw).kind).toBe('tool');
  });

  it('honours a template that opened <think>', () => {
    expect(turnToStep('planning</think><answer>ok</answer>', { startInThink: true })).toMatchObject({ kind: 'answer', thought: 'planning' });
  });
});

describe('a reply in a grounding benchmark\'s style, without tags', () => {
  it('is an answer whose spans are its evidence', () => {
    const step = turnToStep('22.0-78.0, 89.0-94.0 seconds.<|im_end|>');
    expect(step).toMatchObject({ kind: 'answer', answer: { text: '22.0-78.0, 89.0-94.0 seconds.' } });
    if (step.kind !== 'answer') return;
    expect(step.answer.evidence.map((e) => [e.start, e.end])).toEqual([[22, 78], [89, 94]]);
  });

  it('is an answer whose boxes are its evidence', () => {
    const step = turnToStep('<think>The hook moves right.</think>0.0 seconds: [10, 20, 30, 40] 4.0 seconds: [12, 22, 32, 42]');
    expect(step).toMatchObject({ kind: 'answer', thought: 'The hook moves right.' });
    if (step.kind !== 'answer') return;
    expect(step.answer.evidence).toMatchObject([{ start: 0, end: 4, boxes: [{ time: 0 }, { time: 4 }] }]);
  });

  it('is still malformed when it is prose around times: the model is asked to answer properly', () => {
    const raw = 'The cutting happens at 22.0-78.0 seconds, I believe.';
    expect(turnToStep(raw)).toEqual({ kind: 'malformed', thought: '', error: MALFORMED_MESSAGES.noAction, raw });
  });
});

describe('prompt', () => {
  it('declares the tools as JSON schemas inside <tools>, with K frames', () => {
    const prompt = buildSystemPrompt({ framesPerCrop: 8, caseDuration: 1234.5, maxToolCalls: 12 });
    const block = /<tools>\n([\s\S]*?)\n<\/tools>/.exec(prompt)?.[1] ?? '';
    const declared = block.split('\n').map((l) => JSON.parse(l) as ReturnType<typeof toolSchemas>[number]);
    expect(declared).toEqual(toolSchemas(8));
    expect(declared.map((t) => [t.function.name, t.function.parameters.required])).toEqual([
      ['crop_video', ['start', 'end']],
      ['get_frame', ['t']],
      ['find_similar', ['t']],
    ]);
    expect(declared[2]?.function.description).toMatch(/look like the frame at time t/);
    expect(prompt).toContain('find_similar(t) lists the');
    expect(declared[0]?.function.description).toContain('8 frames');
    expect(declared[0]?.function.description).toMatch(/signal/);
    expect(declared[1]?.function.description).toMatch(/full resolution/);
    expect(prompt).toContain('00:20:34.500 (1234.5 s)');
    expect(prompt).toContain('at most 12 times');
    expect(prompt).toContain('HH:MM:SS(.mmm)');
    for (const tag of ['<think>', '<tool_call>', '</tool_call>', '<answer>', '</answer>']) expect(prompt).toContain(tag);
  });

  it('leaves out what it was not told', () => {
    const prompt = buildSystemPrompt({ framesPerCrop: 4 });
    expect(prompt).not.toMatch(/The case lasts|at most/);
    expect(prompt).toContain('4 frames');
  });

  it('labels frames with clock and seconds', () => {
    expect(frameLabel(751.25)).toBe('frame at 00:12:31.250 (751.25 s)');
    expect(frameLabel(750)).toBe('frame at 00:12:30.000 (750 s)');
    expect(frameLabel(3723.5)).toBe('frame at 01:02:03.500 (3723.5 s)');
    expect(windowLabel(750, 790)).toBe('00:12:30.000–00:13:10.000 (750–790 s)');
  });

  it('rounds seconds to the millisecond', () => {
    expect(formatSeconds(1 / 3)).toBe('0.333');
    expect(formatSeconds(751.2500001)).toBe('751.25');
    expect(formatSeconds(-0.0001)).toBe('0');
    expect(formatSeconds(Number.NaN)).toBe('NaN');
  });

  it('writes observation headers with a label per frame and the engine notes', () => {
    const header = cropObservationHeader({ start: 750, end: 790, frameTimes: [750, 770], notes: ['end clamped to the case length'] });
    expect(header.split('\n')).toEqual([
      'crop_video 00:12:30.000–00:13:10.000 (750–790 s): 2 frames.',
      'Note: end clamped to the case length',
      '1. frame at 00:12:30.000 (750 s)',
      '2. frame at 00:12:50.000 (770 s)',
    ]);
    expect(frameObservationHeader({ t: 751.25 })).toBe('get_frame: frame at 00:12:31.250 (751.25 s), full resolution.');
    expect(wrapToolResponse('x')).toBe('<tool_response>\nx\n</tool_response>');
  });

  it('writes calls back in a form the parser reads', () => {
    const call = { name: 'get_frame', arguments: { t: '00:12:31.250' } };
    expect(turnToStep(formatToolCall(call))).toEqual({ kind: 'tool', thought: '', call });
  });
});
