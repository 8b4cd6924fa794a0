import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { OpscopeError } from '../../core/errors.js';
import { tool, type ToolName } from './locate.js';
import { appendInvocation, currentToolContext, type ToolOutcome } from './command-log.js';

export interface FfmpegProgress {
  /** Seconds of output written so far. */
  outTime: number;
  frame: number;
  speed: number | null;
  done: boolean;
}

export interface RunOptions {
  /** Hard wall-clock limit. Every external call has one. */
  timeoutMs: number;
  /** Kill the process when it prints nothing and writes nothing for this long. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Asks ffmpeg to finish instead of killing it: it reads "q" on stdin (so the arguments must not
   * hold -nostdin), closes its outputs and the run resolves. A second signal can kill some builds
   * outright, so SIGINT comes only when "q" was not heeded within 5 s; one from the terminal is
   * fine: ffmpeg then exits 255, which counts as a clean end. A tool still running at 10 s is killed.
   */
  finish?: AbortSignal;
  /** Collect stdout into a buffer (default) or stream it. */
  onStdout?: (chunk: Buffer) => void;
  /** Upper bound for collected stdout, to bound memory. */
  maxStdoutBytes?: number;
  onStderrLine?: (line: string) => void;
  /** Called for every block of `-progress pipe:2` output. */
  onProgress?: (p: FfmpegProgress) => void;
  /** Short label used in error messages, e.g. "reading the recording". */
  purpose?: string;
  /** Called once the tool has been started, with its process id. */
  onSpawn?: (pid: number) => void;
  /**
   * Fed to the tool's stdin (a live capture the app's window sends). The tool ends when the stream
   * ends; `finish` then ends the stream rather than sending "q".
   */
  stdin?: Readable;
  /**
   * The tool does not keep its process alive (a warm decoder between frames): the caller keeps a
   * timer of its own while it waits. It ends with its stdin when the process exits.
   */
  unref?: boolean;
}

/** ffmpeg or ffprobe ended with an error; `signal` is set when the tool itself crashed. */
export class ToolFailure extends OpscopeError {
  constructor(
    message: string,
    detail: string,
    readonly tool: ToolName,
    readonly signal: NodeJS.Signals | null,
  ) {
    super('tool-failed', message, detail);
  }
}

/** True when the tool crashed (killed by a signal it was not sent by us), rather than refusing the input. */
export function isToolCrash(err: unknown, name: ToolName): boolean {
  return err instanceof ToolFailure && err.tool === name && err.signal !== null;
}

export interface RunResult {
  stdout: Buffer;
  stderrTail: string[];
}

const TAIL_LINES = 40;
const PROGRESS_KEYS = new Set([
  'frame', 'fps', 'stream_0_0_q', 'bitrate', 'total_size', 'out_time_us', 'out_time_ms', 'out_time',
  'dup_frames', 'drop_frames', 'speed', 'progress',
]);

/** Sees every ffmpeg/ffprobe start: the offline tests check that no argument is a network URL. */
export type ToolObserver = (name: ToolName, args: readonly string[]) => void;
const observers = new Set<ToolObserver>();

