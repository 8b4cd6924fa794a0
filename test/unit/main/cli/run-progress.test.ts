import { describe, expect, it } from 'vitest';
import { RunProgress } from '../../../../main/cli/run-progress.js';

function printer(tty: boolean) {
  let out = '';
  return { p: new RunProgress((t) => (out += t), tty), out: () => out };
}

describe('RunProgress', () => {
  it('on a terminal shows the video being indexed in place, and clears it before the next line', () => {
    const { p, out } = printer(true);
    p.common({ type: 'video', video: 'a.mp4', stage: 'Indexing', fraction: 0.5 }, 'questions');
    p.line('row 1');
    p.done();
    expect(out()).toBe(`\r\x1b[2K${'█'.repeat(10)}${'░'.repeat(10)} a.mp4: Indexing 50%\r\x1b[2Krow 1\n`);
  });

  it('in a log names the video once, at its start, and says what a resumed run reuses', () => {
    const { p, out } = printer(false);
    p.common({ type: 'video', video: 'a.mp4', stage: 'Indexing', fraction: 0 }, 'records');
    p.common({ type: 'video', video: 'a.mp4', stage: 'Indexing', fraction: 0.7 }, 'records');
    p.common({ type: 'resume', reused: 3, total: 9, progressFile: 'p.jsonl' }, 'records');
    expect(out()).toBe('a.mp4: indexing…\nResuming: 3 of 9 records already answered (p.jsonl; --fresh starts over).\n');
  });
});
