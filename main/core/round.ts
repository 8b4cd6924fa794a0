/** Milliseconds of precision: what times and scores are reported and stored with. */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
