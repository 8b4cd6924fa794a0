/**
 * In-memory frame synthesizers that reproduce what makes real endoscopic footage hard for naive
 * signals: red tissue everywhere with texture, vessels, fat and shading; specular highlights;
 * grey and black instruments; a circular optical border or recorder bars; burned-in corner
 * text; auto-exposure; sensor noise. Events on top: a dark pooled-blood region, a smoke veil,
 * the operating room seen with the camera outside the patient.
 */

import type { RgbFrame } from '../../main/core/signals/index.js';
import { mulberry32 } from '../../main/core/random.js';

export type Border = 'circle' | 'letterbox' | 'pillarbox' | 'none';

export interface Instrument {
  /** Direction from the view centre to where the instrument enters, radians. */
  angle: number;
  /** How far in it reaches: 0 = at the edge, 1 = to the centre. */
  reach: number;
  /** Shaft width in pixels at 128 px frame width. */
  width: number;
  /** Black shaft instead of bare metal. */
  dark?: boolean;
}

export interface TissueOptions {
  width?: number;
  height?: number;
  /** Fixes the anatomy (texture, vessels, highlights). */
  sceneSeed?: number;
  /** Fixes the sensor noise; change it alone for "the same still scene". */
  noiseSeed?: number;
  /** Lit tissue colour at the centre. */
  tint?: readonly [number, number, number];
  exposure?: number;
  border?: Border;
  /** Circle radius as a share of the frame height (above 0.5 the circle is clipped). */
  circleRadius?: number;
  overlay?: boolean;
  highlights?: number;
  vessels?: number;
  instruments?: readonly Instrument[];
  /** Pooled blood covering this share of the view. */
  blood?: number;
  bloodCenter?: readonly [number, number];
  /** Smoke veil density 0..1. */
  smoke?: number;
  noise?: number;
  /** Camera motion: texture offset in pixels. */
  shift?: readonly [number, number];
}

export const DEFAULT_INSTRUMENTS: readonly Instrument[] = [
  { angle: 0.6, reach: 0.75, width: 7 },
  { angle: 2.7, reach: 0.55, width: 6, dark: true },
];

// ---------------------------------------------------------------------------------------------
// Randomness

export function rng(seed: number): () => number {
  return mulberry32(seed >>> 0 || 0x9e3779b9);
}

function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 374761393) ^ Math.imul(y | 0, 668265263) ^ Math.imul(seed | 0, 2147483647);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function valueNoise(x: number, y: number, cell: number, seed: number): number {
  const fx = x / cell;
  const fy = y / cell;
  const ix = Math.floor(fx);
  const iy = Math.floor(fy);
  const tx = fx - ix;
  const ty = fy - iy;
  const sx = tx * tx * (3 - 2 * tx);
  const sy = ty * ty * (3 - 2 * ty);
  const a = hash2(ix, iy, seed);
  const b = hash2(ix + 1, iy, seed);
  const c = hash2(ix, iy + 1, seed);
  const d = hash2(ix + 1, iy + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

/** Smooth texture in 0..1 with coarse and fine detail. */
function fbm(x: number, y: number, seed: number): number {
  return 0.55 * valueNoise(x, y, 18, seed) + 0.3 * valueNoise(x, y, 7, seed + 1) + 0.15 * valueNoise(x, y, 3, seed + 2);
}

function gauss(r: () => number): number {
  return (r() + r() + r() + r() - 2) * 1.732;
}

// ---------------------------------------------------------------------------------------------
// Geometry shared by the generators

export interface ViewGeometry {
  inView: (x: number, y: number) => boolean;
  cx: number;
  cy: number;
  radius: number;
}

export function viewGeometry(width: number, height: number, border: Border, circleRadius = 0.62): ViewGeometry {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const r = circleRadius * height;
  switch (border) {
    case 'circle':
      return { inView: (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r, cx, cy, radius: r };
    case 'letterbox': {
      const top = Math.round(height * 0.14);
      return { inView: (_x, y) => y >= top && y < height - top, cx, cy, radius: Math.hypot(cx, cy - top) };
    }
    case 'pillarbox': {
      const side = Math.round(width * 0.16);
      return { inView: (x) => x >= side && x < width - side, cx, cy, radius: Math.hypot(cx - side, cy) };
    }
    case 'none':
      return { inView: () => true, cx, cy, radius: Math.hypot(cx, cy) };
  }
}

/** Static burned-in text (recorder name, date): white blocky glyphs in the top-left corner. */
function drawOverlay(data: Uint8Array, width: number, height: number): void {
  const r = rng(4242);
  const scale = width / 128;
  const x0 = Math.round(2 * scale);
  const y0 = Math.round(1 * scale);
  const glyphW = Math.max(3, Math.round(3 * scale));
  const glyphH = Math.max(5, Math.round(5 * scale));
  for (let g = 0; g < 6; g++) {
    const bits: boolean[] = [];
    for (let k = 0; k < 15; k++) bits.push(r() < 0.55);
    for (let gy = 0; gy < glyphH; gy++) {
      for (let gx = 0; gx < glyphW; gx++) {
        const bx = Math.floor((gx * 3) / glyphW);
        const by = Math.floor((gy * 5) / glyphH);
        if (!bits[by * 3 + bx]) continue;
        const x = x0 + g * (glyphW + 1) + gx;
        const y = y0 + gy;
        if (x >= width || y >= height) continue;
        const i = (y * width + x) * 3;
        data[i] = 235;
        data[i + 1] = 235;
        data[i + 2] = 235;
      }
    }
  }
}

function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): { d: number; t: number } {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / len2)) : 0;
  return { d: Math.hypot(px - (ax + t * vx), py - (ay + t * vy)), t };
}

