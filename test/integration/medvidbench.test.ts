import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMedVidBench, type MedVidEvent } from '../../main/host/eval/medvidbench-runner.js';
import { runFfmpeg } from '../../main/node/ffmpeg/run.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { testHost } from '../support/host.js';

/*
 * `opscope eval --format medvidbench` end to end, on records written here in the benchmark's
 * format with frames made by ffmpeg: with scout (which gives no boxes), then with a model server
 * on loopback that answers the way a model trained on the benchmark does, so the paper's figures
 * come out at values worked out by hand.
 */

const CUT = 'When does the cutting happen in this clip? Answer as start-end seconds.';
const TIE = 'When is the knot tied? Answer as start-end seconds.';
const HOOK = 'Track the hook every 2 seconds from 0.0 to 4.0 seconds as [x1, y1, x2, y2].';
const NEEDLE = 'When is the needle passed?';

/** What the model server answers, by the question it finds in the request. */
const REPLIES: [string, string][] = [
  [CUT, '2.0-5.0, 7.0-8.0 seconds.'],
  [TIE, '0.0-3.0 seconds.'],
  // Nothing at 2.0 s: the box at 0.0 s stands in for it.
  [HOOK, '0.0 seconds: [10, 10, 30, 30] 4.0 seconds: [30, 10, 50, 30]'],
];

function records(framesA: string[], framesB: string[]) {
  const human = (q: string) => [{ from: 'human', value: `<video>\n${q}` }];
  return [
    {
      id: 'avos-cut', qa_type: 'tal', dataset_name: 'AVOS', video: framesA, conversations: [...human(CUT), { from: 'gpt', value: '2.0-5.0, 7.0-9.0 seconds.' }],
      struc_info: [{ action: 'cutting', spans: [{ start: 2, end: 5 }, { start: 7, end: 9 }] }],
      metadata: { fps: '1.0', video_id: 'clipA', input_video_start_frame: '0', input_video_end_frame: '12' },
    },
    { id: 'skip-me', qa_type: 'next_action', video: framesA, conversations: human('What next?'), metadata: { fps: 1, video_id: 'clipA' } },
    {
      id: 'avos-tie', qa_type: 'tal', dataset_name: 'AVOS', video: framesA, conversations: human(TIE),
      struc_info: [{ action: 'tying', spans: [{ start: 0, end: 3 }] }],
      metadata: { fps: 1, video_id: 'clipA', input_video_start_frame: 0, input_video_end_frame: 12 },
    },
    {
      id: 'broken', qa_type: 'tal', dataset_name: 'AVOS', video: framesA, conversations: human(CUT),
      struc_info: [{ spans: [{ start: 4, end: 4 }] }], metadata: { fps: 1, video_id: 'clipA' },
    },
    {
      id: 'track-hook', qa_type: 'stg', data_source: 'CholecTrack20', video: framesB, conversations: human(HOOK),
      struc_info: [{ start: 0, end: 4, stride: 2, object: 'hook', bbox_dict: { '0.0': [10, 10, 30, 30], '2.0': [20, 10, 40, 30], '4.0': [30, 10, 50, 30] } }],
      metadata: { fps: 2, video_id: 'VID7', input_video_start_time: 30, input_video_end_time: 34 },
    },
    {
      id: 'needle', qa_type: 'tal', dataset_name: 'JIGSAWS', video: ['C/0001.png', 'C/0002.png'], conversations: human(NEEDLE),
      struc_info: [{ spans: [{ start: 0, end: 1 }] }], metadata: { fps: 1, video_id: 'clipC', start_frame: 0, end_frame: 2 },
    },
  ];
}

/** A model server that answers each question in the benchmark's style, no tags, streamed. */
function benchmarkModelServer(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = REPLIES.find(([q]) => body.includes(q))?.[1] ?? 'I cannot tell.';
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of [reply.slice(0, 9), reply.slice(9)]) {
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
      }
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
}

interface MedVidJson {
  datasets: Record<string, { tal: Record<string, number | null>; stg: { n: number; mIoU: number | null } }>;
  macro: { tal: Record<string, number | null>; stg: { n: number; mIoU: number | null } };
  skipped: Record<string, number>;
  rows: { id: string; qa_type: string; dataset: string; pred: unknown; gt: unknown; error?: string }[];
}

