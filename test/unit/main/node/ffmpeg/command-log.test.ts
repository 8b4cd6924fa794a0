import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  appendInvocation,
  formatInvocation,
  lastFailedInvocation,
  parseCommandLog,
  redactArgs,
  setProcessCommandLog,
  withToolContext,
  type ToolInvocation,
} from '../../../../../main/node/ffmpeg/command-log.js';
import { runFfmpeg, runFfprobe } from '../../../../../main/node/ffmpeg/run.js';

const temp = () => mkdtempSync(join(tmpdir(), 'opscope-cmdlog-'));

const failure: ToolInvocation = {
  startedAt: new Date('2025-03-01T10:00:00.000Z'),
  job: 'inspect#3',
  purpose: 'reading "my" case.mp4',
  outcome: 'failed',
  status: 'exit=1',
  durationMs: 214,
  argv: ['/opt/ffprobe', '-hide_banner', '-i', 'file:/data/my case.mp4'],
  stderrTail: ['', 'file:/data/my case.mp4: Invalid data found when processing input'],
};

describe('the ffmpeg command log', () => {
  it('writes a run as one line (time, outcome, status, duration, job, purpose, command) and a failure with its stderr', () => {
    const text = formatInvocation(failure, 'linux');
    expect(text).toBe(
      `2025-03-01T10:00:00.000Z failed exit=1 0.214s inspect#3 "reading \\"my\\" case.mp4" $ /opt/ffprobe -hide_banner -i 'file:/data/my case.mp4'\n` +
        '  ! file:/data/my case.mp4: Invalid data found when processing input\n',
    );
    expect(parseCommandLog(text)).toEqual([
      {
        at: '2025-03-01T10:00:00.000Z',
        outcome: 'failed',
        status: 'exit=1',
        durationS: 0.214,
        job: 'inspect#3',
        purpose: 'reading "my" case.mp4',
        command: "/opt/ffprobe -hide_banner -i 'file:/data/my case.mp4'",
        stderr: ['file:/data/my case.mp4: Invalid data found when processing input'],
      },
    ]);
    // A run that went well carries no stderr.
    expect(formatInvocation({ ...failure, outcome: 'ok', status: 'exit=0', job: null, purpose: null }, 'linux')).toBe(
      `2025-03-01T10:00:00.000Z ok exit=0 0.214s - "" $ /opt/ffprobe -hide_banner -i 'file:/data/my case.mp4'\n`,
    );
  });

  it('never writes a credential: URL passwords, secret query values and secret options become ***', () => {
    expect(
      redactArgs(['ffmpeg', '-headers', 'Authorization: Bearer abc', '-i', 'rtsp://admin:hunter2@10.0.0.5/stream?token=xyz&fps=30', '-passphrase', 'p4ss', 'out.mp4']),
    ).toEqual(['ffmpeg', '-headers', '***', '-i', 'rtsp://***@10.0.0.5/stream?token=***&fps=30', '-passphrase', '***', 'out.mp4']);
    const text = formatInvocation(
      { ...failure, argv: ['ffmpeg', '-i', 'https://u:secret@pacs/x?sig=s3cr3t'], stderrTail: ['https://u:secret@pacs/x?sig=s3cr3t: 401 Unauthorized'] },
      'linux',
    );
    expect(text).not.toMatch(/secret|s3cr3t/);
  });

  it('stays bounded: past the size limit the log moves to .1 and a new one starts', () => {
    const file = join(temp(), 'logs', 'ffmpeg.log');
    const line = Buffer.byteLength(formatInvocation(failure));
    for (let i = 0; i < 100; i++) appendInvocation(file, { ...failure, job: `inspect#${i}` }, { maxBytes: line * 10 });
    expect(statSync(file).size).toBeLessThanOrEqual(line * 10);
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(line * 10);
    const newest = parseCommandLog(readFileSync(file, 'utf8'));
    expect(newest.at(-1)?.job).toBe('inspect#99');
    expect(parseCommandLog(readFileSync(`${file}.1`, 'utf8')).at(-1)?.job).toBe(`inspect#${99 - newest.length}`);
  });

  it('finds the newest failure, in the rotated part when the current one has none', () => {
    const file = join(temp(), 'ffmpeg.log');
    expect(lastFailedInvocation(file)).toBeNull();
    writeFileSync(`${file}.1`, formatInvocation({ ...failure, job: 'frame#1' }) + formatInvocation({ ...failure, job: 'frame#2' }));
    writeFileSync(file, formatInvocation({ ...failure, outcome: 'ok', job: 'frame#3' }) + formatInvocation({ ...failure, outcome: 'canceled', job: 'frame#4' }));
    expect(lastFailedInvocation(file)?.job).toBe('frame#2');
    writeFileSync(file, formatInvocation({ ...failure, job: 'frame#5' }), { flag: 'a' });
    expect(lastFailedInvocation(file)?.job).toBe('frame#5');
  });

  it('goes on, saying so once, when the log cannot be written', () => {
    // A folder where the file should be: unwritable for root too.
    const dir = join(temp(), 'logs');
    mkdirSync(join(dir, 'ffmpeg.log'), { recursive: true });
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => appendInvocation(join(dir, 'ffmpeg.log'), failure)).not.toThrow();
      expect(() => appendInvocation(join(dir, 'ffmpeg.log'), failure)).not.toThrow();
      expect(warn.mock.calls.filter(([m]) => String(m).includes('cannot be written'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('is written by the runner for every run, with the job it served; a failure keeps its stderr', async () => {
    const file = join(temp(), 'ffmpeg.log');
    const missing = join(temp(), 'no such file.mp4');
    await withToolContext({ job: 'inspect#5', log: file }, async () => {
      await runFfprobe(['-version'], { timeoutMs: 30_000, purpose: 'reading its version' });
      await expect(runFfprobe(['-v', 'error', '-i', missing], { timeoutMs: 30_000, purpose: 'reading a file' })).rejects.toThrow();
      const stop = new AbortController();
      stop.abort();
      // Not started at all: nothing to log.
      await expect(runFfmpeg(['-version'], { timeoutMs: 30_000, signal: stop.signal })).rejects.toMatchObject({ code: 'canceled' });
    });
    const runs = parseCommandLog(readFileSync(file, 'utf8'));
    expect(runs.map((r) => [r.outcome, r.status, r.job, r.purpose])).toEqual([
      ['ok', 'exit=0', 'inspect#5', 'reading its version'],
      ['failed', 'exit=1', 'inspect#5', 'reading a file'],
    ]);
    expect(runs[1]!.command).toContain(`'${missing}'`);
    expect(runs[1]!.stderr.join('\n')).toMatch(/No such file/);
  });

  it('marks a run stopped by its job as canceled, and writes nothing where the context says no log', async () => {
    const file = join(temp(), 'ffmpeg.log');
    const stop = new AbortController();
    await withToolContext({ log: file }, async () => {
      const run = runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', '-f', 'null', '-'], { timeoutMs: 30_000, signal: stop.signal });
      setTimeout(() => stop.abort(), 300);
      await expect(run).rejects.toMatchObject({ code: 'canceled' });
    });
    expect(parseCommandLog(readFileSync(file, 'utf8')).map((r) => [r.outcome, r.status, r.job])).toEqual([['canceled', 'signal=SIGKILL', null]]);
    const processLog = join(temp(), 'process.log');
    setProcessCommandLog(processLog);
    try {
      await withToolContext({ log: null }, () => runFfprobe(['-version'], { timeoutMs: 30_000 }));
      expect(() => statSync(processLog)).toThrow();
      // Outside any job the process's own log is used.
      await runFfprobe(['-version'], { timeoutMs: 30_000 });
      expect(parseCommandLog(readFileSync(processLog, 'utf8'))).toHaveLength(1);
    } finally {
      setProcessCommandLog(null);
    }
  });
});
