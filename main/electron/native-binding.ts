import { app } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * better-sqlite3 is a native module: npm builds it for Node, while Electron needs a build for its
 * own ABI. Packaged apps get one from electron-builder; in development `npm start` prepares it in
 * .opscope-electron/ and it is loaded from there.
 */
export function electronSqliteBinding(): string | undefined {
  if (app.isPackaged) return undefined;
  const candidate = join(app.getAppPath(), '.opscope-electron', `better_sqlite3-${process.versions.modules}.node`);
  return existsSync(candidate) ? candidate : undefined;
}
