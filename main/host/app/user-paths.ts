import { mkdir } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { DataLayout } from '../../node/paths.js';
import type { CallContext } from '../router.js';

/** A path a user typed: relative to the working directory for the CLI, which has one. */
export function userPath(p: string, ctx: CallContext): string {
  if (isAbsolute(p) || ctx.transport !== 'cli') return p;
  return resolve(process.cwd(), p);
}

/** The CLI's working directory, for services that resolve several user paths themselves. */
export function cwdOf(ctx: CallContext): { cwd?: string } {
  return ctx.transport === 'cli' ? { cwd: process.cwd() } : {};
}

/** The data folder's exports folder (the app's default destination) is made on first use; any other must exist. */
export async function ensureExportsFolder(layout: DataLayout, folder: string): Promise<void> {
  if (isAbsolute(folder) && resolve(folder) === resolve(layout.exports)) await mkdir(layout.exports, { recursive: true });
}
