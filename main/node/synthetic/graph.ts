import type { Rational } from './spec.js';

/**
 * A filtergraph under construction. Every stream gets a generated label; `chain` appends one
 * `[in]...filters...[out]` segment and returns the output label.
 */
export class FilterGraph {
  private readonly segments: string[] = [];
  private next = 0;

  label(hint = 's'): string {
    return `${hint}${this.next++}`;
  }

  chain(inputs: readonly string[], filters: string, output?: string): string {
    const out = output ?? this.label();
    this.segments.push(`${inputs.map((l) => `[${l}]`).join('')}${filters}[${out}]`);
    return out;
  }

  /** Splits a stream into `n` labels (a stream can be consumed only once). */
  split(input: string, n: number): string[] {
    if (n === 1) return [input];
    const outs = Array.from({ length: n }, () => this.label());
    this.segments.push(`[${input}]split=${n}${outs.map((l) => `[${l}]`).join('')}`);
    return outs;
  }

  toString(): string {
    return this.segments.join(';');
  }
}

/** Number for an ffmpeg expression: fixed point, no exponent, no trailing zeros. */
export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  const s = Number(x.toFixed(digits)).toString();
  return s === '-0' ? '0' : s;
}

/** `a + b` where b may be negative, without producing `+-`. */
export function plus(a: string, b: number, digits = 4): string {
  if (b === 0) return a;
  return b < 0 ? `${a}-${num(-b, digits)}` : `${a}+${num(b, digits)}`;
}

/** Quotes an option value for the filtergraph parser. Expressions here never contain quotes. */
export function q(expr: string): string {
  if (expr.includes("'")) throw new Error('expression must not contain a quote');
  return `'${expr}'`;
}

export function even(x: number): number {
  return 2 * Math.round(x / 2);
}

export function rateString(r: Rational): string {
  return r.den === 1 ? `${r.num}` : `${r.num}/${r.den}`;
}

/** Timeline expression true for frames whose time lies in [start, end). */
export function windowExpr(start: number, end: number): string {
  // Frame times are computed in floating point; the small bias keeps a frame that sits exactly
  // on a boundary on the side the half-open window says.
  return `gte(t,${num(start - 1e-6, 7)})*lt(t,${num(end - 1e-6, 7)})`;
}

/** True inside any of the windows; '0' when there are none. */
export function anyWindowExpr(windows: ReadonlyArray<{ start: number; end: number }>): string {
  if (windows.length === 0) return '0';
  return `gt(${windows.map((w) => windowExpr(w.start, w.end)).join('+')},0)`;
}

/**
 * Time that stands still during idle windows: everything that moves is driven by it, so in an
 * idle window [s, e) every frame shows exactly the scene of time s, and motion resumes at e.
 */
export function motionTimeExpr(idle: ReadonlyArray<{ start: number; end: number }>, frameDuration: number): string {
  let e = 't';
  for (const w of idle) {
    const hold = Math.max(0, w.end - w.start - frameDuration);
    if (hold <= 0) continue;
    e += `-clip(t-${num(w.start, 7)},0,${num(hold, 7)})`;
  }
  return `(${e})`;
}

/** A smooth wandering path: a weighted sum of sines, with |value| <= amplitude. */
export function wander(
  time: string,
  amplitude: number,
  terms: ReadonlyArray<{ weight: number; freq: number; phase: number }>,
): string {
  const total = terms.reduce((s, t) => s + t.weight, 0) || 1;
  const parts = terms.map((t) => `${num(t.weight / total, 4)}*sin(${num(t.freq, 4)}*${time}+${num(t.phase, 3)})`);
  return `${num(amplitude, 2)}*(${parts.join('+')})`;
}
