/*
 * Incremental parser for the model protocol: `<think>…</think>` then `<tool_call>{json}</tool_call>`
 * or `<answer>…</answer>`. Fed arbitrary chunks (split anywhere, even inside a tag name), it emits
 * what is known as soon as it is known, so thinking can be shown while the model writes it. Output
 * does not depend on how the text was chunked. It never throws, does a bounded amount of work per
 * character, and holds back at most one possible tag (MAX_TAG_LENGTH) or one possible bare call
 * (MAX_BARE_LENGTH).
 *
 * Tolerances for how real models drift:
 * - tags in any case, with spaces, '-' for '_' and a few synonyms (tags.ts);
 * - an opening tag of another block, or any closing tag, ends the open block (models forget
 *   `</think>` before `<tool_call>`, or close with the wrong name);
 * - `</think>` with no opening: the chat template opened it, so the text before it was thought;
 * - end-of-turn tokens (`<|im_end|>`, `</s>`…) are dropped and end any open block;
 * - a bare `{"name": …, "arguments": …}` outside tags is a call (bare-call.ts);
 * - at end(), an unclosed block is taken as written (a truncated call still has to parse).
 */
import { type AnswerDraft, type RawToolCall } from '../types.js';
import { parseAnswer } from './answer.js';
import { BareCallScan } from './bare-call.js';
import { matchTag, type BlockName, type TagMatch } from './tags.js';
import { parseToolCallText } from './tool-call.js';

export type ProtocolEvent =
  /** More thinking text. */
  | { type: 'think-delta'; text: string }
  /** Text outside any block. */
  | { type: 'text'; text: string }
  /** A `<tool_call>` tag opened (bare calls are only known once complete, so they have none). */
  | { type: 'tool-call-start' }
  | { type: 'tool-call'; call: RawToolCall; raw: string }
  /** A tool call that could not be read; `error` is one line, written for the model. */
  | { type: 'tool-call-error'; raw: string; error: string }
  | { type: 'answer-delta'; text: string }
  | { type: 'answer'; answer: AnswerDraft; raw: string };

export interface StreamParserOptions {
  /** The chat template already opened `<think>` (Qwen3 style): output starts inside the thought. */
  startInThink?: boolean;
}

type Mode = 'outside' | BlockName;
type Closing = 'tag' | 'implicit' | 'end';

export class ProtocolStreamParser {
  private pending = '';
  private mode: Mode;
  private block = '';
  private bare: BareCallScan | null = null;
  private thoughtText = '';
  /** Outside text before any tag, in case a stray `</think>` shows it was thought. */
  private leadingText = '';
  private sawTag: boolean;
  private ended = false;
  private out: ProtocolEvent[] = [];

  constructor(opts: StreamParserOptions = {}) {
    this.mode = opts.startInThink ? 'think' : 'outside';
    this.sawTag = opts.startInThink === true;
  }

