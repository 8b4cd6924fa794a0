import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mentionsFolder, processInfo, stopOrphanRecorder } from '../../../../../main/node/record/orphans.js';

const unix = process.platform === 'linux' || process.platform === 'darwin';

describe.skipIf(!unix)('stopping an ffmpeg a crashed app left recording', () => {
  const root = mkdtempSync(join(tmpdir(), 'opscope-orphans-'));
  const folder = join(root, 'recordings', 'r1');
  mkdirSync(folder, { recursive: true });
  const children: ChildProcess[] = [];
  const start = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    children.push(child);
    return child;
  };
  const started = async (child: ChildProcess) => {
    await new Promise((r) => child.once('spawn', r));
    return child.pid!;
  };
  // A stand-in for the recorder: it names a file in the folder, as ffmpeg's output pattern does,
  // and says when its SIGTERM handler is in place.
  const stub = async (onTerm: string) => {
    const code = `process.on('SIGTERM', () => { ${onTerm} }); setInterval(() => {}, 1000); process.stdout.write('ready')`;
    const child = start(process.execPath, ['-e', code, join(folder, 'seg-%05d.mp4')]);
    await new Promise((r) => child.stdout!.once('data', r));
    return child;
  };

  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('never signals a process whose command line does not name the folder', async () => {
    const sleeper = start('sleep', ['30']);
    const pid = await started(sleeper);
    expect(await stopOrphanRecorder(pid, folder, { graceMs: 200 })).toBe('not-ours');
    expect((await processInfo(pid)).running).toBe(true);
    expect(sleeper.exitCode).toBeNull();
    expect(await stopOrphanRecorder(process.pid, folder)).toBe('not-ours');
  });

  it('says so when the process is gone', async () => {
    const done = start('true', []);
    const pid = await started(done);
    await new Promise((r) => (done.exitCode === null ? done.once('exit', r) : r(null)));
    await new Promise((r) => setTimeout(r, 50));
    expect(await stopOrphanRecorder(pid, folder)).toBe('not-running');
    expect(await stopOrphanRecorder(0, folder)).toBe('not-running');
    expect(await stopOrphanRecorder(-1, folder)).toBe('not-running');
  });

  it('ends the recorder with SIGTERM when it heeds it', async () => {
    const child = await stub('process.exit(0)');
    const pid = child.pid!;
    const info = await processInfo(pid);
    expect(info.running).toBe(true);
    expect(mentionsFolder(info.command!, folder)).toBe(true);
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    expect(await stopOrphanRecorder(pid, folder, { graceMs: 5_000 })).toBe('stopped');
    expect(await exited).toBeNull();
    expect((await processInfo(pid)).running).toBe(false);
  });

  it('kills it when it does not end within the grace time', async () => {
    const child = await stub('/* ignored */');
    const pid = child.pid!;
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    const t0 = Date.now();
    expect(await stopOrphanRecorder(pid, folder, { graceMs: 400 })).toBe('killed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(await exited).toBe('SIGKILL');
  });

  it('matches the folder only where a path component ends', () => {
    expect(mentionsFolder(['ffmpeg', '-i', 'x', `file:${folder}/seg-%05d.mp4`], folder)).toBe(true);
    expect(mentionsFolder(['ffmpeg', `file:${folder}0/seg-%05d.mp4`], folder)).toBe(false);
    expect(mentionsFolder(`/usr/bin/ffmpeg -segment_list file:${folder}/segments.csv file:${folder}/seg-%05d.mp4`, folder)).toBe(true);
    expect(mentionsFolder(`/usr/bin/ffmpeg -i ${folder}-other/a.mp4`, folder)).toBe(false);
    expect(mentionsFolder(['sleep', '30'], folder)).toBe(false);
  });
});
