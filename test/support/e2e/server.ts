import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from '../cli.js';
import { printedAddress } from '../printed-address.js';

export interface Served {
  url: string;
  origin: string;
  home: string;
  /** Everything the server wrote, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * `opscope serve --port 0` with a fresh data folder, as a user starts it; resolves with the
 * address (token included) that it prints. Given `home`, it starts on that data folder instead
 * (as the app starts again after a crash), which stays for its owner to remove.
 */
export async function startServer(opts: { home?: string } = {}): Promise<Served> {
  const owned = opts.home === undefined;
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'opscope-e2e-home-'));
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, OPSCOPE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = printedAddress(child, 'opscope serve', 30_000);
  const url = await printed.url;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    origin: new URL(url).origin,
    home,
    log: printed.output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      if (owned) rmSync(home, { recursive: true, force: true });
    },
  };
}
