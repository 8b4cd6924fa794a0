/*
 * `npm run make-bench -- --out DIR [--videos N] [--duration S] [--seed N]`: a synthetic evaluation
 * set for `opscope eval` (see main/node/eval/make-bench.ts). The same seed makes the same set.
 */
import { parseArgs } from 'node:util';
import { BENCH_DEFAULTS, makeBench } from '../main/node/eval/make-bench.js';

const USAGE = 'usage: npm run make-bench -- --out DIR [--videos N] [--duration S] [--seed N]';

function numberOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} must be a number (got "${raw}").\n${USAGE}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      videos: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (!values.out) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  let shown = '';
  const made = await makeBench({
    out: values.out,
    videos: numberOption('videos', values.videos, BENCH_DEFAULTS.videos),
    duration: numberOption('duration', values.duration, BENCH_DEFAULTS.duration),
    seed: numberOption('seed', values.seed, BENCH_DEFAULTS.seed),
    signal: controller.signal,
    onProgress: (i, n, f) => {
      const line = `video ${i + 1} of ${n}: ${Math.floor(f * 10) * 10}%`;
      if (line !== shown) process.stderr.write(`\r${line}   `);
      shown = line;
    },
  });
  process.stderr.write('\n');
  process.stdout.write(`${made.questions} questions about ${made.videos.length} videos: ${made.bench}\n`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`\nmake-bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