function finish(data: Uint8Array, buf: Float32Array, width: number, height: number, geo: ViewGeometry, noiseSeed: number, noise: number, overlay: boolean): void {
  const r = rng(noiseSeed);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (!geo.inView(x, y)) {
        // Black border: near zero with a little compression noise.
        const v = Math.max(0, Math.round(2 + gauss(r) * 1.5));
        data[i] = v;
        data[i + 1] = v;
        data[i + 2] = v;
        continue;
      }
      const common = gauss(r) * noise * 0.6;
      for (let k = 0; k < 3; k++) {
        const v = buf[i + k]! + common + gauss(r) * noise * 0.5;
        data[i + k] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
  if (overlay) drawOverlay(data, width, height);
}

// ---------------------------------------------------------------------------------------------
// Tissue

export function tissueFrame(o: TissueOptions = {}): RgbFrame {
  const width = o.width ?? 128;
  const height = o.height ?? 72;
  const s = width / 128;
  const seed = o.sceneSeed ?? 1;
  const tint = o.tint ?? [215, 120, 105];
  const exposure = o.exposure ?? 1;
  const geo = viewGeometry(width, height, o.border ?? 'circle', o.circleRadius);
  const shiftX = (o.shift?.[0] ?? 0) * s;
  const shiftY = (o.shift?.[1] ?? 0) * s;
  const instruments = o.instruments ?? DEFAULT_INSTRUMENTS;
  const smoke = o.smoke ?? 0;
  const buf = new Float32Array(width * height * 3);

  const sr = rng(seed * 7919 + 13);
  const vessels: { y0: number; amp: number; k: number; ph: number; w: number }[] = [];
  for (let v = 0; v < (o.vessels ?? 4); v++) {
    vessels.push({ y0: height * (0.15 + 0.7 * sr()), amp: height * 0.15 * sr(), k: (0.03 + 0.05 * sr()) / s, ph: 6 * sr(), w: (0.4 + 0.5 * sr()) * s });
  }
  const highlights: { x: number; y: number; r: number }[] = [];
  for (let k = 0; k < (o.highlights ?? 12); k++) {
    const a = sr() * Math.PI * 2;
    const d = Math.sqrt(sr()) * geo.radius * 0.85;
    highlights.push({ x: geo.cx + Math.cos(a) * d * (width / height > 1 ? 1.3 : 1), y: geo.cy + Math.sin(a) * d * 0.8, r: (0.6 + 1.4 * sr()) * s });
  }

  // Blood pool: an ellipse whose area is the requested share of the view.
  let viewArea = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (geo.inView(x, y)) viewArea++;
  const bloodArea = (o.blood ?? 0) * viewArea;
  const ba = Math.sqrt(bloodArea / (Math.PI * 0.7));
  const bb = ba * 0.7;
  const bcx = geo.cx + (o.bloodCenter?.[0] ?? -0.15) * width * 0.5;
  const bcy = geo.cy + (o.bloodCenter?.[1] ?? 0.2) * height * 0.5;

  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (!geo.inView(x, y)) continue;
      const tx = x + shiftX;
      const ty = y + shiftY;
      const t = fbm(tx / s, ty / s, seed);
      const kind = fbm(tx / s + 500, ty / s, seed + 17);
      let r = tint[0];
      let g = tint[1];
      let b = tint[2];
      if (kind > 0.68) {
        // Yellow fat.
        const f = Math.min(1, (kind - 0.68) * 6);
        r = r * (1 - f) + 232 * f;
        g = g * (1 - f) + 190 * f;
        b = b * (1 - f) + 105 * f;
      } else if (kind < 0.3) {
        // Deeper red muscle.
        const f = Math.min(1, (0.3 - kind) * 5);
        r = r * (1 - f) + 185 * f;
        g = g * (1 - f) + 78 * f;
        b = b * (1 - f) + 68 * f;
      }
      // Light falls off away from the scope's axis; shadows get a little redder.
      const rr = Math.hypot(x - geo.cx, y - geo.cy) / geo.radius;
      const light = Math.max(0.35, 1 - 0.55 * rr * rr) * (0.78 + 0.4 * t);
      r *= light;
      g *= light * (0.86 + 0.14 * light);
      b *= light * (0.86 + 0.14 * light);

      for (const v of vessels) {
        const vy = v.y0 + v.amp * Math.sin(v.k * tx + v.ph);
        if (Math.abs(ty - vy) < v.w) {
          r = 150 * light;
          g = 38 * light;
          b = 45 * light;
        }
      }

      if (bloodArea > 0) {
        const e = ((x - bcx) / ba) ** 2 + ((y - bcy) / bb) ** 2;
        if (e <= 1) {
          const bl = 0.85 + 0.3 * t;
          r = 105 * bl * Math.max(0.7, light);
          g = 14 * bl;
          b = 16 * bl;
        }
      }

      for (const ins of instruments) {
        const ex = geo.cx + Math.cos(ins.angle) * geo.radius * 1.3;
        const ey = geo.cy + Math.sin(ins.angle) * geo.radius * 1.3;
        const reach = 1.3 - 1.3 * ins.reach;
        const tipX = geo.cx + Math.cos(ins.angle) * geo.radius * reach;
        const tipY = geo.cy + Math.sin(ins.angle) * geo.radius * reach;
        const half = (ins.width * s) / 2;
        const { d } = distToSegment(x, y, ex, ey, tipX, tipY);
        if (d <= half) {
          const across = Math.cos((d / half) * (Math.PI / 2));
          if (ins.dark) {
            const v = 28 + 30 * across;
            r = v;
            g = v;
            b = v * 1.05;
          } else {
            const v = 85 + 120 * across;
            // Metal mirrors the surrounding tissue a little.
            r = v * 1.06;
            g = v * 0.97;
            b = v * 0.95;
          }
        }
      }

      if (smoke > 0) {
        const dl = Math.min(1, smoke * (0.8 + 0.4 * fbm(tx / s + 900, ty / s, seed + 31)));
        r = r * (1 - dl) + 212 * dl;
        g = g * (1 - dl) + 208 * dl;
        b = b * (1 - dl) + 212 * dl;
      }

      r *= exposure;
      g *= exposure;
      b *= exposure;

      // Specular reflections of the light are far above saturation: clipped at any exposure.
      for (const hl of highlights) {
        const d = Math.hypot(x - hl.x, y - hl.y);
        if (d <= hl.r) {
          r = 255;
          g = 255;
          b = 255;
        } else if (d <= hl.r + 0.9 * s) {
          r = Math.max(r, 255);
          g = Math.max(g, 228);
          b = Math.max(b, 218);
        }
      }

      buf[i] = r;
      buf[i + 1] = g;
      buf[i + 2] = b;
    }
  }

  const data = new Uint8Array(width * height * 3);
  finish(data, buf, width, height, geo, o.noiseSeed ?? seed * 31 + 7, o.noise ?? 5, o.overlay ?? true);
  return { width, height, data };
}

