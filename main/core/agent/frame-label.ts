/**
 * The case time drawn small on every frame handed to a model. Vision-language models misplace
 * times they only read beside an image; a label inside the pixels travels with the frame.
 *
 * A built-in bitmap font (digits, ':' and '.') drawn straight into RGB pixels: no font files,
 * which differ between machines or are missing, and no ffmpeg drawtext, which needs them.
 */

import type { RgbFrame } from '../signals/types.js';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Blank columns between glyphs, in font pixels. */
const SPACING = 1;
/** Dark margin around the text, in font pixels, so it reads on bright tissue too. */
const MARGIN = 1;

/* Each glyph is 7 rows; bit 4 of a row is its leftmost column. */
const GLYPHS: Record<string, readonly number[]> = {
  '0': [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  '1': [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  '2': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  '3': [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  '4': [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  '5': [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  '6': [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  '7': [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  '8': [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  '9': [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
  ':': [0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00],
  '.': [0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c],
};

export function hasGlyph(ch: string): boolean {
  return Object.hasOwn(GLYPHS, ch);
}

/** Whether font pixel (col, row) of `ch` is ink; false for unknown characters. */
export function glyphInk(ch: string, col: number, row: number): boolean {
  const rows = GLYPHS[ch];
  if (!rows || col < 0 || col >= GLYPH_WIDTH || row < 0 || row >= GLYPH_HEIGHT) return false;
  return ((rows[row]! >> (GLYPH_WIDTH - 1 - col)) & 1) === 1;
}

/**
 * Font pixels to screen pixels: text about 2.5 % of the frame's height, so a 768-pixel model
 * frame and a 1080p frame carry labels of the same apparent size, and never below 1.
 */
export function labelScale(height: number): number {
  return Math.max(1, Math.round((0.025 * height) / GLYPH_HEIGHT));
}

export interface LabelBox {
  x: number;
  y: number;
  width: number;
  height: number;
  scale: number;
}

/** Where `text` goes: the bottom-right corner (OR towers and the frame code use the left side). */
export function labelBox(text: string, width: number, height: number, scale = labelScale(height)): LabelBox {
  const cols = text.length * (GLYPH_WIDTH + SPACING) - SPACING + 2 * MARGIN;
  const rows = GLYPH_HEIGHT + 2 * MARGIN;
  const w = cols * scale;
  const h = rows * scale;
  // One box height of clearance from the edges: away from the very corner a round view's rim
  // and a player's rounded corners do not cut it.
  return { x: Math.max(0, width - w - h), y: Math.max(0, height - 2 * h), width: w, height: h, scale };
}

/**
 * Draws `text` (digits, ':' and '.'; other characters are left blank) white on a black box
 * into `frame`, in place, clipped to the frame. Returns the box drawn.
 */
export function drawLabel(frame: RgbFrame, text: string, box: LabelBox = labelBox(text, frame.width, frame.height)): LabelBox {
  const { width, height, data } = frame;
  if (data.length !== width * height * 3) throw new RangeError('frame data does not match its size');
  const x1 = Math.min(width, box.x + box.width);
  const y1 = Math.min(height, box.y + box.height);
  const s = box.scale;
  for (let y = Math.max(0, box.y); y < y1; y++) {
    const fy = Math.floor((y - box.y) / s) - MARGIN;
    for (let x = Math.max(0, box.x); x < x1; x++) {
      const fx = Math.floor((x - box.x) / s) - MARGIN;
      const slot = Math.floor(fx / (GLYPH_WIDTH + SPACING));
      const col = fx - slot * (GLYPH_WIDTH + SPACING);
      const ink = fx >= 0 && slot < text.length && glyphInk(text[slot]!, col, fy);
      const v = ink ? 255 : 0;
      const i = (y * width + x) * 3;
      data[i] = v;
      data[i + 1] = v;
      data[i + 2] = v;
    }
  }
  return box;
}

/** Labels for a run of frames of one size, as one overlay image per frame. */
export interface LabelStrip {
  /** Where every label image goes on its frame (its top-left corner). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** RGBA images of `width` x `height`, one after another in the order of `texts`. */
  rgba: Uint8Array;
}

/**
 * The labels of `texts` as RGBA images laid over frames of `frameWidth` x `frameHeight` (a
 * decoder draws them): each holds the box `drawLabel` draws, at the same place, transparent
 * around it, in an image just large enough for the widest.
 */
export function labelStrip(texts: readonly string[], frameWidth: number, frameHeight: number): LabelStrip {
  const boxes = texts.map((t) => labelBox(t, frameWidth, frameHeight));
  const x = boxes.length ? Math.min(...boxes.map((b) => b.x)) : 0;
  const y = boxes.length ? Math.min(...boxes.map((b) => b.y)) : 0;
  // Clipped to the frame, as drawLabel clips.
  const right = Math.min(frameWidth, Math.max(x + 1, ...boxes.map((b) => b.x + b.width)));
  const bottom = Math.min(frameHeight, Math.max(y + 1, ...boxes.map((b) => b.y + b.height)));
  const width = Math.max(1, right - x);
  const height = Math.max(1, bottom - y);
  const rgba = new Uint8Array(texts.length * width * height * 4);
  texts.forEach((text, k) => {
    const box = boxes[k]!;
    const rgb = { width, height, data: new Uint8Array(width * height * 3) };
    const own = { ...box, x: box.x - x, y: box.y - y };
    drawLabel(rgb, text, own);
    const base = k * width * height * 4;
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        const i = py * width + px;
        const o = base + i * 4;
        const inBox = px >= own.x && px < own.x + own.width && py >= own.y && py < own.y + own.height;
        rgba[o] = rgb.data[i * 3]!;
        rgba[o + 1] = rgb.data[i * 3 + 1]!;
        rgba[o + 2] = rgb.data[i * 3 + 2]!;
        rgba[o + 3] = inBox ? 255 : 0;
      }
    }
  });
  return { x, y, width, height, rgba };
}
