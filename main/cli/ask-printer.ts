/*
 * `opscope ask` without --json: the run as it happens, for a person at a terminal. Thoughts are
 * written as they stream; each look at the video is one line with the window or time it covered.
 */

import type { AgentEvent, Evidence } from '../core/agent/engine/index.js';
import { formatTime } from '../core/time-format.js';

const clock = (s: number) => formatTime(s, { millis: s % 1 !== 0 });

export function window(start: number, end: number): string {
  return `${clock(start)}–${clock(end)}`;
}

export function evidenceLine(e: Evidence): string {
  const frames = e.frames.length ? `  (frames ${e.frames.map(clock).join(', ')})` : '';
  return `  ${e.rank}. ${window(e.start, e.end)}  ${e.claim || '(no claim)'}${frames}\n`;
}

export class AskPrinter {
  /** A thought is being written: the next line must start on a fresh line. */
  private midThought = false;
  private readonly evidence: Evidence[] = [];

  constructor(private readonly write: (text: string) => void) {}

  event(e: AgentEvent): void {
    if (e.type === 'thought-delta') {
      this.write(e.delta);
      this.midThought = !e.delta.endsWith('\n');
      return;
    }
    if (this.midThought) this.write('\n');
    this.midThought = false;
    this.write(this.line(e));
  }

  private line(e: Exclude<AgentEvent, { type: 'thought-delta' }>): string {
    switch (e.type) {
      case 'run-started': {
        const model = e.model ? ` (${e.model})` : '';
        const { maxToolCalls, maxFrames } = e.budget;
        return `Asking ${e.backend}${model} about ${formatTime(e.duration)} of video; up to ${maxToolCalls} looks, ${maxFrames} frames.\n`;
      }
      case 'backend-status':
        return `  … ${e.text}\n`;
      case 'backend-ready':
        return e.detail ? `  ${e.detail}\n` : '';
      case 'tool-started': {
        const notes = e.notes.map((n) => `    note: ${n}\n`).join('');
        if (e.call?.name === 'crop_video') return `→ crop_video ${window(e.call.start, e.call.end)}, ${e.call.frames} frames\n${notes}`;
        if (e.call?.name === 'get_frame') return `→ get_frame ${clock(e.call.time)}\n${notes}`;
        if (e.call?.name === 'find_similar') return `→ find_similar ${clock(e.call.time)}, up to ${e.call.limit} windows\n${notes}`;
        return `→ ${e.name}\n${notes}`;
      }
      case 'tool-result': {
        if (e.windows) {
          const lines = e.windows.map((w) => `    ${window(w.start, w.end)} score ${w.score.toFixed(2)}, most similar at ${clock(w.time)}\n`).join('');
          return `  ${e.windows.length} similar window${e.windows.length === 1 ? '' : 's'}\n${lines}`;
        }
        const n = e.frames.length;
        return `  ${n} frame${n === 1 ? '' : 's'}${e.name === 'overview' ? ' in the storyboard' : ''}\n`;
      }
      case 'tool-error':
        return `  ✗ ${e.error}\n`;
      case 'evidence':
        this.evidence.push(e.evidence);
        return '';
      case 'answer': {
        const evidence = this.evidence.length ? `Evidence:\n${this.evidence.map(evidenceLine).join('')}` : 'No evidence given.\n';
        const notes = e.notes.map((n) => `  note: ${n}\n`).join('');
        return `\nAnswer: ${e.text}\n${evidence}${notes}`;
      }
      case 'run-ended': {
        const usage = `${e.usage.toolCalls} look${e.usage.toolCalls === 1 ? '' : 's'}, ${e.usage.frames} frames`;
        if (e.outcome === 'answered') return `(${usage})\n`;
        const why = e.outcome === 'budget' ? 'the budget ran out before an answer' : (e.error ?? e.outcome);
        return `\nNo answer: ${why} (${usage}).\n`;
      }
    }
  }
}
