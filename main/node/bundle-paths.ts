import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The build output folder (`out/`, inside the asar archive when packaged), found from wherever
 * this code runs: a bundle chunk, the bundle entry, or the source tree under test.
 */
export function buildOutDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'main', 'worker.js'))) return dir;
    if (existsSync(join(dir, 'out', 'main', 'worker.js'))) return join(dir, 'out');
    const up = dirname(dir);
    if (up === dir) throw new Error('Opscope is not built: run `npm run build` first.');
    dir = up;
  }
}

export const workerEntryPath = () => join(buildOutDir(), 'main', 'worker.js');
export const rendererDir = () => join(buildOutDir(), 'renderer');
export const preloadPath = () => join(buildOutDir(), 'preload', 'index.cjs');
