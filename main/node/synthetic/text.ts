/**
 * Burned-in text the way OR video towers draw it: blocky capitals, white with a black outline.
 *
 * The text is rasterised here from a built-in 5x7 font into a small RGBA image (PAM) that ffmpeg
 * overlays. drawtext would need a font file, which differs between machines (or is missing, as on
 * many Windows and server installs); a built-in font gives the same pixels everywhere, which
 * later OCR tests can rely on.
 */

const GLYPH_W = 5;
const GLYPH_H = 7;

// Each glyph is 7 rows of 5 columns, '#' = ink.
const FONT: Record<string, string> = {
  ' ': '..... ..... ..... ..... ..... ..... .....',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '####. #...# #...# #...# #...# #...# ####.',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  ';': '..... .##.. .##.. ..... .##.. ..#.. .#...',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  '-': '..... ..... ..... ##### ..... ..... .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '=': '..... ..... ##### ..... ##### ..... .....',
  _: '..... ..... ..... ..... ..... ..... #####',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  '\\': '..... #.... .#... ..#.. ...#. ....# .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '[': '.###. .#... .#... .#... .#... .#... .###.',
  ']': '.###. ...#. ...#. ...#. ...#. ...#. .###.',
  '<': '...#. ..#.. .#... #.... .#... ..#.. ...#.',
  '>': '.#... ..#.. ...#. ....# ...#. ..#.. .#...',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  '%': '##..# ##..# ...#. ..#.. .#... #..## #..##',
  '&': '.##.. #..#. #.#.. .#... #.#.# #..#. .##.#',
  '*': '..... ..#.. #.#.# .###. #.#.# ..#.. .....',
  '@': '.###. #...# #.### #.#.# #.### #.... .####',
  '$': '..#.. .#### #.#.. .###. ..#.# ####. ..#..',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  "'": '..#.. ..#.. .#... ..... ..... ..... .....',
  '"': '.#.#. .#.#. ..... ..... ..... ..... .....',
  '|': '..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  '^': '..#.. .#.#. #...# ..... ..... ..... .....',
  '~': '..... ..... .#... #.#.# ...#. ..... .....',
  '`': '.#... ..#.. ..... ..... ..... ..... .....',
};

function glyph(ch: string): string[] {
  return (FONT[ch] ?? FONT['?']!).split(' ');
}

/** Whether font pixel (col, row) of `ch` is ink; characters the font lacks draw as '?'. For text drawn elsewhere (the eval chart). */
export function overlayGlyphInk(ch: string, col: number, row: number): boolean {
  if (col < 0 || col >= GLYPH_W || row < 0 || row >= GLYPH_H) return false;
  return glyph(ch)[row]![col] === '#';
}

/** Upper case ASCII; accents dropped; anything the font lacks becomes '?'. */
export function normalizeOverlayText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[\t\r\n]+/g, ' ')
    .replace(/./gu, (c) => (FONT[c] ? c : '?'));
}

export interface TextImage {
  width: number;
  height: number;
  /** Where to overlay it in the frame. */
  x: number;
  y: number;
  /** A PAM file (RGB_ALPHA). */
  pam: Buffer;
  /** The text actually drawn (normalised, possibly shortened to fit). */
  text: string;
}

/** Pixel scale of the font for a frame height: 7 px glyphs at 240p, 28 px at 1080p. */
export function textScale(frameHeight: number): number {
  return Math.max(1, Math.round(frameHeight / 270));
}

/** Rasterises `text` for a frame of the given size, or returns null when there is nothing to draw. */
export function renderOverlayText(text: string, frameWidth: number, frameHeight: number): TextImage | null {
  const s = textScale(frameHeight);
  const margin = 2 * Math.max(2, Math.round(frameHeight * 0.015));
  const advance = (GLYPH_W + 1) * s;
  const maxChars = Math.floor((frameWidth - 2 * margin - 2 * s + s) / advance);
  const chars = [...normalizeOverlayText(text).trimEnd()].slice(0, Math.max(0, maxChars));
  if (chars.length === 0) return null;

  // Ink grid at font resolution (one pixel of border on each side for the outline).
  const gw = chars.length * (GLYPH_W + 1) - 1 + 2;
  const gh = GLYPH_H + 2;
  const ink = new Uint8Array(gw * gh);
  chars.forEach((ch, i) => {
    glyph(ch).forEach((row, y) => {
      for (let x = 0; x < GLYPH_W; x++) if (row[x] === '#') ink[(y + 1) * gw + 1 + i * (GLYPH_W + 1) + x] = 1;
    });
  });
  const width = gw * s;
  const height = gh * s;
  const header = Buffer.from(`P7\nWIDTH ${width}\nHEIGHT ${height}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n`, 'ascii');
  const px = Buffer.alloc(width * height * 4);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < gw && y < gh ? ink[y * gw + x]! : 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const fx = Math.floor(x / s);
      const fy = Math.floor(y / s);
      const i = (y * width + x) * 4;
      if (at(fx, fy)) {
        px.fill(255, i, i + 4);
        continue;
      }
      // Outline: any ink among the 8 neighbours at font resolution.
      let near = false;
      for (let dy = -1; dy <= 1 && !near; dy++) for (let dx = -1; dx <= 1 && !near; dx++) near = at(fx + dx, fy + dy) === 1;
      if (near) px[i + 3] = 255; // black, opaque
    }
  }
  return { width, height, x: margin - s, y: margin - s, pam: Buffer.concat([header, px]), text: chars.join('') };
}
