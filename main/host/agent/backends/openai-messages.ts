/*
 * The chat an OpenAI-compatible server reads each turn, rebuilt from the engine's TurnContext:
 * the system prompt, the earlier questions of the case conversation, the question with the
 * overview (storyboard frames and track summaries), then each step as the model's own turn and
 * the tool's response. Frames go as image parts, each preceded by its time label in words.
 *
 * Roles strictly alternate user / assistant after the system message: several chat templates
 * (served by llama.cpp, vLLM...) refuse anything else, so everything between two model turns is
 * one user message.
 */

import type { Observation, TurnContext, TurnStep } from '../../../core/agent/engine/types.js';
import type { TrackSummaries, TrackSummary } from '../../../core/agent/engine/track-summary.js';
import {
  buildSystemPrompt,
  cropObservationHeader,
  formatSeconds,
  formatToolCall,
  frameLabel,
  frameObservationHeader,
  similarObservationHeader,
  windowLabel,
  wrapToolResponse,
} from '../../../core/agent/protocol/index.js';
import type { BackendStep } from '../../../core/agent/types.js';
import { formatClock } from '../../../core/time-format.js';
import { TRACK_NAMES, type TrackName } from '../../../core/contract/schemas.js';

export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
}

export interface MessageOptions {
  /** Frames crop_video returns (for the system prompt). */
  framesPerCrop: number;
  /** Most images in one request; see imageRefs. */
  maxImages: number;
  /** Earlier questions of the conversation replayed, newest kept. */
  maxHistory?: number;
}

/** Earlier turns of the conversation are replayed briefly: their answer, cut at this length. */
const HISTORY_ANSWER_CHARS = 800;
/** Malformed output replayed to the model is cut at this length (a runaway reply can be huge). */
const RAW_CHARS = 1500;
const MAX_WINDOWS_PER_TRACK = 6;

const TRACK_WORDS: Record<TrackName, string> = {
  motion: 'motion',
  blood: 'bleeding/redness',
  haze: 'smoke/haze',
  outOfBody: 'out-of-body (camera outside the patient)',
  brightness: 'brightness',
  sceneChange: 'scene change',
};

function frameTimesOf(o: Observation): { ref: string; time: number }[] {
  if (o.kind === 'crop') return o.frames;
  if (o.kind === 'frame') return [o.frame];
  if (o.kind === 'similar') return o.windows.map((w) => w.frame);
  return [];
}

/**
 * Which frames are sent as images. Images are what fills a vision-language model's context (and
 * what servers cap per request, e.g. vLLM's --limit-mm-per-prompt), so they are bounded: the
 * overview's storyboard and the latest step's frames always, then earlier steps' frames newest
 * first while the total stays within `maxImages`. Older steps are replayed as text only (their
 * labels, signals and what the model concluded), which is said in the message so the model knows
 * it saw those frames before.
 */
export function imageRefs(ctx: TurnContext, maxImages: number): Set<string> {
  const out = new Set<string>();
  for (const f of ctx.overview.frames.slice(0, maxImages)) out.add(f.ref);
  let latest = true;
  for (const step of [...ctx.steps].reverse()) {
    const frames = frameTimesOf(step.observation);
    if (frames.length === 0) continue;
    if (!latest && out.size + frames.length > maxImages) break;
    for (const f of frames) out.add(f.ref);
    latest = false;
  }
  return out;
}

function round(v: number | null): string {
  return v === null ? 'n/a' : String(Math.round(v * 100) / 100);
}

