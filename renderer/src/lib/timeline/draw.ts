import type { CaseTimeline } from '../../../../main/core/case-time.js';
import { formatTime } from '../../../../main/core/time-format.js';
import { TRACK_NAMES, type CaseTracks, type PartThumbnails, type RecordingGap, type TrackName } from '../../../../main/core/contract/schemas.js';
import { gapLabel, type BookmarkMark, type MarkHit } from '../recording/marks.js';
import type { Badge } from '../review/review.js';

export { gapLabel, markAt, type BookmarkMark, type MarkHit } from '../recording/marks.js';

/** Row geometry of the timeline, in CSS pixels. */
export const RULER_H = 22;
/** The row of bookmarks, gaps of a live recording and the live edge. */
export const MARKS_H = 18;
export const THUMB_TOP = RULER_H + MARKS_H;
export const THUMB_H = 50;
export const TRACK_H = 22;
export const ROW_GAP = 2;

/** The track rows, top to bottom: the contract's order. */
export const TRACK_ORDER: readonly TrackName[] = TRACK_NAMES;

export function trackTop(i: number): number {
  return THUMB_TOP + THUMB_H + ROW_GAP + i * (TRACK_H + ROW_GAP);
}

export const TIMELINE_H = trackTop(TRACK_ORDER.length);

export interface Palette {
  bg: string;
  row: string;
  rowAlt: string;
  text: string;
  textDim: string;
  grid: string;
  boundary: string;
  gap: string;
  playhead: string;
  hover: string;
  /** The agent's windows: cropped (faint) and evidence (stronger, numbered). */
  agent: string;
  /** The range marked with I and O. */
  range: string;
  /** Bookmarks, gaps of a live recording (signal lost), and the live edge. */
  bookmark: string;
  lost: string;
  live: string;
  tracks: Record<TrackName, string>;
}

export function readPalette(el: Element): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--tl-bg', '#111418'),
    row: v('--tl-row', '#161a20'),
    rowAlt: v('--tl-row-alt', '#181d24'),
    text: v('--text', '#e3e7ec'),
    textDim: v('--text-dim', '#9aa4b1'),
    grid: v('--tl-grid', 'rgba(255,255,255,0.08)'),
    boundary: v('--tl-boundary', '#d9a54a'),
    gap: v('--tl-gap', 'rgba(140,150,160,0.18)'),
    playhead: v('--accent', '#7aa7e6'),
    hover: v('--tl-hover', 'rgba(255,255,255,0.5)'),
    agent: v('--tl-agent', '#7fb0ef'),
    range: v('--tl-range', '#78c49a'),
    bookmark: v('--tl-bookmark', '#e48fd4'),
    lost: v('--tl-lost', '#ec8a5e'),
    live: v('--tl-live', '#ff5c5c'),
    tracks: {
      motion: v('--track-motion', '#7c9cc4'),
      blood: v('--track-blood', '#c46a6a'),
      haze: v('--track-haze', '#98a2b0'),
      outOfBody: v('--track-outofbody', '#5fa8a0'),
      brightness: v('--track-brightness', '#c2ad62'),
      sceneChange: v('--track-scenechange', '#9a87c4'),
    },
  };
}

export interface View {
  start: number;
  end: number;
  width: number;
}

export const timeAt = (v: View, x: number) => v.start + (x / Math.max(1, v.width)) * (v.end - v.start);
export const xAt = (v: View, t: number) => ((t - v.start) / Math.max(1e-9, v.end - v.start)) * v.width;

