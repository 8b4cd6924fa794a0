// Functions passed to page.evaluate run in the page and use its DOM.
import type { Locator, Page } from '@playwright/test';
import { decodeFrameCode } from '../../main/node/synthetic/index.js';
import { e2eMedia } from '../support/e2e/env.js';
import { expect, test } from '../support/e2e/fixtures.js';
import { importRecordings, playerState, settled, shot, videoFrameRgb } from '../support/e2e/flow.js';

/** Part 1 of the fixture recordings shows bleeding from 6 to 12 s (see global-setup.ts). */
const BLEEDING = { start: 6, end: 12 };

async function codeOnScreen(page: Page): Promise<number | null> {
  const f = await videoFrameRgb(page);
  return decodeFrameCode(f.data, f.width, f.height);
}

/** Every image in `scope` has loaded and has pixels. */
async function imagesLoaded(scope: Locator): Promise<boolean> {
  return scope.evaluate((el) => {
    const imgs = Array.from(el.querySelectorAll('img'));
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  });
}

/** Records what the player reports while a window plays: (position, playing) at every change. */
async function recordPlayer(page: Page): Promise<() => Promise<{ position: number; playing: boolean; stopAt: string }[]>> {
  await page.getByTestId('player').evaluate((el) => {
    const w = window as unknown as { __playerLog?: { position: number; playing: boolean; stopAt: string }[] };
    w.__playerLog = [];
    const d = (el as HTMLElement).dataset;
    new MutationObserver(() => {
      w.__playerLog!.push({ position: Number(d.position), playing: d.playing === 'true', stopAt: d.stopAt ?? '' });
    }).observe(el, { attributes: true, attributeFilter: ['data-position', 'data-playing', 'data-stop-at'] });
  });
  return () => page.evaluate(() => (window as unknown as { __playerLog: { position: number; playing: boolean; stopAt: string }[] }).__playerLog);
}

