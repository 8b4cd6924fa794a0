/** A small seeded generator (mulberry32): the same seed gives the same scene everywhere. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
