// Functions passed to page.evaluate run in the page and use its DOM.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { SHOTS } from './env.js';

export interface PlayerState {
  position: number;
  partIndex: number;
  partFrame: number;
  caseFrame: number;
  playing: boolean;
  settled: boolean;
  speed: number;
}

/** What the player reports about the frame on screen (data attributes it exposes for tests). */
export async function playerState(page: Page): Promise<PlayerState> {
  const d = await page.getByTestId('player').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  return {
    position: Number(d.position),
    partIndex: Number(d.partIndex),
    partFrame: Number(d.partFrame),
    caseFrame: Number(d.caseFrame),
    playing: d.playing === 'true',
    settled: d.settled === 'true',
    speed: Number(d.speed),
  };
}

/** Waits until the requested frame is on screen and returns the player's state. */
export async function settled(page: Page, check: (s: PlayerState) => boolean = () => true): Promise<PlayerState> {
  let last: PlayerState | null = null;
  await expect
    .poll(
      async () => {
        last = await playerState(page);
        return last.settled && !last.playing && check(last);
      },
      { timeout: 15_000, message: 'the player did not settle on the expected frame' },
    )
    .toBe(true);
  // One more paint, so that the element's current frame is the one reported.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return (last ?? (await playerState(page)))!;
}

export async function timelineState(page: Page) {
  const d = await page.getByTestId('timeline').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  const c = await page.getByTestId('timeline-canvas').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  return {
    zoomStart: Number(d.zoomStart),
    zoomEnd: Number(d.zoomEnd),
    duration: Number(d.duration),
    thumbTiles: Number(c.thumbTiles ?? 0),
    trackColumns: Number(c.trackColumns ?? 0),
    gapColumns: Number(c.gapColumns ?? 0),
  };
}

/**
 * Share of the pixels of one timeline row (thumbnails, motion, …) that differ from the row's
 * empty background colour (the theme's --tl-row / --tl-row-alt).
 */
export async function canvasInk(page: Page, row: string): Promise<number> {
  const rows = JSON.parse((await page.getByTestId('timeline-canvas').getAttribute('data-rows')) ?? '{}') as Record<string, [number, number]>;
  const band = rows[row];
  if (!band) throw new Error(`the timeline has no row ${row}`);
  const trackIndex = Object.keys(rows).indexOf(row) - 1;
  const bgVar = trackIndex % 2 === 1 ? '--tl-row-alt' : '--tl-row';
  return page.getByTestId('timeline-base').evaluate(
    (el, o) => {
      const canvas = el as HTMLCanvasElement;
      const hex = getComputedStyle(canvas).getPropertyValue(o.bgVar).trim().replace('#', '');
      const bg = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      const ctx = canvas.getContext('2d')!;
      const dpr = canvas.width / canvas.getBoundingClientRect().width;
      const y = Math.round((o.top + 1) * dpr);
      const h = Math.max(1, Math.round((o.height - 2) * dpr));
      const img = ctx.getImageData(0, y, canvas.width, h).data;
      let ink = 0;
      for (let i = 0; i < img.length; i += 4) {
        if (Math.abs(img[i]! - bg[0]!) + Math.abs(img[i + 1]! - bg[1]!) + Math.abs(img[i + 2]! - bg[2]!) > 24) ink++;
      }
      return ink / (img.length / 4);
    },
    { top: band[0], height: band[1], bgVar },
  );
}

/** The frame on screen in the active <video>, as RGB24, drawn through a canvas in the page. */
export async function videoFrameRgb(page: Page): Promise<{ data: Uint8Array; width: number; height: number }> {
  const r = await page.locator('[data-testid=player] video[data-active=true]').evaluate((el) => {
    const v = el as HTMLVideoElement;
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(v, 0, 0);
    const rgba = ctx.getImageData(0, 0, c.width, c.height).data;
    const rgb = new Uint8Array((rgba.length / 4) * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i]!;
      rgb[j + 1] = rgba[i + 1]!;
      rgb[j + 2] = rgba[i + 2]!;
    }
    let s = '';
    for (let i = 0; i < rgb.length; i += 0x8000) s += String.fromCharCode(...rgb.subarray(i, i + 0x8000));
    return { b64: btoa(s), width: c.width, height: c.height };
  });
  return { data: new Uint8Array(Buffer.from(r.b64, 'base64')), width: r.width, height: r.height };
}

let shotNo = 0;
/** A screenshot of the real UI for people to look at; never compared, never in the repository. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Watches the page for a case in the library showing an index progress bar, however briefly. */
export async function watchIndexProgress(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => {
    const w = window as unknown as { __indexProgressSeen?: boolean };
    w.__indexProgressSeen = false;
    const look = () => {
      if (document.querySelector('[data-testid=case-item] [role=progressbar]')) w.__indexProgressSeen = true;
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  return () => page.evaluate(() => (window as unknown as { __indexProgressSeen?: boolean }).__indexProgressSeen === true);
}

/** Clicks the timeline at a fraction of its width (in the track rows, below the ruler). */
export async function clickTimeline(page: Page, fraction: number): Promise<void> {
  const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width * fraction, box.y + box.height * 0.6);
}

/**
 * Opens the import dialog, chooses the recordings (the first by pasting its path, the rest in
 * the folder browser) and imports them as one case.
 */
export async function importRecordings(page: Page, o: { pasted: string[]; browseDir?: string; ticked?: string[]; name?: string }): Promise<void> {
  await page.getByTestId('open-recordings').click();
  const dialog = page.getByTestId('import-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('import-paths').fill(o.pasted.join('\n'));
  if (o.browseDir) {
    await dialog.getByTestId('browse-dir').fill(o.browseDir);
    await dialog.getByTestId('browse-dir').press('Enter');
    for (const name of o.ticked ?? []) {
      await dialog.getByTestId('browse-file-entry').filter({ hasText: name }).locator('input[type=checkbox]').check();
    }
  }
  await dialog.getByTestId('mode-one-case').check();
  if (o.name) await dialog.getByTestId('import-name').fill(o.name);
  await dialog.getByTestId('import-submit').click();
}
