/*
 * Real footage for tests lives beside the checkout, in ../shared/data (its README says where it is
 * from), or wherever OPSCOPE_TEST_DATA points. Found from the checkout, not the current folder.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './cli.js';

export const SHARED_DATA = process.env.OPSCOPE_TEST_DATA ? resolve(process.env.OPSCOPE_TEST_DATA) : join(ROOT, '..', 'shared', 'data');

/** The path of a file of the shared test footage, or null when it is not on this machine. */
export function sharedData(name: string): string | null {
  const file = join(SHARED_DATA, name);
  return existsSync(file) ? file : null;
}

/** The real robotic-surgery tissue clip (2 s, 1080p): no person, no face, no event. */
export const TISSUE_CLIP = 'robotic-tissue-2s.mp4';