// ---------------------------------------------------------------------------------------------
// Operating room (camera outside the patient)

export interface RoomOptions {
  width?: number;
  height?: number;
  sceneSeed?: number;
  noiseSeed?: number;
  border?: Border;
  circleRadius?: number;
  overlay?: boolean;
  exposure?: number;
  /** No drapes in sight: only walls, lights, equipment and a bit of skin. */
  neutral?: boolean;
}

export function roomFrame(o: RoomOptions = {}): RgbFrame {
  const width = o.width ?? 128;
  const height = o.height ?? 72;
  const s = width / 128;
  const seed = o.sceneSeed ?? 3;
  const exposure = o.exposure ?? 1;
  const geo = viewGeometry(width, height, o.border ?? 'circle', o.circleRadius);
  const buf = new Float32Array(width * height * 3);
  const sr = rng(seed * 104729 + 5);
  const lightX = width * (0.2 + 0.6 * sr());
  const lightY = height * (0.1 + 0.25 * sr());
  const drapeTop = height * (0.5 + 0.15 * sr());
  const skinX = width * (0.3 + 0.4 * sr());
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const t = fbm(x / s, y / s, seed);
      // Grey walls and ceiling.
      let r = 150 + 50 * t - (y / height) * 30;
      let g = r + 2;
      let b = r + 6;
      // Equipment: a steel column and a dark monitor.
      if (x > width * 0.78 && x < width * 0.86) {
        r = 175 + 20 * t;
        g = r + 3;
        b = r + 6;
      }
      if (x > width * 0.05 && x < width * 0.25 && y > height * 0.15 && y < height * 0.4) {
        r = 25;
        g = 28;
        b = 35;
      }
      if (!o.neutral && y > drapeTop) {
        // Blue drapes with folds, a green gown at the side.
        const fold = 0.75 + 0.25 * Math.sin(x / (6 * s) + 3 * t);
        if (x < width * 0.2) {
          r = 60 * fold;
          g = 125 * fold;
          b = 100 * fold;
        } else {
          r = 40 * fold;
          g = 92 * fold;
          b = 160 * fold;
        }
      }
      // A patch of skin.
      if (Math.hypot((x - skinX) / 1.6, y - height * 0.8) < 8 * s) {
        r = 222;
        g = 172;
        b = 142;
      }
      // Ceiling light.
      const dl = Math.hypot(x - lightX, (y - lightY) * 1.5);
      if (dl < 9 * s) {
        r = 252;
        g = 252;
        b = 248;
      } else if (dl < 16 * s) {
        const f = 1 - (dl - 9 * s) / (7 * s);
        r = r * (1 - f) + 240 * f;
        g = g * (1 - f) + 240 * f;
        b = b * (1 - f) + 238 * f;
      }
      buf[i] = r * exposure;
      buf[i + 1] = g * exposure;
      buf[i + 2] = b * exposure;
    }
  }
  const data = new Uint8Array(width * height * 3);
  finish(data, buf, width, height, geo, o.noiseSeed ?? seed * 17 + 1, 4, o.overlay ?? true);
  return { width, height, data };
}

/** A black frame (lens covered, signal lost), with the burned-in text still there. */
export function blackFrame(width = 128, height = 72, noiseSeed = 5): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  const r = rng(noiseSeed);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.round(3 + gauss(r)));
  drawOverlay(data, width, height);
  return { width, height, data };
}

/** Share of the view's pixels set in `mask` and of the border's pixels left out: 1, 1 is perfect. */
export function maskAgreement(mask: Uint8Array, geo: ViewGeometry, width: number, height: number): { inside: number; outside: number } {
  let inN = 0;
  let inHit = 0;
  let outN = 0;
  let outHit = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const m = mask[y * width + x]!;
      if (geo.inView(x, y)) {
        inN++;
        inHit += m;
      } else {
        outN++;
        outHit += 1 - m;
      }
    }
  }
  return { inside: inN ? inHit / inN : 1, outside: outN ? outHit / outN : 1 };
}
