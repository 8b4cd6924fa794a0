import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteCommandLine, quoteWindowsArg } from '../../../../main/node/shell-quote.js';

const awkward = [
  'plain',
  '',
  'two words',
  "it's",
  'a "quoted" word',
  '$HOME and `date` and $(id)',
  'semi;colon|pipe&amp>out<in',
  'back\\slash\\',
  'glob*?[x]',
  'tab\there',
  'line\nbreak',
  '-vf',
  "drawtext=text='12\\:00':x=10",
  'ünïcödé 手術',
  '!history ~tilde #hash',
];

describe('command lines quoted for a shell', () => {
  it.skipIf(process.platform === 'win32')('give a POSIX shell back exactly the same arguments', () => {
    const line = quoteCommandLine(['printf', '%s\\0', ...awkward], 'linux');
    expect(line).not.toMatch(/\n/);
    // bash reads ANSI-C quoting ($'...'), used only for control characters.
    const out = execFileSync('bash', ['-c', line], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(awkward);
    // Without control characters the line is plain sh.
    const noControl = awkward.filter((a) => !/[\t\n]/.test(a));
    const sh = execFileSync('sh', ['-c', quoteCommandLine(['printf', '%s\\0', ...noControl], 'linux')], { encoding: 'utf8' });
    expect(sh.split('\0').slice(0, -1)).toEqual(noControl);
  });

  it('leave plain arguments bare, so a line stays readable', () => {
    expect(quoteCommandLine(['/usr/bin/ffmpeg', '-hide_banner', '-i', 'file:/data/a.mp4', '-frames:v', '1', '-f', 'null', '-'], 'linux')).toBe(
      '/usr/bin/ffmpeg -hide_banner -i file:/data/a.mp4 -frames:v 1 -f null -',
    );
    expect(quoteCommandLine(['/x/ffprobe', '/data/my case.mp4'], 'linux')).toBe("/x/ffprobe '/data/my case.mp4'");
  });

  it('quote for cmd.exe and the C runtime on Windows', () => {
    expect(quoteCommandLine(['C:\\Program Files\\ffmpeg\\ffmpeg.exe', '-i', 'file:C:\\Cases\\a b.mp4'], 'win32')).toBe(
      '"C:\\Program Files\\ffmpeg\\ffmpeg.exe" -i ^"file:C:\\Cases\\a b.mp4^"',
    );
    // Backslashes before a quote are doubled, the quote escaped; cmd's metacharacters get a caret.
    expect(quoteWindowsArg('say "hi"')).toBe('^"say \\^"hi\\^"^"');
    expect(quoteWindowsArg('dir\\')).toBe('dir\\');
    expect(quoteWindowsArg('a dir\\')).toBe('^"a dir\\\\^"');
    expect(quoteWindowsArg('50% & more')).toBe('^"50^% ^& more^"');
    expect(quoteWindowsArg('')).toBe('^"^"');
  });
});
