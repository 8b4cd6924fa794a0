import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { quoteCommandLine } from '../shell-quote.js';

/**
 * The debug log of every ffmpeg and ffprobe run (`logs/ffmpeg.log` in the data folder): one line
 * per run with its time, job, purpose, outcome, duration and the command line quoted for a shell,
 * so a user can rerun exactly what failed; a failure adds the tool's last stderr lines. Whichever
 * process runs the tool writes the line. Writing it never fails or holds up the run.
 */

/** What the runner knows about the run in progress: the job it serves, and where its log goes. */
export interface ToolContext {
  /** e.g. "inspect#12": the worker job's kind and id. */
  job?: string;
  /** The log file; null writes none. */
  log?: string | null;
}

const context = new AsyncLocalStorage<ToolContext>();
let processLog: string | null = null;

/** Where this process's tool runs are logged when no job context names a log. */
export function setProcessCommandLog(file: string | null): void {
  processLog = file;
}

/** Runs `fn` with the tool runs it starts labelled (and logged) as `ctx` says. */
export function withToolContext<T>(ctx: ToolContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...ctx }, fn);
}

export function currentToolContext(): { job: string | null; log: string | null } {
  const store = context.getStore();
  return { job: store?.job ?? null, log: store?.log !== undefined ? store.log : processLog };
}

export type ToolOutcome = 'ok' | 'failed' | 'canceled';

export interface ToolInvocation {
  startedAt: Date;
  job: string | null;
  purpose: string | null;
  outcome: ToolOutcome;
  /** "exit=1", "signal=SIGSEGV", or "not-started". */
  status: string;
  durationMs: number;
  /** The program and its arguments, exactly as started. */
  argv: readonly string[];
  /** The tool's last stderr lines (written for failures only). */
  stderrTail: readonly string[];
}

export interface LoggedInvocation {
  at: string;
  outcome: ToolOutcome;
  status: string;
  durationS: number;
  job: string | null;
  purpose: string | null;
  /** The command line, ready to paste into a shell. */
  command: string;
  stderr: string[];
}

export const COMMAND_LOG_MAX_BYTES = 2 * 1024 * 1024;
/** Stderr lines kept with a failure. */
const STDERR_LINES = 12;

/**
 * Options whose value may be a credential (HTTP headers, crypto keys, SRT/RTMP passwords). No
 * argument the app builds today holds one; these make sure one never reaches the log.
 */
const SECRET_OPTIONS = new Set([
  '-headers', '-password', '-passphrase', '-key', '-cryptokey', '-decryption_key', '-encryption_key',
  '-srtp_in_params', '-srtp_out_params', '-rtmp_conn', '-auth',
]);
const SECRET_QUERY = /([?&;](?:access_token|api_key|apikey|auth|key|passphrase|password|passwd|pwd|secret|sig|signature|token)=)[^&;\s]*/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;

/** Text with credentials in URLs (user:password@, secret query values) replaced by ***. */
export function redactText(text: string): string {
  return text.replace(URL_USERINFO, '$1***@').replace(SECRET_QUERY, '$1***');
}

/** The arguments with every credential replaced by ***; everything else is kept as it was. */
export function redactArgs(argv: readonly string[]): string[] {
  return argv.map((arg, i) => (i > 0 && SECRET_OPTIONS.has(argv[i - 1]!) ? '***' : redactText(arg)));
}

const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');

/** The log text of one run: a line, and for a failure its last stderr lines ("  ! ..."). */
export function formatInvocation(inv: ToolInvocation, platform: NodeJS.Platform = process.platform): string {
  const command = quoteCommandLine(redactArgs(inv.argv), platform);
  const head = [
    inv.startedAt.toISOString(),
    inv.outcome,
    inv.status,
    `${(inv.durationMs / 1000).toFixed(3)}s`,
    inv.job ?? '-',
    JSON.stringify(oneLine(inv.purpose ?? '')),
    // An argument with a line break (never built today) would break the one-line form: said plainly.
    `$ ${/[\r\n]/.test(command) ? oneLine(command) : command}`,
  ].join(' ');
  const tail = inv.outcome === 'failed' ? inv.stderrTail.filter((l) => l.trim()).slice(-STDERR_LINES) : [];
  return [head, ...tail.map((l) => `  ! ${redactText(oneLine(l))}`)].join('\n') + '\n';
}

const LINE = /^(\S+) (ok|failed|canceled) (\S+) (\d+(?:\.\d+)?)s (\S+) ("(?:[^"\\]|\\.)*") \$ (.*)$/;

export function parseCommandLog(text: string): LoggedInvocation[] {
  const out: LoggedInvocation[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('  ! ')) {
      out.at(-1)?.stderr.push(line.slice(4));
      continue;
    }
    const m = LINE.exec(line);
    if (!m) continue;
    let purpose: string | null = null;
    try {
      purpose = (JSON.parse(m[6]!) as string) || null;
    } catch {
      // A line cut by a rotation race: its purpose is lost, not the command.
    }
    out.push({
      at: m[1]!,
      outcome: m[2] as ToolOutcome,
      status: m[3]!,
      durationS: Number(m[4]),
      job: m[5] === '-' ? null : m[5]!,
      purpose,
      command: m[7]!,
      stderr: [],
    });
  }
  return out;
}

const made = new Set<string>();
const warned = new Set<string>();

/**
 * Appends one run to the log, rotating it (file -> file.1) when it would pass `maxBytes`, so the
 * log stays under two files of that size. Written at once (a few hundred bytes next to starting a
 * process), so a command that exits right after a failure still leaves its line. A log that cannot
 * be written is said once on stderr and the run goes on.
 */
export function appendInvocation(file: string, inv: ToolInvocation, opts: { maxBytes?: number; platform?: NodeJS.Platform } = {}): void {
  try {
    const text = formatInvocation(inv, opts.platform);
    if (!made.has(file)) {
      mkdirSync(dirname(file), { recursive: true });
      made.add(file);
    }
    const size = sizeOf(file);
    if (size > 0 && size + Buffer.byteLength(text) > (opts.maxBytes ?? COMMAND_LOG_MAX_BYTES)) renameSync(file, `${file}.1`);
    appendFileSync(file, text, 'utf8');
  } catch (err) {
    if (warned.has(file)) return;
    warned.add(file);
    process.stderr.write(`opscope: the ffmpeg command log ${file} cannot be written (${(err as Error).message}); runs go on unlogged.\n`);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The newest failed run in the log (and its rotated part), or null. */
export function lastFailedInvocation(file: string): LoggedInvocation | null {
  for (const f of [file, `${file}.1`]) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    const failed = parseCommandLog(text).filter((r) => r.outcome === 'failed');
    if (failed.length) return failed.at(-1)!;
  }
  return null;
}
