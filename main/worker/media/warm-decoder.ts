/*
 * A warm decoder per recording part: one ffmpeg that stays open while the part's frames are
 * wanted, fed the coded frames from the keyframe before a wanted frame up to it (read by Node
 * from the MP4 sample table, sent as FLV on stdin), and handing back only the wanted frame as raw
 * RGB on stdout. Opening the file, probing it, seeking and starting a 1080p decoder (its frame
 * buffers are fresh memory every time) cost a new ffmpeg 40-50 ms here; a warm one pays only for
 * the frames it decodes.
 *
 * Frame-exact by construction: the wanted frame is picked by its position in the sample table,
 * which the caller's frame table (ffprobe's packet times) must match, and it is marked in the
 * timestamps fed, so that ffmpeg's select filter lets through that frame and no other.
 *
 * Memory: each decoder holds one 1080p H.264 decoder (about 40-70 MB resident: its reference
 * frames and one RGB picture); at most DECODERS are open, each closed after IDLE_MS unused.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { flvAvcConfig, flvAvcFrame, flvHeader, FLV_MAX_MS } from '../../core/frame-flv.js';
import { parseMoov, planFeed, topLevelBox, type FeedState, type SampleTable } from '../../core/frame-sample-table.js';
import { LruMap } from '../../core/lru-map.js';
import { runFfmpeg } from '../../node/ffmpeg/run.js';

/** Decoders open at once (one per part in use): two cover a case's part and the next. */
export const DECODERS = 2;
/** A decoder unused this long ends; the next frame of its part starts a new one. */
export const IDLE_MS = 60_000;
/** Sample tables kept (about 1.2 MB per 20 minutes of 30 fps video). */
const TABLES = 4;
/** A decoder retires after this long even if busy, so that no ffmpeg lives for days. */
const LIFETIME_MS = 30 * 60_000;
/** The longest a wanted frame may take to come back once fed. */
const FRAME_TIMEOUT_MS = 10_000;
/** The moov box is read whole: a bound that fits many hours of video. */
const MAX_MOOV_BYTES = 256 * 1024 * 1024;

export interface RawFrame {
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB. */
  rgb: Buffer;
}

/** The part's frame table as the caller knows it (from the packet scan). */
export interface FrameTiming {
  /** Frames in the part. */
  count: number;
  /** Timestamp of the first frame and of the wanted one, part seconds. */
  first: number;
  time: number;
}

/** A frame the warm path cannot give: the reason, for the caller to take the exact-seek path. */
export class NotWarm extends Error {}

/** A request that reached a decoder after it ended (its part's end flushed it): a new one takes it. */
class DecoderGone extends Error {}

type TableEntry = { table: SampleTable } | { unsupported: string };

async function readMoov(file: FileHandle, size: number): Promise<Uint8Array | null> {
  let offset = 0;
  const head = new Uint8Array(16);
  while (offset + 8 <= size) {
    const { bytesRead } = await file.read(head, 0, 16, offset);
    const box = topLevelBox(head.subarray(0, bytesRead), offset, size);
    if (!box) return null;
    if (box.type === 'moov') {
      const header = new DataView(head.buffer).getUint32(0) === 1 ? 16 : 8;
      const length = box.size - header;
      if (length > MAX_MOOV_BYTES) return null;
      const moov = new Uint8Array(length);
      await file.read(moov, 0, length, offset + header);
      return moov;
    }
    offset += box.size;
  }
  return null;
}

/** The sample table of a file, or why there is none (not MP4/MOV, not H.264, fragmented...). */
export async function sampleTable(path: string): Promise<TableEntry> {
  const st = await stat(path);
  const file = await open(path, 'r');
  try {
    const moov = await readMoov(file, st.size);
    if (!moov) return { unsupported: 'not an MP4 or MOV file with its index' };
    return parseMoov(moov);
  } finally {
    await file.close();
  }
}

/** The one RGB pixel on stdout that says the frame is in the scratch file. */
const DONE_BYTES = 3;

