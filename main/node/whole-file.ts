import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes `target` whole or not at all: `produce` writes a temporary file beside it, which is then
 * renamed into place, so a reader (or a concurrent request for the same file) never sees half of
 * it; on failure the temporary file is removed and the error passes on.
 */
export async function writeWhole(target: string, produce: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    await produce(tmp);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
