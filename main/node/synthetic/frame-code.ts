/**
 * The frame code: a strip of black and white blocks in the bottom-left corner that spells the
 * frame's index in presentation order, so a test can check which frame a decoder returned.
 *
 * 24 cells in 2 rows of 12: cells 0-19 hold the index (least significant bit first), cells 20-23 a
 * check nibble (the sum of the index's five nibbles, mod 16, XOR 1010b), so a frame without a
 * code, or a damaged one, reads as null instead of a wrong number. The blocks are large, pure black
 * and white and aligned to the chroma grid, so they survive lossy coding at any size from 128x96.
 */

export const FRAME_CODE_INDEX_BITS = 20;
const CHECK_BITS = 4;
const COLS = 12;
const ROWS = 2;
const CHECK_XOR = 0b1010;

export interface FrameCodeLayout {
  /** Top-left corner of cell 0. */
  x: number;
  y: number;
  /** Side of one square cell, in pixels (a multiple of 4). */
  cell: number;
  cols: number;
  rows: number;
}

export function frameCodeLayout(width: number, height: number): FrameCodeLayout {
  const cell = Math.max(8, 4 * Math.round(height / 120));
  return { x: cell, y: height - cell - ROWS * cell, cell, cols: COLS, rows: ROWS };
}

/** The black quiet zone behind the cells: half a cell on every side. */
export function frameCodeBackground(l: FrameCodeLayout): { x: number; y: number; w: number; h: number } {
  return { x: l.x - l.cell / 2, y: l.y - l.cell / 2, w: l.cols * l.cell + l.cell, h: l.rows * l.cell + l.cell };
}

function checkNibble(n: number): number {
  let sum = 0;
  for (let i = 0; i < FRAME_CODE_INDEX_BITS / 4; i++) sum += Math.floor(n / 16 ** i) % 16;
  return (sum % 16) ^ CHECK_XOR;
}

/** The bit in each cell for frame `n`, cell order. */
export function frameCodeBits(n: number): number[] {
  const bits: number[] = [];
  for (let k = 0; k < FRAME_CODE_INDEX_BITS; k++) bits.push(Math.floor(n / 2 ** k) % 2);
  const check = checkNibble(n);
  for (let j = 0; j < CHECK_BITS; j++) bits.push((check >> j) & 1);
  return bits;
}

/**
 * drawbox filters that paint the code; `n` in a timeline expression is the index of the frame as
 * it reaches the filter, so the chain must come after any frame dropping.
 */
export function frameCodeFilters(width: number, height: number): string {
  const l = frameCodeLayout(width, height);
  const bg = frameCodeBackground(l);
  const filters = [`drawbox=x=${bg.x}:y=${bg.y}:w=${bg.w}:h=${bg.h}:c=black:t=fill`];
  const nibbleSum = Array.from({ length: FRAME_CODE_INDEX_BITS / 4 }, (_, i) => `mod(floor(n/${16 ** i}),16)`).join('+');
  for (let i = 0; i < COLS * ROWS; i++) {
    let on: string;
    if (i < FRAME_CODE_INDEX_BITS) {
      on = `mod(floor(n/${2 ** i}),2)`;
    } else {
      const j = i - FRAME_CODE_INDEX_BITS;
      on = `abs(mod(floor(mod(${nibbleSum},16)/${2 ** j}),2)-${(CHECK_XOR >> j) & 1})`;
    }
    const x = l.x + (i % COLS) * l.cell;
    const y = l.y + Math.floor(i / COLS) * l.cell;
    filters.push(`drawbox=x=${x}:y=${y}:w=${l.cell}:h=${l.cell}:c=white:t=fill:enable='${on}'`);
  }
  return filters.join(',');
}

function meanLuma(rgb: Uint8Array, width: number, x0: number, y0: number, w: number, h: number): number {
  let sum = 0;
  for (let y = y0; y < y0 + h; y++) {
    let i = (y * width + x0) * 3;
    for (let x = 0; x < w; x++, i += 3) sum += 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
  }
  return sum / (w * h);
}

/**
 * Reads the frame index back from a decoded RGB24 frame of the size the video was generated at.
 * Returns null when there is no valid code (wrong size, ambiguous cells, bad check nibble).
 */
export function decodeFrameCode(rgb: Uint8Array, width: number, height: number): number | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 128 || height < 96) return null;
  if (rgb.length < width * height * 3) return null;
  const l = frameCodeLayout(width, height);
  const inner = Math.max(2, l.cell / 2);
  const off = (l.cell - inner) / 2;
  const DARK = 70;
  const LIGHT = 185;

  // The quiet zone above and below the cells must be dark.
  const bg = frameCodeBackground(l);
  const band = Math.max(1, Math.floor(l.cell / 4));
  const inset = Math.floor((l.cell / 2 - band) / 2);
  const above = meanLuma(rgb, width, l.x, bg.y + inset, l.cols * l.cell, band);
  const below = meanLuma(rgb, width, l.x, l.y + l.rows * l.cell + inset, l.cols * l.cell, band);
  if (above > DARK || below > DARK) return null;

  const bits: number[] = [];
  for (let i = 0; i < COLS * ROWS; i++) {
    const x = l.x + (i % COLS) * l.cell + off;
    const y = l.y + Math.floor(i / COLS) * l.cell + off;
    const v = meanLuma(rgb, width, x, y, inner, inner);
    if (v > DARK && v < LIGHT) return null;
    bits.push(v >= LIGHT ? 1 : 0);
  }
  let n = 0;
  for (let k = 0; k < FRAME_CODE_INDEX_BITS; k++) n += bits[k]! * 2 ** k;
  let check = 0;
  for (let j = 0; j < CHECK_BITS; j++) check |= bits[FRAME_CODE_INDEX_BITS + j]! << j;
  return check === checkNibble(n) ? n : null;
}
