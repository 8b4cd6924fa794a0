/*
 * One agent run as the question panel shows it, built the same way from streamed events (a run
 * going on now) and from the store (a run asked last week), so both read alike. Plain data, no
 * DOM: the panel's state keeps these in $state and mutates them in place.
 */

import type { z } from 'zod';
import type {
  AgentEvent, Conversation, Evidence as EvidenceSchema, RunState, StoredRun,
} from '../../../../main/core/contract/agent-schemas.js';
import { formatTime } from '../../../../main/core/time-format.js';

export type Evidence = z.infer<typeof EvidenceSchema>;

export interface FrameView {
  time: number;
  ref: string;
  /** What the vision model found on the frame; absent where it did not run. */
  detections?: readonly { label: string; score: number; box: [number, number, number, number] }[];
}

/** Labels shown on a frame's tool card: at most `max`, best first, as "person 0.81". */
export function detectionLabels(detections: FrameView['detections'], max = 3): string[] {
  return [...(detections ?? [])]
    .sort((a, b) => b.score - a.score)
    .slice(0, max)
    .map((d) => `${d.label} ${d.score.toFixed(2)}`);
}

export type CheckedCallView =
  | { name: 'crop_video'; start: number; end: number; frames: number }
  | { name: 'get_frame'; time: number }
  | { name: 'find_similar'; time: number; limit: number };

/** A window find_similar found, with the frame of its most similar moment. */
export interface SimilarWindowView {
  start: number;
  end: number;
  score: number;
  time: number;
  frame: FrameView;
}

/** One step: 0 is the overview; a step may be only a thought (the one that answers). */
export interface StepView {
  index: number;
  thought: string;
  /** The tool it called (null: a thought only, or output that was neither call nor answer). */
  tool: string | null;
  call: CheckedCallView | null;
  notes: string[];
  frames: FrameView[];
  /** A find_similar step's windows, best first; empty for other steps. */
  windows: SimilarWindowView[];
  error: string | null;
  /** The tool was started and has not returned yet. */
  running: boolean;
}

export interface RunView {
  runId: string;
  question: string;
  backend: string;
  model: string | null;
  /** Where the model runs ("cpu", "cuda", "local-server"...), once the backend says. */
  executionProvider: string | null;
  /** What the backend is doing before it can answer (loading a model), while it does. */
  backendStatus: string | null;
  /** The backend's one line about itself once ready (model, precision, device, fallbacks). */
  backendDetail: string | null;
  state: RunState;
  /** Case duration the run saw, seconds. */
  duration: number;
  steps: StepView[];
  evidence: Evidence[];
  answer: string | null;
  answerNotes: string[];
  error: string | null;
  exhausted: 'toolCalls' | 'frames' | 'wallTime' | null;
  usage: { toolCalls: number; frames: number } | null;
  /** Epoch or engine ms; only differences are shown. */
  startedAt: number | null;
  endedAt: number | null;
}

export interface ConversationView {
  id: string;
  createdAt: string;
  runs: RunView[];
}

export function emptyRun(runId: string, question: string): RunView {
  return {
    runId, question, backend: '', model: null, executionProvider: null, backendStatus: null, backendDetail: null, state: 'running', duration: 0, steps: [], evidence: [], answer: null,
    answerNotes: [], error: null, exhausted: null, usage: null, startedAt: null, endedAt: null,
  };
}

function stepAt(run: RunView, index: number): StepView {
  let step = run.steps.find((s) => s.index === index);
  if (!step) {
    step = { index, thought: '', tool: null, call: null, notes: [], frames: [], windows: [], error: null, running: false };
    // Steps arrive in order; keep them sorted anyway.
    const at = run.steps.findIndex((s) => s.index > index);
    if (at < 0) run.steps.push(step);
    else run.steps.splice(at, 0, step);
    // The array may be a reactive proxy: return the element as stored.
    step = run.steps.find((s) => s.index === index)!;
  }
  return step;
}

