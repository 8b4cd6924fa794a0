import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export type OrphanOutcome = 'not-running' | 'not-ours' | 'stopped' | 'killed';

/** What the system says about a process: whether it runs, and its command line when it can be read. */
export interface ProcessInfo {
  running: boolean;
  /** The arguments (Linux) or the command as one line (other systems); null when unreadable. */
  command: string[] | string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalable(pid: number): 'yes' | 'no' | 'denied' {
  try {
    process.kill(pid, 0);
    return 'yes';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'denied' : 'no';
  }
}

function run(file: string, args: string[], timeoutMs: number): Promise<string | null> {
  return new Promise((done) => {
    execFile(file, args, { timeout: timeoutMs, windowsHide: true, encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout) => {
      done(err ? null : stdout);
    });
  });
}

/** Linux: a zombie (ended, not yet reaped by its parent) counts as not running. */
async function linuxInfo(pid: number): Promise<ProcessInfo> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return { running: false, command: null };
  // The state follows the command name, which is in parentheses and may itself hold any character.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return { running: false, command: null };
  const raw = await readFile(`/proc/${pid}/cmdline`).catch(() => null);
  const args = raw ? raw.toString('utf8').split('\0') : [];
  if (args.at(-1) === '') args.pop();
  return { running: true, command: args.length ? args : null };
}

/** macOS and other Unix systems: ps, without a width limit so long paths are not cut. */
async function psInfo(pid: number): Promise<ProcessInfo> {
  const out = await run('ps', ['-ww', '-o', 'stat=,command=', '-p', String(pid)], 5_000);
  const line = out?.split('\n').find((l) => l.trim());
  if (!line) return { running: signalable(pid) !== 'no', command: null };
  const m = /^\s*(\S+)\s+(.*)$/.exec(line);
  if (!m) return { running: true, command: null };
  if (m[1]!.startsWith('Z')) return { running: false, command: null };
  return { running: true, command: m[2]! };
}

/**
 * Windows: the command line comes from CIM through PowerShell. Where that is not possible (no
 * PowerShell, a policy against it, a process of another user) it stays null, and a process whose
 * command line cannot be read is never taken for the recorder.
 */
async function windowsInfo(pid: number): Promise<ProcessInfo> {
  const out = await run(
    'powershell.exe',
    ['-NoProfile', '-NonInteractive', '-Command', `(Get-CimInstance Win32_Process -Filter 'ProcessId=${pid}').CommandLine`],
    15_000,
  );
  const command = out?.trim() || null;
  return { running: true, command };
}

/** Whether a process runs and what its command line is. */
export async function processInfo(pid: number, platform: NodeJS.Platform = process.platform): Promise<ProcessInfo> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return { running: false, command: null };
  const reach = signalable(pid);
  if (reach === 'no') return { running: false, command: null };
  if (platform === 'linux') return linuxInfo(pid);
  if (platform === 'win32') return windowsInfo(pid);
  return psInfo(pid);
}

const BOUNDARY = new Set([undefined, '/', '\\', '\0', ' ', '"', "'"]);

/**
 * Whether a command line names the folder or a file in it (the recorder's output pattern and
 * segment list do). The folder must end where a path component ends: /rec/ab does not match
 * /rec/abc/seg-%05d.mp4.
 */
export function mentionsFolder(command: string[] | string, folder: string): boolean {
  const text = Array.isArray(command) ? command.join('\0') : command;
  const names = new Set([resolve(folder)]);
  try {
    names.add(realpathSync(folder));
  } catch {
    // The folder may be gone; its name is still what the process was given.
  }
  for (const name of names) {
    const trimmed = name.length > 1 ? name.replace(/[\\/]+$/, '') : name;
    for (let at = text.indexOf(trimmed); at >= 0; at = text.indexOf(trimmed, at + 1)) {
      if (BOUNDARY.has(text[at + trimmed.length])) return true;
    }
  }
  return false;
}

async function gone(pid: number, platform: NodeJS.Platform, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    if (signalable(pid) === 'no') return true;
    if (platform === 'linux' && !(await linuxInfo(pid)).running) return true;
    if (Date.now() >= until) return false;
    await sleep(50);
  }
}

/**
 * Stops an ffmpeg left recording by an app that crashed (it reads a device or a file, not the
 * app's pipe, so it outlives the app). Only a process whose command line names the recording's
 * folder is touched: a pid saved before the crash may belong to another program by now. SIGTERM
 * first, which ffmpeg answers by closing the segment it writes; SIGKILL when it has not ended
 * within `graceMs`. On Windows a signal ends the process at once (there is no SIGTERM there), so
 * the segment being written is cut and its complete fragments are what can be salvaged.
 */
export async function stopOrphanRecorder(
  pid: number,
  folder: string,
  opts: { graceMs?: number; platform?: NodeJS.Platform } = {},
): Promise<OrphanOutcome> {
  const platform = opts.platform ?? process.platform;
  const graceMs = opts.graceMs ?? 5_000;
  if (pid === process.pid) return 'not-ours';
  const first = await processInfo(pid, platform);
  if (!first.running) return 'not-running';
  if (!first.command || !mentionsFolder(first.command, folder)) return 'not-ours';
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    // EPERM: a process of another user, which this app did not start.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'not-ours' : 'stopped';
  }
  if (await gone(pid, platform, graceMs)) return 'stopped';
  // Once more before the hard kill: the pid may have been reused since the check.
  const again = await processInfo(pid, platform);
  if (!again.running || !again.command || !mentionsFolder(again.command, folder)) return 'stopped';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  await gone(pid, platform, 5_000);
  return 'killed';
}
