import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../support/e2e/fixtures.js';
import { importRecordings, settled, shot } from '../support/e2e/flow.js';
import { peopleVideo } from '../support/people-video.js';

test.describe('people in de-identified clips, in a browser against opscope serve', () => {
  test('people boxes shown beside the text boxes: one taken out, one drawn, exported and listed in the manifest', async ({ page, server }) => {
    test.setTimeout(300_000);
    const video = await peopleVideo({ duration: 5, width: 960, height: 540, fps: 25, room: { start: 1.5, end: 3.5 } });
    const out = mkdtempSync(join(tmpdir(), 'opscope-e2e-deid-people-'));
    try {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(server.url);
      await importRecordings(page, { pasted: [video], name: 'Room with people' });
      await expect(page.getByTestId('case-view')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('case-item')).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });

      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Home');
      await settled(page, (s) => s.position === 0);
      await page.keyboard.press('i');
      await page.keyboard.press('End');
      await page.keyboard.press('o');
      await page.getByTestId('range-export').click();
      const dialog = page.getByTestId('export-dialog');
      await expect(dialog).toBeVisible();
      await dialog.getByTestId('export-deid').check();
      const panel = dialog.getByTestId('export-deid-panel');
      // Leaving people unmasked while keeping the room is refused in the form.
      await panel.getByTestId('export-people-none').check({ force: true });
      await panel.getByTestId('export-oob-none').check({ force: true });
      await expect(dialog).toContainText('People can be left unmasked only when out-of-body frames are blurred or carded');
      await panel.getByTestId('export-people-blur').check({ force: true });

      await panel.getByTestId('export-deid-find').click();
      const people = panel.getByTestId('export-people-list');
      await expect(people).toContainText('Person', { timeout: 120_000 });
      const boxes = panel.getByTestId('export-person-box');
      const found = await boxes.count();
      expect(found).toBeGreaterThan(0);
      // How many of the frames sampled the models read is said.
      await expect(panel.getByTestId('export-deid-reads')).toContainText(/Read (all \d+ frames|\d+ of the \d+ frames) sampled \(one a second\)/);

      // Take one out (the topmost of the overlapping boxes): it stays listed, drawn dashed, unticked.
      await boxes.last().click();
      await expect(boxes.last()).toHaveAttribute('aria-pressed', 'false');
      await expect(panel.locator('[data-testid="export-person-item"]:not(:checked)')).toHaveCount(1);

      // Draw one in: a person box in the top-left corner, where no box was found.
      await panel.getByTestId('export-draw-person').check({ force: true });
      const still = panel.getByTestId('export-deid-still');
      const b = (await still.boundingBox())!;
      await page.mouse.move(b.x + b.width * 0.002, b.y + b.height * 0.02);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width * 0.013, b.y + b.height * 0.3, { steps: 5 });
      await page.mouse.up();
      await expect(panel.getByTestId('export-person-added')).toHaveCount(1);
      await expect(people).toContainText('Person box drawn by hand');
      await panel.scrollIntoViewIfNeeded();
      await still.scrollIntoViewIfNeeded();
      await shot(page, 'deid-people-preview');

      await dialog.getByTestId('export-out').fill(join(out, 'room.mp4'));
      await dialog.getByTestId('export-start-button').click();
      await expect(dialog.getByTestId('export-done')).toBeVisible({ timeout: 240_000 });

      const manifest = JSON.parse(readFileSync(join(out, 'room.json'), 'utf8')) as {
        deidentification: { people: { style: string; masks: { source: string; box: number[] }[]; removedByReviewer: unknown[] } };
      };
      const p = manifest.deidentification.people;
      expect(p.style).toBe('blur');
      expect(p.removedByReviewer.length).toBeGreaterThan(0);
      expect(p.masks.filter((m) => m.source === 'reviewer')).toHaveLength(1);
      expect(p.masks.filter((m) => m.source === 'detector').length).toBeGreaterThan(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