/** Applies one streamed event to a run (thought deltas are best batched by the caller). */
export function applyEvent(run: RunView, e: AgentEvent): void {
  switch (e.type) {
    case 'run-started':
      run.question = e.question;
      run.backend = e.backend;
      run.model = e.model;
      run.duration = e.duration;
      run.startedAt = e.time;
      return;
    case 'backend-status':
      run.backendStatus = e.text;
      return;
    case 'backend-ready':
      run.backendStatus = null;
      run.executionProvider = e.executionProvider;
      run.backendDetail = e.detail || null;
      return;
    case 'thought-delta':
      stepAt(run, e.step).thought += e.delta;
      return;
    case 'tool-started': {
      const s = stepAt(run, e.step);
      s.tool = e.name;
      s.call = e.call;
      s.notes = e.notes;
      s.running = true;
      return;
    }
    case 'tool-result': {
      const s = stepAt(run, e.step);
      s.tool = e.name;
      s.frames = e.frames;
      if (e.windows) s.windows = e.windows;
      if (e.notes.length) s.notes = e.notes;
      s.running = false;
      return;
    }
    case 'tool-error': {
      const s = stepAt(run, e.step);
      if (e.name !== null) s.tool = e.name;
      s.error = e.error;
      s.running = false;
      return;
    }
    case 'evidence':
      if (!run.evidence.some((x) => x.id === e.evidence.id)) run.evidence.push(e.evidence);
      return;
    case 'answer':
      run.answer = e.text;
      run.answerNotes = e.notes;
      return;
    case 'run-ended':
      run.state = e.outcome;
      run.error = e.error;
      run.exhausted = e.exhausted;
      run.usage = e.usage;
      run.endedAt = e.time;
      run.backendStatus = null;
      for (const s of run.steps) s.running = false;
      return;
  }
}

export function runFromStore(question: string, r: StoredRun): RunView {
  const steps: StepView[] = [];
  if (r.overview) {
    steps.push({ index: 0, thought: '', tool: 'overview', call: null, notes: [], frames: r.overview.frames, windows: [], error: null, running: false });
  }
  for (const s of r.steps) {
    const name = s.checked?.name ?? (s.kind === 'tool' ? s.call?.name ?? null : null);
    steps.push({
      index: s.index,
      thought: s.thought,
      tool: s.kind === 'answer' ? null : name,
      call: s.checked,
      notes: s.notes,
      frames: s.frames,
      windows: s.windows ?? [],
      error: s.error,
      running: false,
    });
  }
  return {
    runId: r.runId,
    question,
    backend: r.backend.name,
    model: r.backend.model,
    executionProvider: r.executionProvider,
    backendStatus: null,
    backendDetail: null,
    state: r.state,
    duration: r.duration,
    steps,
    evidence: r.evidence.map(({ id, rank, start, end, frames, claim }) => ({ id, rank, start, end, frames, claim })),
    answer: r.answer,
    answerNotes: r.notes,
    error: r.error,
    exhausted: r.exhausted,
    usage: r.state === 'running' ? null : r.usage,
    startedAt: r.timings.startedAt,
    endedAt: r.timings.endedAt,
  };
}

export function conversationFromStore(c: Conversation): ConversationView {
  return {
    id: c.id,
    createdAt: c.createdAt,
    runs: c.questions.flatMap((q) => q.runs.map((r) => runFromStore(q.text, r))),
  };
}

// ---- wording -----------------------------------------------------------------------------

/** Case time as the panel writes it: 12:31 or 12:31.250 when it is not on a whole second. */
export function caseClock(s: number): string {
  return formatTime(s, { millis: Math.abs(s - Math.round(s)) > 5e-4 });
}

export function windowLabel(start: number, end: number): string {
  return `${caseClock(start)}–${caseClock(end)}`;
}

