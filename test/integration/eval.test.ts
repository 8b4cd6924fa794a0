import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoutBackend } from '../../main/core/agent/backends/scout/index.js';
import { evalJson } from '../../main/core/eval/result.js';
import { defaultAgentWiring } from '../../main/host/agent/agent-wiring.js';
import type { AppHost } from '../../main/host/app-host.js';
import { runEval, type EvalEvent } from '../../main/host/eval/eval-runner.js';
import { planBench } from '../../main/node/eval/make-bench.js';
import { reportImageSize } from '../../main/node/eval/report-png.js';
import { pngSize } from '../../main/node/png.js';
import { BIN, json, ROOT, runCli, tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';
import { decodeRgb, syntheticVideo } from '../support/media.js';
import { rawDb } from '../support/raw-db.js';

/*
 * `opscope eval` on a small generated set: two 60 s recordings with four questions each, made by
 * the bench generator and cached with the other test media. The first video is named three ways
 * (relative, "./" relative, and its absolute cached path) to check that it is imported once.
 */

const PLAN = planBench({ videos: 2, duration: 60, seed: 3 });

describe('evaluating a backend on a bench file', () => {
  let home: string;
  let dir: string;
  let host: AppHost;
  let bench: string;
  let clean: string;
  let cached: string[];
  /** Lines of `bench` that are questions about a video that exists. */
  let answerable: number;

  const runsStored = () => (rawDb(host.store).prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;

  beforeAll(async () => {
    home = tempHome('opscope-eval-');
    dir = join(home, 'bench');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    cached = [];
    for (const v of PLAN.videos) {
      const path = await syntheticVideo(v.spec);
      cached.push(path);
      copyFileSync(path, join(dir, v.file));
    }
    const [first, second] = PLAN.videos.map((v) => v.file) as [string, string];
    const names = [first, `./${first}`, cached[0]!];
    let k = 0;
    const lines = PLAN.lines.map((l) => JSON.stringify({ ...l, video: l.video === first ? names[k++ % names.length] : `sub/../${second}` }));
    answerable = lines.length;
    lines.splice(2, 0, '{"id":"broken","video":"case-01.mp4","question":"When is the bleeding?","windows":[[12,12]]}');
    lines.push(JSON.stringify({ id: 'nowhere', video: 'missing.mp4', question: 'When is the bleeding?', windows: [[1, 2]], kind: 'bleeding' }));
    bench = join(dir, 'bench.jsonl');
    writeFileSync(bench, `${lines.join('\n')}\n`);
    clean = join(dir, 'clean.jsonl');
    writeFileSync(clean, `${PLAN.lines.slice(0, 3).map((l) => JSON.stringify(l)).join('\n')}\n`);
    host = testHost(home);
  }, 900_000);

  afterAll(async () => {
    await host?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('stops when told, then resumes with only the rest, importing each video once', async () => {
    const progressFile = join(home, 'progress.jsonl');
    const stop = new AbortController();
    const events: EvalEvent[] = [];
    const first = await runEval(host, {
      bench,
      progressFile,
      signal: stop.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'row' && e.done === 3) stop.abort();
      },
    });
    expect(first.complete).toBe(false);
    expect(first.rows.map((r) => r.id)).toEqual(PLAN.lines.slice(0, 3).map((l) => l.id));
    expect(runsStored()).toBe(3);
    expect(events.filter((e) => e.type === 'bad-line')).toEqual([{ type: 'bad-line', line: 3, message: expect.stringMatching(/\[12, 12\] has zero length/) }]);

    const again: EvalEvent[] = [];
    const rest = await runEval(host, { bench, progressFile, onEvent: (e) => again.push(e) });
    expect(rest.complete).toBe(true);
    expect(rest.reused).toBe(3);
    expect(rest.asked).toBe(answerable - 3 + 1);
    expect(again.find((e) => e.type === 'resume')).toMatchObject({ reused: 3, total: answerable + 1 });
    // Only the rest was asked: one run per answerable question in all.
    expect(runsStored()).toBe(answerable);
    expect(readFileSync(progressFile, 'utf8').trim().split('\n')).toHaveLength(answerable + 1);

    // Three names of the first video, one of the second: two cases.
    expect(host.store.listCases()).toHaveLength(2);
    expect(rest.videos).toBe(4);

    expect(rest.badLines).toEqual([{ line: 3, message: expect.stringMatching(/zero length/) }]);
    const missing = rest.rows.find((r) => r.id === 'nowhere')!;
    expect(missing).toMatchObject({ iou: 0, pred: [], latency: null, error: expect.stringMatching(/video not found: missing\.mp4/) });

    const out = evalJson(rest);
    expect(Object.keys(out)).toEqual(['n', 'mIoU', 'R@0.3', 'R@0.5', 'R@0.7', 'latency', 'rows']);
    expect(out.n).toBe(answerable + 1);
    expect(out.rows.map((r) => r.id)).toEqual([...PLAN.lines.map((l) => l.id), 'nowhere']);
    for (const row of out.rows.slice(0, answerable)) {
      expect(Object.keys(row)).toEqual(['id', 'pred', 'gt', 'iou', 'latency']);
      expect(row.latency, row.id).toBeGreaterThan(0);
      expect(row.pred.length, `${row.id}: no window predicted for ${JSON.stringify(row.gt)}`).toBeGreaterThan(0);
    }
    expect(Object.keys(out.rows.at(-1)!)).toEqual(['id', 'pred', 'gt', 'iou', 'latency', 'error']);
    // The scout finds these events well: the same bar as its own integration test, less the missing row.
    const found = rest.rows.filter((r) => !r.error);
    expect(found.reduce((a, r) => a + r.iou, 0) / found.length).toBeGreaterThanOrEqual(0.6);
    expect(rest.byKind.map(([k]) => k).sort()).toEqual(['bleeding', 'idle', 'out-of-body', 'smoke']);

    // --fresh asks everything again.
    const before = runsStored();
    const fresh = await runEval(host, { bench: clean, progressFile: join(home, 'fresh.jsonl') });
    const redo = await runEval(host, { bench: clean, progressFile: join(home, 'fresh.jsonl'), fresh: true });
    expect([fresh.asked, redo.asked, redo.reused]).toEqual([3, 3, 0]);
    expect(runsStored()).toBe(before + 6);
  }, 600_000);

  it('records a failing backend as IoU 0 with its error, goes on, and asks the failed row again next time', async () => {
    const defaults = defaultAgentWiring(host);
    let failures = 1;
    await host.wireAgent({
      ...defaults,
      backends: {
        ...defaults.backends,
        flaky: () => {
          const scout = createScoutBackend();
          return {
            name: 'flaky',
            next: async (ctx, signal) => {
              if (ctx.question === PLAN.lines[1]!.question && failures-- > 0) throw new Error('the model server went away');
              return scout.next(ctx, signal);
            },
          };
        },
      },
    });
    const progressFile = join(home, 'flaky.jsonl');
    const first = await runEval(host, { bench: clean, backend: 'flaky', progressFile });
    expect(first.rows.map((r) => r.error)).toEqual([null, expect.stringMatching(/the model server went away/), null]);
    expect(first.rows[1]!.iou).toBe(0);
    expect(first.summary.n).toBe(3);
    const second = await runEval(host, { bench: clean, backend: 'flaky', progressFile });
    expect([second.reused, second.asked]).toEqual([2, 1]);
    expect(second.rows.every((r) => r.error === null)).toBe(true);

    await expect(runEval(host, { bench: clean, backend: 'nonesuch', progressFile: join(home, 'x.jsonl') })).rejects.toThrow(
      /agent backend "nonesuch" is not available/,
    );
  }, 300_000);

  it('prints one JSON object on the command line and writes report.md and a report.png of the announced size', async () => {
    const report = join(home, 'report');
    const r = await runCli(['eval', clean, '--json', '--report', report], { home: join(home, 'data') });
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ n: number; mIoU: number; latency: { p50: number; p95: number }; rows: Record<string, unknown>[] }>(r);
    expect(Object.keys(out)).toEqual(['n', 'mIoU', 'R@0.3', 'R@0.5', 'R@0.7', 'latency', 'rows']);
    expect(out.n).toBe(3);
    expect(out.latency.p95).toBeGreaterThanOrEqual(out.latency.p50);
    expect(out.rows.map((row) => Object.keys(row))).toEqual(Array.from({ length: 3 }, () => ['id', 'pred', 'gt', 'iou', 'latency']));

    const md = readFileSync(join(report, 'report.md'), 'utf8');
    expect(md).toContain('## Summary');
    expect(md).toContain('## Per question');
    expect(existsSync(join(report, 'progress.jsonl'))).toBe(true);
    const png = join(report, 'report.png');
    const size = reportImageSize(3);
    expect(await pngSize(png)).toEqual(size);
    const decoded = await decodeRgb(png);
    expect({ width: decoded.width, height: decoded.height }).toEqual(size);
    expect(decoded.data.length).toBe(size.width * size.height * 3);

    // Without --json: a line per question on stderr, then the table.
    const human = await runCli(['eval', bench, '--report', report], { home: join(home, 'data') });
    expect(human.code, human.stderr).toBe(1);
    expect(human.stderr).toMatch(/skipped line 3: windows\[0\]: \[12, 12\] has zero length/);
    expect(human.stderr).toMatch(/ \d+\/\d+ +\d+% {2}mIoU \d\.\d{3} {2}/);
    expect(human.stdout).toMatch(/^mIoU +\d\.\d{3}/m);
    expect(human.stdout).toMatch(/^R@0\.5 /m);
  }, 300_000);

  it('resumes a command-line run stopped with Ctrl-C', async () => {
    const report = join(home, 'interrupted');
    const data = join(home, 'data');
    const child = spawn(process.execPath, [BIN, 'eval', bench, '--report', report, '--backend', 'scout'], {
      cwd: ROOT,
      env: { ...process.env, OPSCOPE_HOME: data },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!child.killed && / 2\/\d+ /.test(stderr)) child.kill('SIGINT');
      });
      child.on('close', resolve);
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Stopped after \d+ of \d+ questions/);
    const kept = readFileSync(join(report, 'progress.jsonl'), 'utf8').trim().split('\n').length;
    expect(kept).toBeGreaterThanOrEqual(2);
    const rest = await runCli(['eval', bench, '--report', report, '--json'], { home: data });
    expect(rest.stderr).toContain(`Resuming: ${kept} of ${answerable + 1} questions already answered`);
    expect(json<{ n: number }>(rest).n).toBe(answerable + 1);
  }, 300_000);
});
