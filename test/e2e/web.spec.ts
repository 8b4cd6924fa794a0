// Functions passed to page.evaluate run in the page and use its DOM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { decodeRgb } from '../support/media.js';
import { decodeFrameCode } from '../../main/node/synthetic/index.js';
import { e2eMedia } from '../support/e2e/env.js';
import { expect, test } from '../support/e2e/fixtures.js';
import {
  canvasInk, clickTimeline, importRecordings, playerState, settled, shot, timelineState, videoFrameRgb, watchIndexProgress,
} from '../support/e2e/flow.js';

/** The frame index drawn into the picture the player shows. */
async function codeOnScreen(page: Page): Promise<number | null> {
  const f = await videoFrameRgb(page);
  return decodeFrameCode(f.data, f.width, f.height);
}

test.describe('in a browser, against opscope serve', () => {
  test('first run: empty library offers a demo case and explains dropped files', async ({ page, server }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(server.url);
    const first = page.getByTestId('first-run');
    await expect(first).toBeVisible();
    await expect(first.getByTestId('demo-button')).toBeVisible();
    await expect(first.getByTestId('first-run-open')).toBeVisible();
    await expect(page.getByTestId('status-transport')).toContainText('Browser');
    await expect(page.getByTestId('status-data-dir')).toContainText(basename(server.home));
    await expect(page.getByTestId('status-worker')).toHaveAttribute('data-state', /up|starting/);
    await shot(page, 'first-run-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await shot(page, 'first-run-light');

    // A browser cannot tell where a dropped file is: the app says so and points to the path dialog.
    const dt = await page.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['not a video'], 'dropped.mp4', { type: 'video/mp4' }));
      return d;
    });
    await page.dispatchEvent('body', 'dragenter', { dataTransfer: dt });
    await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
    const notice = page.getByTestId('import-notice');
    await expect(notice).toContainText('cannot import dropped files');
    await expect(page.getByTestId('import-paths')).toBeVisible();
    await shot(page, 'drop-explained');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('import-dialog')).toBeHidden();

    // The demo starts with a progress bar (generating it completely is not needed here).
    await first.getByTestId('demo-button').click();
    const progress = page.getByTestId('demo-progress');
    await expect(progress).toBeVisible();
    await expect(progress.getByRole('progressbar')).toBeVisible();
    await expect(first.getByTestId('demo-button')).toBeDisabled();
    // It moves (the whole demo takes about a minute; that is left to the demo itself).
    await expect
      .poll(async () => Number((await progress.getByRole('progressbar').getAttribute('data-progress')) || 0), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await shot(page, 'demo-progress');
  });

  test('import two parts as one case, index, play, scrub, step frames across parts, and come back to the same place', async ({ page, server }) => {
    test.setTimeout(240_000);
    const media = e2eMedia();
    const frameDur = 1 / media.fps;
    const lastFrameOfPart = Math.round(media.partDuration * media.fps) - 1;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(server.url);
    await expect(page.getByTestId('first-run')).toBeVisible();
    const progressSeen = await watchIndexProgress(page);

    // Import: part 1 pasted, part 2 and a broken file ticked in the folder browser.
    await page.getByTestId('open-recordings').click();
    await page.getByTestId('browse-dir').fill(media.dir);
    await page.getByTestId('browse-dir').press('Enter');
    await expect(page.getByTestId('browse-file-entry')).toHaveCount(3);
    await page.getByTestId('import-paths').fill(media.part1);
    await shot(page, 'import-dialog');
    await page.keyboard.press('Escape');
    await importRecordings(page, {
      pasted: [media.part1],
      browseDir: media.dir,
      ticked: [basename(media.part2), basename(media.broken)],
    });
    const results = page.getByTestId('import-results');
    await expect(results).toBeVisible({ timeout: 60_000 });
    if ((await page.getByTestId('case-item').getAttribute('data-index-state').catch(() => null)) !== 'done') {
      await shot(page, 'indexing-behind-import-results');
    }
    await expect(results.getByTestId('import-created')).toContainText('Lap chole');
    await expect(results.getByTestId('import-created')).toContainText('2 parts');
    // The bad file gets its own message; the good ones are imported all the same.
    const err = results.getByTestId('import-error');
    await expect(err).toHaveCount(1);
    await expect(err).toHaveAttribute('data-path', media.broken);
    await expect(err).toContainText(basename(media.broken));
    expect((await err.locator('.msg').textContent())?.trim().length).toBeGreaterThan(10);
    await shot(page, 'import-results');
    await page.getByTestId('import-done').click();

    // The case is in the library at once, with a progress bar while it is indexed.
    const item = page.getByTestId('case-item');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Lap chole');
    await expect(item).toContainText('2 parts');
    await expect(page.getByTestId('case-view')).toBeVisible();
    if ((await item.getAttribute('data-index-state')) !== 'done') await shot(page, 'library-indexing');
    await expect(item).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });
    expect(await progressSeen()).toBe(true);
    await expect(item).toHaveAttribute('data-has-poster', 'true');

    // Thumbnails and tracks are drawn.
    await expect.poll(async () => (await timelineState(page)).thumbTiles, { timeout: 30_000 }).toBeGreaterThan(5);
    await expect.poll(async () => (await timelineState(page)).trackColumns).toBeGreaterThan(100);
    const tl = await timelineState(page);
    expect(tl.duration).toBeCloseTo(2 * media.partDuration, 1);
    expect(await canvasInk(page, 'thumbnails')).toBeGreaterThan(0.5);
    const motionInk = await canvasInk(page, 'motion');
    expect(motionInk).toBeGreaterThan(0.05);
    expect(tl.gapColumns).toBe(0);
    await shot(page, 'case-view-dark');

    // Play.
    await settled(page);
    await page.keyboard.press('Space');
    await expect.poll(async () => (await playerState(page)).position, { timeout: 15_000 }).toBeGreaterThan(1);
    expect((await playerState(page)).playing).toBe(true);
    await page.keyboard.press('k');
    await settled(page);

    // Seek by clicking the timeline.
    await clickTimeline(page, 0.3);
    let s = await settled(page);
    expect(Math.abs(s.position - 0.3 * tl.duration)).toBeLessThan(0.5);
    expect(s.partIndex).toBe(0);

    // One frame forward and back, checked against the frame index drawn into the video.
    expect(await codeOnScreen(page)).toBe(s.partFrame);
    const n = s.partFrame;
    await page.keyboard.press('ArrowRight');
    s = await settled(page, (x) => x.partFrame === n + 1);
    expect(await codeOnScreen(page)).toBe(n + 1);
    const t1 = s.position;
    await page.keyboard.press('.');
    s = await settled(page, (x) => x.partFrame === n + 2);
    expect(s.position - t1).toBeCloseTo(frameDur, 4);
    expect(await codeOnScreen(page)).toBe(n + 2);
    await page.keyboard.press('ArrowLeft');
    await settled(page, (x) => x.partFrame === n + 1);
    expect(await codeOnScreen(page)).toBe(n + 1);
    await page.keyboard.press('Shift+ArrowRight');
    s = await settled(page, (x) => x.partFrame === n + 1 + media.fps);
    expect(await codeOnScreen(page)).toBe(n + 1 + media.fps);

    // The full-resolution frame from the original is the same frame.
    await page.keyboard.press('f');
    const frame = page.getByTestId('frame-result');
    await expect(frame).toBeVisible({ timeout: 30_000 });
    await expect(frame).toHaveAttribute('data-frame-index', String(s.partFrame));
    await expect(page.getByTestId('frame-match')).toBeVisible();
    const src = await frame.locator('img').getAttribute('src');
    const png = await page.request.get(new URL(src!, server.origin).href);
    expect(png.ok()).toBe(true);
    const tmp = mkdtempSync(join(tmpdir(), 'opscope-e2e-frame-'));
    try {
      const file = join(tmp, 'frame.png');
      writeFileSync(file, await png.body());
      const rgb = await decodeRgb(file);
      expect(rgb.width).toBe(384);
      expect(decodeFrameCode(rgb.data, rgb.width, rgb.height)).toBe(s.partFrame);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    await shot(page, 'full-resolution-frame');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('frame-dialog')).toBeHidden();

    // Across the part boundary, one frame at a time.
    await clickTimeline(page, 0.49);
    s = await settled(page);
    expect(s.partIndex).toBe(0);
    let previous = s;
    for (let i = 0; i < 3 * media.fps && s.partIndex === 0; i++) {
      previous = s;
      await page.keyboard.press('ArrowRight');
      s = await settled(page, (x) => x.caseFrame === previous.caseFrame + 1);
    }
    expect(previous.partFrame).toBe(lastFrameOfPart);
    expect(s.partIndex).toBe(1);
    expect(s.partFrame).toBe(0);
    expect(s.caseFrame).toBe(lastFrameOfPart + 1);
    expect(await codeOnScreen(page)).toBe(0);
    await page.keyboard.press('ArrowLeft');
    s = await settled(page, (x) => x.partIndex === 0);
    expect(s.partFrame).toBe(lastFrameOfPart);
    expect(await codeOnScreen(page)).toBe(lastFrameOfPart);

    // And across it while playing, without stopping.
    await clickTimeline(page, 0.475);
    await settled(page);
    await page.keyboard.press('Space');
    await expect.poll(async () => (await playerState(page)).position, { timeout: 15_000 }).toBeGreaterThan(media.partDuration + 0.5);
    s = await playerState(page);
    expect(s.partIndex).toBe(1);
    expect(s.playing).toBe(true);
    await page.keyboard.press('Space');
    await settled(page);

    // Zoom, pan, speed; then a reload finds the case as it was left.
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    let z = await timelineState(page);
    expect(z.zoomEnd - z.zoomStart).toBeCloseTo(tl.duration / 1.5 ** 3, 1);
    const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => (await timelineState(page)).zoomStart).not.toBe(z.zoomStart);
    await page.getByTestId('speed').selectOption('1.5');
    await clickTimeline(page, 0.5);
    s = await settled(page);
    z = await timelineState(page);
    await expect(page.getByTestId('case-view')).toHaveAttribute('data-view-saved', 'true', { timeout: 5_000 });
    await shot(page, 'zoomed');

    await page.reload();
    await expect(page.getByTestId('case-view')).toHaveAttribute('data-restored', 'true');
    const back = await settled(page);
    expect(back.position).toBeCloseTo(s.position, 5);
    expect(back.caseFrame).toBe(s.caseFrame);
    expect(back.speed).toBe(1.5);
    const zBack = await timelineState(page);
    expect(zBack.zoomStart).toBeCloseTo(z.zoomStart, 2);
    expect(zBack.zoomEnd).toBeCloseTo(z.zoomEnd, 2);
    await expect(page.getByTestId('case-item')).toHaveCount(1);
    await expect(page.getByTestId('case-item').locator('button[aria-current=true]')).toBeVisible();
    expect(await codeOnScreen(page)).toBe(back.partFrame);

    // Shortcuts never fire while typing.
    await page.getByTestId('library-filter').fill('');
    await page.getByTestId('library-filter').pressSequentially('lap ');
    await page.getByTestId('library-filter').press('ArrowRight');
    expect((await playerState(page)).playing).toBe(false);
    expect((await playerState(page)).caseFrame).toBe(back.caseFrame);
    await expect(page.getByTestId('case-item')).toHaveCount(1);
    await page.getByTestId('library-filter').fill('');

    // The shortcut overlay.
    await page.getByTestId('timeline-canvas').focus();
    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcuts')).toBeVisible();
    await expect(page.getByTestId('shortcuts')).toContainText('One frame forward');
    await shot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shortcuts')).toBeHidden();

    // Importing a recording again opens the case it is already in.
    await importRecordings(page, { pasted: [media.part2] });
    await expect(page.getByTestId('import-duplicates')).toContainText('Already in the library');
    await page.getByTestId('import-done').click();
    await expect(page.getByTestId('case-item')).toHaveCount(1);

    // The parts can be put in another order, and back.
    const rows = page.getByTestId('part-row');
    const names = async () => (await rows.locator('.file').allTextContents()).map((t) => t.trim());
    expect(await names()).toEqual(['Lap chole part 1.mp4', 'Lap chole part 2.mp4']);
    await rows.nth(0).getByTestId('part-later').click();
    await expect.poll(names).toEqual(['Lap chole part 2.mp4', 'Lap chole part 1.mp4']);
    await clickTimeline(page, 0.1);
    s = await settled(page);
    expect(s.partIndex).toBe(0);
    // Playback and frame stepping follow the new order.
    expect(await codeOnScreen(page)).toBe(s.partFrame);
    await rows.nth(1).getByTestId('part-earlier').click();
    await expect.poll(names).toEqual(['Lap chole part 1.mp4', 'Lap chole part 2.mp4']);

    // Light theme from the settings.
    await page.getByTestId('settings-button').click();
    await page.getByTestId('settings').getByText('Light', { exact: true }).click();
    await page.getByTestId('settings').getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await expect(page.getByTestId('settings')).toBeHidden();
    await page.waitForTimeout(200);
    await shot(page, 'case-view-light');
  });
});
