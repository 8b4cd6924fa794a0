import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import type { SyntheticEvent } from '../../main/node/synthetic/index.js';
import { startServer } from '../support/e2e/server.js';
import { playerState, shot } from '../support/e2e/flow.js';
import { syntheticVideo } from '../support/media.js';

/*
 * The case list's filter finds cases by events and by words, beside names: a library of two
 * indexed recordings (one with two 12 s bleedings and a camera withdrawal, one with nothing
 * happening), a bookmark label and a question asked of the scout, made with the opscope command
 * on a data folder that `opscope serve` then opens. The moments found are listed under their case
 * and play when clicked.
 */

const run = promisify(execFile);
const EVENTS: SyntheticEvent[] = [
  { kind: 'bleeding', start: 14, end: 26 },
  { kind: 'out-of-body', start: 36, end: 44 },
  { kind: 'bleeding', start: 62, end: 74 },
];

async function opscope(home: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(process.cwd(), 'bin', 'opscope.js'), ...args], {
    env: { ...process.env, OPSCOPE_HOME: home },
    timeout: 300_000,
  });
  return stdout;
}

test.describe('the case list filter by events and words, in a browser against opscope serve', () => {
  test('finds cases by events and words, lists the matching moments, and a click plays one', async ({ page }) => {
    test.setTimeout(600_000);
    const home = mkdtempSync(join(tmpdir(), 'opscope-e2e-search-'));
    try {
      const eventful = await syntheticVideo({ duration: 96, width: 640, height: 360, fps: 25, gop: 1, seed: 41, events: EVENTS });
      const quiet = await syntheticVideo({ duration: 30, width: 640, height: 360, fps: 25, gop: 1, seed: 42, events: [] });
      const a = JSON.parse(await opscope(home, ['import', eventful, '--name', 'Eventful case', '--json'])) as { caseId: string };
      await opscope(home, ['import', quiet, '--name', 'Quiet case', '--json']);
      await opscope(home, ['bookmark', 'add', a.caseId, '--at', '50', '--label', 'Clip applier closing on the cystic artery']);
      await opscope(home, ['ask', a.caseId, 'When does the bleeding start?', '--backend', 'scout', '--json']);

      const server = await startServer({ home });
      try {
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.goto(server.url);
        const items = page.getByTestId('case-item');
        await expect(items).toHaveCount(2);
        const filter = page.getByTestId('library-filter');

        // Events with a condition on length: only the case with long bleedings, its episodes listed.
        await filter.fill('bleeding longer than 5 s');
        await expect(page.getByTestId('library-search-status')).toContainText('Read as bleeding for more than 5 s.');
        await expect(items).toHaveCount(1);
        await expect(items.first()).toContainText('Eventful case');
        const bleeds = items.first().locator('[data-testid=found-moment][data-kind=bleeding]');
        await expect(bleeds).toHaveCount(2);
        await expect(bleeds.first()).toContainText(/Bleeding\s*0:1\d–0:2\d/);
        await shot(page, 'library-filter-events');

        // A click opens the case and plays the episode.
        await bleeds.first().click();
        await expect(page.getByTestId('case-view')).toBeVisible({ timeout: 60_000 });
        await expect.poll(async () => (await playerState(page)).position, { timeout: 20_000 }).toBeGreaterThanOrEqual(11);
        expect((await playerState(page)).position).toBeLessThan(28);

        // Counts: the camera went out once, so "more than twice" finds nothing; "once" finds it.
        await filter.fill('out of the body more than twice');
        await expect(page.getByTestId('library-search-status')).toContainText('out of the body, more than 2 times');
        await expect(items).toHaveCount(0);
        await filter.fill('out of the body at least once');
        await expect(items).toHaveCount(1);
        await expect(items.first().locator('[data-testid=found-moment][data-kind=outOfBody]')).toHaveCount(1);

        // Words: a bookmark label, with its time, the match marked.
        await filter.fill('clip applier');
        await expect(items).toHaveCount(1);
        const mark = items.first().locator('[data-testid=found-moment][data-kind=bookmark]');
        await expect(mark).toContainText('0:50');
        await expect(mark.locator('mark').first()).toHaveText(/clip/i);
        // Words of the question asked, at its evidence.
        await filter.fill('bleeding start');
        await expect(items.first().locator('[data-testid=found-moment][data-kind=question]').first()).toBeVisible();
        await shot(page, 'library-filter-words');

        // Names still filter as before; clearing the filter shows every case.
        await filter.fill('quiet');
        await expect(items).toHaveCount(1);
        await expect(items.first()).toContainText('Quiet case');
        await expect(items.first().getByTestId('found-moments')).toHaveCount(0);
        await filter.fill('');
        await expect(items).toHaveCount(2);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
