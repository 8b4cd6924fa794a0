/*
 * De-identification as ffmpeg filters: rectangles of burned-in text and of people hidden for
 * their time spans, and frames filmed outside the patient blurred or replaced by a card. Built per segment in the
 * recording's own pixels, before the picture is fitted to the clip's size.
 */

import type { DeidentifyParams, MaskBox, SegmentMasks } from '../../core/clip-job.js';

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

/** Times are written with microsecond precision; `to` is exclusive, as everywhere in clips. */
export function spansExpr(spans: readonly { from: number; to: number }[]): string {
  return spans.map((s) => `between(t,${Math.max(0, s.from).toFixed(6)},${Math.max(0, s.to - 1e-4).toFixed(6)})`).join('+');
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
}

/**
 * People are smeared harder than text: to about six samples across the box's shorter side, so a
 * face inside is a few flat blocks whatever its size (at least the text's 16 pixels a sample).
 */
const PEOPLE_SAMPLES = 6;

type Timed = { box: MaskBox; from: number; to: number };

function usable(list: readonly Timed[], width: number, height: number): Timed[] {
  return list
    .map((r) => ({ ...r, box: evenBox(r.box, width, height) }))
    .filter((r): r is Timed => r.box !== null && r.to > r.from);
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

  /** Hides `list` over [current], by solid boxes or by smearing each to `samples(w, h)` samples. */
  const hide = (list: Timed[], style: 'blur' | 'box', tag: string, samples: (w: number, h: number) => [number, number]) => {
    if (list.length === 0) return;
    if (style === 'box') {
      const boxes = list.map((r) =>
        filter('drawbox', { x: r.box[0], y: r.box[1], w: r.box[2], h: r.box[3], color: 'black', t: 'fill', enable: spansExpr([r]) }),
      );
      chains.push(`[${current}]${boxes.join(',')}[${label(tag)}]`);
      current = label(tag);
      return;
    }
    const copies = list.map((_, k) => `[${label(`${tag}c${k}`)}]`).join('');
    chains.push(`[${current}]split=${list.length + 1}[${label(`${tag}b0`)}]${copies}`);
    list.forEach((r, k) => {
      const [x, y, w, h] = r.box;
      const [sw, sh] = samples(w, h);
      chains.push(`[${label(`${tag}c${k}`)}]crop=${w}:${h}:${x}:${y},scale=${sw}:${sh}:flags=area,scale=${w}:${h}:flags=bilinear[${label(`${tag}s${k}`)}]`);
      const next = label(`${tag}b${k + 1}`);
      chains.push(`[${label(`${tag}b${k}`)}][${label(`${tag}s${k}`)}]${filter('overlay', { x, y, enable: spansExpr([r]) })}[${next}]`);
    });
    current = label(`${tag}b${list.length}`);
  };

  hide(regions, c.deidentify.mask, 't', (w, h) => [Math.max(1, Math.round(w / SMEAR)), Math.max(1, Math.round(h / SMEAR))]);
  hide(people, c.deidentify.people ?? 'blur', 'p', (w, h) => {
    const block = Math.max(SMEAR, Math.min(w, h) / PEOPLE_SAMPLES);
    return [Math.max(1, Math.round(w / block)), Math.max(1, Math.round(h / block))];
  });

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
