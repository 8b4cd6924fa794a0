import { spawn } from 'node:child_process';

/**
 * Whether someone at this machine can see a browser window. macOS and Windows always have a
 * desktop; elsewhere a session is an X or Wayland display (an SSH login or a container has none).
 */
export function hasDesktop(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export interface OpenerCommand {
  command: string;
  args: string[];
  /** cmd.exe parses its own command line: the quoting below must reach it unchanged. */
  windowsVerbatimArguments?: boolean;
}

/** The command that shows `url` in the system browser; OPSCOPE_BROWSER names another one. */
export function browserOpener(url: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): OpenerCommand {
  if (env.OPSCOPE_BROWSER) return { command: env.OPSCOPE_BROWSER, args: [url] };
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // `start`'s first quoted argument is a window title, hence the empty one.
  if (platform === 'win32') return { command: 'cmd.exe', args: ['/d', '/s', '/c', `start "" "${url}"`], windowsVerbatimArguments: true };
  return { command: 'xdg-open', args: [url] };
}

export type OpenOutcome = { opened: true; command: string } | { opened: false; command: string; reason: string };

/**
 * Asks the system to show `url` in a browser. Resolves when the opener has exited or is still
 * running after `settleMs` (some openers stay in the foreground with the browser they started);
 * never rejects: failing to open a browser is something to say, not a reason to stop.
 */
export function openBrowser(url: string, opts: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; settleMs?: number } = {}): Promise<OpenOutcome> {
  const platform = opts.platform ?? process.platform;
  const { command, args, windowsVerbatimArguments } = browserOpener(url, platform, opts.env ?? process.env);
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: OpenOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ opened: true, command }), opts.settleMs ?? 5000);
    timer.unref();
    try {
      const child = spawn(command, args, {
        stdio: 'ignore',
        // Its own process group: Ctrl+C on Opscope must not close the browser it opened.
        detached: platform !== 'win32',
        windowsHide: true,
        windowsVerbatimArguments,
      });
      child.unref();
      child.once('error', (err: NodeJS.ErrnoException) =>
        finish({ opened: false, command, reason: err.code === 'ENOENT' ? `${command} was not found` : `${command}: ${err.message}` }),
      );
      child.once('exit', (code, signal) =>
        finish(code === 0 ? { opened: true, command } : { opened: false, command, reason: `${command} ${signal ? `was stopped by ${signal}` : `exited with ${code}`}` }),
      );
    } catch (err) {
      finish({ opened: false, command, reason: `${command}: ${(err as Error).message}` });
    }
  });
}