const TICK_STEPS = [0.04, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

export function tickStep(v: View, minPx = 90): number {
  const perPx = (v.end - v.start) / Math.max(1, v.width);
  return TICK_STEPS.find((s) => s / perPx >= minPx) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
}

let hatchCache: { color: string; pattern: CanvasPattern | null } | null = null;
function hatch(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  if (hatchCache?.color === color && hatchCache.pattern) return hatchCache.pattern;
  const c = document.createElement('canvas');
  c.width = c.height = 8;
  const g = c.getContext('2d');
  if (!g) return color;
  g.strokeStyle = color;
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(0, 8);
  g.lineTo(8, 0);
  g.stroke();
  const pattern = ctx.createPattern(c, 'repeat');
  hatchCache = { color, pattern };
  return pattern ?? color;
}

export interface DrawStats {
  thumbTiles: number;
  trackColumns: number;
  gapColumns: number;
  /** Agent windows drawn (at least partly in view). */
  agentCrops: number;
  agentEvidence: number;
  /** Evidence drawn in a window corrected by review. */
  agentCorrected: number;
  /** Bookmarks and gaps drawn (at least partly in view), and where, for pointing at them. */
  bookmarks: number;
  gaps: number;
  hits: MarkHit[];
}

/** An evidence window and what review made of it. */
export interface EvidenceBand {
  rank: number;
  start: number;
  end: number;
  /** Default: unreviewed. */
  status?: Badge;
  /** The window as adjusted by review. */
  corrected?: { start: number; end: number } | null;
  /** Being adjusted now: the new window is drawn on the overlay, with handles. */
  editing?: boolean;
}

/** Windows of an agent run, case time. */
export interface AgentBands {
  crops: { start: number; end: number }[];
  evidence: EvidenceBand[];
}

export interface BaseInput {
  view: View;
  height: number;
  timeline: CaseTimeline;
  tracks: CaseTracks | null;
  thumbs: PartThumbnails[];
  sheet: (src: string) => HTMLImageElement | null;
  palette: Palette;
  agent?: AgentBands | null;
  bookmarks?: readonly BookmarkMark[];
  gaps?: readonly RecordingGap[];
}

/** Index of the thumbnail nearest to `t` among ascending `times`. */
export function nearest(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(times[lo - 1]! - t) <= Math.abs(times[lo]! - t)) return lo - 1;
  return lo;
}

/** Where a thumbnail sits in its sheets. */
export function tileAt(p: PartThumbnails, k: number): { sheet: number; sx: number; sy: number } | null {
  let rest = k;
  for (let s = 0; s < p.sheets.length; s++) {
    const n = p.sheets[s]!.count;
    if (rest < n) {
      return { sheet: s, sx: (rest % p.columns) * p.tileWidth, sy: Math.floor(rest / p.columns) * p.tileHeight };
    }
    rest -= n;
  }
  return null;
}

/** Thumbnail of the part under case time `t`, if its part is indexed. */
export function thumbnailFor(
  timeline: CaseTimeline,
  thumbs: PartThumbnails[],
  t: number,
): { part: PartThumbnails; index: number } | null {
  if (timeline.parts.length === 0) return null;
  const loc = timeline.locate(t);
  const part = thumbs.find((p) => p.partId === loc.partId);
  if (!part || part.times.length === 0) return null;
  return { part, index: nearest(part.times, t) };
}

export function sheetUrl(p: PartThumbnails, sheet: number): string {
  const s = p.sheets[sheet];
  // The query changes when a part is indexed again, so a cached old sheet is never drawn.
  return `${s?.src ?? ''}?v=${p.times.length}-${p.tileWidth}`;
}

