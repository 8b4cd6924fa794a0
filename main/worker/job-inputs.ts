import { PassThrough } from 'node:stream';

/**
 * Input streams of running jobs (a live capture's pieces, sent by the host). A stream is made when
 * the job or the host first uses it, so jobs without input pay nothing.
 */
export class JobInputs {
  private readonly streams = new Map<number, PassThrough>();

  of(id: number): PassThrough {
    let s = this.streams.get(id);
    if (!s) this.streams.set(id, (s = new PassThrough()));
    return s;
  }

  /** A piece of input; null ends the stream. */
  feed(id: number, data: Uint8Array | null): void {
    const s = this.of(id);
    // A piece sent after the end (a race with the host ending the run) would be a write after end,
    // an error that takes the whole process down.
    if (s.writableEnded) return;
    if (data) s.write(data);
    else s.end();
  }

  /** The job ended: its input is dropped. */
  close(id: number): void {
    this.streams.get(id)?.destroy();
    this.streams.delete(id);
  }
}
