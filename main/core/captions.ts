/**
 * Captions of a teaching clip: cues on the clip's own timeline (seconds from its first frame,
 * title card included), written as a WebVTT sidecar or burned into the picture. Pure: no I/O.
 */

import { formatClock } from './time-format.js';

export type CuePlacement = 'top' | 'bottom';

export interface CaptionCue {
  /** Seconds from the start of the clip. */
  start: number;
  end: number;
  text: string;
  /** Default bottom. */
  placement?: CuePlacement;
}

/** "HH:MM:SS" of a case time, whole seconds (the clock a clinician reads on the OR tower). */
export function caseClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 1e-6));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** Printable text only: control characters (other than line breaks) become spaces. */
export function cleanCaptionText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l.length > 0)
    .join('\n');
}

/** Breaks text into lines of at most `maxChars` characters at spaces (long words are cut). */
export function wrapCaption(text: string, maxChars: number): string {
  const limit = Math.max(8, Math.floor(maxChars));
  const out: string[] = [];
  for (const paragraph of cleanCaptionText(text).split('\n')) {
    let line = '';
    for (let word of paragraph.split(' ')) {
      while (word.length > limit) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(word.slice(0, limit));
        word = word.slice(limit);
      }
      if (!word) continue;
      if (!line) line = word;
      else if (line.length + 1 + word.length <= limit) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    if (line) out.push(line);
  }
  return out.join('\n');
}

export interface ClipCaptionInput {
  /** Seconds of title card before the recording starts (0 without one). */
  lead: number;
  /** Seconds of recording in the clip. */
  duration: number;
  /** Case time of the clip's first recorded frame. */
  caseStart: number;
  question?: string | null;
  claim?: string | null;
}

/**
 * The caption cues of a clip: the question and the evidence's claim at the bottom while the
 * recording plays, and the source's case time (HH:MM:SS) at the top, one cue per case second.
 */
export function clipCues(c: ClipCaptionInput): { text: CaptionCue[]; clock: CaptionCue[] } {
  const end = c.lead + c.duration;
  const lines = [
    c.question ? `Q: ${cleanCaptionText(c.question)}` : '',
    c.claim ? `Evidence: ${cleanCaptionText(c.claim)}` : '',
  ].filter(Boolean);
  const text: CaptionCue[] = lines.length ? [{ start: c.lead, end, text: lines.join('\n'), placement: 'bottom' }] : [];
  const clock: CaptionCue[] = [];
  const first = Math.floor(c.caseStart + 1e-6);
  for (let s = first; s < c.caseStart + c.duration - 1e-6; s++) {
    const start = c.lead + Math.max(0, s - c.caseStart);
    const stop = Math.min(end, c.lead + (s + 1 - c.caseStart));
    if (stop - start < 1e-3) continue;
    clock.push({ start, end: stop, text: `Case time ${caseClock(s)}`, placement: 'top' });
  }
  return { text, clock };
}

/** "00:01:02.345", WebVTT's timestamp (hours in at least two digits). */
export function vttTime(seconds: number): string {
  return formatClock(Math.max(0, seconds));
}

/** WebVTT cue text: no blank lines, no "-->", and the three characters VTT reserves escaped. */
function vttText(text: string): string {
  return cleanCaptionText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/-->/g, '--&gt;');
}

/** A WebVTT file: cues in time order; top cues carry `line:0` so players draw them at the top. */
export function toWebVtt(cues: readonly CaptionCue[], title = 'Opscope teaching clip'): string {
  const sorted = [...cues].filter((c) => c.end > c.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const blocks = sorted.map((c, i) => {
    const settings = c.placement === 'top' ? ' line:0 align:center' : '';
    return `${i + 1}\n${vttTime(c.start)} --> ${vttTime(c.end)}${settings}\n${vttText(c.text)}`;
  });
  return `WEBVTT - ${cleanCaptionText(title).replace(/\n/g, ' ').replace(/-->/g, '->')}\n\n${blocks.join('\n\n')}${blocks.length ? '\n' : ''}`;
}