/** "1.5 s", "12 s", "2 min 5 s". */
export function spanLabel(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 0.1) return 'under 0.1 s';
  if (s < 10) return `${Math.round(s * 10) / 10} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The card title of a tool step: "Overview", "crop_video 12:30–13:10 · 8 frames", "get_frame 12:31.250". */
export function stepTitle(s: StepView): string {
  if (s.tool === 'overview') return s.frames.length ? `Overview · ${plural(s.frames.length, 'frame')}` : 'Overview';
  if (s.call?.name === 'crop_video') return `crop_video ${windowLabel(s.call.start, s.call.end)} · ${plural(s.call.frames, 'frame')}`;
  if (s.call?.name === 'get_frame') return `get_frame ${caseClock(s.call.time)}`;
  if (s.call?.name === 'find_similar') {
    const found = s.running ? '' : ` · ${s.windows.length ? plural(s.windows.length, 'window') : 'none found'}`;
    return `find_similar like ${caseClock(s.call.time)}${found}`;
  }
  if (s.tool) return s.tool;
  return 'Unreadable output';
}

const EP_WORDS: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML', webgpu: 'WebGPU', 'local-server': 'local server' };

/** Where the model ran, in words: "CUDA", "local server", "remote: gpu.example.org". */
export function executionLabel(ep: string | null): string | null {
  if (!ep) return null;
  if (ep.startsWith('remote:')) return `remote: ${ep.slice('remote:'.length)}`;
  return EP_WORDS[ep] ?? ep;
}

/** "onnx · Qwen2.5-VL-3B · CUDA", "scout". */
export const BACKEND_LABEL = (r: Pick<RunView, 'backend' | 'model'> & Partial<Pick<RunView, 'executionProvider'>>): string => {
  const parts = [r.backend || 'agent', r.model, executionLabel(r.executionProvider ?? null)].filter((p): p is string => Boolean(p));
  return parts.join(' · ');
};

/** The backend the next question goes to, as the composer names it, and whether frames leave the machine. */
export function configuredBackend(agent: {
  backend: string;
  onnx: { modelDir: string };
  openai: { baseUrl: string; model: string };
}): { label: string; offMachine: boolean } {
  if (agent.backend === 'onnx') {
    const folder = agent.onnx.modelDir.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
    return { label: folder ? `onnx · ${folder}` : 'onnx · no model folder set', offMachine: false };
  }
  if (agent.backend === 'openai') {
    let host: string | null;
    try {
      host = agent.openai.baseUrl ? new URL(agent.openai.baseUrl).hostname.replace(/^\[|\]$/g, '') : null;
    } catch {
      host = null;
    }
    const loopback = host === null || host === 'localhost' || host === '::1' || /^127\./.test(host);
    const model = agent.openai.model || 'not set up';
    return { label: loopback ? `openai · ${model}` : `openai · ${model} · ${host}`, offMachine: !loopback };
  }
  return { label: agent.backend, offMachine: false };
}

/** Why a run has no answer, in plain words; null for an answered or running run. */
export function endingLabel(r: RunView): string | null {
  const usage = r.usage ? ` after ${plural(r.usage.toolCalls, 'look')} and ${plural(r.usage.frames, 'frame')}` : '';
  switch (r.state) {
    case 'running':
    case 'answered':
      return null;
    case 'canceled':
      return `Stopped before an answer${usage}.`;
    case 'budget': {
      const what = r.exhausted === 'frames' ? 'frame' : r.exhausted === 'wallTime' ? 'time' : 'look';
      return `No answer: the ${what} budget ran out${usage}.`;
    }
    case 'failed':
      return `No answer: the run failed${r.error ? ` — ${r.error.replace(/\.$/, '')}` : ''}.`;
    case 'interrupted':
      return `No answer: ${r.error ?? 'Opscope was closed before this run finished.'}`;
  }
}

/** The frame a run looked at nearest to `t` (evidence names frames by time only). */
export function frameNear(run: RunView, t: number, tolerance = 0.02): FrameView | null {
  let best: FrameView | null = null;
  for (const s of run.steps) {
    for (const f of s.frames) {
      if (Math.abs(f.time - t) <= tolerance && (!best || Math.abs(f.time - t) < Math.abs(best.time - t))) best = f;
    }
  }
  return best;
}

/** What the timeline draws for a run: the windows it cropped and its evidence. */
export interface AgentOverlay {
  crops: { start: number; end: number }[];
  evidence: { rank: number; start: number; end: number }[];
}

export function overlayOf(run: RunView | null): AgentOverlay {
  if (!run) return { crops: [], evidence: [] };
  const crops: AgentOverlay['crops'] = [];
  for (const s of run.steps) if (s.call?.name === 'crop_video') crops.push({ start: s.call.start, end: s.call.end });
  return { crops, evidence: run.evidence.map((e) => ({ rank: e.rank, start: e.start, end: e.end })) };
}
