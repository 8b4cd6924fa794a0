/*
 * Some model families take one picture per prompt in the library that runs them: its Qwen-VL image
 * processor stacks every image of a prompt into one array (so their sizes must match) and reads
 * several as the frames of one video clip. For those, the frames of a conversation are tiled into
 * one picture in the order they are mentioned. Each frame already carries its case time drawn on
 * it, so the model can still tell which moment each tile shows.
 */

/** Families whose prompt may hold one picture only. */
export const ONE_PICTURE_FAMILIES = new Set(['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl']);

export interface SheetLayout {
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  width: number;
  height: number;
}

/**
 * A grid close to square for `count` tiles of the given aspect (width / height), at most
 * `maxWidth` pixels wide, tiles at least 64 px wide and never wider than the frames are.
 */
export function sheetLayout(count: number, aspect: number, maxWidth = 1344, frameWidth = Infinity): SheetLayout {
  const n = Math.max(1, Math.floor(count));
  const a = Number.isFinite(aspect) && aspect > 0 ? aspect : 16 / 9;
  // A roughly square sheet: columns × aspect ≈ rows.
  const cols = Math.min(n, Math.max(1, Math.ceil(Math.sqrt(n / a))));
  const rows = Math.ceil(n / cols);
  const tileWidth = Math.max(64, Math.min(Math.floor(maxWidth / cols), Number.isFinite(frameWidth) ? Math.floor(frameWidth) : Infinity));
  const tileHeight = Math.max(1, Math.round(tileWidth / a));
  return { columns: cols, rows, tileWidth, tileHeight, width: cols * tileWidth, height: rows * tileHeight };
}

export interface RgbImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: number;
}

/** Copies same-sized tiles (RGB, already resized to the layout's tile size) into one grey-backed sheet. */
export function composeSheet(tiles: RgbImage[], layout: SheetLayout): Uint8ClampedArray {
  const out = new Uint8ClampedArray(layout.width * layout.height * 3).fill(32);
  tiles.forEach((tile, i) => {
    const x0 = (i % layout.columns) * layout.tileWidth;
    const y0 = Math.floor(i / layout.columns) * layout.tileHeight;
    const w = Math.min(tile.width, layout.tileWidth);
    const h = Math.min(tile.height, layout.tileHeight);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = (y * tile.width + x) * tile.channels;
        const dst = ((y0 + y) * layout.width + x0 + x) * 3;
        out[dst] = tile.data[src]!;
        out[dst + 1] = tile.data[src + 1]!;
        out[dst + 2] = tile.data[src + 2]!;
      }
    }
  });
  return out;
}