/** Ruler, thumbnail strip, tracks and part boundaries. */
export function drawBase(ctx: CanvasRenderingContext2D, input: BaseInput): DrawStats {
  const { view, height, timeline, tracks, thumbs, palette } = input;
  const W = view.width;
  const stats: DrawStats = { thumbTiles: 0, trackColumns: 0, gapColumns: 0, agentCrops: 0, agentEvidence: 0, agentCorrected: 0, bookmarks: 0, gaps: 0, hits: [] };
  ctx.clearRect(0, 0, W, height);
  ctx.fillStyle = palette.bg;
  ctx.fillRect(0, 0, W, height);
  const caseEndX = Math.min(W, xAt(view, timeline.duration));

  // Ruler.
  const step = tickStep(view);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = palette.textDim;
  ctx.strokeStyle = palette.grid;
  ctx.lineWidth = 1;
  const first = Math.ceil(view.start / step) * step;
  const minor = step / 5;
  ctx.beginPath();
  for (let t = Math.ceil(view.start / minor) * minor; t <= view.end + 1e-9; t += minor) {
    const x = Math.round(xAt(view, t)) + 0.5;
    ctx.moveTo(x, RULER_H - 4);
    ctx.lineTo(x, RULER_H);
  }
  ctx.stroke();
  ctx.beginPath();
  for (let t = first; t <= view.end + 1e-9; t += step) {
    const x = Math.round(xAt(view, t)) + 0.5;
    ctx.moveTo(x, RULER_H - 9);
    ctx.lineTo(x, height);
    const label = formatTime(t, { millis: step < 1 });
    ctx.fillText(label, x + 4, RULER_H / 2 - 1);
  }
  ctx.stroke();

  // Thumbnail strip.
  const stripTop = THUMB_TOP;
  ctx.fillStyle = palette.row;
  ctx.fillRect(0, stripTop, caseEndX, THUMB_H);
  const sample = thumbs[0];
  if (sample) {
    const tw = Math.max(8, Math.round((THUMB_H * sample.tileWidth) / sample.tileHeight));
    for (let x0 = 0; x0 < caseEndX; x0 += tw) {
      const tc = Math.min(timeAt(view, x0 + tw / 2), timeline.duration);
      const hit = thumbnailFor(timeline, thumbs, tc);
      if (!hit) continue;
      const tile = tileAt(hit.part, hit.index);
      if (!tile) continue;
      const img = input.sheet(sheetUrl(hit.part, tile.sheet));
      if (!img) continue;
      const w = Math.min(tw, caseEndX - x0);
      ctx.drawImage(img, tile.sx, tile.sy, (hit.part.tileWidth * w) / tw, hit.part.tileHeight, x0, stripTop, w, THUMB_H);
      stats.thumbTiles++;
    }
  }
  // Parts without thumbnails yet are hatched.
  timeline.parts.forEach((p, i) => {
    if (thumbs.some((t) => t.partId === p.id && t.times.length)) return;
    const x0 = Math.max(0, xAt(view, timeline.starts[i]!));
    const x1 = Math.min(caseEndX, xAt(view, timeline.starts[i]! + p.duration));
    if (x1 <= x0) return;
    ctx.fillStyle = hatch(ctx, palette.gap);
    ctx.fillRect(x0, stripTop, x1 - x0, THUMB_H);
  });

  // Tracks.
  TRACK_ORDER.forEach((name, row) => {
    const top = trackTop(row);
    ctx.fillStyle = row % 2 ? palette.rowAlt : palette.row;
    ctx.fillRect(0, top, caseEndX, TRACK_H);
    const track = tracks?.tracks.find((t) => t.name === name);
    const color = palette.tracks[name];
    const bottom = top + TRACK_H;
    const amp = TRACK_H - 3;
    const values = track?.values ?? [];
    const rate = track?.rate ?? 1;
    const gaps: [number, number][] = [];
    let gapStart = -1;
    ctx.beginPath();
    const edge = new Path2D();
    let open = false;
    let lastX = 0;
    const cols = Math.ceil(caseEndX);
    for (let x = 0; x < cols; x++) {
      const t0 = timeAt(view, x);
      const t1 = timeAt(view, x + 1);
      const s0 = Math.max(0, Math.floor(t0 * rate));
      const s1 = Math.min(values.length, Math.max(s0 + 1, Math.ceil(t1 * rate)));
      let v = -1;
      for (let s = s0; s < s1; s++) {
        const val = values[s]!;
        if (val > v) v = val;
      }
      if (v < 0) {
        if (gapStart < 0) gapStart = x;
        if (open) {
          ctx.lineTo(x, bottom);
          ctx.closePath();
          open = false;
        }
        continue;
      }
      if (gapStart >= 0) {
        gaps.push([gapStart, x]);
        gapStart = -1;
      }
      const y = bottom - Math.max(0, Math.min(1, v)) * amp;
      if (!open) {
        ctx.moveTo(x, bottom);
        edge.moveTo(x, y + 0.5);
        open = true;
      } else edge.lineTo(x, y + 0.5);
      ctx.lineTo(x, y);
      ctx.lineTo(x + 1, y);
      edge.lineTo(x + 1, y + 0.5);
      lastX = x + 1;
      stats.trackColumns++;
    }
    if (open) {
      ctx.lineTo(lastX, bottom);
      ctx.closePath();
    }
    if (gapStart >= 0) gaps.push([gapStart, cols]);
    ctx.globalAlpha = 0.5;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 0.95;
    ctx.strokeStyle = color;
    ctx.lineWidth = 1;
    ctx.stroke(edge);
    ctx.globalAlpha = 1;
    for (const [a, b] of gaps) {
      ctx.fillStyle = hatch(ctx, palette.gap);
      ctx.fillRect(a, top, b - a, TRACK_H);
      stats.gapColumns += b - a;
    }
  });

  if (input.agent) drawAgentBands(ctx, view, height, input.agent, palette, stats);

  // Beyond the end of the case.
  if (caseEndX < W) {
    ctx.fillStyle = palette.bg;
    ctx.fillRect(caseEndX, RULER_H, W - caseEndX, height - RULER_H);
  }

  // Part boundaries; where they crowd (a live recording's short segments), only those with room.
  ctx.save();
  ctx.strokeStyle = palette.boundary;
  ctx.fillStyle = palette.boundary;
  ctx.setLineDash([3, 3]);
  let lastLine = Number.NEGATIVE_INFINITY;
  timeline.starts.forEach((s, i) => {
    if (i === 0) return;
    const x = Math.round(xAt(view, s)) + 0.5;
    if (x < 0 || x > W || x - lastLine < 6) return;
    lastLine = x;
    ctx.beginPath();
    ctx.moveTo(x, RULER_H);
    ctx.lineTo(x, height);
    ctx.stroke();
  });
  ctx.restore();
  // Part labels as small tags at the top of the strip, never over one another.
  ctx.font = '600 10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  let labelEnd = Number.NEGATIVE_INFINITY;
  timeline.starts.forEach((s, i) => {
    if (timeline.parts.length < 2) return;
    const x = Math.round(xAt(view, s));
    if (x < -60 || x > W) return;
    const label = `Part ${i + 1}`;
    const w = ctx.measureText(label).width + 8;
    const lx = Math.max(0, x + (i === 0 ? 0 : 1));
    if (lx < labelEnd + 4) return;
    labelEnd = lx + w;
    ctx.fillStyle = palette.boundary;
    ctx.fillRect(lx, THUMB_TOP, w, 14);
    ctx.fillStyle = palette.bg;
    ctx.fillText(label, lx + 4, THUMB_TOP + 7.5);
  });
  drawMarksRow(ctx, view, height, input.gaps ?? [], input.bookmarks ?? [], palette, stats);
  return stats;
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.lineTo(x + w - r, y);
  ctx.quadraticCurveTo(x + w, y, x + w, y + r);
  ctx.lineTo(x + w, y + h - r);
  ctx.quadraticCurveTo(x + w, y + h, x + w - r, y + h);
  ctx.lineTo(x + r, y + h);
  ctx.quadraticCurveTo(x, y + h, x, y + h - r);
  ctx.lineTo(x, y + r);
  ctx.quadraticCurveTo(x, y, x + r, y);
  ctx.closePath();
}

