import { expect, test } from '../support/e2e/fixtures.js';
import { importRecordings, playerState, settled, shot } from '../support/e2e/flow.js';
import { recurringSceneCase } from '../support/picture-scenes.js';
import { TISSUE_CLIP, sharedData } from '../support/shared-data.js';

/*
 * The agent's find_similar in the app: on the case where a scene of the real tissue clip comes
 * back (6-10 s, then cropped and recoloured at 16-20 s), "when else does this happen?" asked with
 * the player at 7 s is answered by the scout from find_similar; the tool card shows the windows
 * with their thumbnails and scores, and clicking one shows its moment in the player.
 */
const clip = sharedData(TISSUE_CLIP);

test.describe('the agent finding similar moments, in a browser against opscope serve', () => {
  test.skip(!clip, 'the real tissue clip is not in the shared test data');

  test('"when else does this happen?" at 7 s: a find_similar card with the recurring scene, its evidence, a click shows it', async ({ page, server }) => {
    test.setTimeout(240_000);
    const video = await recurringSceneCase(clip!);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(server.url);
    await importRecordings(page, { pasted: [video], name: 'Recurring tissue (asked)' });
    await expect(page.getByTestId('case-item')).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });
    await settled(page);

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let i = 0; i < 7; i++) await page.keyboard.press('Shift+ArrowRight');
    await settled(page, (s) => Math.abs(s.position - 7) < 0.1);
    // The picture index is built in the background after indexing: the find-similar panel shows when it is there.
    await page.keyboard.press('s');
    await expect(page.getByTestId('similar-moment').first()).toBeVisible({ timeout: 120_000 });
    // The find-similar panel takes the place of the case panel, where questions are asked.
    await page.getByTestId('similar-panel').getByRole('button', { name: 'Close' }).click();

    const input = page.getByTestId('ask-input');
    await input.click();
    await input.fill('When else does this happen?');
    await page.keyboard.press('Enter');
    const run = page.getByTestId('agent-run').first();
    await expect(run).toHaveAttribute('data-state', 'answered', { timeout: 60_000 });
    const card = run.locator('[data-testid=tool-card][data-tool=find_similar]');
    await expect(card.getByTestId('tool-title')).toHaveText(/^find_similar like 0:07 · \d+ windows?$/);
    const first = card.getByTestId('similar-window').first();
    await expect(first).toContainText(/0:1[6-8]–0:(1[89]|20)/);
    await expect(first).toContainText(/0\.\d\d/);
    await expect(first.locator('img')).toHaveJSProperty('complete', true);
    expect(await first.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expect(run.getByTestId('agent-answer')).toContainText('the frame at 00:00:07 (where the player was)');
    await expect(run.getByTestId('evidence-card').first()).toBeVisible();
    await run.scrollIntoViewIfNeeded();
    await shot(page, 'agent-find-similar');

    await first.click();
    await expect.poll(async () => (await playerState(page)).position, { timeout: 15_000 }).toBeGreaterThanOrEqual(16);
    expect((await playerState(page)).position).toBeLessThan(21);
  });
});