function describeTrack(name: TrackName, s: TrackSummary): string {
  if (s.mean === null || s.max === null) return `- ${TRACK_WORDS[name]}: no data yet.`;
  let line = `- ${TRACK_WORDS[name]}: mean ${round(s.mean)}, max ${round(s.max)}`;
  if (s.maxAt !== null) line += ` at ${formatClock(s.maxAt)} (${formatSeconds(s.maxAt)} s)`;
  if (s.windows.length === 0) line += `; never at or above ${round(s.threshold)}`;
  else {
    const shown = s.windows.slice(0, MAX_WINDOWS_PER_TRACK).map((w) => `${windowLabel(w.start, w.end)} peak ${round(w.peak)}`);
    const more = s.windows.length > shown.length ? ` and ${s.windows.length - shown.length} more` : '';
    line += `; at or above ${round(s.threshold)} during ${shown.join(', ')}${more}`;
  }
  if (s.coverage < 0.999) line += ` (only ${Math.round(s.coverage * 100)}% indexed so far)`;
  return `${line}.`;
}

/** Track summaries in words, one line per track (0..1 scale, relative to this recording). */
export function describeTracks(tracks: TrackSummaries | null | undefined): string {
  const lines = TRACK_NAMES.flatMap((name) => {
    const s = tracks?.[name];
    return s ? [describeTrack(name, s)] : [];
  });
  return lines.length ? lines.join('\n') : '- no signal tracks yet (the case is not indexed).';
}

class UserTurn {
  readonly parts: ContentPart[] = [];

  text(t: string): void {
    const last = this.parts.at(-1);
    if (last?.type === 'text') last.text += `\n${t}`;
    else this.parts.push({ type: 'text', text: t });
  }

  /** A frame: its label in words, then the image (or a sentence saying why there is none). */
  frame(f: { ref: string; time: number }, images: ReadonlyMap<string, string | null>, shown: ReadonlySet<string>): void {
    const url = images.get(f.ref);
    if (url) {
      this.text(`${frameLabel(f.time)}:`);
      this.parts.push({ type: 'image_url', image_url: { url } });
    } else if (shown.has(f.ref)) this.text(`${frameLabel(f.time)}: (the image could not be loaded)`);
    else this.text(`${frameLabel(f.time)}: (image not repeated, to save context)`);
  }

  message(): ChatMessage {
    const only = this.parts[0];
    if (this.parts.length === 1 && only?.type === 'text') return { role: 'user', content: only.text };
    return { role: 'user', content: this.parts };
  }
}

function assistantText(step: BackendStep): string {
  const think = step.thought.trim() ? `<think>\n${step.thought.trim()}\n</think>\n` : '';
  if (step.kind === 'tool') return `${think}${formatToolCall(step.call)}`;
  if (step.kind === 'answer') return `${think}<answer>\n${step.answer.text}\n</answer>`;
  const raw = step.raw.length > RAW_CHARS ? `${step.raw.slice(0, RAW_CHARS)}…` : step.raw;
  return raw.trim() ? raw : think || '(empty reply)';
}

function samplesText(o: Extract<Observation, { kind: 'crop' }>): string {
  if (o.samples.length === 0) return '';
  const v = (x: number) => (x < 0 ? 'n/a' : round(x));
  const lines = o.samples.map(
    (s) => `- ${formatClock(s.time)}: bleeding/redness ${v(s.blood)}, smoke/haze ${v(s.haze)}, out-of-body ${v(s.outOfBody)}, brightness ${v(s.brightness)}`,
  );
  return `Measured on each frame (0..1):\n${lines.join('\n')}`;
}

function observationText(o: Observation): string {
  if (o.kind === 'crop') {
    const header = cropObservationHeader({ start: o.call.start, end: o.call.end, frameTimes: o.frames.map((f) => f.time), notes: o.notes });
    const parts = [header, `Signals over this window (0..1):\n${describeTracks(o.signals)}`, samplesText(o)];
    return parts.filter((p) => p !== '').join('\n');
  }
  if (o.kind === 'frame') {
    const size = o.frame.width > 0 && o.frame.height > 0 ? ` (${o.frame.width}×${o.frame.height})` : '';
    return `${frameObservationHeader({ t: o.frame.time, notes: o.notes })}${size}`;
  }
  if (o.kind === 'similar') return similarObservationHeader({ t: o.call.time, windows: o.windows, unavailable: o.unavailable, notes: o.notes });
  const notes = o.notes.map((n) => `\nNote: ${n}`).join('');
  return `Error: ${o.error}${notes}`;
}

