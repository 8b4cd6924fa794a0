/*
 * Sending a run's stream to the backend: the pieces of one run go in order, one call in flight at
 * a time, numbered from 0. No DOM: the recorder hands in blobs and says how to read them.
 */

/** Bytes per piece: a base64 piece stays well under the WebSocket message limit (1 MiB). */
export const MAX_PIECE_BYTES = 512 * 1024;

/** Base64 of bytes, in slices (String.fromCharCode takes a bounded number of arguments). */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Bytes cut into pieces of at most `max`, in order. */
export function splitBytes(bytes: Uint8Array, max = MAX_PIECE_BYTES): Uint8Array[] {
  if (bytes.length === 0) return [];
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += max) out.push(bytes.subarray(i, Math.min(bytes.length, i + max)));
  return out;
}

export interface Piece {
  run: number;
  seq: number;
  data: string;
}

/** Why a queue stopped sending. */
export type QueueEnd = { kind: 'refused' } | { kind: 'failed'; message: string };

export interface ChunkQueueOptions<B> {
  run: number;
  /** The blob's bytes. */
  read: (blob: B) => Promise<Uint8Array>;
  /** Sends one piece; false when the backend refuses it (the run is over). */
  send: (piece: Piece) => Promise<boolean>;
  /** Called once when the queue stops by itself (refused, or sending kept failing). */
  onEnd?: (end: QueueEnd) => void;
  /** Waits before retrying a failed send, per attempt (a dropped connection comes back). */
  retryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The pieces of one run: blobs are queued as the recorder delivers them and sent strictly in
 * order, each cut into pieces numbered from 0 within the run. A failed send is retried with the
 * same number (the backend ignores a number it already has); a refusal ends the queue.
 */
export class ChunkQueue<B> {
  readonly run: number;
  private readonly blobs: B[] = [];
  private seq = 0;
  private pumping: Promise<void> | null = null;
  private closed = false;
  private ended: QueueEnd | null = null;
  private sentBytes = 0;

  constructor(private readonly opts: ChunkQueueOptions<B>) {
    this.run = opts.run;
  }

  /** Blobs waiting to be sent (the one being sent included). */
  get backlog(): number {
    return this.blobs.length + (this.pumping ? 1 : 0);
  }

  /** Pieces sent and accepted so far. */
  get sent(): number {
    return this.seq;
  }

  get bytes(): number {
    return this.sentBytes;
  }

  get end(): QueueEnd | null {
    return this.ended;
  }

  get open(): boolean {
    return !this.closed;
  }

  push(blob: B): void {
    if (this.closed) return;
    this.blobs.push(blob);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Stops: queued blobs are dropped, the piece in flight finishes. */
  close(): void {
    this.closed = true;
    this.blobs.length = 0;
  }

  /** Resolves when everything queued so far was sent (or the queue stopped). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private finish(end: QueueEnd) {
    if (this.ended) return;
    this.ended = end;
    this.close();
    this.opts.onEnd?.(end);
  }

  private async pump(): Promise<void> {
    const delays = this.opts.retryDelaysMs ?? [250, 1000, 2000, 4000];
    const sleep = this.opts.sleep ?? defaultSleep;
    while (this.blobs.length && !this.closed) {
      const blob = this.blobs.shift()!;
      let bytes: Uint8Array;
      try {
        bytes = await this.opts.read(blob);
      } catch (err) {
        this.finish({ kind: 'failed', message: `The recorded video could not be read: ${(err as Error)?.message ?? String(err)}` });
        return;
      }
      for (const part of splitBytes(bytes)) {
        const piece: Piece = { run: this.run, seq: this.seq, data: bytesToBase64(part) };
        for (let attempt = 0; ; attempt++) {
          try {
            const accepted = await this.opts.send(piece);
            if (!accepted) {
              this.finish({ kind: 'refused' });
              return;
            }
            break;
          } catch (err) {
            if (attempt >= delays.length) {
              this.finish({ kind: 'failed', message: (err as Error)?.message ?? String(err) });
              return;
            }
            await sleep(delays[attempt]!);
            if (this.ended) return;
          }
        }
        this.seq++;
        this.sentBytes += part.length;
      }
    }
  }
}
