/*
 * `npm run bench`: prints figures, asserts nothing. Every speed is given as a ratio against a
 * baseline measured in the same run on the same machine, because absolute times on shared
 * machines say little.
 *
 *   index    a generated 20-minute 1080p30 H.264 recording (keyframe every 2 s), indexed by the
 *            real worker process: speed against realtime and against `ffmpeg -vf fps=1` over the
 *            same file; peak memory of the worker and its ffmpeg children while indexing.
 *   frame    `opscope frame` at 50 random case times: median and p95 wall time of the command,
 *            and of the frame call inside a running host (what the app's UI waits for).
 *   ask      the scout backend end to end on the indexed case, and the first event after the
 *            run starts (what a clinician first sees stream in).
 *   crop     the agent's crop_video (8 labelled model frames over 60 s, with per-frame signals)
 *            at 20 random windows inside a running host: median and p95.
 *   export   a 60 s teaching clip from the recording, re-encoded with burned captions and by
 *            stream copy (stills and manifest included): speed against realtime.
 *
 * OPSCOPE_BENCH_MINUTES shortens the recording for a quick look (the targets are for 20).
 * OPSCOPE_BENCH_ONLY=export runs only the export figures (no indexing needed).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { inputPath, runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { tool } from '../../main/node/ffmpeg/locate.js';
import { runCli } from '../fixtures/cli.js';
import { createAgentTools } from '../../main/host/agent-tools.js';
import type { AppHost } from '../../main/host/app-host.js';
import { testHost } from '../fixtures/host.js';
import { syntheticVideo } from '../fixtures/media.js';

const minutes = Number(process.env.OPSCOPE_BENCH_MINUTES ?? 20);
const FRAME_SAMPLES = 50;
const ASK_QUESTIONS = [
  'When does the bleeding start?',
  'Was the camera outside the patient?',
  'How long was the pause?',
  'When is the view hazy with smoke?',
  'Which instrument is used?',
];
const ASK_ROUNDS = 2;
const CROP_SAMPLES = 20;

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Resident memory of a process and all its descendants, from /proc (Linux only). */
function treeRssBytes(rootPid: number): number | null {
  if (process.platform !== 'linux') return null;
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      rss.set(pid, Number(fields[21]) * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function mib(bytes: number) {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

async function timeFfmpegFps1(path: string): Promise<number> {
  const t0 = performance.now();
  await runFfmpeg(['-v', 'error', '-i', inputPath(path), '-an', '-vf', 'fps=1', '-f', 'null', '-'], {
    timeoutMs: 60 * 60_000,
    purpose: 'the fps=1 baseline',
  });
  return (performance.now() - t0) / 1000;
}

const CLIP_SECONDS = 60;

interface ExportFigures {
  burnSeconds: number;
  copySeconds: number;
  copyRange: { start: number; end: number };
}

/** A 60 s clip with burned captions (an evidence item's question and claim when there is one), then by stream copy. */
async function benchExport(host: AppHost, caseId: string, duration: number, dir: string): Promise<ExportFigures> {
  mkdirSync(dir, { recursive: true });
  const start = Math.max(0, Math.min(duration - CLIP_SECONDS, duration * 0.2 - 10));
  const row = host.store.db
    .prepare(
      `SELECT e.id FROM evidence e JOIN runs r ON r.id = e.run_id JOIN questions q ON q.id = r.question_id
       JOIN conversations c ON c.id = q.conversation_id WHERE c.case_id = ? ORDER BY e.rank LIMIT 1`,
    )
    .get(caseId) as { id: string } | undefined;
  const base = {
    caseId,
    ...(row ? { evidenceId: row.id } : {}),
    start,
    end: start + CLIP_SECONDS,
    keepAudio: false,
    keepMetadata: false,
  };
  const b0 = performance.now();
  await (await host.exports.startClip({ ...base, out: join(dir, 'burned.mp4'), captions: 'burn', streamCopy: false })).done;
  const burnSeconds = (performance.now() - b0) / 1000;
  const c0 = performance.now();
  const copy = await (await host.exports.startClip({ ...base, out: join(dir, 'copy.mp4'), captions: 'vtt', streamCopy: true })).done;
  const copySeconds = (performance.now() - c0) / 1000;
  return { burnSeconds, copySeconds, copyRange: copy.actual };
}

function logExport(f: ExportFigures) {
  log(`Teaching-clip export, ${CLIP_SECONDS} s of 1080p30 (with 3 stills and a manifest)`);
  log(`  burned captions          ${f.burnSeconds.toFixed(1)} s, ${(CLIP_SECONDS / f.burnSeconds).toFixed(1)}x realtime   (target >= 4x)`);
  log(`  stream copy              ${f.copySeconds.toFixed(2)} s, ${(CLIP_SECONDS / f.copySeconds).toFixed(1)}x realtime   (target >= 50x; cut at keyframes ${f.copyRange.start.toFixed(2)}-${f.copyRange.end.toFixed(2)} s)`);
}

async function main() {
  const duration = Math.round(minutes * 60);
  log(`Opscope benchmark · ${process.platform}-${process.arch}, Node ${process.versions.node}, ffmpeg ${tool('ffmpeg').path}`);
  log(`Recording: ${minutes} min 1080p30 H.264, keyframe every 2 s (generated once, then cached)`);
  const t0 = performance.now();
  let shown = -1;
  const video = await syntheticVideo({
    duration,
    width: 1920,
    height: 1080,
    fps: 30,
    gop: 2,
    seed: 2024,
    quality: 'fast',
    events: [
      { kind: 'bleeding', start: duration * 0.2, end: duration * 0.23 },
      { kind: 'smoke', start: duration * 0.45, end: duration * 0.47 },
      { kind: 'out-of-body', start: duration * 0.7, end: duration * 0.725 },
      { kind: 'idle', start: duration * 0.85, end: duration * 0.865 },
    ],
  }, 'mp4', (f) => {
    const pct = Math.floor(f * 20) * 5;
    if (pct > shown) {
      shown = pct;
      process.stdout.write(`  generating ${pct}%\r`);
    }
  });
  log(`  ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${video}`);

  const home = mkdtempSync(join(tmpdir(), 'opscope-bench-'));
  if (process.env.OPSCOPE_BENCH_ONLY === 'export') {
    try {
      const host = testHost(home);
      const [r] = (await host.call('cases.import', { paths: [video], index: false })) as { caseId: string | null }[];
      if (!r?.caseId) throw new Error('the benchmark recording could not be imported');
      const figures = await benchExport(host, r.caseId, duration, join(home, 'export'));
      await host.close();
      log('');
      logExport(figures);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    return;
  }
  try {
    // Index with the real worker process, sampling its memory (ffmpeg children included).
    const host = testHost(home);
    host.worker.start();
    let peak = 0;
    const sampler = setInterval(() => {
      const pid = host.worker.pid;
      const rss = pid ? treeRssBytes(pid) : null;
      if (rss !== null) peak = Math.max(peak, rss);
    }, 100);
    const i0 = performance.now();
    const [r] = (await host.call('cases.import', { paths: [video], index: true })) as { caseId: string | null }[];
    if (!r?.caseId) throw new Error('the benchmark recording could not be imported');
    await host.indexer.whenIdle(r.caseId);
    const indexSeconds = (performance.now() - i0) / 1000;
    clearInterval(sampler);
    const detail = (await host.call('cases.get', { caseId: r.caseId })) as { index: { state: string; message?: string } };
    if (detail.index.state !== 'done') throw new Error(`indexing ended as ${detail.index.state}: ${detail.index.message ?? ''}`);

    // The frame call inside a running host (warm worker), at random times.
    const times = Array.from({ length: FRAME_SAMPLES }, () => Math.random() * (duration - 1));
    const inHost: number[] = [];
    for (const t of times) {
      const f0 = performance.now();
      await host.frames.get(r.caseId, t);
      inHost.push(performance.now() - f0);
    }

    // crop_video as the agent calls it, on the same warm host.
    const tools = createAgentTools(host, r.caseId);
    const crops: number[] = [];
    const never = new AbortController().signal;
    for (let k = 0; k < CROP_SAMPLES; k++) {
      const start = Math.random() * Math.max(0, duration - 60);
      const c0 = performance.now();
      await tools.cropVideo(start, start + 60, 8, never);
      crops.push(performance.now() - c0);
    }

    // Asking the case with the embedded scout backend, end to end, as the app does.
    const asks: number[] = [];
    const firstEvents: number[] = [];
    for (let k = 0; k < ASK_QUESTIONS.length * ASK_ROUNDS; k++) {
      const question = ASK_QUESTIONS[k % ASK_QUESTIONS.length]!;
      let first: number | null = null;
      const a0 = performance.now();
      const off = host.bus.subscribe((name, payload) => {
        const ev = (payload as { event?: { type?: string } }).event;
        if (name === 'agent.event' && first === null && ev?.type !== 'run-started') first = performance.now() - a0;
      });
      const { runId } = (await host.call('agent.ask', { caseId: r.caseId, question })) as { runId: string };
      const done = await host.agent.whenDone(runId);
      asks.push(performance.now() - a0);
      off();
      if (done.state !== 'answered') throw new Error(`"${question}" ended as ${done.state}`);
      if (first !== null) firstEvents.push(first);
    }
    const exportFigures = await benchExport(host, r.caseId, duration, join(home, 'export'));
    await host.close();

    log('');
    log('Baseline: ffmpeg -vf fps=1 over the same file (decodes every frame) ...');
    const fps1Seconds = await timeFfmpegFps1(video);

    // `opscope frame` as a user runs it: a new process each time, at new random times.
    const cli: number[] = [];
    const out = join(home, 'frame.png');
    for (let k = 0; k < FRAME_SAMPLES; k++) {
      const t = Math.random() * (duration - 1);
      const f0 = performance.now();
      const res = await runCli(['frame', r.caseId, t.toFixed(3), '--out', out], { home: join(home, 'data') });
      cli.push(performance.now() - f0);
      if (res.code !== 0) throw new Error(`opscope frame failed: ${res.stderr}`);
    }
    const nodeStart = await timeNodeStartup();

    log('');
    log('Index');
    log(`  indexing took            ${indexSeconds.toFixed(1)} s for ${duration} s of video`);
    log(`  speed vs realtime        ${(duration / indexSeconds).toFixed(1)}x   (target >= 60x)`);
    log(`  speed vs ffmpeg fps=1    ${(fps1Seconds / indexSeconds).toFixed(1)}x   (baseline ${fps1Seconds.toFixed(1)} s; target >= 5x)`);
    log(`  worker peak memory       ${peak ? mib(peak) : 'not measured on this platform'} (worker process and its ffmpeg children)`);
    log('');
    log(`Frame at ${FRAME_SAMPLES} random times (full resolution PNG from the original)`);
    log(`  opscope frame command    median ${percentile(cli, 50).toFixed(0)} ms, p95 ${percentile(cli, 95).toFixed(0)} ms   (targets 200 / 400 ms)`);
    log(`    of which Node startup  ~${nodeStart.toFixed(0)} ms (an empty node process, same run)`);
    log(`  frame call in a host     median ${percentile(inHost, 50).toFixed(0)} ms, p95 ${percentile(inHost, 95).toFixed(0)} ms`);
    log('');
    log(`Agent crop_video, 8 frames over 60 s at ${CROP_SAMPLES} random windows (768 px, labelled, with per-frame signals)`);
    log(`  crop in a host           median ${percentile(crops, 50).toFixed(0)} ms, p95 ${percentile(crops, 95).toFixed(0)} ms   (target median <= 1000 ms)`);
    log('');
    log(`Ask with the scout backend, ${asks.length} questions (${ASK_QUESTIONS.length} kinds, one it declines)`);
    log(`  end to end               median ${percentile(asks, 50).toFixed(0)} ms, p95 ${percentile(asks, 95).toFixed(0)} ms   (target median <= 3000 ms)`);
    log(`  first streamed event     median ${percentile(firstEvents, 50).toFixed(0)} ms, p95 ${percentile(firstEvents, 95).toFixed(0)} ms   (target <= 300 ms)`);
    log('');
    logExport(exportFigures);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Median wall time of starting an empty Node process: the floor under any CLI command. */
async function timeNodeStartup(): Promise<number> {
  const runs: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      c.on('error', reject);
      c.on('close', () => resolve());
    });
    runs.push(performance.now() - t0);
  }
  return percentile(runs, 50);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
