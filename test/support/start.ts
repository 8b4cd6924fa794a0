import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { printedAddress } from './printed-address.js';

export interface Started {
  child: ChildProcess;
  /** The address with its token, as printed. */
  url: string;
  output(): string;
  /** Sends `signal` (SIGINT is Ctrl+C) and resolves with the exit code, or null when it had to be killed. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
}

/** `npm start`'s command (package.json's `start` script), run with this Node. */
export function startScript(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = script.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start is no longer "node <script>": ${script}`);
  return args;
}

/**
 * A machine without the Electron binary, whatever is installed here: an empty folder as
 * ELECTRON_OVERRIDE_DIST_PATH, and a browser opener that writes the address it was given to
 * `opened`. No desktop session unless `desktop`.
 */
export function noElectronEnv(opts: { desktop: boolean }): { env: NodeJS.ProcessEnv; home: string; opened: string } {
  const dir = mkdtempSync(join(tmpdir(), 'opscope-start-'));
  const electron = join(dir, 'no-electron');
  mkdirSync(electron);
  const opened = join(dir, 'opened.txt');
  const opener = join(dir, 'browser.sh');
  writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(opener, 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: electron, OPSCOPE_HOME: join(dir, 'home'), OPSCOPE_BROWSER: opener };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  if (opts.desktop) env.DISPLAY = ':0';
  return { env, home: join(dir, 'home'), opened };
}

/** Runs `npm start`'s script with `env` and resolves once it has printed the app's address. */
export async function runStart(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [...startScript(), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const printed = printedAddress(child, 'npm start', 60_000);
  const url = await printed.url;
  return {
    child,
    url,
    output: printed.output,
    async stop(signal = 'SIGINT', ms = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(killer);
      return child.signalCode === 'SIGKILL' ? null : code;
    },
  };
}
