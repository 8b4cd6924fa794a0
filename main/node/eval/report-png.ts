/*
 * report.png: each question as a lane on its video's time axis, the true window above and the
 * predicted ones below with the IoU beside them, then the IoU histogram and mIoU per event type.
 * Drawn straight into RGB pixels with the project's bitmap fonts and PNG encoder: no browser, no
 * canvas library, the same picture on every machine.
 */

import { glyphInk, hasGlyph, GLYPH_HEIGHT, GLYPH_WIDTH } from '../../core/agent/frame-label.js';
import type { EvalSummary, Window } from '../../core/eval/metrics.js';
import type { EvalResult, EvalRow } from '../../core/eval/result.js';
import { formatTime } from '../../core/time-format.js';
import { encodePng } from '../png.js';
import { normalizeOverlayText, overlayGlyphInk } from '../synthetic/text.js';

type Rgb = readonly [number, number, number];

const C = {
  background: [255, 255, 255],
  text: [33, 37, 41],
  muted: [120, 126, 134],
  grid: [222, 226, 230],
  laneAlt: [245, 247, 250],
  video: [200, 206, 214],
  truth: [31, 119, 180],
  pred: [255, 127, 14],
  predOther: [255, 207, 163],
  failed: [253, 232, 232],
  bad: [200, 35, 40],
} as const satisfies Record<string, Rgb>;

const WIDTH = 1200;
const PAD = 24;
const HEADER = 112;
const AXIS = 22;
const LABEL_COLUMN = 372;
const IOU_COLUMN = 84;
const PANEL_GAP = 36;
const PANEL = 250;
const MAX_LANES_HEIGHT = 1400;

/** Font pixels to screen pixels per text size. */
const BIG = 2;
const SMALL = 1;
const ADVANCE = GLYPH_WIDTH + 1;

function laneHeight(rows: number): number {
  return rows <= 40 ? 26 : Math.max(6, Math.min(26, Math.floor(MAX_LANES_HEIGHT / rows)));
}

/** The image's size for `rows` questions: what report.png will measure. */
export function reportImageSize(rows: number): { width: number; height: number } {
  const lanes = Math.max(1, rows) * laneHeight(rows);
  return { width: WIDTH, height: HEADER + AXIS + lanes + AXIS + PANEL_GAP + PANEL + PAD };
}

class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, C.background);
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 3;
        this.data[i] = c[0];
        this.data[i + 1] = c[1];
        this.data[i + 2] = c[2];
      }
    }
  }

  /** A vertical line, dashed when `dash` > 0. */
  vline(x: number, y0: number, y1: number, c: Rgb, dash = 0): void {
    for (let y = Math.round(y0); y < Math.round(y1); y++) if (!dash || Math.floor((y - y0) / dash) % 2 === 0) this.rect(x, y, 1, 1, c);
  }

  /*
   * Digits, ':' and '.' come from the frame-label font; letters, which it lacks, from the overlay
   * font of the synthetic videos. Both are the classic 5x7 face, so they set as one.
   */
  text(x: number, y: number, raw: string, c: Rgb, scale = BIG): number {
    const text = normalizeOverlayText(raw);
    [...text].forEach((ch, k) => {
      const ink = hasGlyph(ch) ? glyphInk : overlayGlyphInk;
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (ink(ch, col, row)) this.rect(x + (k * ADVANCE + col) * scale, y + row * scale, scale, scale, c);
        }
      }
    });
    return textWidth(text, scale);
  }
}

function textWidth(text: string, scale = BIG): number {
  return text.length ? (text.length * ADVANCE - 1) * scale : 0;
}

