import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export type ToolName = 'ffmpeg' | 'ffprobe';

export interface LocatedTool {
  name: ToolName;
  path: string;
  /** Where the binary came from, in resolution order. */
  source: 'env' | 'ffmpeg-static' | 'ffmpeg-installer' | 'ffprobe-installer' | 'path';
}

export class ToolNotFoundError extends Error {
  constructor(
    readonly tool: ToolName,
    readonly tried: string[],
  ) {
    super(
      `${tool} was not found. Tried: ${tried.join('; ')}. ` +
        `Set OPSCOPE_${tool.toUpperCase()} to a ${tool} binary, or reinstall with npm install.`,
    );
    this.name = 'ToolNotFoundError';
  }
}

const localRequire = createRequire(import.meta.url);
const exe = process.platform === 'win32' ? '.exe' : '';

// Inside a packaged app the binaries are unpacked next to the asar archive.
function unpacked(p: string): string {
  return p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

function runnable(p: string | undefined | null): p is string {
  if (!p) return false;
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function notRunnable(p: string | undefined): string {
  return p && existsSync(p) ? ` (${p} is not executable for this user)` : '';
}

function fromPackage(id: string, pick: (mod: unknown) => unknown): string | undefined {
  try {
    const value = pick(localRequire(id));
    return typeof value === 'string' ? unpacked(value) : undefined;
  } catch {
    return undefined;
  }
}

function fromPath(name: ToolName): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name + exe);
    if (existsSync(candidate) && runnable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Resolves ffmpeg / ffprobe in a fixed order: the OPSCOPE_FFMPEG / OPSCOPE_FFPROBE variables,
 * ffmpeg-static (optional; its binary is downloaded at install and may be absent), the binaries
 * that ship inside @ffmpeg-installer / @ffprobe-installer registry packages, then the PATH.
 */
export function locateTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): LocatedTool {
  const tried: string[] = [];
  const envKey = `OPSCOPE_${name.toUpperCase()}`;
  const fromEnv = env[envKey];
  if (fromEnv) {
    if (runnable(fromEnv)) return { name, path: fromEnv, source: 'env' };
    // An explicit choice that does not work is an error, not something to silently replace.
    throw new ToolNotFoundError(name, [`${envKey}=${fromEnv} (not an executable file)`]);
  }
  tried.push(`${envKey} (unset)`);

  if (name === 'ffmpeg') {
    const p = fromPackage('ffmpeg-static', (m) => m);
    if (runnable(p)) return { name, path: p, source: 'ffmpeg-static' };
    tried.push('ffmpeg-static (not installed or binary missing)');
    const q = fromPackage('@ffmpeg-installer/ffmpeg', (m) => (m as { path?: string }).path);
    if (runnable(q)) return { name, path: q, source: 'ffmpeg-installer' };
    tried.push(`@ffmpeg-installer/ffmpeg${notRunnable(q)}`);
  } else {
    const q = fromPackage('@ffprobe-installer/ffprobe', (m) => (m as { path?: string }).path);
    if (runnable(q)) return { name, path: q, source: 'ffprobe-installer' };
    tried.push(`@ffprobe-installer/ffprobe${notRunnable(q)}`);
  }

  const onPath = fromPath(name);
  if (onPath) return { name, path: onPath, source: 'path' };
  tried.push('PATH');
  throw new ToolNotFoundError(name, tried);
}

const cache = new Map<ToolName, LocatedTool>();

/** Cached for the life of the process; the environment does not change under us. */
export function tool(name: ToolName): LocatedTool {
  let t = cache.get(name);
  if (!t) {
    t = locateTool(name);
    cache.set(name, t);
  }
  return t;
}
