import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticVideo } from '../support/media.js';
import { expect, test } from '../support/e2e/fixtures.js';
import { importRecordings, settled, shot } from '../support/e2e/flow.js';

/** A recording with a tower overlay burned in and the camera outside the patient from 6 to 8.5 s. */
const SPEC = {
  duration: 12, width: 960, height: 540, fps: 25, gop: 2, seed: 91,
  overlayText: 'PATIENT: JANE ROE  MRN 4471932',
  events: [{ kind: 'out-of-body' as const, start: 6, end: 8.5 }],
};

test.describe('de-identified teaching clips, in a browser against opscope serve', () => {
  test('find the burned-in text and the out-of-body span, export, and read the masks in the manifest', async ({ page, server }) => {
    test.setTimeout(240_000);
    const video = await syntheticVideo(SPEC);
    const out = mkdtempSync(join(tmpdir(), 'opscope-e2e-deid-'));
    try {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(server.url);
      await importRecordings(page, { pasted: [video], name: 'Tower overlay' });
      await expect(page.getByTestId('case-view')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('case-item')).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });

      // Mark the whole case as the range and open the export dialog.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Home');
      await settled(page, (s) => s.position === 0);
      await page.keyboard.press('i');
      await page.keyboard.press('End');
      await page.keyboard.press('o');
      await page.getByTestId('range-export').click();
      const dialog = page.getByTestId('export-dialog');
      await expect(dialog).toBeVisible();

      // De-identify: audio, metadata and fast mode are locked off; the burned-in text is found.
      await dialog.getByTestId('export-deid').check();
      await expect(dialog.getByTestId('export-fast')).toBeDisabled();
      await expect(dialog.getByTestId('export-audio')).toBeDisabled();
      await expect(dialog.getByTestId('export-metadata')).toBeDisabled();
      const panel = dialog.getByTestId('export-deid-panel');
      await panel.getByTestId('export-deid-find').click();
      const list = panel.getByTestId('export-mask-list');
      await expect(list).toContainText('JANE ROE', { timeout: 90_000 });
      await expect(list).toContainText('4471932');
      await expect(panel.getByTestId('export-deid-still')).toBeVisible();
      expect(await panel.getByTestId('export-mask-box').count()).toBeGreaterThan(0);
      await expect(panel.getByTestId('export-deid-oob')).toContainText(/0:06/);
      await panel.scrollIntoViewIfNeeded();
      await shot(page, 'deid-preview');

      const clip = join(out, 'deidentified.mp4');
      await dialog.getByTestId('export-out').fill(clip);
      await dialog.getByTestId('export-start-button').click();
      await expect(dialog.getByTestId('export-done')).toBeVisible({ timeout: 180_000 });
      await shot(page, 'deid-done');

      const manifest = JSON.parse(readFileSync(join(out, 'deidentified.json'), 'utf8')) as {
        deidentification: { applied: boolean; textMasks: { regions: unknown[] }; outOfBody: { spans: { caseStart: number }[] }; audio: string; metadata: string };
      };
      // The manifest says what was masked, and does not repeat what the text said.
      expect(JSON.stringify(manifest)).not.toMatch(/JANE|ROE|4471932/);
      expect(manifest.deidentification).toMatchObject({ applied: true, audio: 'dropped', metadata: 'stripped' });
      expect(manifest.deidentification.textMasks.regions.length).toBeGreaterThan(0);
      expect(manifest.deidentification.outOfBody.spans.length).toBe(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
