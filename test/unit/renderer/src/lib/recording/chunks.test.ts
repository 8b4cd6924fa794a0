import { describe, expect, it } from 'vitest';
import { bytesToBase64, ChunkQueue, MAX_PIECE_BYTES, splitBytes, type Piece } from '../../../../../../renderer/src/lib/recording/chunks.js';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const noSleep = () => Promise.resolve();

/** A backend that records what arrives; `answer` decides each reply. */
function backend(answer: (p: Piece, n: number) => boolean | Error = () => true) {
  const got: Piece[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let n = 0;
  const send = async (p: Piece) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    const a = answer(p, n++);
    if (a instanceof Error) throw a;
    if (a) got.push(p);
    return a;
  };
  return { got, send, maxInFlight: () => maxInFlight };
}

describe('base64 and pieces', () => {
  it('encodes like Node does, also past the slice size', () => {
    const data = new Uint8Array(100_000).map((_, i) => (i * 31) % 256);
    expect(bytesToBase64(data)).toBe(Buffer.from(data).toString('base64'));
    expect(bytesToBase64(new Uint8Array(0))).toBe('');
  });

  it('cuts bytes into pieces of at most the limit, in order', () => {
    const data = new Uint8Array(MAX_PIECE_BYTES * 2 + 5).map((_, i) => i % 256);
    const parts = splitBytes(data);
    expect(parts.map((p) => p.length)).toEqual([MAX_PIECE_BYTES, MAX_PIECE_BYTES, 5]);
    expect(Buffer.concat(parts.map((p) => Buffer.from(p))).equals(Buffer.from(data))).toBe(true);
    expect(splitBytes(new Uint8Array(0))).toEqual([]);
    // A base64 piece stays under the WebSocket message limit (1 MiB).
    expect(Math.ceil(MAX_PIECE_BYTES / 3) * 4).toBeLessThan(1024 * 1024 - 1024);
  });
});

describe('the pieces of one run', () => {
  it('sends blobs in order, one call at a time, numbered from 0 within the run', async () => {
    const b = backend();
    const q = new ChunkQueue<Uint8Array>({ run: 3, read: async (x) => x, send: b.send });
    for (let i = 0; i < 5; i++) q.push(bytes(10, i));
    await q.idle();
    expect(b.got.map((p) => [p.run, p.seq])).toEqual([[3, 0], [3, 1], [3, 2], [3, 3], [3, 4]]);
    expect(b.got.map((p) => Buffer.from(p.data, 'base64')[0])).toEqual([0, 1, 2, 3, 4]);
    expect(b.maxInFlight()).toBe(1);
    expect(q.sent).toBe(5);
    expect(q.bytes).toBe(50);
    expect(q.backlog).toBe(0);
  });

  it('numbers each piece of a large blob', async () => {
    const b = backend();
    const q = new ChunkQueue<Uint8Array>({ run: 1, read: async (x) => x, send: b.send });
    q.push(bytes(MAX_PIECE_BYTES + 1));
    q.push(bytes(3));
    await q.idle();
    expect(b.got.map((p) => p.seq)).toEqual([0, 1, 2]);
  });

  it('stops at a refusal (the run is over) and drops what is queued', async () => {
    const b = backend((_p, n) => n < 2);
    const ends: unknown[] = [];
    const q = new ChunkQueue<Uint8Array>({ run: 1, read: async (x) => x, send: b.send, onEnd: (e) => ends.push(e) });
    for (let i = 0; i < 5; i++) q.push(bytes(4));
    await q.idle();
    expect(b.got.map((p) => p.seq)).toEqual([0, 1]);
    expect(ends).toEqual([{ kind: 'refused' }]);
    expect(q.open).toBe(false);
    q.push(bytes(4));
    await q.idle();
    expect(b.got).toHaveLength(2);
  });

  it('retries a failed send with the same number, then goes on', async () => {
    const b = backend((_p, n) => (n === 1 || n === 2 ? new Error('connection lost') : true));
    const q = new ChunkQueue<Uint8Array>({ run: 1, read: async (x) => x, send: b.send, sleep: noSleep });
    q.push(bytes(4));
    q.push(bytes(4));
    q.push(bytes(4));
    await q.idle();
    expect(b.got.map((p) => p.seq)).toEqual([0, 1, 2]);
    expect(q.end).toBeNull();
  });

  it('gives up after the retries, saying why', async () => {
    const b = backend(() => new Error('The connection to Opscope was lost.'));
    const ends: unknown[] = [];
    const q = new ChunkQueue<Uint8Array>({ run: 1, read: async (x) => x, send: b.send, sleep: noSleep, retryDelaysMs: [1, 1], onEnd: (e) => ends.push(e) });
    q.push(bytes(4));
    q.push(bytes(4));
    await q.idle();
    expect(ends).toEqual([{ kind: 'failed', message: 'The connection to Opscope was lost.' }]);
    expect(b.got).toHaveLength(0);
  });

  it('sends nothing after close, but finishes the piece in flight', async () => {
    const b = backend();
    const q = new ChunkQueue<Uint8Array>({ run: 1, read: async (x) => x, send: b.send });
    q.push(bytes(4));
    q.push(bytes(4));
    q.close();
    await q.idle();
    expect(b.got.map((p) => p.seq)).toEqual([0]);
  });

  it('ends when a blob cannot be read', async () => {
    const b = backend();
    const ends: { kind: string }[] = [];
    const q = new ChunkQueue<string>({
      run: 1,
      read: async (x) => {
        if (x === 'bad') throw new Error('NotReadableError');
        return bytes(2);
      },
      send: b.send,
      onEnd: (e) => ends.push(e),
    });
    q.push('ok');
    q.push('bad');
    q.push('ok');
    await q.idle();
    expect(b.got).toHaveLength(1);
    expect(ends[0]?.kind).toBe('failed');
  });
});