/**
 * The marks row, under the ruler: gaps of a live recording (a broken line through every row, and
 * a tag with the time missed) and bookmarks (a numbered flag on a thin pole).
 */
function drawMarksRow(
  ctx: CanvasRenderingContext2D,
  view: View,
  height: number,
  gaps: readonly RecordingGap[],
  bookmarks: readonly BookmarkMark[],
  palette: Palette,
  stats: DrawStats,
): void {
  const W = view.width;
  const top = RULER_H;
  const tagY = top + 2;
  const tagH = MARKS_H - 4;
  ctx.save();
  ctx.font = '600 10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.strokeStyle = palette.grid;
  ctx.beginPath();
  ctx.moveTo(0, THUMB_TOP - 0.5);
  ctx.lineTo(W, THUMB_TOP - 0.5);
  ctx.stroke();

  // Where the last gap tag ends: a tag that would overlap it is drawn without its words (hover says them).
  let tagsEnd = Number.NEGATIVE_INFINITY;
  for (const g of gaps) {
    const x = Math.round(xAt(view, g.at));
    if (x < -120 || x > W + 2) continue;
    stats.gaps++;
    // A zigzag: the picture breaks here.
    ctx.strokeStyle = palette.lost;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, THUMB_TOP);
    for (let y = THUMB_TOP, k = 0; y < height; y += 4, k++) ctx.lineTo(x + (k % 2 ? -2 : 2), Math.min(height, y + 4));
    ctx.stroke();
    const label = gapLabel(g);
    const w = ctx.measureText(label).width + 10;
    const fx = Math.max(0, Math.min(W - w, x + 1 > W - w ? x - w : x + 1));
    const full = fx >= tagsEnd + 2;
    const lx = full ? fx : Math.max(0, Math.min(W - 8, x - 4));
    const lw = full ? w : 8;
    ctx.fillStyle = palette.lost;
    roundRect(ctx, lx, tagY, lw, tagH, 3);
    ctx.fill();
    if (full) {
      ctx.fillStyle = palette.bg;
      ctx.fillText(label, lx + 5, tagY + tagH / 2 + 0.5);
    }
    tagsEnd = Math.max(tagsEnd, lx + lw);
    stats.hits.push({ kind: 'gap', x0: Math.min(lx, x - 3), x1: Math.max(lx + lw, x + 3), time: g.at, gap: g });
  }

  for (const b of bookmarks) {
    const x = Math.round(xAt(view, b.time)) + 0.5;
    if (x < -30 || x > W + 2) continue;
    stats.bookmarks++;
    ctx.strokeStyle = palette.bookmark;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.8;
    ctx.beginPath();
    ctx.moveTo(x, top + 1);
    ctx.lineTo(x, height);
    ctx.stroke();
    ctx.globalAlpha = 1;
    const label = String(b.number);
    const w = Math.max(16, ctx.measureText(label).width + 10);
    // A flag: square at the pole, notched at the free end.
    const fx = x + w > W ? x - w : x;
    const dir = fx < x ? -1 : 1;
    const free = dir === 1 ? fx + w : fx;
    ctx.fillStyle = palette.bookmark;
    ctx.beginPath();
    ctx.moveTo(x, tagY);
    ctx.lineTo(free, tagY);
    ctx.lineTo(free - dir * 4, tagY + tagH / 2);
    ctx.lineTo(free, tagY + tagH);
    ctx.lineTo(x, tagY + tagH);
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = palette.bg;
    const tw = ctx.measureText(label).width;
    ctx.fillText(label, Math.min(fx, x) + (w - 4 - tw) / 2 + (dir === 1 ? 0 : 4), tagY + tagH / 2 + 0.5);
    stats.hits.push({ kind: 'bookmark', x0: Math.min(fx, x) - 2, x1: Math.max(fx + w, x) + 2, time: b.time, mark: b });
  }
  ctx.restore();
}

