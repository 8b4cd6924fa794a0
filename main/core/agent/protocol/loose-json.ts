/*
 * A forgiving JSON reader for what language models write: single quotes, trailing or missing
 * commas, bare keys, Python literals, `//` comments, unquoted clock times. A hand-written reader
 * (rather than regex repairs before JSON.parse) keeps each tolerance local and the error position
 * exact, which is what the model needs to correct itself.
 */

export type LooseJsonResult = { ok: true; value: unknown; end: number } | { ok: false; error: string };

// Deep enough for any tool call; shallow enough that hostile input cannot overflow the stack.
const MAX_DEPTH = 64;

class LooseJsonError extends Error {}

const LITERALS: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  True: true,
  False: false,
  None: null,
  undefined: null,
};

const isWs = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\f' || c === '\v';
const isIdentStart = (c: string) => /[A-Za-z_$]/.test(c);
const isIdentChar = (c: string) => /[\w$-]/.test(c);

class Reader {
  i: number;
  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  private fail(what: string): never {
    const c = this.s.charAt(this.i);
    // JSON.stringify keeps a line break visible and the message on one line.
    const found = c === '' ? 'the end of the text' : JSON.stringify(c);
    throw new LooseJsonError(`${what} at character ${this.i + 1}, found ${found}`);
  }

  skipWs(): void {
    const s = this.s;
    for (;;) {
      const c = s.charAt(this.i);
      if (c !== '' && isWs(c)) this.i++;
      else if (c === '/' && s.charAt(this.i + 1) === '/') {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl + 1;
      } else if (c === '/' && s.charAt(this.i + 1) === '*') {
        const close = s.indexOf('*/', this.i + 2);
        this.i = close < 0 ? s.length : close + 2;
      } else return;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    const c = this.s.charAt(this.i);
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'") return this.string();
    if (/[0-9+\-.]/.test(c)) return this.number();
    if (c !== '' && isIdentStart(c)) {
      const word = this.ident();
      // A bare word is most likely an unquoted string ("name": crop_video); accept it as one.
      return Object.prototype.hasOwnProperty.call(LITERALS, word) ? LITERALS[word] : word;
    }
    return this.fail('expected a JSON value');
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    for (;;) {
      this.skipWs();
      const c = this.s.charAt(this.i);
      if (c === '}') {
        this.i++;
        return out;
      }
      let key: string;
      if (c === '"' || c === "'") key = this.string();
      else if (c !== '' && isIdentStart(c)) key = this.ident();
      else if (/[0-9]/.test(c)) key = String(this.number());
      else return this.fail("expected a property name or '}'");
      this.skipWs();
      if (this.s.charAt(this.i) !== ':') this.fail(`expected ':' after "${key}"`);
      this.i++;
      this.skipWs();
      const v = this.value(depth + 1);
      // Assigning "__proto__" would replace the object's prototype; keep it an own property, as JSON.parse does.
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.skipWs();
      const next = this.s.charAt(this.i);
      if (next === ',') this.i++;
      else if (next === '}') continue;
      // Models sometimes forget a comma between members; carry on when a key plainly follows.
      else if (next === '"' || next === "'" || (next !== '' && isIdentStart(next))) continue;
      else this.fail("expected ',' or '}'");
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++;
    for (;;) {
      this.skipWs();
      if (this.s.charAt(this.i) === ']') {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.skipWs();
      const next = this.s.charAt(this.i);
      if (next === ',') this.i++;
      else if (next !== ']') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const s = this.s;
    const quote = s.charAt(this.i);
    let out = '';
    let i = this.i + 1;
    for (;;) {
      const c = s.charAt(i);
      if (c === '') {
        this.i = i;
        this.fail('unterminated string');
      }
      if (c === quote) {
        this.i = i + 1;
        return out;
      }
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = s.charAt(i + 1);
      i += 2;
      if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else if (e === 'r') out += '\r';
      else if (e === 'b') out += '\b';
      else if (e === 'f') out += '\f';
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i, i + 4))) {
        out += String.fromCharCode(Number.parseInt(s.slice(i, i + 4), 16));
        i += 4;
      } else out += e; // \" \' \\ \/ and unknown escapes keep the character
    }
  }

  private number(): number | string {
    const m = /^[+-]?[0-9.:eE+-]*/.exec(this.s.slice(this.i, this.i + 64));
    const token = m ? m[0] : '';
    // An unquoted clock time ("start": 00:12:30) is kept as the string it means.
    if (token.includes(':') && /^\d{1,2}(:\d{1,2}){1,2}(\.\d+)?$/.test(token)) {
      this.i += token.length;
      return token;
    }
    const num = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(token);
    if (!num) return this.fail('expected a number');
    const v = Number(num[0]);
    if (!Number.isFinite(v)) this.fail('number out of range');
    this.i += num[0].length;
    return v;
  }

  private ident(): string {
    const start = this.i;
    while (this.i < this.s.length && isIdentChar(this.s.charAt(this.i))) this.i++;
    return this.s.slice(start, this.i);
  }
}

/** Reads one JSON value starting at `start` (leading whitespace allowed); text after it is ignored. */
export function parseLooseJson(text: string, start = 0): LooseJsonResult {
  const r = new Reader(text, start);
  try {
    r.skipWs();
    const value = r.value(0);
    return { ok: true, value, end: r.i };
  } catch (e) {
    if (e instanceof LooseJsonError) return { ok: false, error: e.message };
    if (e instanceof RangeError) return { ok: false, error: 'JSON nested too deeply' };
    throw e;
  }
}

// Prose before the object may contain stray braces; a few retries find the real one cheaply.
const MAX_EXTRACT_ATTEMPTS = 8;

/** Where a JSON object or array may start in `text`, first to last, a bounded number of them. */
export function* jsonStarts(text: string): Generator<number> {
  let from = 0;
  for (let attempt = 0; attempt < MAX_EXTRACT_ATTEMPTS; attempt++) {
    const brace = text.indexOf('{', from);
    const bracket = text.indexOf('[', from);
    const start = brace < 0 ? bracket : bracket < 0 ? brace : Math.min(brace, bracket);
    if (start < 0) return;
    yield start;
    from = start + 1;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