interface Waiting {
  bytes: number;
  resolve: (rgb: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

/** One ffmpeg decoding one part; requests run one at a time. */
class WarmDecoder {
  private readonly input = new PassThrough();
  private readonly frameBytes: number;
  private state: FeedState = { next: null };
  /** FLV milliseconds: where the current run starts, and the largest timestamp sent. */
  private base = 0;
  private origin = 0;
  private last = 0;
  private waiting: Waiting | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Timeout | null = null;
  private readonly born = Date.now();
  private ended = false;
  /** The part's last frame was fed and the stream ended: the decoder flushes and exits. */
  private inputEnded = false;
  private failure: Error | null = null;
  private readonly run: Promise<unknown>;

  constructor(
    readonly path: string,
    private readonly file: FileHandle,
    readonly table: SampleTable,
    private readonly onEnd: (d: WarmDecoder) => void,
    private readonly idleMs: number,
    /** Where ffmpeg writes the wanted frame (inside the data folder: it is patient video). */
    private readonly scratch: string,
  ) {
    this.frameBytes = table.width * table.height * 3;
    // A write racing the end of the stream must fail that request, not the process.
    this.input.on('error', () => undefined);
    this.run = runFfmpeg(
      [
        '-v', 'error',
        // One thread: decoding a handful of frames, more threads measured slower.
        '-threads', '1',
        // Nothing to probe: the stream is ours (no frame rate to guess from the first 20 frames).
        '-probesize', '32', '-analyzeduration', '0', '-fpsprobesize', '0',
        '-f', 'flv', '-i', 'pipe:0',
        '-an', '-copyts',
        // Timestamps fed are in steps of 4 ms; the wanted frame's is one more. It is written to
        // the scratch file in one write (through a pipe, 6 MB of 1080p RGB took longer than its
        // decoding on a busy machine), then one pixel of it on stdout says it is complete.
        '-filter_complex',
        `[0:v]select='eq(mod(round(t*1000)\\,4)\\,1)',scale=${table.width}:${table.height},format=rgb24,split=2[f][m];[m]crop=1:1:0:0[done]`,
        '-map', '[f]', '-vsync', 'passthrough', '-c:v', 'rawvideo', '-f', 'image2', '-update', '1', '-y', scratch,
        '-map', '[done]', '-vsync', 'passthrough', '-c:v', 'rawvideo', '-flush_packets', '1', '-f', 'rawvideo', 'pipe:1',
      ],
      {
        timeoutMs: LIFETIME_MS + 5 * 60_000,
        stdin: this.input,
        // An idle decoder must not keep a command-line process from ending.
        unref: true,
        purpose: `decoding frames of ${basename(path)}`,
        onStdout: (chunk) => this.take(chunk),
      },
    );
    this.run.then(
      () => this.finish(new Error('The frame decoder ended.')),
      (err: unknown) => this.finish(err instanceof Error ? err : new Error(String(err))),
    );
  }

  get alive(): boolean {
    return !this.ended && !this.inputEnded && !this.retiring && Date.now() - this.born < LIFETIME_MS;
  }

  private take(chunk: Buffer): void {
    const w = this.waiting;
    if (!w) return;
    w.bytes += chunk.length;
    if (w.bytes < DONE_BYTES) return;
    this.waiting = null;
    if (w.timer) clearTimeout(w.timer);
    // One marked frame is in flight at a time: more means the stream is out of step.
    if (w.bytes !== DONE_BYTES) {
      w.reject(new Error('The frame decoder returned more than the frame asked for.'));
      this.close();
      return;
    }
    readFile(this.scratch).then((rgb) => {
      if (rgb.length === this.frameBytes) w.resolve(rgb);
      else w.reject(new Error(`The frame decoder wrote ${rgb.length} bytes for a ${this.table.width}x${this.table.height} frame.`));
    }, w.reject);
  }

  private finish(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = err;
    if (this.idle) clearTimeout(this.idle);
    const w = this.waiting;
    this.waiting = null;
    if (w) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
    void this.file.close().catch(() => undefined);
    void rm(this.scratch, { force: true }).catch(() => undefined);
    this.onEnd(this);
  }

  /** Ends the decoder: stdin closes, ffmpeg exits. */
  close(): void {
    if (this.ended) return;
    this.inputEnded = true;
    this.input.end();
    // A request in flight (its decoder evicted for another part) is taken by a new decoder.
    this.finish(new DecoderGone('The frame decoder was closed.'));
  }

  private pending = 0;
  private retiring = false;

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Closes now when idle, else once the requests it has taken are done. */
  retire(): void {
    if (this.pending === 0) this.close();
    else this.retiring = true;
  }

  frame(rank: number): Promise<Buffer> {
    this.pending++;
    const job = this.chain.then(() => this.decode(rank));
    this.chain = job.catch(() => undefined).then(() => {
      if (--this.pending === 0 && this.retiring) this.close();
    });
    return job;
  }

  private async decode(rank: number): Promise<Buffer> {
    if (this.ended || this.inputEnded) throw new DecoderGone('The frame decoder had ended.');
    if (this.idle) clearTimeout(this.idle);
    const plan = planFeed(this.table, rank, this.state);
    if (!plan) throw new NotWarm('the frame follows an open-GOP keyframe');
    const t = this.table;
    const n = t.sizes.length;
    // A decoder hands on a frame only once it has seen the next one (and, with B-frames, the
    // frames shown before it; how many it waits for is its own guess): the frames after the
    // wanted one are fed too, more while it does not come, and at the end of the part the end of
    // the stream flushes it.
    let last = Math.min(n - 1, plan.target + 2 + 2 * t.reorderDepth);
    if (plan.seek) {
      this.base = Math.ceil((this.last + 1000) / 4) * 4;
      this.origin = t.dts[plan.from]!;
    }
    const ms = (v: number) => this.base + 4 * Math.round(((v - this.origin) * 1000) / t.timescale);
    if (ms(t.dts[n - 1]!) + 4_000 > FLV_MAX_MS || ms(t.pts[n - 1]!) + 4_000 > FLV_MAX_MS) {
      this.close();
      throw new NotWarm('the decoder ran out of timestamps');
    }
    const got = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiting?.resolve !== resolve) return;
        this.waiting = null;
        reject(new Error(`The frame decoder gave no frame within ${FRAME_TIMEOUT_MS / 1000} s.`));
        this.close();
      }, FRAME_TIMEOUT_MS);
      this.waiting = { bytes: 0, resolve, reject, timer };
    });
    got.catch(() => undefined);
    if (this.state.next === null) {
      this.input.write(flvHeader());
      this.input.write(flvAvcConfig(t.config));
    }
    await this.feed(plan.from, last, plan.target, ms);
    let done = false;
    void got.then(() => (done = true), () => (done = true));
    while (!done && !this.ended && !this.inputEnded) {
      // Fed more only while the frame is not there: early is a few frames decoded ahead.
      let wake: NodeJS.Timeout | undefined;
      await Promise.race([got.catch(() => undefined), new Promise((r) => (wake = setTimeout(r, 30 + 2 * (last - plan.from))))]);
      clearTimeout(wake);
      if (done || this.ended || this.inputEnded) break;
      const more = Math.min(n - 1, last + 4);
      await this.feed(last + 1, more, plan.target, ms);
      last = more;
    }
    try {
      return await got;
    } finally {
      if (!this.ended) {
        this.idle = setTimeout(() => this.close(), this.idleMs);
        this.idle.unref();
      }
    }
  }

  /** Feeds the coded frames from..to (decode order), `target` marked; the part's end ends the stream. */
  private async feed(from: number, to: number, target: number, ms: (v: number) => number): Promise<void> {
    const t = this.table;
    if (to < from) return;
    const data = await this.read(from, to);
    // Closed while the frames were read (evicted for another part, or ended): a new decoder takes it.
    if (this.inputEnded || this.ended) throw new DecoderGone('The frame decoder was closed while it was fed.');
    for (let j = from; j <= to; j++) {
      const dts = ms(t.dts[j]!);
      const pts = Math.max(dts, ms(t.pts[j]!)) + (j === target ? 1 : 0);
      this.last = Math.max(this.last, pts, dts);
      this.input.write(flvAvcFrame(dts, pts, isSync(t, j), data[j - from]!));
    }
    this.state = { next: to + 1 };
    if (to === t.sizes.length - 1) {
      this.inputEnded = true;
      this.input.end();
    }
  }

  /** The coded frames from..to (decode order), read in one go when they lie close together. */
  private async read(from: number, to: number): Promise<Uint8Array[]> {
    const t = this.table;
    let lo = Infinity;
    let hi = 0;
    let total = 0;
    for (let j = from; j <= to; j++) {
      lo = Math.min(lo, t.offsets[j]!);
      hi = Math.max(hi, t.offsets[j]! + t.sizes[j]!);
      total += t.sizes[j]!;
    }
    const out: Uint8Array[] = [];
    // Audio between the frames is read too when it is no more than the frames themselves.
    if (hi - lo <= 2 * total + 1024 * 1024) {
      const span = Buffer.alloc(hi - lo);
      await this.file.read(span, 0, span.length, lo);
      for (let j = from; j <= to; j++) out.push(span.subarray(t.offsets[j]! - lo, t.offsets[j]! - lo + t.sizes[j]!));
      return out;
    }
    for (let j = from; j <= to; j++) {
      const b = Buffer.alloc(t.sizes[j]!);
      await this.file.read(b, 0, b.length, t.offsets[j]!);
      out.push(b);
    }
    return out;
  }
}

