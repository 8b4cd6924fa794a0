// Functions passed to page.evaluate run in the page and use its DOM.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { e2eMedia } from '../support/e2e/env.js';
import { expect, test } from '../support/e2e/fixtures.js';
import { importRecordings, playerState, settled, shot } from '../support/e2e/flow.js';

const REVIEWER = 'Dr. E. Reviewer';

/** A case time lies on the frame grid of the fixture recordings (constant rate, parts start on a frame). */
function onFrameGrid(t: number, fps: number): boolean {
  return Math.abs(t * fps - Math.round(t * fps)) < 1e-3;
}

async function windowOf(card: Locator): Promise<{ start: number; end: number }> {
  return { start: Number(await card.getAttribute('data-window-start')), end: Number(await card.getAttribute('data-window-end')) };
}

/** Both themes of the same state, for people to look at. */
async function shotBothThemes(page: Page, name: string): Promise<void> {
  await shot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.waitForTimeout(150);
  await shot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.waitForTimeout(100);
}

test.describe('reviewing evidence and exporting a teaching clip, in a browser against opscope serve', () => {
  test('flag, adjust frame-accurately on the timeline, see the history and counts, export the clip', async ({ page, server }) => {
    test.setTimeout(240_000);
    const media = e2eMedia();
    const out = mkdtempSync(join(tmpdir(), 'opscope-e2e-export-'));
    try {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(server.url);
      await expect(page.getByTestId('first-run')).toBeVisible();
      await importRecordings(page, { pasted: [media.part1, media.part2], name: 'Lap chole (reviewed)' });
      await expect(page.getByTestId('case-view')).toBeVisible({ timeout: 60_000 });
      const item = page.getByTestId('case-item');
      await expect(item).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });
      await settled(page);

      // Ask with the default (scout) backend.
      const panel = page.getByTestId('agent-panel');
      await expect(panel).toHaveAttribute('data-loaded', 'true');
      await page.getByTestId('ask-input').fill('when does the bleeding start?');
      await page.getByTestId('ask-input').press('Enter');
      const run = panel.getByTestId('agent-run').first();
      await expect(run).toHaveAttribute('data-state', 'answered', { timeout: 60_000 });
      const card = run.getByTestId('evidence-card').first();
      await expect(card).toHaveAttribute('data-status', 'unreviewed');
      await expect(card.getByTestId('review-badge')).toHaveText('Unreviewed');
      await expect(item.getByTestId('review-count-unreviewed')).toHaveText(/^\d+ to review$/);
      const predicted = await windowOf(card);
      await shot(page, 'review-unreviewed');

      // No reviewer name yet: the review is refused with the backend's message, and Settings is offered.
      await card.getByTestId('review-incorrect').click();
      const problem = card.getByTestId('review-problem');
      await expect(problem).toContainText(/Reviewer name/);
      await shot(page, 'review-no-reviewer');
      await problem.getByTestId('review-open-settings').click();
      const settings = page.getByTestId('settings');
      await expect(settings).toBeVisible();
      await settings.getByLabel('Reviewer name').fill(REVIEWER);
      await settings.getByRole('button', { name: 'Save' }).click();
      await expect(settings).toBeHidden();

      // A comment goes with the next verdict; X on the focused card flags it (typing x in the comment does not).
      await card.getByTestId('review-comment-toggle').click();
      await card.getByTestId('review-comment-input').fill('The blood appears later than this');
      await card.getByTestId('review-comment-input').pressSequentially(' (x)');
      await expect(card).toHaveAttribute('data-status', 'unreviewed');
      await card.getByTestId('evidence-play').focus();
      await page.keyboard.press('x');
      await expect(card).toHaveAttribute('data-status', 'flagged');
      await expect(card.getByTestId('review-badge')).toHaveText('Flagged');
      await expect(card.getByTestId('review-by')).toContainText(REVIEWER);
      await expect(card.getByTestId('review-comment')).toHaveText('The blood appears later than this (x)');
      await expect(card.getByTestId('review-comment-input')).toHaveCount(0);
      await expect(problem).toHaveCount(0);
      await expect(item.getByTestId('review-count-flagged')).toHaveText('1 flagged');
      await expect(item).toHaveAttribute('data-flagged', '1');
      await expect(page.getByTestId('case-review-counts')).toContainText('1 flagged');
      await shotBothThemes(page, 'review-flagged');

      // The library's filters.
      const filter = page.getByTestId('review-filter');
      await filter.getByText('Flagged').click();
      await expect(item).toBeVisible();
      await filter.getByText('Confirmed').click();
      await expect(item).toHaveCount(0);
      await expect(page.getByTestId('review-filter-empty')).toBeVisible();
      await shot(page, 'review-filter-confirmed-empty');
      await filter.getByText('All').click();
      await expect(item).toBeVisible();

      // Adjust (A on the focused card): the window goes on the timeline with two handles.
      await card.getByTestId('evidence-play').focus();
      await page.keyboard.press('a');
      const timeline = page.getByTestId('timeline');
      await expect(page.getByTestId('edit-bar')).toBeVisible();
      const endHandle = page.getByTestId('edit-handle-end');
      await expect(endHandle).toBeVisible();
      await expect(page.getByTestId('edit-handle-start')).toBeVisible();
      const start0 = Number(await timeline.getAttribute('data-edit-start'));
      const end0 = Number(await timeline.getAttribute('data-edit-end'));
      expect(onFrameGrid(start0, media.fps)).toBe(true);
      expect(onFrameGrid(end0, media.fps)).toBe(true);
      // The player shows the window's first frame; three frames on, [ moves the start there.
      await settled(page, (s) => Math.abs(s.position - start0) < 1e-6);
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      const at = await settled(page, (s) => Math.abs(s.position - (start0 + 3 / media.fps)) < 1e-3);
      await page.keyboard.press('[');
      await expect.poll(async () => Number(await timeline.getAttribute('data-edit-start'))).toBeCloseTo(at.position, 6);
      await shot(page, 'review-adjusting');

      // Drag the end handle to the left; it snaps to frames, and the player follows it.
      const box = (await endHandle.boundingBox())!;
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width / 2, y);
      await page.mouse.down();
      for (let dx = 8; dx <= 64; dx += 8) await page.mouse.move(box.x + box.width / 2 - dx, y);
      await page.mouse.up();
      const end1 = Number(await timeline.getAttribute('data-edit-end'));
      const start1 = Number(await timeline.getAttribute('data-edit-start'));
      expect(end1).toBeLessThan(end0);
      expect(end1).toBeGreaterThan(start1);
      expect(onFrameGrid(end1, media.fps)).toBe(true);
      expect((await playerState(page)).position).toBeCloseTo(end1, 3);
      await shotBothThemes(page, 'review-dragged');

      // Enter saves it as an adjusted review; the card and the timeline show the corrected window.
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('edit-bar')).toHaveCount(0);
      await expect(card).toHaveAttribute('data-status', 'adjusted');
      await expect(card.getByTestId('review-badge')).toHaveText('Adjusted');
      const adjusted = await windowOf(card);
      expect(adjusted.start).toBeCloseTo(start1, 9);
      expect(adjusted.end).toBeCloseTo(end1, 9);
      expect(onFrameGrid(adjusted.start, media.fps)).toBe(true);
      expect(onFrameGrid(adjusted.end, media.fps)).toBe(true);
      expect(adjusted).not.toEqual(predicted);
      await expect(card.getByTestId('evidence-original')).toBeVisible();
      await expect.poll(async () => Number(await page.getByTestId('timeline-canvas').getAttribute('data-agent-corrected'))).toBe(1);
      await expect(item.getByTestId('review-count-flagged')).toHaveCount(0);
      await expect(item.getByTestId('review-count-confirmed')).toHaveText('1 confirmed');

      // The history keeps both reviews, newest first.
      await card.getByTestId('review-history-toggle').click();
      const rows = card.getByTestId('history-row');
      await expect(rows).toHaveCount(2);
      await expect(rows.nth(0)).toHaveAttribute('data-verdict', 'adjusted');
      await expect(rows.nth(1)).toHaveAttribute('data-verdict', 'incorrect');
      await expect(rows.nth(0)).toContainText(REVIEWER);
      await expect(rows.nth(1)).toContainText('The blood appears later than this (x)');
      await card.scrollIntoViewIfNeeded();
      await shotBothThemes(page, 'review-history');

      // Export the adjusted window as a clip with WebVTT captions, into a folder of the test's.
      await card.getByTestId('evidence-export').click();
      const dialog = page.getByTestId('export-dialog');
      await expect(dialog).toBeVisible();
      await expect(dialog.getByTestId('export-out')).toHaveValue(/exports[\\/]lap-chole-reviewed-evidence-1-.*\.mp4$/);
      const clip = join(out, 'bleeding-teaching.mp4');
      await dialog.getByTestId('export-out').fill(clip);
      await dialog.getByTestId('export-captions-vtt').check();
      await shotBothThemes(page, 'export-dialog');
      await dialog.getByTestId('export-start-button').click();
      await expect(dialog.getByTestId('export-done')).toBeVisible({ timeout: 90_000 });
      const files = await dialog.getByTestId('export-file').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.path ?? ''));
      expect(files).toContain(clip);
      await shot(page, 'export-done');

      const manifestPath = join(out, 'bleeding-teaching.json');
      expect(existsSync(clip)).toBe(true);
      expect(existsSync(join(out, 'bleeding-teaching.vtt'))).toBe(true);
      expect(existsSync(manifestPath)).toBe(true);
      expect(files).toEqual(expect.arrayContaining([join(out, 'bleeding-teaching.vtt'), manifestPath]));
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        evidenceId: string | null;
        evidenceWindow: { start: number; end: number; corrected: boolean } | null;
        caseRange: { requested: { start: number; end: number }; actual: { start: number; end: number } };
      };
      expect(manifest.evidenceId).toBe(await card.getAttribute('data-evidence-id'));
      expect(manifest.evidenceWindow?.corrected).toBe(true);
      expect(manifest.caseRange.requested.start).toBeCloseTo(adjusted.start, 3);
      expect(manifest.caseRange.requested.end).toBeCloseTo(adjusted.end, 3);
      // Frame-accurate: the clip holds exactly the adjusted window's frames.
      expect(manifest.caseRange.actual.start).toBeCloseTo(adjusted.start, 3);
      expect(manifest.caseRange.actual.end).toBeCloseTo(adjusted.end, 3);
      await dialog.getByTestId('export-close').click();
      await expect(dialog).toBeHidden();

      // A range marked with I and O, offered for export with its times.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Home');
      await settled(page, (s) => s.position === 0);
      await page.keyboard.press('i');
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      const markOut = (await settled(page, (s) => Math.abs(s.position - 2) < 1e-3)).position;
      await page.keyboard.press('o');
      await expect(page.getByTestId('import-dialog')).toBeHidden();
      await expect(timeline).toHaveAttribute('data-mark-in', '0');
      expect(Number(await timeline.getAttribute('data-mark-out'))).toBeCloseTo(markOut, 6);
      await shot(page, 'range-marked');
      await page.getByTestId('range-export').click();
      await expect(dialog).toBeVisible();
      await expect(dialog.getByTestId('export-start')).toHaveValue('0:00.000');
      await expect(dialog.getByTestId('export-end')).toHaveValue('0:02.000');
      await expect(dialog.getByTestId('export-out')).toHaveValue(/-range-0m00s-0m02s\.mp4$/);
      await dialog.getByTestId('export-end').fill('0:01');
      await expect(dialog.getByTestId('export-start-button')).toBeEnabled();
      await dialog.getByTestId('export-end').fill('0:00');
      await expect(dialog.getByTestId('export-problem')).toHaveText('The start must be before the end.');
      await expect(dialog.getByTestId('export-start-button')).toBeDisabled();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toBeHidden();
      await page.getByTestId('range-clear').click();
      await expect(page.getByTestId('range-bar')).toHaveCount(0);

      // The case's confirmed items as numbered clips, into the data folder's exports (made on first use).
      await page.getByTestId('export-confirmed').click();
      await expect(dialog).toBeVisible();
      await expect(dialog.getByTestId('export-out-dir')).toHaveValue(out);
      const exportsDir = join(server.home, 'exports');
      expect(existsSync(exportsDir)).toBe(false);
      await dialog.getByTestId('export-out-dir').fill(exportsDir);
      await dialog.getByTestId('export-prefix').fill('teach');
      await dialog.getByTestId('export-start-button').click();
      await expect(dialog.getByTestId('export-done')).toBeVisible({ timeout: 90_000 });
      expect(existsSync(join(exportsDir, 'teach-01.mp4'))).toBe(true);
      expect(existsSync(join(exportsDir, 'teach-01.json'))).toBe(true);
      await shot(page, 'export-batch-done');
      await dialog.getByTestId('export-close').click();

      // The reviews as a training set: one line, the latest (adjusted) review.
      await page.getByTestId('export-training').click();
      const training = page.getByTestId('training-dialog');
      await expect(training).toBeVisible();
      await expect(training.getByTestId('training-out')).toHaveValue(/exports[\\/]lap-chole-reviewed-reviews-\d{8}-\d{4}\.jsonl$/);
      const jsonl = join(out, 'reviews.jsonl');
      await training.getByTestId('training-out').fill(jsonl);
      await training.getByTestId('training-export').click();
      await expect(training.getByTestId('training-result')).toContainText('Wrote 1 reviewed item');
      await shot(page, 'training-set-done');
      const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      const example = JSON.parse(lines[0]!) as { verdict: string; reviewer: string; corrected: { start: number; end: number } };
      expect(example.verdict).toBe('adjusted');
      expect(example.reviewer).toBe(REVIEWER);
      expect(example.corrected.start).toBeCloseTo(adjusted.start, 6);
      expect(example.corrected.end).toBeCloseTo(adjusted.end, 6);
      await training.getByRole('button', { name: 'Close' }).first().click();
      await expect(training).toBeHidden();

      // The shortcuts list tells the review keys.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('?');
      const shortcuts = page.getByTestId('shortcuts');
      await expect(shortcuts).toContainText('While adjusting: start / end at the frame on screen');
      await shot(page, 'shortcuts');
      await page.keyboard.press('Escape');
      await expect(shortcuts).toBeHidden();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