/** Merges overlapping windows, so overlapping crops do not darken each other. */
export function mergeWindows(windows: { start: number; end: number }[]): [number, number][] {
  const sorted = windows.filter((w) => w.end > w.start).map((w) => [w.start, w.end] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const w of sorted) {
    const last = out.at(-1);
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else out.push([w[0], w[1]]);
  }
  return out;
}

/**
 * The agent's windows over the thumbnails and tracks: every cropped window as a faint band, every
 * evidence window as a stronger band with edges and its number at the foot of the thumbnails.
 * Review changes how an item reads: a flagged window is only outlined, dashed; an adjusted one
 * keeps its original as a dashed outline and shows the corrected window solid.
 */
function drawAgentBands(ctx: CanvasRenderingContext2D, view: View, height: number, bands: AgentBands, palette: Palette, stats: DrawStats): void {
  const W = view.width;
  const span = (start: number, end: number): [number, number] | null => {
    const x0 = Math.max(0, xAt(view, start));
    const x1 = Math.min(W, xAt(view, end));
    if (x1 < 0 || x0 > W || x1 < x0) return null;
    // Keep a window narrower than a pixel visible.
    return x1 - x0 < 2 ? [x0 - 1, x0 + 1] : [x0, x1];
  };
  const top = THUMB_TOP;
  const solid = (s: [number, number], fill: number) => {
    ctx.globalAlpha = fill;
    ctx.fillRect(s[0], top, s[1] - s[0], height - top);
    ctx.globalAlpha = 0.9;
    ctx.fillRect(Math.round(s[0]), top, 1, height - top);
    ctx.fillRect(Math.round(s[1]) - 1, top, 1, height - top);
  };
  const outline = (s: [number, number]) => {
    ctx.globalAlpha = 0.6;
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1;
    ctx.strokeRect(Math.round(s[0]) + 0.5, top + 0.5, Math.max(1, Math.round(s[1]) - Math.round(s[0]) - 1), height - top - 1);
    ctx.setLineDash([]);
  };
  ctx.save();
  ctx.fillStyle = palette.agent;
  ctx.strokeStyle = palette.agent;
  ctx.globalAlpha = 0.1;
  for (const [a, b] of mergeWindows(bands.crops)) {
    const s = span(a, b);
    if (!s) continue;
    ctx.fillRect(s[0], top, s[1] - s[0], height - top);
  }
  stats.agentCrops = bands.crops.filter((c) => span(c.start, c.end)).length;
  const evidence = [...bands.evidence].sort((a, b) => a.rank - b.rank);
  for (const e of evidence) {
    const s = span(e.start, e.end);
    const faint = e.status === 'flagged' || Boolean(e.corrected) || e.editing === true;
    if (s) {
      stats.agentEvidence++;
      if (faint) outline(s);
      else solid(s, 0.2);
    }
    if (e.corrected && !e.editing) {
      const c = span(e.corrected.start, e.corrected.end);
      if (c) {
        stats.agentCorrected++;
        solid(c, 0.24);
      }
    }
  }
  // Numbers last, above every band, where the window now begins.
  ctx.globalAlpha = 1;
  ctx.font = '600 10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const e of evidence) {
    const w0 = e.corrected && !e.editing ? e.corrected : e;
    const s = span(w0.start, w0.end);
    if (!s) continue;
    const label = String(e.rank);
    const w = Math.max(14, ctx.measureText(label).width + 8);
    const x = Math.max(0, Math.min(W - w, Math.round(s[0])));
    const y = top + THUMB_H - 15;
    const tx = x + (w - ctx.measureText(label).width) / 2;
    if (e.status === 'flagged') {
      ctx.fillStyle = palette.bg;
      ctx.fillRect(x, y, w, 14);
      ctx.strokeStyle = palette.agent;
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, w - 1, 13);
      ctx.fillStyle = palette.agent;
      ctx.fillText(label, tx, y + 7.5);
    } else {
      ctx.fillStyle = palette.agent;
      ctx.fillRect(x, y, w, 14);
      ctx.fillStyle = palette.bg;
      ctx.fillText(label, tx, y + 7.5);
    }
  }
  ctx.restore();
}