function fitText(text: string, width: number, scale: number): string {
  const max = Math.floor((width + scale) / (ADVANCE * scale));
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 2))}..`;
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as unknown as Rgb;
}

/** Red for a miss, amber at 0.5, green for a good match. */
function iouColour(iou: number): Rgb {
  const red: Rgb = [214, 39, 40];
  const amber: Rgb = [230, 160, 0];
  const green: Rgb = [35, 150, 60];
  return iou < 0.5 ? mix(red, amber, iou / 0.5) : mix(amber, green, (iou - 0.5) / 0.5);
}

/** A tick step that gives five to ten ticks over `span` seconds. */
function tickStep(span: number): number {
  for (const s of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]) if (span / s <= 10) return s;
  return 7200;
}

function axisSpan(rows: readonly EvalRow[]): number {
  let span = 1;
  for (const r of rows) {
    span = Math.max(span, r.duration ?? 0);
    for (const [, e] of [...r.gt, ...r.pred]) span = Math.max(span, e);
  }
  return span;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function header(cv: Canvas, r: EvalResult): void {
  const s = r.summary;
  const model = r.model ? ` (${r.model})` : '';
  cv.text(PAD, PAD, fitText(`Temporal grounding - ${r.backend}${model} - ${r.rows.length} questions, ${r.videos} videos`, WIDTH - 2 * PAD, BIG), C.text);
  const figures = `mIoU ${s.mIoU.toFixed(3)}   R@0.3 ${pct(s['R@0.3'])}   R@0.5 ${pct(s['R@0.5'])}   R@0.7 ${pct(s['R@0.7'])}` +
    (s.latency.p50 !== null ? `   p50 ${s.latency.p50.toFixed(1)} s` : '');
  cv.text(PAD, PAD + 26, figures, C.text);
  let x = PAD;
  const y = PAD + 56;
  const legend = (colour: Rgb, label: string) => {
    cv.rect(x, y + 2, 26, 10, colour);
    x += 34 + cv.text(x + 34, y, label, C.muted) + 28;
  };
  legend(C.truth, 'true window');
  legend(C.pred, 'predicted (best)');
  legend(C.predOther, 'other predictions');
  cv.rect(x, y + 2, 26, 10, C.video);
  cv.text(x + 34, y, 'video length', C.muted);
}

function lanes(cv: Canvas, rows: readonly EvalRow[], top: number): number {
  const lane = laneHeight(rows.length);
  const x0 = PAD + LABEL_COLUMN;
  const x1 = WIDTH - PAD - IOU_COLUMN;
  const span = axisSpan(rows);
  const xAt = (t: number) => x0 + ((x1 - x0) * Math.max(0, Math.min(span, t))) / span;
  const lanesTop = top + AXIS;
  const lanesBottom = lanesTop + Math.max(1, rows.length) * lane;
  const labelScale = lane >= 20 ? BIG : lane >= 10 ? SMALL : 0;

  rows.forEach((r, i) => {
    const y = lanesTop + i * lane;
    if (r.error) cv.rect(PAD, y, WIDTH - 2 * PAD, lane, C.failed);
    else if (i % 2 === 1) cv.rect(PAD, y, WIDTH - 2 * PAD, lane, C.laneAlt);
  });
  const step = tickStep(span);
  for (let t = 0; t <= span + 1e-9; t += step) {
    const x = Math.round(xAt(t));
    cv.vline(x, lanesTop, lanesBottom, C.grid);
    const label = formatTime(t);
    const w = textWidth(label, SMALL + 1);
    cv.text(x - w / 2, top + 4, label, C.muted, SMALL + 1);
    cv.text(x - w / 2, lanesBottom + 6, label, C.muted, SMALL + 1);
  }

  const bar = Math.max(2, Math.floor((lane - 4) / 2));
  rows.forEach((r, i) => {
    const y = lanesTop + i * lane;
    const mid = y + Math.floor(lane / 2);
    const band = (w: Window, yy: number, c: Rgb) => cv.rect(xAt(w[0]), yy, Math.max(2, xAt(w[1]) - xAt(w[0])), bar, c);
    if (r.duration) cv.rect(xAt(0), mid - 1, xAt(r.duration) - xAt(0), 2, C.video);
    for (const w of r.gt) band(w, mid - bar - 1, C.truth);
    for (const w of r.pred.slice(1)) band(w, mid + 1, C.predOther);
    if (r.pred[0]) band(r.pred[0], mid + 1, C.pred);
    if (labelScale) {
      const ty = mid - Math.floor((GLYPH_HEIGHT * labelScale) / 2);
      cv.text(PAD + 6, ty, fitText(r.id, LABEL_COLUMN - 18, labelScale), C.text, labelScale);
      const score = r.error ? 'failed' : r.iou.toFixed(2);
      cv.text(WIDTH - PAD - textWidth(score, labelScale) - 6, ty, score, r.error ? C.bad : iouColour(r.iou), labelScale);
    }
  });
  return lanesBottom + AXIS;
}

function histogram(cv: Canvas, r: EvalResult, x0: number, x1: number, top: number): void {
  const bins = Array.from({ length: 10 }, () => 0);
  for (const row of r.rows) bins[Math.min(9, Math.floor(row.iou * 10))]!++;
  const s = r.summary;
  cv.text(x0, top, 'IoU per question', C.text);
  const plotTop = top + 64;
  const plotBottom = top + PANEL - 34;
  const height = plotBottom - plotTop;
  const most = Math.max(1, ...bins);
  const binW = (x1 - x0) / 10;
  const xAt = (iou: number) => x0 + iou * (x1 - x0);
  const heights = bins.map((n) => Math.round((height * n) / most));
  heights.forEach((h, b) => cv.rect(x0 + b * binW + 3, plotBottom - h, binW - 6, h, iouColour((b + 0.5) / 10)));
  cv.rect(x0, plotBottom, x1 - x0, 1, C.muted);
  for (let k = 0; k <= 10; k += 2) {
    const label = (k / 10).toFixed(1);
    cv.text(xAt(k / 10) - textWidth(label, SMALL + 1) / 2, plotBottom + 8, label, C.muted, SMALL + 1);
  }
  for (const k of [0.3, 0.5, 0.7] as const) cv.vline(Math.round(xAt(k)), plotTop - 6, plotBottom, C.muted, 4);
  cv.vline(Math.round(xAt(s.mIoU)), plotTop - 6, plotBottom, C.text);
  cv.vline(Math.round(xAt(s.mIoU)) + 1, plotTop - 6, plotBottom, C.text);
  // Counts last, on a white patch, so no line runs through them.
  bins.forEach((n, b) => {
    if (n === 0) return;
    const label = String(n);
    const x = x0 + b * binW + binW / 2 - textWidth(label) / 2;
    const y = plotBottom - heights[b]! - 18;
    cv.rect(x - 3, y - 2, textWidth(label) + 6, GLYPH_HEIGHT * BIG + 4, C.background);
    cv.text(x, y, label, C.text);
  });
  cv.text(x0, top + 24, `dashed: 0.3 0.5 0.7   solid: mIoU ${s.mIoU.toFixed(2)}`, C.muted, SMALL + 1);
}

function byKind(cv: Canvas, kinds: readonly [string, EvalSummary][], overall: number, x0: number, x1: number, top: number): void {
  cv.text(x0, top, 'mIoU by event type', C.text);
  const labelW = 150;
  const barX = x0 + labelW;
  const barW = x1 - barX - 150;
  const rowH = Math.min(34, Math.floor((PANEL - 70) / Math.max(1, kinds.length)));
  const first = top + 44;
  kinds.forEach(([kind, s], i) => {
    const y = first + i * rowH;
    const scale = rowH >= 22 ? BIG : SMALL;
    cv.text(x0, y + 3, fitText(kind, labelW - 10, scale), C.text, scale);
    cv.rect(barX, y, barW, Math.max(4, rowH - 10), C.laneAlt);
    cv.rect(barX, y, Math.max(1, barW * s.mIoU), Math.max(4, rowH - 10), iouColour(s.mIoU));
    cv.text(barX + barW + 10, y + 3, `${s.mIoU.toFixed(2)}  n=${s.n}`, C.text, scale);
  });
  const bottom = first + kinds.length * rowH;
  cv.vline(Math.round(barX + barW * overall), first - 6, bottom - 6, C.text, 4);
  cv.text(barX, bottom + 2, `dashed: all, ${overall.toFixed(2)}`, C.muted, SMALL + 1);
}

export function renderReportImage(r: EvalResult): { rgb: Uint8Array; width: number; height: number } {
  const { width, height } = reportImageSize(r.rows.length);
  const cv = new Canvas(width, height);
  header(cv, r);
  const panelTop = lanes(cv, r.rows, HEADER) + PANEL_GAP;
  cv.rect(PAD, panelTop - PANEL_GAP / 2, WIDTH - 2 * PAD, 1, C.grid);
  const split = r.byKind.length ? Math.round(WIDTH * 0.5) : WIDTH - PAD;
  histogram(cv, r, PAD + 8, split - 40, panelTop);
  if (r.byKind.length) byKind(cv, r.byKind, r.summary.mIoU, split + 10, WIDTH - PAD, panelTop);
  return { rgb: cv.data, width, height };
}

export async function reportPng(r: EvalResult): Promise<Buffer> {
  const { rgb, width, height } = renderReportImage(r);
  return encodePng(rgb, width, height);
}
