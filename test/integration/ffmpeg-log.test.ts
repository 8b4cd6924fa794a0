import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { parseCommandLog, type LoggedInvocation } from '../../main/node/ffmpeg/command-log.js';
import type { DoctorReport } from '../../main/core/contract/schemas.js';

/** A file that claims to be a recording and is not one. */
function brokenRecording(dir: string): string {
  const file = join(dir, 'Case 7 (broken) part 1.mp4');
  const bytes = Buffer.alloc(64 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
  writeFileSync(file, bytes);
  return file;
}

const failures = (logFile: string): LoggedInvocation[] => parseCommandLog(readFileSync(logFile, 'utf8')).filter((r) => r.outcome === 'failed');

describe.skipIf(process.platform === 'win32')('the ffmpeg command log', () => {
  let home: string;
  let broken: string;

  beforeAll(() => {
    home = tempHome();
    const dir = join(home, 'recordings');
    mkdirSync(dir);
    broken = brokenRecording(dir);
  });

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('keeps the command line of a failed import, and running it from the log in a shell fails the same way', async () => {
    const data = join(home, 'cli');
    const r = await runCli(['import', broken, '--json', '--no-index'], { home: data });
    expect(json<{ errors: unknown[] }>(r).errors).toHaveLength(1);

    const logFile = join(data, 'logs', 'ffmpeg.log');
    const [failed] = failures(logFile);
    expect(failed).toBeDefined();
    expect(failed!.job).toMatch(/^inspect#\d+$/);
    expect(failed!.purpose).toContain('Case 7 (broken) part 1.mp4');
    expect(failed!.command).toContain(broken.replace(/'/g, `'\\''`));
    expect(failed!.stderr.join('\n')).toMatch(/Invalid data/);

    const rerun = spawnSync('sh', ['-c', failed!.command], { encoding: 'utf8' });
    expect(`exit=${rerun.status}`).toBe(failed!.status);
    // The same words; only the addresses ffmpeg prints of its own objects differ between runs.
    const words = (text: string) => text.replace(/ @ 0x[0-9a-f]+/g, ' @ 0x');
    for (const line of failed!.stderr) expect(words(rerun.stderr)).toContain(words(line));
  });

  it('is named by opscope doctor, with the last failed command', async () => {
    const data = join(home, 'cli');
    const report = json<DoctorReport>(await runCli(['doctor', '--json'], { home: data }));
    expect(report.ffmpegLog.path).toBe(join(data, 'logs', 'ffmpeg.log'));
    expect(report.ffmpegLog.lastFailure?.command).toBe(failures(report.ffmpegLog.path).at(-1)?.command);
    expect(report.ffmpegLog.lastFailure?.status).toBe('exit=1');

    const text = await runCli(['doctor'], { home: data });
    expect(text.stdout).toContain(`ffmpeg log   ${report.ffmpegLog.path}`);
    expect(text.stdout).toContain(report.ffmpegLog.lastFailure!.command);
  });

  it("is written by a worker process into its host's data folder", async () => {
    const host = testHost(join(home, 'forked'));
    try {
      const [result] = (await host.call('cases.import', { paths: [broken], index: false })) as { errors: unknown[] }[];
      expect(result?.errors).toHaveLength(1);
    } finally {
      await host.close();
    }
    const [failed] = failures(join(home, 'forked', 'data', 'logs', 'ffmpeg.log'));
    expect(failed?.job).toMatch(/^inspect#\d+$/);
    expect(failed?.stderr.join('\n')).toMatch(/Invalid data/);
  });
});
