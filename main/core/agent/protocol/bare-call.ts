/*
 * Spots a tool call written as a bare JSON object outside any tag (models fine-tuned on other
 * templates do this after their thought). Fed one character at a time so it keeps its place
 * across chunks; it stops looking at the first balanced object or after a bounded amount of text,
 * so a stray '{' in prose delays that prose a little and never swallows the rest of the turn.
 */
import { type RawToolCall } from '../types.js';
import { parseLooseJson } from './loose-json.js';
import { bareToolCall } from './tool-call.js';

export type BareStep =
  | { kind: 'more' }
  /** A call ends at the last character added; it starts at `start` in `text`. */
  | { kind: 'call'; call: RawToolCall; start: number }
  /** Not a call: `text` is prose. */
  | { kind: 'prose' };

/** A tool call object is a few hundred characters; anything far longer is not one. */
export const MAX_BARE_LENGTH = 4000;
// Each attempt parses up to MAX_BARE_LENGTH characters; bounding attempts bounds the work per
// candidate, whatever the nesting.
const MAX_ATTEMPTS = 16;
const CALL_HINT = /["']?(?:name|function|tool)["']?\s*:/;

export class BareCallScan {
  text = '';
  private inString = false;
  private escaped = false;
  private readonly opens: number[] = [];
  private attempts = 0;

  add(c: string): BareStep {
    this.text += c;
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === '\\') this.escaped = true;
      else if (c === '"') this.inString = false;
    } else if (c === '"') this.inString = true;
    else if (c === '{') this.opens.push(this.text.length - 1);
    else if (c === '}') {
      const start = this.opens.pop();
      if (start !== undefined) {
        const outermost = this.opens.length === 0;
        const candidate = this.text.slice(start);
        // Inner objects are worth a look only when they could be a call: noise before a real
        // call can leave an unbalanced '{' that keeps the call from ever being outermost.
        if (this.attempts < MAX_ATTEMPTS && (outermost || CALL_HINT.test(candidate))) {
          this.attempts++;
          const parsed = parseLooseJson(candidate);
          const call = parsed.ok ? bareToolCall(parsed.value) : null;
          if (call) return { kind: 'call', call, start };
        }
        if (outermost) return { kind: 'prose' };
      }
    }
    return this.text.length >= MAX_BARE_LENGTH ? { kind: 'prose' } : { kind: 'more' };
  }
}
