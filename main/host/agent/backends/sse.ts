/*
 * Server-sent events as OpenAI-compatible servers stream them: `data: {json}` events separated
 * by blank lines, ending with `data: [DONE]`. Fed decoded text in arbitrary pieces.
 */

export class SseDecoder {
  private buffer = '';
  private data: string[] = [];
  /** A '\r' ended the last piece: a '\n' starting the next one belongs to it. */
  private afterCr = false;

  /** The data of every event completed by this piece, in order. */
  push(text: string): string[] {
    let s = text;
    if (this.afterCr && s.startsWith('\n')) s = s.slice(1);
    this.afterCr = false;
    this.buffer += s;
    const out: string[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      if (m[0] === '\r' && m.index === this.buffer.length - 1) this.afterCr = true;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line, out);
    }
    return out;
  }

  /** Flushes a last event the server did not end with a blank line. */
  end(): string[] {
    const out: string[] = [];
    if (this.buffer !== '') this.line(this.buffer, out);
    this.buffer = '';
    this.line('', out);
    return out;
  }

  /** Text received and not yet part of a complete line (for error messages). */
  get pending(): string {
    return this.buffer;
  }

  private line(line: string, out: string[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    // `event:`, `id:` and `retry:` carry nothing these servers use.
  }
}
