// Functions passed to page.evaluate run in the page and use its DOM.
import { createHash } from 'node:crypto';
import { chromium, type Browser, type Page } from '@playwright/test';
import { ffmpegVideo, syntheticVideo } from '../media.js';
import config from '../../../playwright.config.js';

/**
 * Operating-room mode in a browser: Chromium's fake capture device plays a generated recording
 * (as a y4m file, looped) as the live source. Bleeding is in the middle of the file.
 */
const SOURCE = {
  duration: 24,
  width: 640,
  height: 360,
  fps: 15,
  seed: 21,
  quality: 'fast' as const,
  events: [{ kind: 'bleeding' as const, start: 8, end: 16 }],
};

/** The live source as y4m, made once and cached with the other test media. */
export async function liveSource(): Promise<string> {
  const mp4 = await syntheticVideo(SOURCE);
  const key = createHash('sha256').update(JSON.stringify(SOURCE)).digest('hex').slice(0, 12);
  return ffmpegVideo(`live-source-${key}.y4m`, ['-i', mp4, '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe']);
}

/** Chromium as the other specs launch it, with a fake camera playing `y4m`. */
export async function launchWithFakeCamera(y4m: string): Promise<Browser> {
  const base = config.use?.launchOptions ?? {};
  return chromium.launch({
    ...base,
    headless: true,
    args: [
      ...(base.args ?? []),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${y4m}`,
    ],
  });
}

/** The recording's status strip, as it exposes it for tests. */
export async function strip(page: Page) {
  const d = await page.getByTestId('record-strip').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  return { state: d.state ?? '', run: Number(d.run), segments: Number(d.segments), liveEdge: Number(d.liveEdge), sendingRun: d.sendingRun ?? '' };
}

/** What the timeline holds and draws while a case is recorded. */
export async function timeline(page: Page) {
  const t = await page.getByTestId('timeline').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  const c = await page.getByTestId('timeline-canvas').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  return {
    duration: Number(t.duration),
    liveEdge: t.liveEdge === undefined ? null : Number(t.liveEdge),
    gapCount: Number(t.gapCount ?? 0),
    bookmarksDrawn: Number(c.bookmarks ?? 0),
    gapsDrawn: Number(c.gaps ?? 0),
    thumbTiles: Number(c.thumbTiles ?? 0),
    trackColumns: Number(c.trackColumns ?? 0),
  };
}

/** Frames the live preview has shown so far. */
export async function liveFrames(page: Page): Promise<number> {
  return Number(await page.getByTestId('live-preview').getAttribute('data-frames'));
}

/** The recording calls and events on the page's WebSocket, with times, for a failure's report. */
export function recordingLog(page: Page): () => string {
  const lines: string[] = [];
  const t0 = Date.now();
  const keep = (dir: string, payload: string | Buffer) => {
    const s = String(payload);
    if (/"name":"recording\.(start|stop|sourceLost|resume)"|"event":"recording\.|"ok":false/.test(s)) lines.push(`${((Date.now() - t0) / 1000).toFixed(2)} ${dir} ${s.slice(0, 400)}`);
  };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => keep('sent', f.payload));
    ws.on('framereceived', (f) => keep('recv', f.payload));
  });
  return () => lines.join('\n');
}
