// Functions passed to page.evaluate run in the page and use its DOM.
import { basename } from 'node:path';
import { expect, test } from '../support/e2e/fixtures.js';
import { launchWithFakeCamera, liveFrames, liveSource, recordingLog, strip, timeline } from '../support/e2e/capture.js';
import { shot } from '../support/e2e/flow.js';

const SEGMENT_SECONDS = 4;

test.describe('operating-room mode, in a browser with a fake capture device', () => {
  test('record live, watch the case grow, bookmark, ask while recording, survive an unplug, stop', async ({ server }, testInfo) => {
    test.setTimeout(420_000);
    const y4m = await liveSource();
    const browser = await launchWithFakeCamera(y4m);
    let log = () => '';
    try {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
      const page = await context.newPage();
      log = recordingLog(page);
      await page.goto(server.url);
      await expect(page.getByTestId('first-run')).toBeVisible();

      // Record: the fake device is listed by its name (Chromium names it after the file it plays),
      // its picture plays in the dialog.
      await page.getByTestId('record-button').click();
      const dialog = page.getByTestId('record-dialog');
      await expect(dialog).toBeVisible();
      const device = dialog.getByTestId('record-device');
      await expect(device.first()).toContainText(basename(y4m));
      await expect(dialog.getByTestId('record-problem')).toHaveCount(0);
      await expect
        .poll(() => dialog.getByTestId('record-preview').evaluate((v) => (v as HTMLVideoElement).videoWidth), { message: 'the preview shows the device' })
        .toBeGreaterThan(0);
      await expect(dialog.getByTestId('record-name')).toHaveValue(/^Recording \d{4}-\d\d-\d\d \d\d:\d\d$/);
      await dialog.getByTestId('record-name').fill('Live lap chole');
      await dialog.locator('summary', { hasText: 'Advanced' }).click();
      await dialog.getByTestId('record-segment-seconds').fill(String(SEGMENT_SECONDS));
      await dialog.getByTestId('record-segment-seconds').press('Tab');
      await expect(dialog.getByTestId('record-format')).toContainText(/WebM|Matroska/);
      await shot(page, 'record-dialog');
      await dialog.getByTestId('record-start').click();

      // The case opens on the live picture, with the recording's status over it.
      await expect(dialog).toBeHidden();
      await expect(page.getByTestId('case-title')).toHaveText('Live lap chole');
      await expect(page.getByTestId('record-strip')).toBeVisible();
      await expect(page.getByTestId('rec-indicator')).toBeVisible();
      const live = page.getByTestId('live-preview');
      await expect(live).toBeVisible();
      const f0 = await liveFrames(page);
      await expect.poll(() => liveFrames(page), { message: 'the live preview plays' }).toBeGreaterThan(f0 + 5);
      await expect.poll(async () => (await strip(page)).sendingRun, { message: 'the window sends the stream' }).toBe('1');
      await shot(page, 'record-live');

      // The case grows while it is recorded: segments close, the timeline and its tracks grow.
      await expect
        .poll(async () => (await timeline(page)).duration, { timeout: 60_000, message: 'two segments are in the case' })
        .toBeGreaterThan(2 * SEGMENT_SECONDS - 0.5);
      const early = await timeline(page);
      expect(early.liveEdge).not.toBeNull();
      expect(early.liveEdge!).toBeGreaterThanOrEqual(early.duration);
      expect((await strip(page)).segments).toBeGreaterThanOrEqual(2);
      await expect.poll(async () => (await timeline(page)).thumbTiles, { timeout: 60_000, message: 'thumbnails of the recorded part' }).toBeGreaterThan(0);
      await expect.poll(async () => (await timeline(page)).duration, { timeout: 60_000 }).toBeGreaterThan(early.duration);
      await shot(page, 'record-growing');

      // Bookmarks: B, labelled; then the big button, left unlabeled.
      await page.locator('body').click({ position: { x: 700, y: 60 } });
      await page.keyboard.press('b');
      const prompt = page.getByTestId('bookmark-prompt');
      await expect(prompt).toBeVisible();
      await expect(page.getByTestId('bookmark-label')).toBeFocused();
      await page.keyboard.type('clip on cystic artery');
      await shot(page, 'record-bookmark-label');
      await page.keyboard.press('Enter');
      await expect(prompt).toBeHidden();
      const big = page.getByTestId('bookmark-button');
      const box = (await big.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(96);
      await big.click();
      await expect(prompt).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(prompt).toBeHidden();
      const rows = page.getByTestId('bookmark-row');
      await expect(rows).toHaveCount(2);
      await expect(rows.nth(0)).toContainText('clip on cystic artery');
      await expect(rows.nth(1)).toContainText('No label');
      // Drawn on the timeline once the recorded part reaches them.
      await expect.poll(async () => (await timeline(page)).bookmarksDrawn, { timeout: 30_000 }).toBe(2);
      await shot(page, 'record-bookmarks');

      // Ask while recording: the evidence lies in what is recorded so far.
      await expect
        .poll(async () => (await timeline(page)).duration, { timeout: 90_000, message: 'the bleeding is recorded' })
        .toBeGreaterThan(18);
      await expect.poll(async () => (await timeline(page)).trackColumns, { timeout: 60_000 }).toBeGreaterThan(0);
      const ask = page.getByTestId('ask-input');
      await ask.click();
      await ask.fill('when did the bleeding start?');
      await page.keyboard.press('Enter');
      const run = page.getByTestId('agent-run').first();
      await expect(run).toHaveAttribute('data-state', 'answered', { timeout: 90_000 });
      const askedAt = await strip(page);
      const cards = run.getByTestId('evidence-card');
      expect(await cards.count()).toBeGreaterThan(0);
      for (let i = 0; i < (await cards.count()); i++) {
        const start = Number(await cards.nth(i).getAttribute('data-start'));
        const end = Number(await cards.nth(i).getAttribute('data-end'));
        expect(start).toBeGreaterThanOrEqual(0);
        expect(end).toBeLessThanOrEqual(askedAt.liveEdge + 1e-3);
      }
      await expect(run.getByTestId('agent-answer')).toContainText(/bleeding/i);
      // Still recording while answering.
      expect(askedAt.state).toBe('recording');
      await shot(page, 'record-asked');

      // Unplugged: the track ends; the recording waits with a clear banner.
      await page.getByTestId('mode-live').check();
      await expect(live).toBeVisible();
      const before = await strip(page);
      await live.locator('video').evaluate((v) => {
        const track = ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]!;
        track.stop();
        track.dispatchEvent(new Event('ended'));
      });
      const banner = page.getByTestId('waiting-banner');
      await expect(banner).toBeVisible();
      await expect(banner).toContainText('Capture device disconnected — recording resumes when it is back');
      // The backend closes the segment being written first.
      await expect.poll(async () => (await strip(page)).state, { timeout: 45_000 }).toBe('waiting');
      await expect(page.getByTestId('rec-indicator')).toHaveAttribute('data-state', 'waiting');
      await shot(page, 'record-unplugged');
      await page.waitForTimeout(3000);

      // Back: resume into the same case; a fresh run, and the gap on the timeline.
      await banner.getByTestId('resume-capture').click();
      await expect(banner).toBeHidden();
      await expect.poll(async () => (await strip(page)).state, { timeout: 30_000 }).toBe('recording');
      await expect.poll(async () => (await strip(page)).run).toBeGreaterThan(before.run);
      await expect.poll(async () => (await strip(page)).sendingRun).toBe(String((await strip(page)).run));
      await expect.poll(async () => (await timeline(page)).gapCount, { timeout: 60_000, message: 'the gap is in the case' }).toBeGreaterThan(0);
      await expect.poll(async () => (await timeline(page)).gapsDrawn).toBeGreaterThan(0);
      await expect(page.getByTestId('case-title')).toHaveText('Live lap chole');
      await shot(page, 'record-resumed-gap');

      // The window is reloaded while recording: it takes the device back and goes on in the same
      // case, with a fresh stream.
      const runBefore = (await strip(page)).run;
      await page.reload();
      await expect(page.getByTestId('case-title')).toHaveText('Live lap chole');
      await expect(page.getByTestId('record-strip')).toBeVisible();
      await expect.poll(async () => (await strip(page)).run, { timeout: 45_000 }).toBeGreaterThan(runBefore);
      await expect.poll(async () => (await strip(page)).sendingRun, { timeout: 20_000 }).toBe(String((await strip(page)).run));
      await expect(page.getByTestId('live-preview')).toBeVisible();
      await expect.poll(() => liveFrames(page)).toBeGreaterThan(5);
      await expect(page.getByTestId('zoom-readout')).toContainText('Whole case');
      await expect(page.getByTestId('bookmark-row')).toHaveCount(2);
      await shot(page, 'record-window-reloaded');

      // Stop (asked first): the case keeps its parts.
      const segmentsBefore = (await strip(page)).segments;
      await page.getByTestId('record-stop').click();
      const confirm = page.getByTestId('record-stop-dialog');
      await expect(confirm).toBeVisible();
      await shot(page, 'record-stop-confirm');
      await confirm.getByTestId('record-stop-confirm').click();
      await expect(page.getByTestId('record-strip')).toBeHidden({ timeout: 30_000 });
      await expect(page.getByTestId('record-button')).toBeVisible();
      await expect.poll(() => page.getByTestId('part-row').count()).toBeGreaterThanOrEqual(segmentsBefore);
      await expect(page.getByTestId('zoom-readout')).toContainText('Whole case');
      const stopped = await timeline(page);
      expect(stopped.liveEdge).toBeNull();
      expect(stopped.duration).toBeGreaterThan(18);
      await shot(page, 'record-stopped');

      // After a reload the case is as it was left: bookmarks and the gap are kept.
      await page.reload();
      await expect(page.getByTestId('case-title')).toHaveText('Live lap chole');
      await expect(page.getByTestId('bookmark-row')).toHaveCount(2);
      await expect(page.getByTestId('bookmark-row').nth(0)).toContainText('clip on cystic artery');
      await expect.poll(async () => (await timeline(page)).bookmarksDrawn).toBe(2);
      await expect.poll(async () => (await timeline(page)).gapsDrawn).toBeGreaterThan(0);
      await expect(page.getByTestId('record-strip')).toHaveCount(0);
      await shot(page, 'record-after-reload');
    } catch (err) {
      await testInfo.attach('recording-events.log', { body: log(), contentType: 'text/plain' });
      throw err;
    } finally {
      await browser.close();
    }
  });
});
