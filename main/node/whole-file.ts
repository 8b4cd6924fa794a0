import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/**
 * Makes `target` whole or not at all: `produce` writes a temporary file beside it, which is then
 * renamed into place, so a reader (or a concurrent request for the same file) never sees half of
 * it; on failure the temporary file is removed and the error passes on. The temporary file is
 * hidden (nothing listing the folder takes it for a recording) and ends with the target's
 * extension, so a tool that picks its output format by name (ffmpeg) picks the same.
 */
export async function writeWhole(target: string, produce: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}.partial${extname(target)}`);
  try {
    await produce(tmp);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