/** A window being adjusted, and the range marked with I and O: drawn on the light layer. */
export interface OverlayMarks {
  edit?: { start: number; end: number } | null;
  markIn?: number | null;
  markOut?: number | null;
}

function drawMarks(ctx: CanvasRenderingContext2D, view: View, height: number, marks: OverlayMarks, palette: Palette): void {
  const top = RULER_H;
  ctx.save();
  if (marks.edit) {
    const x0 = xAt(view, marks.edit.start);
    const x1 = xAt(view, marks.edit.end);
    ctx.fillStyle = palette.agent;
    ctx.globalAlpha = 0.28;
    ctx.fillRect(x0, top, x1 - x0, height - top);
    ctx.globalAlpha = 1;
    ctx.fillRect(Math.round(x0) - 1, top, 2, height - top);
    ctx.fillRect(Math.round(x1) - 1, top, 2, height - top);
  }
  const { markIn = null, markOut = null } = marks;
  if (markIn !== null || markOut !== null) {
    ctx.fillStyle = palette.range;
    ctx.strokeStyle = palette.range;
    if (markIn !== null && markOut !== null && markOut > markIn) {
      ctx.globalAlpha = 0.14;
      ctx.fillRect(xAt(view, markIn), top, xAt(view, markOut) - xAt(view, markIn), height - top);
    }
    ctx.globalAlpha = 1;
    ctx.lineWidth = 2;
    // Brackets: [ at the in point, ] at the out point.
    const bracket = (t: number, dir: 1 | -1) => {
      const x = Math.round(xAt(view, t));
      if (x < -4 || x > view.width + 4) return;
      ctx.beginPath();
      ctx.moveTo(x + dir * 6, top + 1);
      ctx.lineTo(x, top + 1);
      ctx.lineTo(x, height - 1);
      ctx.lineTo(x + dir * 6, height - 1);
      ctx.stroke();
    };
    if (markIn !== null) bracket(markIn, 1);
    if (markOut !== null) bracket(markOut, -1);
  }
  ctx.restore();
}

