import { expect, test } from '../support/e2e/fixtures.js';
import { importRecordings, playerState, settled, shot } from '../support/e2e/flow.js';
import { recurringSceneCase } from '../support/picture-scenes.js';
import { TISSUE_CLIP, sharedData } from '../support/shared-data.js';

/*
 * Find similar in the app: a case where a scene of the real tissue clip comes back (6-10 s and,
 * cropped and recoloured, 16-20 s). The app builds the picture index after indexing; S at 7 s
 * lists the moments like it, with thumbnails, and clicking the first plays the recurring scene.
 */
const clip = sharedData(TISSUE_CLIP);

test.describe('finding similar moments, in a browser against opscope serve', () => {
  test.skip(!clip, 'the real tissue clip is not in the shared test data');

  test('S lists the recurring scene first with its thumbnail; clicking it plays it; a box drawn on the picture is asked', async ({ page, server }) => {
    test.setTimeout(240_000);
    const video = await recurringSceneCase(clip!);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(server.url);
    await importRecordings(page, { pasted: [video], name: 'Recurring tissue' });
    await expect(page.getByTestId('case-view')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('case-item')).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });
    await settled(page);

    // To 7 s: Shift+→ is a second.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let i = 0; i < 7; i++) await page.keyboard.press('Shift+ArrowRight');
    await settled(page, (s) => Math.abs(s.position - 7) < 0.1);

    await page.keyboard.press('s');
    const panel = page.getByTestId('similar-panel');
    await expect(panel).toBeVisible();
    // The picture index is built in the background after indexing; the panel asks again when it is done.
    const first = panel.getByTestId('similar-moment').first();
    await expect(first).toBeVisible({ timeout: 120_000 });
    await expect(first).toContainText(/0:00:1[6-8]\.\d{3}–0:00:(1[89]|20)\.\d{3}/);
    await expect(first).toContainText(/score 0\.\d\d/);
    await expect(panel.locator('.thumb').first()).toHaveAttribute('style', /background-image/);
    await expect(panel.getByTestId('similar-moment').filter({ hasText: /0:00:0[6-9]\.\d{3}–/ })).toHaveCount(0);
    await shot(page, 'similar-panel');

    await first.click();
    await expect.poll(async () => (await playerState(page)).position, { timeout: 15_000 }).toBeGreaterThanOrEqual(16);
    const pos = (await playerState(page)).position;
    expect(pos).toBeLessThan(21);

    // A box drawn over most of the tissue at 8 s: the box alone is the question.
    await page.keyboard.press('k');
    await page.keyboard.press('Home');
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowRight');
    await settled(page, (s) => Math.abs(s.position - 8) < 0.1);
    await panel.getByTestId('similar-draw-box').click();
    const overlay = page.getByTestId('similar-box-overlay');
    const box = (await overlay.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.12, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.85, { steps: 5 });
    await page.mouse.up();
    await expect(overlay).toBeHidden();
    await expect(panel.locator('h3')).toContainText('(the box)');
    // The box's own answer (how well a box finds its scene is measured in test/integration/similar.test.ts).
    await expect(panel.getByTestId('similar-results').or(panel.getByTestId('similar-empty'))).toBeVisible({ timeout: 30_000 });
    await expect(panel.getByRole('button', { name: 'Whole frame' })).toBeVisible();
    await shot(page, 'similar-box');
  });
});