function isSync(t: SampleTable, j: number): boolean {
  const k = t.syncs;
  let lo = 0;
  let hi = k.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (k[mid] === j) return true;
    if (k[mid]! < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * The warm decoders of this process, one per part, the least recently used closed first. A
 * part's table is checked against the caller's frame table before any frame is given.
 */
export class WarmDecoders {
  private readonly tables = new LruMap<string, Promise<TableEntry>>(TABLES);
  private readonly decoders = new Map<string, WarmDecoder>();

  constructor(private readonly limits: { decoders: number; idleMs: number } = { decoders: DECODERS, idleMs: IDLE_MS }) {}

  private async key(path: string): Promise<string> {
    const st = await stat(path);
    return `${path}\u0000${st.size}\u0000${st.mtimeMs}`;
  }

  private async tableOf(key: string, path: string): Promise<SampleTable> {
    let entry = this.tables.get(key);
    if (!entry) {
      entry = sampleTable(path).catch((err: unknown) => ({ unsupported: `its index could not be read (${err instanceof Error ? err.message : String(err)})` }));
      this.tables.set(key, entry);
    }
    const e = await entry;
    if ('unsupported' in e) throw new NotWarm(e.unsupported);
    return e.table;
  }

  /**
   * The frame at presentation index `index` of the part, checked against `timing`. A new decoder
   * keeps its scratch file (one raw frame) in `scratchDir`.
   */
  async frame(path: string, index: number, timing: FrameTiming, scratchDir: string): Promise<RawFrame> {
    const key = await this.key(path);
    const table = await this.tableOf(key, path);
    const n = table.byPresentation.length;
    if (n !== timing.count) throw new NotWarm(`the file has ${n} frames where the packet scan saw ${timing.count}`);
    if (index < 0 || index >= n) throw new NotWarm(`frame ${index} is not in the file`);
    const rel = (table.pts[table.byPresentation[index]!]! - table.pts[table.byPresentation[0]!]!) / table.timescale;
    if (Math.abs(rel - (timing.time - timing.first)) > 1e-3) throw new NotWarm('the file\'s frame times differ from the packet scan\'s');
    for (let attempt = 0; ; attempt++) {
      const d = await this.decoder(key, path, table, scratchDir);
      try {
        const rgb = await d.frame(index);
        return { width: table.width, height: table.height, rgb };
      } catch (err) {
        if (!(err instanceof DecoderGone) || attempt >= 3) throw err;
      }
    }
  }

  private async decoder(key: string, path: string, table: SampleTable, scratchDir: string): Promise<WarmDecoder> {
    let d = this.decoders.get(key);
    if (!d || !d.alive) {
      await mkdir(scratchDir, { recursive: true });
      const file = await open(path, 'r');
      // Another request may have opened this part's decoder meanwhile.
      const other = this.decoders.get(key);
      if (other?.alive) {
        await file.close();
        d = other;
      } else {
        other?.close();
        this.decoders.delete(key);
        // No await from here to the insertion: the bound holds with requests running side by side.
        // The least recently used go first; one still giving a frame finishes that frame first.
        for (const [k, old] of this.decoders) {
          if (this.decoders.size < this.limits.decoders) break;
          old.retire();
          this.decoders.delete(k);
        }
        const scratch = join(scratchDir, `.warm-${process.pid}-${randomBytes(6).toString('hex')}.rgb`);
        d = new WarmDecoder(path, file, table, (ended) => {
          if (this.decoders.get(key) === ended) this.decoders.delete(key);
        }, this.limits.idleMs, scratch);
      }
    }
    this.decoders.delete(key);
    // Map order is use order: the first is the least recently used.
    this.decoders.set(key, d);
    return d;
  }

  /** Decoders open now (for tests and the memory bound). */
  get open(): number {
    return this.decoders.size;
  }

  closeAll(): void {
    for (const d of this.decoders.values()) d.close();
    this.decoders.clear();
  }
}

/** The media worker's decoders. */
export const warmDecoders = new WarmDecoders();
