import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { BIN, ROOT } from '../support/cli.js';
import { syntheticVideo } from '../support/media.js';
import { sleep } from '../support/wait.js';
import { launchWithFakeCamera, liveSource, recordingLog, strip, timeline } from '../support/e2e/capture.js';
import { expect, test } from '../support/e2e/fixtures.js';
import { shot } from '../support/e2e/flow.js';
import { startServer, type Served } from '../support/e2e/server.js';

/**
 * A recording cut short by a crash: the CLI records a replayed file into a data folder and is
 * killed with its ffmpeg; the app started next on that folder finds the recording, recovers its
 * segments into the case and offers to go on recording into the same case.
 */
const CASE_NAME = 'Crashed lap chole';
const SEGMENT_SECONDS = 2;

interface Crash {
  home: string;
  recordingId: string;
  caseId: string;
  /** Segments the recording had listed when it was killed. */
  listed: number;
  /** Parts in the case when it was killed (the recorder adds each segment after inspecting it). */
  partsBefore: number;
  log: string;
}

/** Records into a fresh data folder and kills the recording, ffmpeg included, once two segments are written. */
async function crashMidRecording(): Promise<Crash> {
  // The replayed file of the recovery integration test, so it is made once.
  const source = await syntheticVideo({ duration: 14, width: 320, height: 180, fps: 25, events: [], seed: 42 });
  const home = mkdtempSync(join(tmpdir(), 'opscope-e2e-crash-'));
  // Its own process group, so the kill takes ffmpeg too, as a crash of the app would.
  const child = spawn(process.execPath, [BIN, 'record', '--replay', source, '--segment-seconds', String(SEGMENT_SECONDS), '--name', CASE_NAME], {
    cwd: ROOT,
    env: { ...process.env, OPSCOPE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listedNow = () => {
    const recordings = join(home, 'recordings');
    const folders = existsSync(recordings) ? readdirSync(recordings) : [];
    const csv = folders[0] ? join(recordings, folders[0], 'run-001', 'segments.csv') : '';
    return csv && existsSync(csv) ? readFileSync(csv, 'utf8').split('\n').filter(Boolean).length : 0;
  };
  const deadline = Date.now() + 45_000;
  while (listedNow() < 2 && child.exitCode === null && Date.now() < deadline) await sleep(10);
  const listed = listedNow();
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // The group is gone already (the recording ended by itself); the check below says so.
  }
  await exited;
  try {
    if (listed < 2) throw new Error(`the recording listed ${listed} segments before it was to be killed:\n${log}`);
    const db = new Database(join(home, 'opscope.db'), { readonly: true, fileMustExist: true });
    try {
      const rec = db.prepare('SELECT id, case_id, state FROM recordings').get() as { id: string; case_id: string; state: string };
      expect(rec.state, 'the killed recording is still marked running').toBe('running');
      const partsBefore = (db.prepare('SELECT count(*) AS n FROM parts WHERE case_id = ?').get(rec.case_id) as { n: number }).n;
      return { home, recordingId: rec.id, caseId: rec.case_id, listed, partsBefore, log };
    } finally {
      db.close();
    }
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
}

/** The parts of a case as its entry in the library says them ("… · 3 parts"). */
async function libraryParts(page: Page, caseId: string): Promise<number> {
  const meta = await page.locator(`[data-testid=case-item][data-case-id="${caseId}"] .meta`).innerText();
  const m = /(\d+) parts?\b/.exec(meta);
  if (!m) throw new Error(`the library entry says no part count: ${meta}`);
  return Number(m[1]);
}

/** The number the interrupted banner gives as recovered ("2 segments recovered"). */
async function bannerRecovered(page: Page): Promise<number> {
  const text = await page.getByTestId('interrupted-detail').innerText();
  const m = /(\d+) segments? recovered/.exec(text);
  if (!m) throw new Error(`the banner says no recovered count: ${text}`);
  return Number(m[1]);
}

/** m:ss, as the banner says how much was recorded. */
function clockShort(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Points at case time `t` in the timeline's row of bookmarks and gaps. */
async function hoverMarks(page: Page, t: number): Promise<void> {
  const canvas = page.getByTestId('timeline-canvas');
  const rows = JSON.parse((await canvas.getAttribute('data-rows')) ?? '{}') as Record<string, [number, number]>;
  const [top, height] = rows.marks!;
  const d = await page.getByTestId('timeline').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  const box = (await canvas.boundingBox())!;
  const x = ((t - Number(d.zoomStart)) / (Number(d.zoomEnd) - Number(d.zoomStart))) * box.width;
  await page.mouse.move(box.x + x + 2, box.y + top + height / 2);
}

/** The app started again on the crashed recording's data folder, in a browser with a fake camera. */
async function startAgain(crash: Crash, run: (page: Page, browser: Browser, server: Served) => Promise<void>): Promise<void> {
  const testInfo = test.info();
  const y4m = await liveSource();
  let server: Served | null = null;
  let browser: Browser | null = null;
  let events = () => '';
  try {
    server = await startServer({ home: crash.home });
    browser = await launchWithFakeCamera(y4m);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    const page = await context.newPage();
    events = recordingLog(page);
    await page.goto(server.url);
    await run(page, browser, server);
  } catch (err) {
    await testInfo.attach('crashed-recording.log', { body: crash.log, contentType: 'text/plain' });
    await testInfo.attach('recording-events.log', { body: events(), contentType: 'text/plain' });
    if (server) await testInfo.attach('opscope-serve.log', { body: server.log(), contentType: 'text/plain' });
    throw err;
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(crash.home, { recursive: true, force: true });
  }
}

test.describe('a recording cut short by a crash, in a browser with a fake capture device', () => {
  test('after a crash, the next start finds the interrupted recording and offers to continue into the same case', async () => {
    test.setTimeout(300_000);
    const crash = await crashMidRecording();
    await startAgain(crash, async (page) => {
      // The banner names the case and what was recovered into it; the library shows the case
      // with every part, those added before the crash and those recovered now.
      const banner = page.getByTestId('interrupted-banner');
      await expect(banner).toHaveCount(1);
      await expect(banner).toContainText(`The recording of “${CASE_NAME}” was interrupted`);
      await expect(banner.getByTestId('interrupted-continue')).toHaveText('Continue recording into this case');
      await expect(banner.getByTestId('interrupted-continue')).toBeEnabled();
      const item = page.locator(`[data-testid=case-item][data-case-id="${crash.caseId}"]`);
      await expect(item).toContainText(CASE_NAME);
      // The banner counts the segments recovered at this start, not those the recorder had added
      // before the crash; the library counts them all.
      const recovered = await bannerRecovered(page);
      expect(recovered).toBeGreaterThanOrEqual(1);
      await expect.poll(() => libraryParts(page, crash.caseId), { message: 'the library counts every part' }).toBe(crash.partsBefore + recovered);
      const partsShown = await libraryParts(page, crash.caseId);
      // Every segment ffmpeg had closed is in the case; only the one cut mid-write may add one more.
      expect(partsShown).toBeGreaterThanOrEqual(crash.listed);
      expect(partsShown).toBeGreaterThanOrEqual(2);
      // ...and the banner says the whole case, so "1 recovered" is not read as all there is.
      await expect(page.getByTestId('interrupted-detail')).toContainText(`everything recorded before the crash (${partsShown} parts)`);
      // The only case opens: what was recorded before the crash.
      await expect(page.getByTestId('case-view')).toHaveAttribute('data-case-id', crash.caseId);
      await expect(page.getByTestId('part-row')).toHaveCount(partsShown);
      const recordedBefore = (await timeline(page)).duration;
      expect(recordedBefore).toBeGreaterThan((crash.listed - 0.5) * SEGMENT_SECONDS);
      await expect(banner).toContainText(`The recording of “${CASE_NAME}” was interrupted at ${clockShort(recordedBefore)}`);
      await shot(page, 'recovery-banner');

      // Continue: the record dialog names the case; the fake device plays in it.
      await banner.getByTestId('interrupted-continue').click();
      const dialog = page.getByTestId('record-dialog');
      await expect(dialog).toBeVisible();
      await expect(dialog).toContainText('Continue recording');
      await expect(dialog.getByTestId('record-continue')).toContainText(`Continues “${CASE_NAME}”`);
      await expect(dialog.getByTestId('record-name')).toHaveCount(0);
      await expect(dialog.getByTestId('record-device').first()).toContainText(basename(await liveSource()));
      await expect(dialog.getByTestId('record-problem')).toHaveCount(0);
      await expect
        .poll(() => dialog.getByTestId('record-preview').evaluate((v) => (v as HTMLVideoElement).videoWidth), { message: 'the preview shows the device' })
        .toBeGreaterThan(0);
      await dialog.locator('summary', { hasText: 'Advanced' }).click();
      await dialog.getByTestId('record-segment-seconds').fill(String(SEGMENT_SECONDS));
      await dialog.getByTestId('record-segment-seconds').press('Tab');
      await shot(page, 'recovery-continue-dialog');
      await dialog.getByTestId('record-start').click();

      // The same case opens on the live picture and grows; the banner is gone.
      await expect(dialog).toBeHidden();
      await expect(banner).toHaveCount(0);
      await expect(page.getByTestId('case-view')).toHaveAttribute('data-case-id', crash.caseId);
      await expect(page.getByTestId('case-title')).toHaveText(CASE_NAME);
      await expect(page.getByTestId('record-strip')).toBeVisible();
      await expect(page.getByTestId('live-preview')).toBeVisible();
      await expect(page.getByTestId('case-item')).toHaveCount(1);
      await expect.poll(async () => (await strip(page)).sendingRun, { message: 'the window sends the stream' }).toBe('1');
      await expect
        .poll(async () => (await strip(page)).segments, { timeout: 60_000, message: 'two segments are recorded into the case' })
        .toBeGreaterThanOrEqual(2);
      await expect.poll(() => libraryParts(page, crash.caseId), { message: 'the library counts the new parts' }).toBeGreaterThanOrEqual(partsShown + 2);
      await expect.poll(() => page.getByTestId('part-row').count(), { message: 'the case lists the new parts' }).toBeGreaterThanOrEqual(partsShown + 2);

      // The time the app was down is one gap, where the continued recording begins.
      await expect.poll(async () => (await timeline(page)).gapCount, { message: 'the gap is in the case' }).toBe(1);
      await expect.poll(async () => (await timeline(page)).gapsDrawn, { message: 'the gap is drawn on the timeline' }).toBe(1);
      await shot(page, 'recovery-continued-gap');

      // Stop (asked first): the case keeps the recovered and the new parts, and the gap.
      const segments = (await strip(page)).segments;
      await page.getByTestId('record-stop').click();
      const confirm = page.getByTestId('record-stop-dialog');
      await expect(confirm).toBeVisible();
      await confirm.getByTestId('record-stop-confirm').click();
      await expect(page.getByTestId('record-strip')).toBeHidden({ timeout: 30_000 });
      await expect.poll(() => page.getByTestId('part-row').count()).toBeGreaterThanOrEqual(partsShown + segments);
      const stopped = await timeline(page);
      expect(stopped.liveEdge).toBeNull();
      expect(stopped.gapCount).toBe(1);
      expect(stopped.gapsDrawn).toBe(1);
      expect(stopped.duration).toBeGreaterThan(recordedBefore + (segments - 0.5) * SEGMENT_SECONDS);
      await shot(page, 'recovery-stopped');

      // The marker sits where the recovered parts end, and says why the time is missing.
      await hoverMarks(page, recordedBefore);
      const tip = page.getByTestId('mark-tip');
      await expect(tip).toBeVisible();
      await expect(tip).toContainText(/^Interrupted /);
      await expect(tip).toContainText('The app stopped (crash or power loss); recording continued here at');
      // A readable box, not squeezed into the timeline's thin gap line.
      expect((await tip.boundingBox())!.width).toBeGreaterThan(100);
      await shot(page, 'recovery-gap-tip');

      // Continued, the recording is no longer offered after a reload.
      await page.reload();
      await expect(page.getByTestId('case-item')).toHaveCount(1);
      await expect(page.getByTestId('interrupted-banner')).toHaveCount(0);
      await expect(page.getByTestId('case-view')).toHaveAttribute('data-case-id', crash.caseId);
      await expect.poll(async () => (await timeline(page)).gapsDrawn).toBe(1);
      await shot(page, 'recovery-after-reload');
    });
  });

  test('dismissing the interrupted recording hides it in this browser, reload included; the case stays', async () => {
    test.setTimeout(240_000);
    const crash = await crashMidRecording();
    await startAgain(crash, async (page, browser, server) => {
      const banner = page.getByTestId('interrupted-banner');
      await expect(banner).toContainText(`The recording of “${CASE_NAME}” was interrupted`);

      // Open case: the case opens, the banner stays.
      await banner.getByTestId('interrupted-open').click();
      await expect(page.getByTestId('case-view')).toHaveAttribute('data-case-id', crash.caseId);
      await expect(page.getByTestId('case-title')).toHaveText(CASE_NAME);
      await expect(banner).toBeVisible();
      const parts = await libraryParts(page, crash.caseId);
      expect(parts).toBeGreaterThanOrEqual(crash.listed);
      await expect(page.getByTestId('part-row')).toHaveCount(parts);

      await banner.getByTestId('interrupted-dismiss').click();
      await expect(banner).toHaveCount(0);
      await shot(page, 'recovery-dismissed');

      // The dismissal is kept by this browser: a reload does not bring the banner back.
      await page.reload();
      // The only case opens once the app has read what it needs at start, interrupted recordings included.
      await expect(page.getByTestId('case-view')).toHaveAttribute('data-case-id', crash.caseId);
      await expect.poll(() => libraryParts(page, crash.caseId)).toBe(parts);
      await expect(page.getByTestId('interrupted-banner')).toHaveCount(0);
      await shot(page, 'recovery-dismissed-reloaded');

      // Another browser profile has not dismissed it: the app still offers it there.
      const other = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
      const fresh = await other.newPage();
      await fresh.goto(server.url);
      await expect(fresh.getByTestId('interrupted-banner')).toContainText(`The recording of “${CASE_NAME}” was interrupted`);
      await other.close();
    });
  });
});