/** Adds an observer of tool starts; the returned function removes it. */
export function observeToolCalls(observer: ToolObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/**
 * The one way the app runs ffmpeg and ffprobe: an argument array (never a shell), a timeout,
 * cancellation through an AbortSignal, progress parsing and a readable error that carries the
 * tool's last words. Every run is written to the command log (see command-log.ts).
 */
export function runTool(name: ToolName, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const bin = tool(name).path;
  const purpose = opts.purpose ?? `running ${name}`;
  return new Promise<RunResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new OpscopeError('canceled', `Canceled before ${purpose}.`));
      return;
    }
    for (const observe of observers) observe(name, args);
    const started = new Date();
    const { job, log } = currentToolContext();
    // Filled in when the tool ends; written once the run is settled.
    let ended = 'not-started';
    const child = opts.finish || opts.stdin
      ? spawn(bin, args as string[], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true })
      : spawn(bin, args as string[], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    // The tool may be gone when "q" or input is written.
    child.stdin?.on('error', () => undefined);
    if (opts.unref) {
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as { unref?: () => void } | null)?.unref?.();
    }
    if (opts.stdin && child.stdin) opts.stdin.pipe(child.stdin);
    if (opts.onSpawn) {
      const onSpawn = opts.onSpawn;
      child.once('spawn', () => {
        if (child.pid !== undefined) onSpawn(child.pid);
      });
    }
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    const tail: string[] = [];
    let partial = '';
    let progress: Partial<Record<string, string>> = {};
    let settled = false;
    let killedFor: OpscopeError | null = null;

    const finish = (err: Error | null, result?: RunResult) => {
      if (settled) return;
      settled = true;
      if (log) {
        const outcome: ToolOutcome = !err ? 'ok' : err instanceof OpscopeError && err.code === 'canceled' ? 'canceled' : 'failed';
        appendInvocation(log, {
          startedAt: started,
          job,
          purpose: opts.purpose ?? null,
          outcome,
          status: ended,
          durationMs: Date.now() - started.getTime(),
          argv: [bin, ...args],
          // A run the runner ended itself (timeout, too much output) or could not start says why.
          stderrTail: err && !(err instanceof ToolFailure) ? [...tail, err.message] : tail,
        });
      }
      clearTimeout(hard);
      if (idle) clearTimeout(idle);
      opts.signal?.removeEventListener('abort', onAbort);
      opts.finish?.removeEventListener('abort', onFinish);
      if (finishKill) clearTimeout(finishKill);
      if (err) reject(err);
      else resolve(result!);
    };
    const kill = (why: OpscopeError) => {
      if (killedFor) return;
      killedFor = why;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill(new OpscopeError('canceled', `Canceled while ${purpose}.`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let finishKill: NodeJS.Timeout | null = null;
    const askToEnd = () => {
      child.stdin?.write('q');
      finishKill = setTimeout(() => {
        child.kill('SIGINT');
        finishKill = setTimeout(() => kill(new OpscopeError('timeout', `${name} did not finish within 10 s of being asked to while ${purpose}.`)), 5_000);
      }, 5_000);
    };
    const onFinish = () => {
      if (!opts.stdin || !child.stdin) return askToEnd();
      // The input's owner ends it, and what it already sent is still recorded; a stream that does
      // not end is cut off here.
      finishKill = setTimeout(() => {
        opts.stdin?.unpipe(child.stdin!);
        child.stdin?.end();
        finishKill = setTimeout(() => kill(new OpscopeError('timeout', `${name} did not finish within 20 s of being asked to while ${purpose}.`)), 10_000);
      }, 10_000);
    };
    if (opts.finish?.aborted) queueMicrotask(onFinish);
    else opts.finish?.addEventListener('abort', onFinish, { once: true });

    const hard = setTimeout(
      () => kill(new OpscopeError('timeout', `${name} took longer than ${Math.round(opts.timeoutMs / 1000)} s while ${purpose} and was stopped.`)),
      opts.timeoutMs,
    );
    if (opts.unref) hard.unref();
    let idle: NodeJS.Timeout | null = null;
    const touch = () => {
      if (!opts.idleTimeoutMs) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(
        () => kill(new OpscopeError('timeout', `${name} stopped making progress for ${Math.round(opts.idleTimeoutMs! / 1000)} s while ${purpose} and was stopped.`)),
        opts.idleTimeoutMs,
      );
    };
    touch();

    child.stdout.on('data', (chunk: Buffer) => {
      touch();
      if (opts.onStdout) {
        opts.onStdout(chunk);
        return;
      }
      stdoutBytes += chunk.length;
      if (opts.maxStdoutBytes !== undefined && stdoutBytes > opts.maxStdoutBytes) {
        kill(new OpscopeError('tool-failed', `${name} produced more output than expected while ${purpose}.`));
        return;
      }
      chunks.push(chunk);
    });

    const onLine = (line: string) => {
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq) : '';
      if (opts.onProgress && PROGRESS_KEYS.has(key)) {
        progress[key] = line.slice(eq + 1).trim();
        if (key === 'progress') {
          opts.onProgress(parseProgress(progress));
          progress = {};
        }
        return;
      }
      opts.onStderrLine?.(line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      touch();
      partial += text;
      let nl: number;
      while ((nl = partial.search(/\r?\n|\r/)) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + (partial[nl] === '\r' && partial[nl + 1] === '\n' ? 2 : 1));
        if (line) onLine(line);
      }
    });

    child.on('error', (err) => finish(new OpscopeError('tool-failed', `Could not start ${name}: ${err.message}`)));
    child.on('close', (code, signal) => {
      ended = signal ? `signal=${signal}` : `exit=${code}`;
      if (opts.stdin && child.stdin) opts.stdin.unpipe(child.stdin);
      if (partial) onLine(partial);
      if (killedFor) return finish(killedFor);
      if (code === 0 || (opts.finish && code === 255)) return finish(null, { stdout: Buffer.concat(chunks), stderrTail: tail });
      const last = tail.filter((l) => l.trim()).slice(-3).join(' | ');
      finish(
        new ToolFailure(
          `${name} failed while ${purpose}${signal ? ` (signal ${signal})` : ` (exit ${code})`}${last ? `: ${last}` : '.'}`,
          tail.join('\n'),
          name,
          signal,
        ),
      );
    });
  });
}

function parseProgress(p: Partial<Record<string, string>>): FfmpegProgress {
  let outTime = 0;
  const us = Number(p.out_time_us ?? p.out_time_ms);
  if (Number.isFinite(us) && us > 0) outTime = us / 1e6;
  else if (p.out_time) {
    const m = /^(-?\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(p.out_time);
    if (m) outTime = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  }
  const speed = p.speed ? Number.parseFloat(p.speed) : NaN;
  return {
    outTime: Math.max(0, outTime),
    frame: Number(p.frame ?? 0) || 0,
    speed: Number.isFinite(speed) ? speed : null,
    done: p.progress === 'end',
  };
}

export const runFfmpeg = (args: readonly string[], opts: RunOptions) =>
  runTool('ffmpeg', ['-hide_banner', '-nostdin', ...args], opts);

export const runFfprobe = (args: readonly string[], opts: RunOptions) =>
  runTool('ffprobe', ['-hide_banner', ...args], opts);

/** ffmpeg reads file names that start with "-" as options; "file:" makes a path unambiguous. */
export function inputPath(p: string): string {
  return p.startsWith('file:') ? p : `file:${p}`;
}
