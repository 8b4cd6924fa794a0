/*
 * De-identification as ffmpeg filters: rectangles of burned-in text and of people hidden for
 * their time spans, and frames filmed outside the patient blurred or replaced by a card. Built per segment in the
 * recording's own pixels, before the picture is fitted to the clip's size.
 */

import type { DeidentifyParams, MaskBox, SegmentMasks } from '../../core/clip-job.js';
import { LAST_FRAME_SLACK, planMaskWindows, WINDOW_MARGIN } from '../../core/deid/mask-windows.js';

/*
 * Escaping for what this file writes itself: numbers and time expressions (whose commas the graph
 * parser would split on). Paths and text go through the clip exporter's escaping, in `cardText`.
 */
function optionValue(v: string): string {
  return v.replace(/[\\':]/g, (c) => `\\${c}`);
}

function graphValue(s: string): string {
  return s.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

function filter(name: string, options: Record<string, string | number>): string {
  const args = Object.entries(options)
    .map(([k, v]) => `${k}=${optionValue(String(v))}`)
    .join(':');
  return `${name}=${graphValue(args)}`;
}

/** Seconds both ends of a span are pulled early by: far under any frame gap, far over float error. */
const EDGE = 1e-4;

/**
 * Spans as a timeline expression; `to` is exclusive, as everywhere in clips. Both ends are pulled
 * a tenth of a millisecond early: a span starts on a frame's time, and ffmpeg's `t` for that frame
 * (ticks times the time base, in floating point) can come out a hair below it, which would leave
 * the frame unmasked.
 */
export function spansExpr(spans: readonly { from: number; to: number }[]): string {
  return spans.map((s) => `between(t,${Math.max(0, s.from - EDGE).toFixed(6)},${Math.max(0, s.to - EDGE).toFixed(6)})`).join('+');
}

/**
 * A box grown to even coordinates inside the picture: 4:2:0 chroma covers 2x2 pixels, and a
 * mask edge inside a chroma pair would leave a coloured fringe of the text behind.
 */
export function evenBox(b: MaskBox, width: number, height: number): MaskBox | null {
  const x0 = Math.max(0, Math.floor(b[0] / 2) * 2);
  const y0 = Math.max(0, Math.floor(b[1] / 2) * 2);
  const x1 = Math.min(width - (width % 2), Math.ceil((b[0] + b[2]) / 2) * 2);
  const y1 = Math.min(height - (height % 2), Math.ceil((b[1] + b[3]) / 2) * 2);
  if (x1 - x0 < 2 || y1 - y0 < 2) return null;
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * Text is smeared by shrinking its rectangle to about one sample per 16 pixels (far below one
 * sample per letter) and stretching it back smoothly: nothing of the strokes survives, unlike a
 * blur whose radius the rectangle's small height limits.
 */
const SMEAR = 16;

/** Heavy full-frame blur of out-of-body frames: about a tenth of the picture's height. */
function outOfBodyBlur(width: number, height: number): { luma: number; chroma: number } {
  const luma = Math.max(2, Math.min(Math.floor(Math.min(width, height) / 10), Math.floor(Math.min(width, height) / 2) - 1));
  const chroma = Math.max(1, Math.min(Math.floor(luma / 2), Math.floor(Math.min(width, height) / 4) - 1));
  return { luma, chroma };
}

export interface MaskChainInput {
  /** Label of the segment's picture, e.g. "s0". */
  input: string;
  /** Label to write, e.g. "m0". */
  output: string;
  width: number;
  height: number;
  masks: SegmentMasks;
  deidentify: DeidentifyParams;
  /** The card's words as a complete drawtext filter shown while `enable` holds; null: a plain card. */
  cardText: ((enable: string) => string) | null;
  /** Unique prefix for the intermediate labels of this chain. */
  tag: string;
  /**
   * The segment's length and its last frame's time, and a decode of its picture from `from` on
   * (segment seconds, each frame WINDOW_LEAD ahead of the same frame of `input`; cut at the
   * window's end here) whose label it returns: blur masks showing only for part of the segment
   * are then worked there alone (see mask-windows.ts), in at most `max` windows. Absent: every
   * mask on `input`.
   */
  windows?: { duration: number; last: number; max: number; open: (from: number) => string };
}

/**
 * People are smeared harder than text: to about six samples across the box's shorter side, so a
 * face inside is a few flat blocks whatever its size (at least the text's 16 pixels a sample).
 */
const PEOPLE_SAMPLES = 6;

type Timed = { box: MaskBox; from: number; to: number };

function usable(list: readonly Timed[], width: number, height: number): Timed[] {
  return joinRows(
    list
      .map((r) => ({ ...r, box: evenBox(r.box, width, height) }))
      .filter((r): r is Timed => r.box !== null && r.to > r.from),
  );
}

/** The two boxes as one when together they are exactly a rectangle (side by side on one row or column, touching or overlapping). */
function joined(a: MaskBox, b: MaskBox): MaskBox | null {
  const [ax, ay, aw, ah] = a;
  const [bx, by, bw, bh] = b;
  if (ay === by && ah === bh && bx <= ax + aw && ax <= bx + bw) {
    const x = Math.min(ax, bx);
    return [x, ay, Math.max(ax + aw, bx + bw) - x, ah];
  }
  if (ax === bx && aw === bw && by <= ay + ah && ay <= by + bh) {
    const y = Math.min(ay, by);
    return [ax, y, aw, Math.max(ay + ah, by + bh) - y];
  }
  return null;
}

/**
 * Masks shown over the same span whose boxes together make exactly a rectangle (a tower's banner
 * read as several words, say) become one: the same pixels hidden, one branch of filters instead
 * of several, and no seam between them.
 */
export function joinRows(list: readonly Timed[]): Timed[] {
  const out = list.map((r) => ({ ...r }));
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length && !merged; j++) {
        const [a, b] = [out[i]!, out[j]!];
        const box = a.from === b.from && a.to === b.to ? joined(a.box, b.box) : null;
        if (box) {
          out[i] = { ...a, box };
          out.splice(j, 1);
          merged = true;
        }
      }
    }
  }
  return out;
}

const textSamples = (w: number, h: number): [number, number] => [Math.max(1, Math.round(w / SMEAR)), Math.max(1, Math.round(h / SMEAR))];

function peopleSamples(w: number, h: number): [number, number] {
  const block = Math.max(SMEAR, Math.min(w, h) / PEOPLE_SAMPLES);
  return [Math.max(1, Math.round(w / block)), Math.max(1, Math.round(h / block))];
}

/** Filter chains (joined with ';') taking [input] to [output], or null when nothing is masked. */
export function maskChains(c: MaskChainInput): string[] | null {
  const regions = usable(c.masks.regions, c.width, c.height);
  const people = usable(c.masks.people ?? [], c.width, c.height);
  const oob = c.masks.outOfBody.filter((s) => s.to > s.from);
  if (regions.length === 0 && people.length === 0 && oob.length === 0) return null;
  const chains: string[] = [];
  let current = c.input;
  const label = (k: string) => `${c.tag}${k}`;
  const textStyle = c.deidentify.mask;
  const peopleStyle = c.deidentify.people ?? 'blur';

  // Smeared masks showing only for part of the segment come from decodes of their own windows.
  type Smear = Timed & { samples: (w: number, h: number) => [number, number]; text: boolean };
  const smears: Smear[] = [
    ...(textStyle === 'blur' ? regions.map((r) => ({ ...r, samples: textSamples, text: true })) : []),
    ...(peopleStyle === 'blur' ? people.map((r) => ({ ...r, samples: peopleSamples, text: false })) : []),
  ];
  const plan = c.windows ? planMaskWindows(smears, c.windows.duration, c.windows.max) : { onMain: smears.map((_, i) => i), windows: [] };
  /** Each windowed mask's source label, one split output of its window's decode. */
  const sourceOf = new Map<Smear, string>();
  plan.windows.forEach((w, k) => {
    const from = Math.max(0, w.from - WINDOW_MARGIN);
    const to = Math.min(w.to + WINDOW_MARGIN, c.windows!.last + LAST_FRAME_SLACK);
    const outs = w.members.map((_, j) => label(`w${k}_${j}`));
    chains.push(`[${c.windows!.open(from)}]${filter('trim', { start: from.toFixed(6), end: to.toFixed(6) })},split=${outs.length}${outs.map((o) => `[${o}]`).join('')}`);
    w.members.forEach((m, j) => sourceOf.set(smears[m]!, outs[j]!));
  });
  const onMain = new Set(plan.onMain.map((i) => smears[i]!));

  /** Covers `list` over [current] with solid boxes, each shown over its span. */
  const cover = (list: Timed[], tag: string) => {
    if (list.length === 0) return;
    const boxes = list.map((r) =>
      filter('drawbox', { x: r.box[0], y: r.box[1], w: r.box[2], h: r.box[3], color: 'black', t: 'fill', enable: spansExpr([r]) }),
    );
    chains.push(`[${current}]${boxes.join(',')}[${label(tag)}]`);
    current = label(tag);
  };

  /** Smears `list` over [current]: each box cut out (of [current], or of its window), shrunk to its samples, stretched back, laid over its span. */
  const smear = (list: Smear[], tag: string) => {
    const here = list.filter((r) => onMain.has(r));
    const copies = here.map((_, k) => label(`${tag}c${k}`));
    if (here.length > 0) {
      chains.push(`[${current}]split=${here.length + 1}[${label(`${tag}m`)}]${copies.map((x) => `[${x}]`).join('')}`);
      current = label(`${tag}m`);
    }
    list.forEach((r, k) => {
      const [x, y, w, h] = r.box;
      const [sw, sh] = r.samples(w, h);
      const from = sourceOf.get(r) ?? copies[here.indexOf(r)]!;
      chains.push(`[${from}]crop=${w}:${h}:${x}:${y},scale=${sw}:${sh}:flags=area,scale=${w}:${h}:flags=bilinear[${label(`${tag}s${k}`)}]`);
      const next = label(`${tag}b${k}`);
      // A window's decode ends before the segment: should it end early, its last smear stays on, never the picture.
      chains.push(`[${current}][${label(`${tag}s${k}`)}]${filter('overlay', { x, y, eof_action: 'repeat', enable: spansExpr([r]) })}[${next}]`);
      current = next;
    });
  };

  if (textStyle === 'box') cover(regions, 't');
  else smear(smears.filter((r) => r.text), 't');
  if (peopleStyle === 'box') cover(people, 'p');
  else smear(smears.filter((r) => !r.text), 'p');

  if (oob.length > 0) {
    const enable = spansExpr(oob);
    let f: string;
    if (c.deidentify.outOfBody === 'card') {
      f = filter('drawbox', { x: 0, y: 0, w: c.width, h: c.height, color: '0x1e2328', t: 'fill', enable });
      if (c.cardText) f += `,${c.cardText(enable)}`;
    } else {
      const r = outOfBodyBlur(c.width, c.height);
      f = filter('boxblur', { luma_radius: r.luma, luma_power: 3, chroma_radius: r.chroma, chroma_power: 3, enable });
    }
    chains.push(`[${current}]${f}[${label('o')}]`);
    current = label('o');
  }
  chains.push(`[${current}]null[${c.output}]`);
  return chains;
}
