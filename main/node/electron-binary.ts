import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ElectronBinary {
  present: boolean;
  version: string | null;
  path: string | null;
  hint: string | null;
}

export const ELECTRON_HINT =
  'The Electron binary is not installed: it is downloaded from GitHub, outside the npm registry. ' +
  'When online, run `npm run get-electron` (Electron\'s installer needs Node 22.12 or newer), or point ' +
  'ELECTRON_OVERRIDE_DIST_PATH at an installed Electron. Meanwhile `npm start` opens Opscope in a browser.';

/** Finds the Electron binary of the `electron` package without triggering its download. */
export function findElectron(): ElectronBinary {
  const localRequire = createRequire(import.meta.url);
  let pkgDir: string;
  let version: string | null;
  try {
    const pkgJson = localRequire.resolve('electron/package.json');
    pkgDir = dirname(pkgJson);
    version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return { present: false, version: null, path: null, hint: 'The electron package is not installed; run npm install.' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? join(override, rel ?? 'electron') : rel ? join(pkgDir, 'dist', rel) : null;
  if (bin && existsSync(bin)) return { present: true, version, path: bin, hint: null };
  return { present: false, version, path: null, hint: ELECTRON_HINT };
}
