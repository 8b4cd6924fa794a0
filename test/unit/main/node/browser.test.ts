import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserOpener, hasDesktop, openBrowser } from '../../../../main/node/browser.js';

const URL = 'http://127.0.0.1:4321/?token=abc_DEF-1';

describe('hasDesktop', () => {
  it('on Linux and the BSDs, is an X or Wayland display', () => {
    expect(hasDesktop('linux', {})).toBe(false);
    expect(hasDesktop('linux', { DISPLAY: '' })).toBe(false);
    expect(hasDesktop('linux', { DISPLAY: ':0' })).toBe(true);
    expect(hasDesktop('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(hasDesktop('freebsd', {})).toBe(false);
  });

  it('is always there on macOS and Windows', () => {
    expect(hasDesktop('darwin', {})).toBe(true);
    expect(hasDesktop('win32', {})).toBe(true);
  });
});

describe('browserOpener', () => {
  it("uses the platform's opener", () => {
    expect(browserOpener(URL, 'linux', {})).toEqual({ command: 'xdg-open', args: [URL] });
    expect(browserOpener(URL, 'darwin', {})).toEqual({ command: 'open', args: [URL] });
    expect(browserOpener(URL, 'win32', {})).toEqual({
      command: 'cmd.exe',
      args: ['/d', '/s', '/c', `start "" "${URL}"`],
      windowsVerbatimArguments: true,
    });
  });

  it('OPSCOPE_BROWSER names another one, given the address as its only argument', () => {
    expect(browserOpener(URL, 'darwin', { OPSCOPE_BROWSER: '/opt/firefox/firefox' })).toEqual({ command: '/opt/firefox/firefox', args: [URL] });
  });
});

describe.skipIf(process.platform === 'win32')('openBrowser', () => {
  it('reports an opener that is missing or fails, and never throws', async () => {
    expect(await openBrowser(URL, { env: { OPSCOPE_BROWSER: '/nonexistent/browser' } })).toEqual({
      opened: false,
      command: '/nonexistent/browser',
      reason: '/nonexistent/browser was not found',
    });
    expect(await openBrowser(URL, { env: { OPSCOPE_BROWSER: 'false' } })).toEqual({ opened: false, command: 'false', reason: 'false exited with 1' });
    expect(await openBrowser(URL, { env: { OPSCOPE_BROWSER: 'true' } })).toEqual({ opened: true, command: 'true' });
  });

  it('counts an opener still running after a moment as opened (it stays with the browser it started)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opscope-browser-'));
    const opener = join(dir, 'browser.sh');
    writeFileSync(opener, '#!/bin/sh\nsleep 1\n');
    chmodSync(opener, 0o755);
    try {
      expect(await openBrowser(URL, { env: { OPSCOPE_BROWSER: opener }, settleMs: 200 })).toEqual({ opened: true, command: opener });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
