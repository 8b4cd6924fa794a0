import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import type { BrowseResult } from '../../core/contract/schemas.js';
import { OpscopeError } from '../../core/errors.js';

export const VIDEO_EXTENSIONS = new Set([
  '.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.ts', '.mts', '.m2ts', '.mpg', '.mpeg', '.vob', '.wmv', '.mxf',
  '.dv', '.flv', '.3gp', '.h264', '.264', '.hevc', '.y4m',
]);

/**
 * Folder listing for the browser version's file chooser (a browser cannot hand over real
 * paths). Only for the authenticated user of the loopback host; hidden entries are left out.
 */
export async function browse(dir: string | undefined): Promise<BrowseResult> {
  const target = resolve(dir ?? homedir());
  let names: string[];
  try {
    names = await readdir(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OpscopeError(code === 'ENOENT' ? 'not-found' : 'unavailable', `Cannot open folder ${target} (${code ?? 'error'}).`);
  }
  const entries: BrowseResult['entries'] = [];
  await Promise.all(
    names
      .filter((n) => !n.startsWith('.'))
      .map(async (name) => {
        const path = join(target, name);
        try {
          const st = await stat(path);
          if (st.isDirectory()) entries.push({ name, path, kind: 'dir' });
          else if (st.isFile()) {
            // A DICOMDIR stands for the whole medium it lists (a tower's USB stick or disc).
            const dicom = name.toUpperCase() === 'DICOMDIR' || extname(name).toLowerCase() === '.dcm';
            entries.push({ name, path, kind: dicom || VIDEO_EXTENSIONS.has(extname(name).toLowerCase()) ? 'video' : 'file', size: st.size });
          }
        } catch {
          // Unreadable entries are simply not listed.
        }
      }),
  );
  entries.sort((a, b) => (a.kind === 'dir') === (b.kind === 'dir') ? a.name.localeCompare(b.name, undefined, { numeric: true }) : a.kind === 'dir' ? -1 : 1);
  const parent = dirname(target);
  return { dir: target, parent: parent === target ? null : parent, entries };
}