test.describe('asking a case, in a browser against opscope serve', () => {
  test('ask when bleeding starts, watch the reasoning, play the evidence, reopen it, and get a plain decline', async ({ page, server }) => {
    test.setTimeout(240_000);
    const media = e2eMedia();
    const frameDur = 1 / media.fps;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(server.url);
    await expect(page.getByTestId('first-run')).toBeVisible();

    await importRecordings(page, { pasted: [media.part1, media.part2], name: 'Lap chole (asked)' });
    // A clean import closes the dialog and opens the case.
    await expect(page.getByTestId('case-view')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('import-dialog')).toBeHidden();
    const item = page.getByTestId('case-item');
    await expect(item).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });
    const panel = page.getByTestId('agent-panel');
    await expect(panel).toHaveAttribute('data-loaded', 'true');
    await expect(panel.getByTestId('agent-empty')).toBeVisible();
    await settled(page);

    // Q puts the cursor in the question box; Esc leaves it (and the shortcuts work again).
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('q');
    const input = page.getByTestId('ask-input');
    await expect(input).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(input).not.toBeFocused();
    await page.keyboard.press('q');
    await expect(input).toBeFocused();

    // Ask; the run streams in: the backend, the overview, then the looks at the video.
    await input.fill('when does the bleeding start?');
    await page.keyboard.press('Enter');
    const run = panel.getByTestId('agent-run').first();
    await expect(run).toBeVisible();
    await expect(run.getByTestId('run-question')).toHaveText('when does the bleeding start?');
    await expect(run.getByTestId('run-backend')).toHaveText('scout');
    await expect(run.locator('[data-testid=tool-card][data-tool=overview]')).toBeVisible();
    await shot(page, 'ask-streaming');
    await expect(run).toHaveAttribute('data-state', 'answered', { timeout: 60_000 });
    await expect(panel).toHaveAttribute('data-busy', 'false');

    // The overview card, with its storyboard.
    const overview = run.locator('[data-testid=tool-card][data-tool=overview]');
    await expect(overview.getByTestId('tool-title')).toHaveText(/^Overview · \d+ frames$/);
    expect(await overview.getByTestId('agent-frame').count()).toBeGreaterThan(3);
    // At least one crop, titled with its window and frame count, with thumbnails labelled by case time.
    const crops = run.locator('[data-testid=tool-card][data-tool=crop_video]');
    expect(await crops.count()).toBeGreaterThan(0);
    const crop = crops.first();
    await expect(crop.getByTestId('tool-title')).toHaveText(/^crop_video \d+:\d\d(\.\d{3})?–\d+:\d\d(\.\d{3})? · \d+ frames$/);
    const cropFrames = crop.getByTestId('agent-frame');
    expect(await cropFrames.count()).toBeGreaterThan(2);
    await expect.poll(() => imagesLoaded(crop)).toBe(true);
    await expect(cropFrames.first().locator('time')).toHaveText(/^\d+:\d\d(\.\d{3})?$/);
    // The thoughts streamed in as text; the answer speaks of the bleeding.
    expect((await run.getByTestId('agent-thought').allTextContents()).join(' ').length).toBeGreaterThan(20);
    await expect(run.getByTestId('agent-answer')).toContainText(/bleeding/i);

    // Evidence: a card whose window overlaps the bleeding, with its key frame.
    const cards = run.getByTestId('evidence-card');
    expect(await cards.count()).toBeGreaterThan(0);
    const card = cards.first();
    const ev = { start: Number(await card.getAttribute('data-start')), end: Number(await card.getAttribute('data-end')) };
    expect(ev.start).toBeLessThan(BLEEDING.end);
    expect(ev.end).toBeGreaterThan(BLEEDING.start);
    expect(ev.end - ev.start).toBeLessThan(10);
    await expect(card.getByTestId('evidence-play')).toContainText('–');
    await expect.poll(() => imagesLoaded(card)).toBe(true);

    // The timeline shows the cropped windows and the evidence.
    const canvas = page.getByTestId('timeline-canvas');
    await expect.poll(async () => Number(await canvas.getAttribute('data-agent-crops'))).toBeGreaterThan(0);
    await expect.poll(async () => Number(await canvas.getAttribute('data-agent-evidence'))).toBe(await cards.count());
    await shot(page, 'ask-answer');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.waitForTimeout(150);
    await shot(page, 'ask-answer-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

    // Clicking the evidence plays exactly its window: from its start, stopping at its end.
    const log = await recordPlayer(page);
    await card.getByTestId('evidence-play').click();
    await expect.poll(async () => (await log()).some((x) => x.playing)).toBe(true);
    const first = (await log()).find((x) => x.playing)!;
    expect(Math.abs(first.position - ev.start)).toBeLessThanOrEqual(2 * frameDur + 1e-6);
    expect(Number(first.stopAt)).toBeCloseTo(ev.end, 6);
    const s = await settled(page, (x) => Math.abs(x.position - ev.end) <= 2 * frameDur + 1e-6);
    const seen = await log();
    const played = seen.filter((x) => x.playing).map((x) => x.position);
    // It played through the window (not a jump), and never ran past its end.
    expect(Math.max(...played)).toBeGreaterThan(ev.end - 0.5);
    expect(Math.max(...played)).toBeLessThan(ev.end + 3 * frameDur);
    expect(await codeOnScreen(page)).toBe(s.partFrame);
    expect((await playerState(page)).playing).toBe(false);

    // Enter on a focused evidence card does the same.
    await card.getByTestId('evidence-play').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await playerState(page)).playing).toBe(true);
    await settled(page, (x) => Math.abs(x.position - ev.end) <= 2 * frameDur + 1e-6);

    // A frame thumbnail shows its time in the player.
    const thumb = cropFrames.nth(1);
    const t = Number(await thumb.getAttribute('data-time'));
    await thumb.click();
    const at = await settled(page, (x) => Math.abs(x.position - t) <= 2 * frameDur);
    expect(Math.abs(at.position - t)).toBeLessThanOrEqual(2 * frameDur);

    // Reopened (a reload, as next week): every question, step and frame as it was.
    const before = {
      text: await page.getByTestId('agent-thread').innerText(),
      frames: await run.getByTestId('agent-frame').count(),
      cards: await run.getByTestId('tool-card').count(),
      conversation: await panel.getAttribute('data-conversation-id'),
    };
    await page.reload();
    await expect(page.getByTestId('case-view')).toHaveAttribute('data-restored', 'true');
    await expect(panel).toHaveAttribute('data-loaded', 'true');
    const reopened = panel.getByTestId('agent-run').first();
    await expect(reopened).toHaveAttribute('data-state', 'answered');
    await expect(panel).toHaveAttribute('data-conversation-id', before.conversation!);
    expect(await reopened.getByTestId('tool-card').count()).toBe(before.cards);
    expect(await reopened.getByTestId('agent-frame').count()).toBe(before.frames);
    expect(await page.getByTestId('agent-thread').innerText()).toBe(before.text);
    await expect.poll(() => imagesLoaded(reopened.locator('[data-testid=tool-card][data-tool=crop_video]').first())).toBe(true);
    await expect.poll(async () => Number(await canvas.getAttribute('data-agent-evidence'))).toBeGreaterThan(0);
    await shot(page, 'ask-reopened');

    // A follow-up it cannot answer: declined plainly, with no evidence, in the same conversation.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('q');
    await expect(input).toBeFocused();
    await input.fill('which instrument is used?');
    await input.press('Enter');
    const runs = panel.getByTestId('agent-run');
    await expect(runs).toHaveCount(2);
    const decline = runs.nth(1);
    await expect(decline).toHaveAttribute('data-state', 'answered', { timeout: 60_000 });
    await expect(panel).toHaveAttribute('data-conversation-id', before.conversation!);
    await expect(decline.getByTestId('agent-answer')).toContainText(/cannot see instruments/i);
    await expect(decline.getByTestId('no-evidence')).toBeVisible();
    await expect(decline.getByTestId('evidence-card')).toHaveCount(0);
    await expect(decline.getByTestId('run-ending')).toHaveCount(0);
    // The timeline follows the latest run, which looked at nothing.
    await expect.poll(async () => Number(await canvas.getAttribute('data-agent-evidence'))).toBe(0);
    // The cursor is back in the box for the next question.
    await expect(input).toBeFocused();
    await shot(page, 'ask-declined');
  });
});