describe('measuring a backend on MedVidBench records', () => {
  let home: string;
  let data: string;
  let file: string;
  let root: string;
  let server: Server;
  let clipsDir: string;

  beforeAll(async () => {
    home = tempHome('opscope-medvidbench-');
    data = join(home, 'data');
    root = join(home, 'frames');
    mkdirSync(join(root, 'A'), { recursive: true });
    mkdirSync(join(root, 'B'), { recursive: true });
    // A: 12 PNG frames at 1 fps. B: 10 JPEG frames of an odd size (H.264 needs it padded) at 2 fps.
    await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=1', '-frames:v', '12', join(root, 'A', '%04d.png')], { timeoutMs: 60_000 });
    await runFfmpeg(
      ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=96x64:rate=2', '-vf', 'scale=63:47', '-frames:v', '10', '-q:v', '3', join(root, 'B', '%03d.jpg')],
      { timeoutMs: 60_000 },
    );
    const framesA = readdirSync(join(root, 'A')).sort().map((f) => `A/${f}`);
    // Absolute paths are used as written.
    const framesB = readdirSync(join(root, 'B')).sort().map((f) => join(root, 'B', f));
    expect([framesA.length, framesB.length]).toEqual([12, 10]);
    // The file lives away from the frames: --root says where they are.
    mkdirSync(join(home, 'bench'));
    file = join(home, 'bench', 'medvidbench.json');
    writeFileSync(file, JSON.stringify(records(framesA, framesB), null, 1));
    clipsDir = join(data, 'eval', 'medvidbench', 'clips');
    server = benchmarkModelServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }, 120_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  it('runs scout: encodes each clip once, scores the spans, says why stg is 0, and writes the submission list', async () => {
    const submission = join(home, 'scout-submission.json');
    const r = await runCli(['eval', '--format', 'medvidbench', file, '--root', root, '--backend', 'scout', '--json', '--submission', submission], { home: data });
    // A bad record and a record whose frames are missing: scored, but not a clean run.
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/skipped record 3 \(broken\): struc_info\[0\]\.spans\[0\]: 4-4 has zero length/);
    expect(r.stderr).toMatch(/warning: 1 record\(s\) failed/);
    const out = json<MedVidJson>(r);
    expect(Object.keys(out)).toEqual(['datasets', 'macro', 'skipped', 'rows']);
    expect(Object.keys(out.datasets)).toEqual(['AVOS', 'CholecTrack20', 'JIGSAWS']);
    expect(Object.keys(out.datasets.AVOS!.tal)).toEqual(['n', 'R@0.3', 'mIoU@0.3', 'R@0.5', 'mIoU@0.5']);
    expect(Object.keys(out.datasets.AVOS!.stg)).toEqual(['n', 'mIoU']);
    expect(out.skipped).toEqual({ next_action: 1 });
    expect(out.rows.map((row) => [row.id, row.qa_type, row.dataset])).toEqual([
      ['avos-cut', 'tal', 'AVOS'],
      ['avos-tie', 'tal', 'AVOS'],
      ['track-hook', 'stg', 'CholecTrack20'],
      ['needle', 'tal', 'JIGSAWS'],
    ]);
    expect(out.rows.map((row) => Object.keys(row))).toEqual([
      ['id', 'qa_type', 'dataset', 'pred', 'gt'],
      ['id', 'qa_type', 'dataset', 'pred', 'gt'],
      ['id', 'qa_type', 'dataset', 'pred', 'gt'],
      ['id', 'qa_type', 'dataset', 'pred', 'gt', 'error'],
    ]);
    expect(out.rows[0]!.gt).toEqual([[2, 5], [7, 9]]);
    expect(out.rows[2]!.gt).toEqual({ '0.0': [10, 10, 30, 30], '2.0': [20, 10, 40, 30], '4.0': [30, 10, 50, 30] });
    // Scout finds no cutting or hook in a test pattern and gives no boxes: no prediction, 0.
    expect(out.rows[2]!.pred).toEqual({});
    expect(out.datasets.CholecTrack20!.stg).toEqual({ n: 1, mIoU: 0 });
    expect(out.rows[3]!.error).toMatch(/frame not found: C\/0001\.png \(frame 1 of 2/);
    expect(out.macro.tal.n).toBe(3);

    // Two clips for three answered records: A once for its two questions, B once.
    const clips = readdirSync(clipsDir).filter((f) => f.endsWith('.mp4'));
    expect(clips).toHaveLength(2);
    const cases = json<{ name: string; duration: number; index: string }[]>(await runCli(['cases', '--json'], { home: data }));
    expect(cases.map((c) => [c.name, c.index]).sort()).toEqual([
      ['MedVidBench VID7 30-34 s', 'done'],
      ['MedVidBench clipA frames 0-12', 'done'],
    ]);
    // Frame i at i / fps: 12 frames at 1 fps last 12 s, 10 at 2 fps 5 s.
    const byName = new Map(cases.map((c) => [c.name, c.duration]));
    expect(byName.get('MedVidBench clipA frames 0-12')).toBeCloseTo(12, 1);
    expect(byName.get('MedVidBench VID7 30-34 s')).toBeCloseTo(5, 1);

    const list = JSON.parse(readFileSync(submission, 'utf8')) as { id: string; qa_type: string; prediction: string }[];
    expect(list.map((s) => Object.keys(s))).toEqual(Array.from({ length: 4 }, () => ['id', 'qa_type', 'prediction']));
    expect(list.map((s) => [s.id, s.qa_type])).toEqual([['avos-cut', 'tal'], ['avos-tie', 'tal'], ['track-hook', 'stg'], ['needle', 'tal']]);
    expect(list[2]!.prediction).toBe('');

    // Again, as a table: only the failed record is asked again, and no clip is encoded again.
    const mtimes = clips.map((c) => statSync(join(clipsDir, c)).mtimeMs);
    const again = await runCli(['eval', '--format', 'medvidbench', file, '--root', root, '--backend', 'scout'], { home: data });
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toContain('Resuming: 3 of 4 records already answered');
    expect(clips.map((c) => statSync(join(clipsDir, c)).mtimeMs)).toEqual(mtimes);
    expect(again.stdout).toMatch(/^dataset +n +R@0\.3 +mIoU@0\.3 +R@0\.5 +mIoU@0\.5 +n +mIoU +mIoU +R@0\.3 +R@0\.5 +R@0\.7$/m);
    expect(again.stdout).toMatch(/^CholecTrack20 +0 +— +— +— +— +1 +0\.000 /m);
    expect(again.stdout).toMatch(/^macro \(2 tal, 1 stg datasets\) /m);
    expect(again.stdout).toContain('STG: 1 of 1 record(s) got no box, so they score 0: the scout backend gives no boxes');
    expect(again.stdout).toContain('Not scored (other kinds): next_action 1.');
  }, 600_000);

  it('scores a model that answers in the benchmark\'s style at the figures worked out by hand', async () => {
    const port = (server.address() as AddressInfo).port;
    const set = await runCli(['settings', 'set', `agent.openai.baseUrl=http://127.0.0.1:${port}/v1`, 'agent.openai.model=medscope-7b'], { home: data });
    expect(set.code, set.stderr).toBe(0);
    const submission = join(home, 'model-submission.json');
    const r = await runCli(['eval', '--format', 'medvidbench', file, '--root', root, '--backend', 'openai', '--json', '--submission', submission], { home: data });
    expect(r.code, r.stderr).toBe(1);
    const out = json<MedVidJson>(r);
    expect(out.rows.map((row) => row.pred)).toEqual([
      [[2, 5], [7, 8]],
      [[0, 3]],
      { '0.0': [10, 10, 30, 30], '4.0': [30, 10, 50, 30] },
      [],
    ]);
    // avos-cut: [2,5] matches [2,5] (1), [7,9] takes [7,8] (1/2): R 1, mIoU 0.75 at both thresholds.
    // avos-tie: [0,3] exactly: 1 everywhere. AVOS: R 1, mIoU (0.75 + 1) / 2 = 0.875.
    expect(out.datasets.AVOS!.tal).toEqual({ n: 2, 'R@0.3': 1, 'mIoU@0.3': 0.875, 'R@0.5': 1, 'mIoU@0.5': 0.875 });
    // JIGSAWS: its frames are missing, 0. Macro over AVOS and JIGSAWS: R 0.5, mIoU 0.4375.
    expect(out.datasets.JIGSAWS!.tal).toEqual({ n: 1, 'R@0.3': 0, 'mIoU@0.3': 0, 'R@0.5': 0, 'mIoU@0.5': 0 });
    expect(out.macro.tal).toEqual({ n: 3, 'R@0.3': 0.5, 'mIoU@0.3': 0.4375, 'R@0.5': 0.5, 'mIoU@0.5': 0.4375 });
    // track-hook: 0.0 exact (1); 2.0 takes 0.0's box: [10,10,30,30] vs [20,10,40,30] share 200 of 600 (1/3); 4.0 exact (1).
    // (1 + 1/3 + 1) / 3 = 7/9.
    expect(out.datasets.CholecTrack20!.stg).toEqual({ n: 1, mIoU: 0.7778 });
    expect(out.macro.stg).toEqual({ n: 1, mIoU: 0.7778 });

    const list = JSON.parse(readFileSync(submission, 'utf8')) as { prediction: string }[];
    expect(list.map((s) => s.prediction)).toEqual([
      '2.0-5.0, 7.0-8.0 seconds.',
      '0.0-3.0 seconds.',
      '0.0 seconds: [10, 10, 30, 30] 4.0 seconds: [30, 10, 50, 30]',
      '',
    ]);
  }, 600_000);

  it('stops when told and goes on from there, in-process', async () => {
    const host = testHost(join(home, 'in-process'), { inProcess: true });
    try {
      const progressFile = join(home, 'in-process-progress.jsonl');
      const stop = new AbortController();
      const events: MedVidEvent[] = [];
      const first = await runMedVidBench(host, {
        file, root, backend: 'scout', progressFile, signal: stop.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'row' && e.done === 1) stop.abort();
        },
      });
      expect(first.complete).toBe(false);
      expect(first.rows.map((row) => row.record.id)).toEqual(['avos-cut']);
      // The clip was encoded in the worker with progress, then indexed.
      expect(events.some((e) => e.type === 'video' && e.stage === 'Encoding the frames')).toBe(true);
      const rest = await runMedVidBench(host, { file, root, backend: 'scout', progressFile, limit: 3 });
      expect([rest.complete, rest.reused, rest.asked, rest.total]).toEqual([true, 1, 2, 3]);
      expect(rest.rows.map((row) => row.record.id)).toEqual(['avos-cut', 'avos-tie', 'track-hook']);
    } finally {
      await host.close();
    }
  }, 600_000);
});
