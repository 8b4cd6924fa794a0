import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privateCheckout } from '../support/checkout.js';
import { unprivileged } from '../support/unprivileged.js';

/** The tests that run `opscope` as someone other than root, and so depend on who can reach the checkout. */
const AFFECTED = [
  ['test/integration/feedback-cli.test.ts', 'reports a read-only folder and leaves nothing in it'],
  ['test/integration/import.test.ts', 'reports an unreadable file by name and imports the rest'],
] as const;

interface VitestJson {
  testResults: { name: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the suite, from a clone in a folder only its owner can read', () => {
  let outer: string | undefined;
  afterAll(() => {
    if (outer) rmSync(outer, { recursive: true, force: true });
  });

  it('runs the tests that switch user there, as root', async (ctx) => {
    if (process.platform === 'win32') ctx.skip('Windows folders are not closed by mode bits');
    // Another user cannot enter the folder, but a non-root suite never switches user: nothing to reproduce.
    if (process.getuid?.() !== 0) ctx.skip('run as root to reproduce a clone in a 0700 folder (as /root on Debian)');
    const as = unprivileged();
    if ('skip' in as) return ctx.skip(as.skip);

    const checkout = privateCheckout();
    outer = checkout.outer;
    const report = join(outer, 'vitest.json');
    // A home folder that does not exist: the tests must not need to write there.
    const home = join(outer, 'no-home');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    for (const k of Object.keys(env)) if (k.startsWith('VITEST')) delete env[k];
    delete env.XDG_CONFIG_HOME;
    delete env.XDG_CACHE_HOME;
    const args = [
      join(checkout.root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      ...AFFECTED.map(([file]) => file),
      '-t',
      AFFECTED.map(([, title]) => escape(title)).join('|'),
      '--reporter=json',
      `--outputFile=${report}`,
    ];
    const child = spawn(process.execPath, args, { cwd: checkout.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));

    expect(existsSync(report), output).toBe(true);
    const results = (JSON.parse(readFileSync(report, 'utf8')) as VitestJson).testResults;
    for (const [file, title] of AFFECTED) {
      const t = results.find((r) => r.name === join(checkout.root, file))?.assertionResults.find((a) => a.title === title);
      expect(t, `${file} › ${title} did not run:\n${output}`).toBeDefined();
      expect(`${title}: ${t!.status}`, t!.failureMessages.join('\n')).toBe(`${title}: passed`);
    }
    expect(code, output).toBe(0);
    expect(existsSync(home), 'something wrote to the home folder').toBe(false);
  }, 180_000);
});
