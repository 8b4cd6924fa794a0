import { chmodSync, cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { ROOT } from './cli.js';

/** Not part of a fresh clone after `npm install`, or shared with this checkout instead of copied. */
const LEFT_OUT = new Set(['.git', 'node_modules', 'test-results', 'dist', '.opscope-electron', 'coverage', '.vite']);

/**
 * This working tree (sources, tests and the built `out/`) copied into `<a folder of mode 0700>/opscope`,
 * as a clone in root's home folder is on Debian, with `node_modules` linked to this checkout's.
 */
export function privateCheckout(): { outer: string; root: string } {
  const outer = mkdtempSync(join(tmpdir(), 'opscope-private-'));
  chmodSync(outer, 0o700);
  const root = join(outer, 'opscope');
  cpSync(ROOT, root, {
    recursive: true,
    filter: (src) => {
      const rel = relative(ROOT, src);
      return rel === '' || !LEFT_OUT.has(rel.split(sep)[0]!);
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { outer, root };
}
