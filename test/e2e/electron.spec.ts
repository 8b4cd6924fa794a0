import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { findElectron } from '../../main/node/electron-binary.js';
import { ROOT } from '../support/cli.js';
import { e2eMedia } from '../support/e2e/env.js';
import { clickTimeline, importRecordings, playerState, settled, shot, timelineState } from '../support/e2e/flow.js';

/**
 * The core flow in the desktop shell. Runs wherever an Electron binary is installed; skips,
 * saying why, where it is not (it is downloaded from GitHub, outside the npm registry).
 */
const electronBinary = findElectron();

const SKIP_MESSAGE = `Electron is not installed, so the desktop flow is skipped. ${electronBinary.hint ?? ''}`.trim();

// Said once, by the runner that lists the tests (workers load this file too).
if (!electronBinary.present && process.env.TEST_WORKER_INDEX === undefined) process.stdout.write(`${SKIP_MESSAGE}\n`);

test.describe('in the Electron shell', () => {
  test.skip(!electronBinary.present, SKIP_MESSAGE);

  let app: ElectronApplication | null = null;
  let home = '';

  test.beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'opscope-e2e-electron-'));
  });

  test.afterEach(async () => {
    await app?.close().catch(() => undefined);
    app = null;
    rmSync(home, { recursive: true, force: true });
  });

  test('import two parts, index, step frames across the boundary, and come back after a reload', async () => {
    test.setTimeout(240_000);
    const media = e2eMedia();
    app = await electron.launch({
      executablePath: electronBinary.path!,
      args: [join(ROOT, 'out', 'main', 'index.js')],
      env: { ...process.env, OPSCOPE_HOME: home } as Record<string, string>,
    });
    const page = await app.firstWindow();
    await expect(page.getByTestId('app')).toHaveAttribute('data-transport', 'electron');
    await expect(page.getByTestId('first-run')).toBeVisible();
    await expect(page.getByTestId('status-transport')).toContainText('Desktop');

    // The path field works here too (the native dialog cannot be driven by a test).
    await importRecordings(page, { pasted: [media.part1, media.part2, media.broken] });
    await expect(page.getByTestId('import-error')).toHaveAttribute('data-path', media.broken);
    await expect(page.getByTestId('import-created')).toContainText('2 parts');
    await page.getByTestId('import-done').click();
    const item = page.getByTestId('case-item');
    await expect(item).toContainText('Lap chole');
    await expect(item).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });
    await expect.poll(async () => (await timelineState(page)).thumbTiles, { timeout: 30_000 }).toBeGreaterThan(5);
    await expect.poll(async () => (await timelineState(page)).trackColumns).toBeGreaterThan(100);
    await shot(page, 'electron-case-view');

    await clickTimeline(page, 0.49);
    let s = await settled(page);
    const lastFrame = Math.round(media.partDuration * media.fps) - 1;
    for (let i = 0; i < 3 * media.fps && s.partIndex === 0; i++) {
      const before = s;
      await page.keyboard.press('ArrowRight');
      s = await settled(page, (x) => x.caseFrame === before.caseFrame + 1);
    }
    expect(s.partIndex).toBe(1);
    expect(s.partFrame).toBe(0);
    expect(s.caseFrame).toBe(lastFrame + 1);

    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const z = await timelineState(page);
    await expect(page.getByTestId('case-view')).toHaveAttribute('data-view-saved', 'true', { timeout: 5_000 });
    await page.reload();
    await expect(page.getByTestId('case-view')).toHaveAttribute('data-restored', 'true');
    const back = await settled(page);
    expect(back.caseFrame).toBe(s.caseFrame);
    const zBack = await timelineState(page);
    expect(zBack.zoomStart).toBeCloseTo(z.zoomStart, 2);
    expect(zBack.zoomEnd).toBeCloseTo(z.zoomEnd, 2);
    expect((await playerState(page)).playing).toBe(false);
  });
});
