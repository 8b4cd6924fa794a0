import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchJsonl } from '../../main/node/eval/make-bench.js';
import { NOTHING_QUESTIONS, planEvalSet, type EvalSetOptions } from '../../main/node/eval/eval-set-plan.js';
import { renderEvalVideo } from '../../main/node/eval/eval-set-render.js';
import { json, ROOT, runCli, tempHome } from '../support/cli.js';
import { MEDIA_CACHE } from '../support/media.js';
import { sharedData, TISSUE_CLIP } from '../support/shared-data.js';

/*
 * The scout on recordings made unlike its tuning sets (main/node/eval/eval-set-plan.ts): the real
 * robotic tissue clip and a procedural surface, each under its own look, with injected events and
 * questions in the held-out family of phrasings, scored with `opscope eval --backend scout`. Kept
 * lean: two 50 s recordings at 480p and 10 fps, cached with the other test media. Then the real
 * clip with nothing injected: no evidence for any of the four events.
 */

const TISSUE = sharedData(TISSUE_CLIP);
const PHOTOS = [1, 2, 3].map((i) => join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo', `sample${i}.jpg`)).filter(existsSync);
const SMALL = { width: 854, height: 480, fps: 10, variableFrameRate: false, gop: 2 } as const;
const SET: EvalSetOptions = { name: 'it', seed: 4242, videos: 2, source: 'mixed', phrasing: 'b', duration: 50, look: SMALL };
const NONE: EvalSetOptions = { name: 'it-none', seed: 77, videos: 1, source: 'tissue', phrasing: 'b', duration: 30, empty: true, look: SMALL };

async function cached(name: string, v: Parameters<typeof renderEvalVideo>[1]): Promise<string> {
  mkdirSync(MEDIA_CACHE, { recursive: true });
  const path = join(MEDIA_CACHE, `evalset-${name}-${v.file}`);
  if (!existsSync(path)) await renderEvalVideo(path, v, { tissueClip: TISSUE!, photos: PHOTOS });
  return path;
}

describe.skipIf(TISSUE === null)('the scout on evaluation sets it was not tuned on', () => {
  let home: string;
  let dir: string;

  beforeAll(async () => {
    home = tempHome('opscope-evalset-');
    dir = join(home, 'set');
    mkdirSync(dir, { recursive: true });
    for (const set of [SET, NONE]) {
      for (const v of planEvalSet(set).videos) copyFileSync(await cached(set.name, v), join(dir, v.file));
    }
  }, 600_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  /*
   * The design's targets are mIoU >= 0.85 overall and >= 0.7 per event type; the scout does not
   * reach them on this set yet (0.47 measured: see the README's benchmark section), so this guards
   * against falling back towards chance (about 0.1 here) rather than claiming the targets.
   */
  it('grounds the events well above chance, scored by opscope eval', async () => {
    const plan = planEvalSet(SET);
    writeFileSync(join(dir, 'bench.jsonl'), benchJsonl(plan.lines));
    const r = await runCli(['eval', join(dir, 'bench.jsonl'), '--backend', 'scout', '--json'], { home, timeoutMs: 600_000 });
    const out = json<{ n: number; mIoU: number; rows: { id: string; iou: number }[] }>(r);
    expect(out.n).toBe(plan.lines.length);
    const byKind = new Map<string, number[]>();
    for (const row of out.rows) {
      const kind = plan.lines.find((l) => l.id === row.id)!.kind!;
      byKind.set(kind, [...(byKind.get(kind) ?? []), row.iou]);
    }
    const summary = [...byKind].map(([k, v]) => `${k} ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(2)}`).join(', ');
    if (process.env.SHOW) console.log(`mIoU ${out.mIoU.toFixed(3)}: ${summary}`);
    expect(out.mIoU, summary).toBeGreaterThanOrEqual(0.4);
  }, 600_000);

  it('gives no evidence for any event on the real footage with nothing injected, and says what it checked', async () => {
    const [v] = planEvalSet(NONE).videos;
    for (const q of NOTHING_QUESTIONS) {
      const r = await runCli(['ask', join(dir, v!.file), q.question, '--backend', 'scout', '--json'], { home, timeoutMs: 300_000 });
      const out = json<{ answer: string; evidence: unknown[] }>(r);
      expect(out.evidence, `${q.kind}: ${out.answer}`).toEqual([]);
      expect(out.answer).toMatch(/^No .* was seen: (the .* never reaches|motion never stays at or below) /);
    }
  }, 600_000);
});