/**
 * A case being recorded: what is recorded but not yet in a closed segment (from the end of the
 * parts to the live edge) is hatched, and the live edge is a red line tagged LIVE.
 */
export interface LiveMark {
  /** End of the closed segments (the parts' duration). */
  recorded: number;
  edge: number;
  /** Waiting for the source: the edge is drawn without its pulse colour. */
  waiting: boolean;
}

function drawLive(ctx: CanvasRenderingContext2D, view: View, height: number, live: LiveMark, palette: Palette): void {
  const W = view.width;
  const x0 = Math.max(0, xAt(view, live.recorded));
  const x = Math.round(xAt(view, live.edge));
  ctx.save();
  if (x > x0) {
    ctx.fillStyle = palette.live;
    ctx.globalAlpha = 0.1;
    ctx.fillRect(x0, THUMB_TOP, Math.min(W, x) - x0, height - THUMB_TOP);
    ctx.globalAlpha = 0.5;
    ctx.fillStyle = hatch(ctx, palette.live);
    ctx.fillRect(x0, THUMB_TOP, Math.min(W, x) - x0, THUMB_H);
  }
  ctx.globalAlpha = 1;
  if (x >= -2 && x <= W + 2) {
    const color = live.waiting ? palette.lost : palette.live;
    ctx.fillStyle = color;
    ctx.fillRect(x - 1, RULER_H, 2, height - RULER_H);
    ctx.font = '700 10px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const label = live.waiting ? 'WAITING' : 'LIVE';
    const w = ctx.measureText(label).width + 10;
    const lx = Math.max(0, x - w);
    roundRect(ctx, lx, RULER_H + 2, w, MARKS_H - 4, 3);
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    ctx.fillText(label, lx + 5, RULER_H + MARKS_H / 2 + 0.5);
  }
  ctx.restore();
}

/** Playhead and hover line, on their own layer so playback never redraws the tracks. */
export function drawOverlay(
  ctx: CanvasRenderingContext2D,
  o: { view: View; height: number; position: number; hover: number | null; palette: Palette; marks?: OverlayMarks; live?: LiveMark | null },
): void {
  const { view, height, palette } = o;
  ctx.clearRect(0, 0, view.width, height);
  if (o.live) drawLive(ctx, view, height, o.live, palette);
  if (o.marks) drawMarks(ctx, view, height, o.marks, palette);
  if (o.hover !== null) {
    const x = Math.round(xAt(view, o.hover)) + 0.5;
    ctx.strokeStyle = palette.hover;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, RULER_H);
    ctx.lineTo(x, height);
    ctx.stroke();
  }
  const x = Math.round(xAt(view, o.position)) + 0.5;
  if (x < -6 || x > view.width + 6) return;
  ctx.strokeStyle = palette.playhead;
  ctx.fillStyle = palette.playhead;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, RULER_H - 6);
  ctx.lineTo(x, height);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x - 6, 0);
  ctx.lineTo(x + 6, 0);
  ctx.lineTo(x + 6, RULER_H - 10);
  ctx.lineTo(x, RULER_H - 4);
  ctx.lineTo(x - 6, RULER_H - 10);
  ctx.closePath();
  ctx.fill();
}
