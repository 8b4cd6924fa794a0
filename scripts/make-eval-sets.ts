/*
 * `npm run make-eval-sets -- --out DIR [--set NAME]... [--videos N] [--tissue FILE]`: the
 * evaluation sets the README's benchmark section reports (main/node/eval/eval-set-plan.ts), each
 * in DIR/<name>/ with its bench.jsonl for `opscope eval --backend scout`. A set of footage with
 * no events gets nothing.jsonl instead: one question per event, each to be answered with no
 * evidence (`opscope ask <video> "<question>" --backend scout --json`).
 *
 * The real tissue clip is ../shared/data/robotic-tissue-2s.mp4 (or --tissue); the photographs of
 * people that stand in for the room outside the patient come with @vladmandic/face-api.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchJsonl } from '../main/node/eval/make-bench.js';
import { EVAL_SETS, NOTHING_QUESTIONS, planEvalSet } from '../main/node/eval/eval-set-plan.js';
import { renderEvalVideo } from '../main/node/eval/eval-set-render.js';

const USAGE = 'usage: npm run make-eval-sets -- --out DIR [--set NAME]... [--videos N] [--tissue FILE]';
const ROOT = resolve(import.meta.dirname, '..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      set: { type: 'string', multiple: true },
      videos: { type: 'string' },
      tissue: { type: 'string' },
    },
  });
  if (!values.out) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const tissueClip = resolve(values.tissue ?? join(ROOT, '..', 'shared', 'data', 'robotic-tissue-2s.mp4'));
  if (!existsSync(tissueClip)) throw new Error(`The real tissue clip is not there: ${tissueClip} (pass --tissue FILE).`);
  const photoDir = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
  const photos = [1, 2, 3, 4, 5, 6].map((i) => join(photoDir, `sample${i}.jpg`)).filter((p) => existsSync(p));
  if (photos.length === 0) process.stderr.write('No photographs of people found; out-of-body views will be grey rooms only.\n');
  const names = values.set ?? EVAL_SETS.map((s) => s.name);
  const unknown = names.filter((n) => !EVAL_SETS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`Unknown set ${unknown.join(', ')}; the sets are ${EVAL_SETS.map((s) => s.name).join(', ')}.`);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  for (const name of names) {
    const options = EVAL_SETS.find((s) => s.name === name)!;
    const videos = values.videos === undefined ? options.videos : Number(values.videos);
    if (!Number.isInteger(videos) || videos < 1) throw new Error(`--videos must be a whole number (got "${values.videos}").\n${USAGE}`);
    const plan = planEvalSet({ ...options, videos });
    const dir = join(values.out, name);
    await mkdir(dir, { recursive: true });
    for (const [i, v] of plan.videos.entries()) {
      process.stderr.write(`${name}: video ${i + 1} of ${plan.videos.length} (${v.look.width}x${v.look.height}, ${v.look.fps} fps, ${v.duration} s)\n`);
      const path = join(dir, v.file);
      if (!existsSync(path)) await renderEvalVideo(path, v, { tissueClip, photos }, controller.signal);
    }
    await writeFile(join(dir, 'plan.json'), `${JSON.stringify(plan.videos, null, 1)}\n`);
    if (options.empty) {
      const lines = plan.videos.flatMap((v) => NOTHING_QUESTIONS.map((q) => JSON.stringify({ video: v.file, ...q })));
      await writeFile(join(dir, 'nothing.jsonl'), `${lines.join('\n')}\n`);
      process.stdout.write(`${lines.length} questions to answer with no evidence: ${join(dir, 'nothing.jsonl')}\n`);
    } else {
      await writeFile(join(dir, 'bench.jsonl'), benchJsonl(plan.lines));
      process.stdout.write(`${plan.lines.length} questions about ${plan.videos.length} videos: ${join(dir, 'bench.jsonl')}\n`);
    }
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`make-eval-sets: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
