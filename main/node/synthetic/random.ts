import { mulberry32 } from '../../core/random.js';

/** A seeded generator: the same seed gives the same scene everywhere. */
export class Random {
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = mulberry32(seed ^ 0x9e3779b9);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  int(lo: number, hi: number): number {
    return Math.floor(this.range(lo, hi + 1));
  }

  /** A seed for one of ffmpeg's noise generators. */
  seed(): number {
    return this.int(1, 2 ** 30);
  }

  phase(): number {
    return this.range(0, 2 * Math.PI);
  }

  /** An independent generator, so adding draws in one layer does not reshuffle the others. */
  fork(salt: number): Random {
    return new Random((Math.floor(this.next() * 2 ** 32) ^ Math.imul(salt, 0x85ebca6b)) >>> 0);
  }
}
