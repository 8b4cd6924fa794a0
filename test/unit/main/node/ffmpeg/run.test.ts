import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the ffmpeg runner', () => {
  it('is the only code of the app that starts ffmpeg or ffprobe (so every run is in the command log)', () => {
    const starters = sources(join(ROOT, 'main'))
      .filter((f) => /from 'node:child_process'|require\('(node:)?child_process'\)/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f).split('\\').join('/'))
      .sort();
    // The others start no tool: the system browser, ps/PowerShell to read a process, the worker.
    expect(starters).toEqual(['main/host/workers/node-worker.ts', 'main/node/browser.ts', 'main/node/ffmpeg/run.ts', 'main/node/record/orphans.ts']);
  });
});
