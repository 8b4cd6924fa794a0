import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { AppHost } from '../../main/host/app-host.js';
import { nodeWorkerLauncher } from '../../main/host/workers/node-worker.js';
import { startServer } from '../support/e2e/server.js';
import { shot } from '../support/e2e/flow.js';
import { importCase } from '../support/host.js';
import { photoVideo, tissueVideo, wireLooker } from '../support/vision-case.js';

/*
 * What the vision model found, on the tool cards: a case of tissue and a real photograph of
 * people, looked at through the agent and stored; `opscope serve` on that data folder shows the
 * run as stored, with "person 0.xx" under the room frames and nothing under the tissue frames.
 */
test('the tool cards show what the vision model found on each frame', async ({ page }) => {
  test.setTimeout(300_000);
  const home = mkdtempSync(join(tmpdir(), 'opscope-e2e-vision-'));
  try {
    const host = new AppHost({ dataDir: home, launcher: nodeWorkerLauncher(), transport: 'cli', resumeIndexing: false });
    let tissueEnd: number;
    try {
      const caseId = await importCase(host, [await tissueVideo(), await photoVideo(home, 3)]);
      tissueEnd = (await host.call('cases.get', { caseId })).parts[0]!.duration;
      await wireLooker(host);
      const { runId } = await host.call('agent.ask', { caseId, question: 'Where are the people?', backend: 'looker' });
      expect((await host.agent.whenDone(runId)).state).toBe('answered');
    } finally {
      await host.close();
    }

    const server = await startServer({ home });
    try {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(server.url);
      await page.getByTestId('case-item').first().click();
      const run = page.getByTestId('agent-run').first();
      await expect(run).toHaveAttribute('data-state', 'answered', { timeout: 30_000 });
      const crop = run.locator('[data-testid=tool-card][data-tool=crop_video]');
      const frames = crop.getByTestId('agent-frame');
      await expect(frames).toHaveCount(8);
      // The detector looks at the first, middle and last frames of a crop.
      let roomLabelled = 0;
      for (let k = 0; k < 8; k++) {
        const frame = frames.nth(k);
        const time = Number(await frame.getAttribute('data-time'));
        const found = frame.getByTestId('frame-detections');
        if (time > tissueEnd + 0.05 && (await found.count()) > 0) {
          await expect(found).toContainText(/person 0\.\d\d/);
          expect(await found.locator('span').count()).toBeLessThanOrEqual(3);
          roomLabelled++;
        } else if (time < tissueEnd - 0.05) {
          await expect(found).toHaveCount(0);
        }
      }
      expect(roomLabelled).toBeGreaterThan(0);
      await expect(crop.getByTestId('frame-detections')).toHaveCount(roomLabelled);
      await expect(run.locator('[data-testid=tool-card][data-tool=get_frame]').getByTestId('frame-detections')).toContainText(/person/);
      await run.scrollIntoViewIfNeeded();
      await shot(page, 'ask-vision-tool-cards');
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
