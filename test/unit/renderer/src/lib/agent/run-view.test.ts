import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../../../main/core/contract/agent-schemas.js';
import {
  applyEvent, caseClock, configuredBackend, detectionLabels, emptyRun, endingLabel, frameNear, overlayOf, runFromStore, stepTitle, windowLabel,
} from '../../../../../../renderer/src/lib/agent/run-view.js';

const base = { runId: 'run1', time: 0 };
let seq = 0;
const ev = (e: Record<string, unknown>) => ({ ...base, seq: seq++, ...e }) as AgentEvent;

describe('the question panel’s view of a run', () => {
  it('builds steps, frames, evidence and the ending from streamed events', () => {
    const run = emptyRun('run1', '');
    applyEvent(run, ev({ type: 'run-started', question: 'when?', backend: 'scout', model: null, budget: { maxToolCalls: 1, maxFrames: 1, maxWallMs: 1 }, duration: 40, time: 1000 }));
    applyEvent(run, ev({ type: 'tool-started', step: 0, name: 'overview', call: null, notes: [] }));
    applyEvent(run, ev({ type: 'tool-result', step: 0, name: 'overview', frames: [{ time: 5, ref: 'p/a' }], signals: null, samples: [], notes: [] }));
    applyEvent(run, ev({ type: 'thought-delta', step: 1, delta: 'Look' }));
    applyEvent(run, ev({ type: 'thought-delta', step: 1, delta: 'ing.' }));
    applyEvent(run, ev({ type: 'tool-started', step: 1, name: 'crop_video', call: { name: 'crop_video', start: 750, end: 790, frames: 8 }, notes: ['clamped'] }));
    expect(run.steps[1]!.running).toBe(true);
    applyEvent(run, ev({ type: 'tool-result', step: 1, name: 'crop_video', frames: [{ time: 751.25, ref: 'p/b' }], signals: null, samples: [], notes: [] }));
    applyEvent(run, ev({ type: 'tool-error', step: 2, name: 'get_frame', error: 'outside the case' }));
    applyEvent(run, ev({ type: 'evidence', evidence: { id: 'e1', rank: 1, start: 750, end: 760, frames: [751.25], claim: 'blood' } }));
    applyEvent(run, ev({ type: 'answer', text: 'At 12:30.', notes: [] }));
    applyEvent(run, ev({ type: 'run-ended', outcome: 'answered', error: null, exhausted: null, usage: { toolCalls: 2, frames: 1 }, time: 2500 }));

    expect(run.backend).toBe('scout');
    expect(run.steps.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(run.steps[1]!.thought).toBe('Looking.');
    expect(run.steps[1]!.notes).toEqual(['clamped']);
    expect(stepTitle(run.steps[0]!)).toBe('Overview · 1 frame');
    expect(stepTitle(run.steps[1]!)).toBe('crop_video 12:30–13:10 · 8 frames');
    expect(run.steps[2]!.error).toBe('outside the case');
    expect(frameNear(run, 751.25)?.ref).toBe('p/b');
    expect(overlayOf(run)).toEqual({ crops: [{ start: 750, end: 790 }], evidence: [{ rank: 1, start: 750, end: 760 }] });
    expect(endingLabel(run)).toBeNull();
    expect(run.state).toBe('answered');
  });

  it('keeps a find_similar step\'s windows, from the stream and from the store alike', () => {
    const run = emptyRun('run1', '');
    const windows = [{ start: 16, end: 20, score: 0.57, time: 16, frame: { time: 16, ref: 'p/s16' } }];
    applyEvent(run, ev({ type: 'tool-started', step: 1, name: 'find_similar', call: { name: 'find_similar', time: 7, limit: 5 }, notes: [] }));
    expect(stepTitle(run.steps[0]!)).toBe('find_similar like 0:07');
    applyEvent(run, ev({ type: 'tool-result', step: 1, name: 'find_similar', frames: [windows[0]!.frame], signals: null, samples: [], windows, notes: [] }));
    expect(run.steps[0]!.windows).toEqual(windows);
    expect(stepTitle(run.steps[0]!)).toBe('find_similar like 0:07 · 1 window');
    const stored = runFromStore('when else?', {
      runId: 'r', questionId: 'q', state: 'answered', backend: { name: 'scout', model: null }, executionProvider: null,
      budget: { maxToolCalls: 1, maxFrames: 1, maxWallMs: 1 }, duration: 24, timings: { startedAt: 0, firstEventAt: null, endedAt: 1 },
      error: null, exhausted: null, usage: { toolCalls: 1, frames: 1 }, overview: null, evidence: [], answer: 'a', notes: [],
      steps: [
        { index: 1, kind: 'tool', thought: '', call: null, checked: { name: 'find_similar', time: 7, limit: 5 }, notes: [], frames: [], signals: null, samples: [], windows, error: null, raw: null, startedAt: 0, endedAt: 1 },
        { index: 2, kind: 'tool', thought: '', call: null, checked: { name: 'get_frame', time: 7 }, notes: [], frames: [], signals: null, samples: [], windows: [], error: null, raw: null, startedAt: 0, endedAt: 1 },
      ],
    });
    expect(stored.steps[0]!.windows).toEqual(windows);
    expect(stepTitle(stored.steps[1]!)).toBe('get_frame 0:07');
    expect(stepTitle({ ...stored.steps[0]!, windows: [] })).toBe('find_similar like 0:07 · none found');
  });

  it('says plainly why a run has no answer', () => {
    const run = emptyRun('r', 'q');
    applyEvent(run, ev({ type: 'run-ended', outcome: 'canceled', error: null, exhausted: null, usage: { toolCalls: 1, frames: 8 } }));
    expect(endingLabel(run)).toBe('Stopped before an answer after 1 look and 8 frames.');
    run.state = 'budget';
    run.exhausted = 'frames';
    expect(endingLabel(run)).toMatch(/frame budget ran out/);
  });

  it('writes case time as a clock', () => {
    expect(caseClock(751.25)).toBe('12:31.250');
    expect(caseClock(750)).toBe('12:30');
    expect(windowLabel(750, 790)).toBe('12:30–13:10');
  });
});

describe('the backend the next question goes to', () => {
  const agent = (backend: string, modelDir = '', baseUrl = '', model = '') => ({ backend, onnx: { modelDir }, openai: { baseUrl, model } });

  it('names the backend, the local model folder or the server model', () => {
    expect(configuredBackend(agent('scout'))).toEqual({ label: 'scout', offMachine: false });
    expect(configuredBackend(agent('onnx', '/models/Qwen2.5-VL-3B/'))).toEqual({ label: 'onnx · Qwen2.5-VL-3B', offMachine: false });
    expect(configuredBackend(agent('onnx', 'C:\\models\\SmolVLM'))).toEqual({ label: 'onnx · SmolVLM', offMachine: false });
    expect(configuredBackend(agent('onnx'))).toEqual({ label: 'onnx · no model folder set', offMachine: false });
    expect(configuredBackend(agent('openai', '', 'http://127.0.0.1:8000/v1', 'medscope-7b'))).toEqual({ label: 'openai · medscope-7b', offMachine: false });
  });

  it('says when frames would leave the machine', () => {
    expect(configuredBackend(agent('openai', '', 'https://gpu.example.org/v1', 'medscope-7b'))).toEqual({
      label: 'openai · medscope-7b · gpu.example.org',
      offMachine: true,
    });
    expect(configuredBackend(agent('openai', '', 'http://[::1]:8000/v1', 'm')).offMachine).toBe(false);
  });
});

describe('what the vision model found, on a tool card', () => {
  const box: [number, number, number, number] = [0, 0, 10, 10];

  it('shows at most three labels, best first, with two decimals', () => {
    const found = [
      { label: 'chair', score: 0.34, box },
      { label: 'person', score: 0.812, box },
      { label: 'tv', score: 0.5, box },
      { label: 'person', score: 0.45, box },
    ];
    expect(detectionLabels(found)).toEqual(['person 0.81', 'tv 0.50', 'person 0.45']);
  });

  it('shows nothing when the model found nothing or did not run', () => {
    expect(detectionLabels([])).toEqual([]);
    expect(detectionLabels(undefined)).toEqual([]);
  });
});