function historyMessages(ctx: TurnContext, max: number): ChatMessage[] {
  const turns = ctx.history.slice(-max);
  const out: ChatMessage[] = [];
  turns.forEach((turn, i) => {
    const prefix = i === 0 && ctx.history.length > turns.length ? `(${ctx.history.length - turns.length} earlier questions left out.)\n` : '';
    out.push({ role: 'user', content: `${prefix}Earlier question about this case: ${turn.question}` });
    const answer = turn.answer.length > HISTORY_ANSWER_CHARS ? `${turn.answer.slice(0, HISTORY_ANSWER_CHARS)}…` : turn.answer;
    const evidence = turn.evidence.map((e) => `- ${windowLabel(e.start, e.end)}: ${e.claim}`);
    out.push({ role: 'assistant', content: [answer || '(no answer)', ...(evidence.length ? ['Evidence:', ...evidence] : [])].join('\n') });
  });
  return out;
}

function stepTurn(step: TurnStep, images: ReadonlyMap<string, string | null>, shown: ReadonlySet<string>): UserTurn {
  const turn = new UserTurn();
  turn.text(wrapToolResponse(observationText(step.observation)));
  for (const f of frameTimesOf(step.observation)) turn.frame(f, images, shown);
  return turn;
}

/**
 * The whole request's messages. `images` holds the data URLs of the frames chosen by imageRefs
 * (null for one that could not be read); frames not in it are described in words only.
 */
export function buildMessages(ctx: TurnContext, images: ReadonlyMap<string, string | null>, opts: MessageOptions): ChatMessage[] {
  const shown = new Set(images.keys());
  const maxToolCalls = ctx.budget.toolCallsLeft + ctx.steps.length;
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: buildSystemPrompt({
        framesPerCrop: opts.framesPerCrop,
        caseDuration: ctx.duration,
        ...(Number.isFinite(maxToolCalls) ? { maxToolCalls } : {}),
        live: ctx.live,
        bookmarks: ctx.bookmarks,
      }),
    },
    ...historyMessages(ctx, opts.maxHistory ?? 4),
  ];

  const first = new UserTurn();
  first.text(`Question: ${ctx.question}`);
  if (ctx.scope) {
    first.text(
      `Time scope of this question: ${ctx.scope.said}, that is ${windowLabel(ctx.scope.start, ctx.scope.end)}. ` +
        'Look inside that window, and give evidence inside it; what lies outside it does not answer the question.',
    );
  }
  if (ctx.playhead !== null) {
    first.text(`The player was at ${formatClock(ctx.playhead)} (${formatSeconds(ctx.playhead)} s) when this was asked: "this" or "here" in the question means that moment.`);
  }
  first.text('');
  first.text(`Overview of the whole case: ${ctx.overview.frames.length} storyboard frames in time order.`);
  for (const f of ctx.overview.frames) first.frame(f, images, shown);
  first.text(`Signal tracks over the whole case (per second, 0..1 relative to this recording):\n${describeTracks(ctx.overview.tracks)}`);

  let pending = first;
  for (const step of ctx.steps) {
    messages.push(pending.message());
    messages.push({ role: 'assistant', content: assistantText(step.step) });
    pending = stepTurn(step, images, shown);
  }
  const left: string[] = [];
  if (Number.isFinite(ctx.budget.toolCallsLeft)) left.push(`${ctx.budget.toolCallsLeft} tool call${ctx.budget.toolCallsLeft === 1 ? '' : 's'}`);
  if (Number.isFinite(ctx.budget.framesLeft)) left.push(`${ctx.budget.framesLeft} frame${ctx.budget.framesLeft === 1 ? '' : 's'}`);
  if (left.length && !ctx.final) pending.text(`Budget left: ${left.join(', ')}.`);
  if (ctx.notice) pending.text(`${ctx.notice} Reply with <answer>…</answer> only.`);
  messages.push(pending.message());
  return messages;
}