  /** All thinking so far, as written (untrimmed). */
  get thought(): string {
    return this.thoughtText;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  push(chunk: string): ProtocolEvent[] {
    if (this.ended || chunk === '') return [];
    this.pending += chunk;
    this.drain(false);
    return this.take();
  }

  /** Flushes held-back text and closes any open block. Later calls to push/end return nothing. */
  end(): ProtocolEvent[] {
    if (this.ended) return [];
    this.ended = true;
    this.drain(true);
    this.abandonBare();
    if (this.mode !== 'outside') this.closeBlock('end');
    return this.take();
  }

  private take(): ProtocolEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  private drain(final: boolean): void {
    const s = this.pending;
    let i = 0;
    while (i < s.length) {
      const next = this.step(s, i, final);
      if (next === i) break; // a possible tag at the end: wait for the next chunk
      i = next;
    }
    this.pending = i < s.length ? s.slice(i) : '';
  }

  /** Consumes from `s[i]` and returns where it stopped; returns `i` only to wait for more text. */
  private step(s: string, i: number, final: boolean): number {
    if (this.bare) {
      const c = s.charAt(i);
      if (c === '<') return this.atAngle(s, i, final);
      this.feedBare(c);
      return i + 1;
    }
    const stops = this.mode === 'outside' ? /[<{]/g : /</g;
    stops.lastIndex = i;
    const found = stops.exec(s);
    if (!found) {
      this.content(s.slice(i));
      return s.length;
    }
    const k = found.index;
    if (k > i) {
      this.content(s.slice(i, k));
      return k;
    }
    if (s.charAt(k) === '{') {
      this.bare = new BareCallScan();
      this.feedBare('{');
      return k + 1;
    }
    return this.atAngle(s, k, final);
  }

  private atAngle(s: string, k: number, final: boolean): number {
    let m: TagMatch = matchTag(s, k);
    if (m.kind === 'partial') {
      if (!final) return k;
      m = { kind: 'none' };
    }
    if (m.kind === 'none') {
      if (this.bare) this.feedBare('<');
      else this.content('<');
      return k + 1;
    }
    this.onTag(m);
    return k + m.length;
  }

  private onTag(m: Exclude<TagMatch, { kind: 'partial' | 'none' }>): void {
    this.abandonBare();
    if (m.kind === 'stop') {
      if (this.mode !== 'outside') this.closeBlock('implicit');
      return;
    }
    if (this.mode !== 'outside') {
      if (m.closing) {
        this.closeBlock(m.name === this.mode ? 'tag' : 'implicit');
        return;
      }
      // A second `<think>` or `<answer>` inside its own block is noise; a second `<tool_call>`
      // means the first was never closed.
      if (m.name === this.mode && m.name !== 'tool_call') return;
      this.closeBlock('implicit');
    } else if (m.closing) {
      if (m.name === 'think' && !this.sawTag) this.thoughtText = this.leadingText;
      this.sawTag = true;
      return;
    }
    this.sawTag = true;
    this.mode = m.name;
    this.block = '';
    if (m.name === 'tool_call') this.out.push({ type: 'tool-call-start' });
  }

  private content(text: string): void {
    if (text === '') return;
    switch (this.mode) {
      case 'outside':
        if (!this.sawTag) this.leadingText += text;
        this.out.push({ type: 'text', text });
        return;
      case 'think':
        this.thoughtText += text;
        this.out.push({ type: 'think-delta', text });
        return;
      case 'tool_call':
        this.block += text;
        return;
      case 'answer':
        this.block += text;
        this.out.push({ type: 'answer-delta', text });
        return;
    }
  }

  private feedBare(c: string): void {
    const bare = this.bare;
    if (!bare) return;
    const r = bare.add(c);
    if (r.kind === 'more') return;
    this.bare = null;
    if (r.kind === 'prose') {
      this.content(bare.text);
      return;
    }
    this.content(bare.text.slice(0, r.start));
    this.out.push({ type: 'tool-call', call: r.call, raw: bare.text.slice(r.start) });
  }

  /** A tag (or the end) arrived while a bare candidate was open: what was held is prose. */
  private abandonBare(): void {
    const bare = this.bare;
    if (!bare) return;
    this.bare = null;
    this.content(bare.text);
  }

  private closeBlock(how: Closing): void {
    const raw = this.block.trim();
    if (this.mode === 'tool_call') {
      const r = parseToolCallText(this.block);
      if (r.ok) this.out.push({ type: 'tool-call', call: r.call, raw });
      else {
        const note = how === 'tag' ? '' : '; the <tool_call> was never closed with </tool_call>';
        this.out.push({ type: 'tool-call-error', raw, error: r.error + note });
      }
    } else if (this.mode === 'answer') {
      this.out.push({ type: 'answer', answer: parseAnswer(this.block), raw });
    }
    this.mode = 'outside';
    this.block = '';
  }
}

/** Parses a whole text at once. */
export function parseProtocol(text: string, opts: StreamParserOptions = {}): { events: ProtocolEvent[]; thought: string } {
  const p = new ProtocolStreamParser(opts);
  const events = [...p.push(text), ...p.end()];
  return { events, thought: p.thought };
}
