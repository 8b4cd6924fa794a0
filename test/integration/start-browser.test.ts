import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { noElectronEnv, runStart, type Started } from '../support/start.js';
import { sleep, waitFor } from '../support/wait.js';

/** The page a browser gets for the printed address: the token is traded for a cookie first. */
async function openApp(url: string): Promise<{ status: number; body: string }> {
  const first = await fetch(url, { redirect: 'manual' });
  expect(first.status).toBe(303);
  const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const page = await fetch(new URL(first.headers.get('location')!, url), { headers: { cookie } });
  return { status: page.status, body: await page.text() };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// The fake opener is a shell script.
describe.skipIf(process.platform === 'win32')('npm start without the Electron binary', () => {
  let started: Started | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    await started?.stop('SIGKILL');
    started = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('serves the app, opens it in the browser of the desktop session, and stops cleanly on Ctrl+C', async () => {
    const { env, home, opened } = noElectronEnv({ desktop: true });
    dirs.push(dirname(home));
    started = await runStart(env);
    const url = started.url;
    expect(started.output()).toContain('the desktop app cannot open');

    const page = await openApp(url);
    expect(page.status).toBe(200);
    // The built UI, whose empty library offers the demo case (test/e2e/start.spec.ts shows it).
    expect(page.body).toBe(readFileSync(join(ROOT, 'out', 'renderer', 'index.html'), 'utf8'));
    expect(await waitFor('the browser opener', () => existsSync(opened) && readFileSync(opened, 'utf8'))).toBe(`${url}\n`);
    expect(existsSync(join(home, 'opscope.db-wal'))).toBe(true);

    const code = await started.stop('SIGINT');
    expect(code, started.output()).toBe(0);
    expect(started.output()).toContain('Opscope stopped.');
    // The store was closed (its write-ahead log folded in), and nothing listens any more.
    expect(existsSync(join(home, 'opscope.db-wal'))).toBe(false);
    expect(await listening(Number(new URL(url).port))).toBe(false);
  });

  it.skipIf(process.platform === 'darwin')('without a desktop session prints the address and opens no browser', async () => {
    const { env, home, opened } = noElectronEnv({ desktop: false });
    dirs.push(dirname(home));
    started = await runStart(env);
    expect((await openApp(started.url)).status).toBe(200);
    await waitFor('the no-desktop notice', () => started!.output().includes('no browser was opened'));
    // The opener would have been started before the notice; give a stray one time to show.
    await sleep(300);
    expect(existsSync(opened)).toBe(false);
    expect(await started.stop('SIGINT')).toBe(0);
  });

  it('says so and keeps serving when the browser cannot be opened', async () => {
    const { env, home } = noElectronEnv({ desktop: true });
    dirs.push(dirname(home));
    started = await runStart({ ...env, OPSCOPE_BROWSER: join(dirname(home), 'no-such-browser') });
    await waitFor('the failure notice', () => started!.output().includes('Could not open a browser'));
    expect(started.output()).toMatch(/no-such-browser was not found/);
    expect((await openApp(started.url)).status).toBe(200);
    expect(await started.stop('SIGINT')).toBe(0);
  });
});
