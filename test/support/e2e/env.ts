import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Screenshots of every step land here (never in the repository). */
export const SHOTS = process.env.OPSCOPE_E2E_SHOTS || join(tmpdir(), 'opscope-e2e-shots');

export interface E2eMedia {
  /** The folder holding the recordings below. */
  dir: string;
  /** Two parts of one procedure, in order; each draws its frame index as a code. */
  part1: string;
  part2: string;
  /** An unfinished recording that import must reject with its own message. */
  broken: string;
  fps: number;
  partDuration: number;
}

export function e2eMedia(): E2eMedia {
  const file = process.env.OPSCOPE_E2E_MEDIA;
  if (!file) throw new Error('OPSCOPE_E2E_MEDIA is not set: run the tests through playwright.config.ts (npm run test:e2e).');
  return JSON.parse(readFileSync(file, 'utf8')) as E2eMedia;
}
