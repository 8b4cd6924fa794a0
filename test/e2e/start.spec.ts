import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { noElectronEnv, runStart } from '../support/start.js';
import { shot } from '../support/e2e/flow.js';
import { expect, test } from '@playwright/test';

test.describe('npm start without the Electron binary', () => {
  test.skip(process.platform === 'win32', 'the fake browser opener is a shell script');

  test('the browser it opens shows the first-run demo offer', async ({ page }) => {
    const { env, home, opened } = noElectronEnv({ desktop: true });
    const started = await runStart(env);
    try {
      await expect.poll(() => existsSync(opened)).toBe(true);
      // The address the system browser was given, token included.
      const url = readFileSync(opened, 'utf8').trim();
      expect(url).toBe(started.url);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(url);
      const first = page.getByTestId('first-run');
      await expect(first.getByTestId('demo-button')).toBeVisible();
      await expect(page.getByTestId('status-transport')).toContainText('Browser');
      await shot(page, 'npm-start-browser');
    } finally {
      expect(await started.stop('SIGINT'), started.output()).toBe(0);
      rmSync(dirname(home), { recursive: true, force: true });
    }
  });
});
