/*
 * Many int8 rows scored against one int8 query: the inner loop of a picture query over the whole
 * library. Plain JavaScript multiplies one byte at a time; WebAssembly's 128-bit SIMD multiplies
 * sixteen at once, so the rows live in a WebAssembly memory of their own and a tiny hand-assembled
 * kernel (below, about 150 bytes) scores them all. Where WebAssembly or its SIMD is missing the
 * same sums are computed in JavaScript (same results, slower), and `simd` says which runs.
 */

import { dotInt8 } from './embedding-codec.js';

/** LEB128 of an unsigned number. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

/*
 * scan(q, m, rows, dim, out): for each of `rows` rows of `dim` bytes at m (dim a multiple of 16),
 * the int32 dot product with the `dim` bytes at q, written at out. Locals: 0 q, 1 m, 2 rows,
 * 3 dim, 4 out, 5 r, 6 j (i32); 7 acc, 8 a, 9 b (v128). Each 16 bytes: the products of the low
 * and high halves widened to 16 bits (extmul), summed pairwise into 32-bit lanes, added to acc.
 */
const SIMD = 0xfd;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32const = (v: number) => [0x41, v];
const I32_ADD = 0x6a;
const I32_LT_U = 0x49;
const V128_LOAD = [SIMD, 0x00, 0x00, 0x00];
const EXTMUL_LOW_S = [SIMD, 0x9c, 0x01];
const EXTMUL_HIGH_S = [SIMD, 0x9d, 0x01];
const EXTADD_PAIRWISE_S = [SIMD, 0x7e];
const I32X4_ADD = [SIMD, 0xae, 0x01];
const lane = (k: number) => [SIMD, 0x1b, k];

const BODY = [
  // locals: 2 x i32, 3 x v128
  0x02, 0x02, 0x7f, 0x03, 0x7b,
  ...get(2), 0x45, 0x04, 0x40, 0x0f, 0x0b, // if rows == 0: return
  0x03, 0x40, // loop rows
  SIMD, 0x0c, ...new Array<number>(16).fill(0), ...set(7),
  ...i32const(0), ...set(6),
  0x03, 0x40, // loop columns
  ...get(0), ...get(6), I32_ADD, ...V128_LOAD, ...set(8),
  ...get(1), ...V128_LOAD, ...set(9),
  ...get(7),
  ...get(8), ...get(9), ...EXTMUL_LOW_S, ...EXTADD_PAIRWISE_S, ...I32X4_ADD,
  ...get(8), ...get(9), ...EXTMUL_HIGH_S, ...EXTADD_PAIRWISE_S, ...I32X4_ADD,
  ...set(7),
  ...get(1), ...i32const(16), I32_ADD, ...set(1),
  ...get(6), ...i32const(16), I32_ADD, ...tee(6), ...get(3), I32_LT_U, 0x0d, 0x00,
  0x0b,
  ...get(4),
  ...get(7), ...lane(0), ...get(7), ...lane(1), I32_ADD, ...get(7), ...lane(2), I32_ADD, ...get(7), ...lane(3), I32_ADD,
  0x36, 0x02, 0x00, // i32.store
  ...get(4), ...i32const(4), I32_ADD, ...set(4),
  ...get(5), ...i32const(1), I32_ADD, ...tee(5), ...get(2), I32_LT_U, 0x0d, 0x00,
  0x0b,
  0x0b,
];

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
  ...section(2, [0x01, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01]),
  ...section(3, [0x01, 0x00]),
  ...section(7, [0x01, ...name('scan'), 0x00, 0x00]),
  ...section(10, [0x01, ...uleb(BODY.length), ...BODY]),
]);

type Scan = (q: number, m: number, rows: number, dim: number, out: number) => void;

/** What is used of WebAssembly: the core is typed without the DOM's or Node's declarations of it. */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
let compiled: object | null | undefined;

/** The kernel, compiled once; null where WebAssembly SIMD is not available. */
function kernel(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasm && wasm.validate(MODULE) ? new wasm.Module(MODULE) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** `rows` int8 rows of `dim` values (a multiple of 16 for the fast path), written through `data`. */
export class Int8Matrix {
  /** Row i is at i * dim. */
  readonly data: Int8Array;
  /** True when the SIMD kernel scores the rows. */
  readonly simd: boolean;
  private readonly query: Int8Array;
  private readonly dots: Int32Array;
  private readonly scan: Scan | null;
  private readonly at: { query: number; data: number; dots: number };

  constructor(readonly rows: number, readonly dim: number) {
    const mod = dim % 16 === 0 && rows > 0 ? kernel() : null;
    const at = { query: 0, data: align16(dim), dots: align16(align16(dim) + rows * dim) };
    this.at = at;
    if (mod && wasm) {
      const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil((at.dots + rows * 4) / PAGE)) });
      const instance = new wasm.Instance(mod, { env: { mem: memory } });
      this.scan = instance.exports.scan as Scan;
      // The memory never grows, so these views stay valid.
      this.query = new Int8Array(memory.buffer, at.query, dim);
      this.data = new Int8Array(memory.buffer, at.data, rows * dim);
      this.dots = new Int32Array(memory.buffer, at.dots, rows);
    } else {
      this.scan = null;
      this.query = new Int8Array(dim);
      this.data = new Int8Array(rows * dim);
      this.dots = new Int32Array(rows);
    }
    this.simd = this.scan !== null;
  }

  /** The integer dot product of `query` with every row (a view, overwritten by the next call). */
  dotAll(query: Int8Array): Int32Array {
    if (query.length !== this.dim) throw new RangeError(`A query of ${query.length} values for rows of ${this.dim}.`);
    if (this.scan) {
      this.query.set(query);
      this.scan(this.at.query, this.at.data, this.rows, this.dim, this.at.dots);
      return this.dots;
    }
    for (let i = 0, o = 0; i < this.rows; i++, o += this.dim) this.dots[i] = dotInt8(query, this.data, o);
    return this.dots;
  }
}
