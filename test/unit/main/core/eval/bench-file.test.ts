import { describe, expect, it } from 'vitest';
import { parseIntent } from '../../../../../main/core/agent/backends/scout/index.js';
import { parseBench } from '../../../../../main/core/eval/bench-file.js';
import { reportMarkdown } from '../../../../../main/core/eval/report-md.js';
import { scored, summaries, type EvalResult, type EvalRow } from '../../../../../main/core/eval/result.js';
import { benchJsonl, planBench } from '../../../../../main/node/eval/make-bench.js';
import { renderReportImage, reportImageSize } from '../../../../../main/node/eval/report-png.js';

describe('the bench file', () => {
  it('keeps good lines and reports each bad one with its line number and why', () => {
    const text = [
      '{"id":"a","video":"v.mp4","question":"When is the bleeding?","windows":[[1,2]],"kind":"bleeding"}',
      '',
      '{"id":"b","video":"v.mp4","question":"q","windows":[[5,5]]}',
      '{"id":"c","video":"v.mp4","question":"q","windows":[]}',
      '{"id":"a","video":"w.mp4","question":"q","windows":[[1,2]]}',
      '{"video":"v.mp4","question":"q","windows":[[3,1]]}',
      'not json',
      '{"id":"d","video":"sub/x.mp4","question":"q","windows":[[0,1],[7.5,9]],"answer":"twice"}',
    ].join('\r\n');
    const { rows, bad } = parseBench(text);
    expect(rows.map((r) => [r.id, r.line])).toEqual([['a', 1], ['d', 8]]);
    expect(rows[1]!.windows).toEqual([[0, 1], [7.5, 9]]);
    expect(bad.map((b) => b.line)).toEqual([3, 4, 5, 6, 7]);
    expect(bad[0]!.message).toMatch(/windows\[0\]: \[5, 5\] has zero length/);
    expect(bad[1]!.message).toMatch(/at least one/);
    expect(bad[2]!.message).toMatch(/id "a" is already used on line 1/);
    expect(bad[3]!.message).toMatch(/id is missing.*ends before it starts/);
    expect(bad[4]!.message).toMatch(/not valid JSON/);
  });
});

describe('the synthetic bench', () => {
  it('is the same for a seed and different for another', () => {
    const a = planBench({ videos: 3, duration: 90, seed: 7 });
    expect(planBench({ videos: 3, duration: 90, seed: 7 })).toEqual(a);
    expect(planBench({ videos: 3, duration: 90, seed: 8 })).not.toEqual(a);
  });

  it('places events apart inside the video and asks about every one, with unique ids', () => {
    for (const duration of [30, 45, 90, 300]) {
      const plan = planBench({ videos: 12, duration, seed: duration });
      for (const v of plan.videos) {
        const ev = v.spec.events;
        expect(ev.length).toBeGreaterThanOrEqual(2);
        ev.forEach((e, i) => {
          expect(e.start).toBeGreaterThanOrEqual(4);
          expect(e.end).toBeLessThanOrEqual(duration - 4);
          expect(e.end - e.start).toBeGreaterThanOrEqual(6);
          if (i > 0) expect(e.start - ev[i - 1]!.end).toBeGreaterThanOrEqual(8);
          if (i > 0) expect(e.kind).not.toBe(ev[i - 1]!.kind);
        });
        const asked = new Set(plan.lines.filter((l) => l.video === v.file).map((l) => l.kind));
        expect(asked).toEqual(new Set(ev.map((e) => e.kind)));
      }
      expect(new Set(plan.lines.map((l) => l.id)).size).toBe(plan.lines.length);
      expect(parseBench(benchJsonl(plan.lines)).bad).toEqual([]);
    }
  });

  it('covers every kind and question type, each phrased so the scout reads the kind and occurrence meant', () => {
    const plan = planBench({ videos: 40, duration: 90, seed: 1 });
    const kindOf = { bleeding: 'bleeding', smoke: 'smoke', 'out-of-body': 'outOfBody', idle: 'idle' } as const;
    const types = new Set<string>();
    for (const line of plan.lines) {
      const type = line.id.split('-').at(-1)!;
      types.add(`${line.kind}/${type}`);
      const intent = parseIntent(line.question);
      expect(intent.kind, line.question).toBe('event');
      if (intent.kind !== 'event') continue;
      expect(intent.event, line.question).toBe(kindOf[line.kind as keyof typeof kindOf]);
      const events = plan.videos.find((v) => v.file === line.video)!.spec.events.filter((e) => e.kind === line.kind);
      if (type === 'first') {
        expect(intent.occurrence, line.question).toBe('first');
        expect(line.windows).toEqual([[events[0]!.start, events[0]!.end]]);
      } else if (type === 'last') {
        expect(intent.occurrence, line.question).toBe('last');
        expect(line.windows).toEqual([[events.at(-1)!.start, events.at(-1)!.end]]);
      } else {
        expect(line.windows).toEqual(events.map((e) => [e.start, e.end]));
      }
    }
    expect(types.size).toBe(16);
    expect(new Set(plan.lines.map((l) => l.question)).size).toBeGreaterThanOrEqual(30);
  });

  it('refuses options it cannot make', () => {
    expect(() => planBench({ videos: 0, duration: 90, seed: 1 })).toThrow(/--videos/);
    expect(() => planBench({ videos: 2, duration: 10, seed: 1 })).toThrow(/--duration must be between 30/);
    expect(() => planBench({ videos: 2, duration: 90, seed: -1 })).toThrow(/--seed/);
  });
});

function result(rows: EvalRow[]): EvalResult {
  return {
    bench: 'bench.jsonl', backend: 'scout', model: null, rows, ...summaries(rows), total: rows.length + 1, complete: false,
    badLines: [{ line: 9, message: 'windows[0]: [5, 5] has zero length' }], videos: 2, reused: 0, asked: rows.length, progressFile: 'p',
  };
}

function row(i: number, more: Partial<EvalRow> = {}): EvalRow {
  return scored({
    id: `q${i}`, line: i + 1, kind: i % 2 ? 'smoke' : 'bleeding', question: 'When | where?', video: 'v.mp4',
    gt: [[10, 20]], pred: [[12, 22], [40, 50]], latency: 1.5, error: null, answer: 'Bleeding at 0:12.', reference: null, duration: 60, ...more,
  });
}

describe('the report', () => {
  it('has a summary, a table per event type and a row per question, failures and skipped lines included', () => {
    const md = reportMarkdown(result([row(0), row(1), row(2, { pred: [], latency: null, error: 'video not found: v.mp4' })]), {
      date: '2026-01-01T00:00:00.000Z',
      image: 'report.png',
    });
    expect(md).toMatch(/^# Temporal grounding: bench\.jsonl with scout/);
    expect(md).toMatch(/\| all \| 3 \| 0\.444 \| 66\.7% \| 66\.7% \| 0\.0% \| 1\.50 s \| 1\.50 s \|/);
    expect(md).toMatch(/## By event type[\s\S]*\| bleeding \| 2 \|[\s\S]*\| smoke \| 1 \|/);
    expect(md).toContain('When \\| where?');
    expect(md).toContain('**failed:** video not found: v.mp4');
    expect(md).toContain('- line 9: windows[0]: [5, 5] has zero length');
    expect(md).toContain('(the run was stopped; run it again to go on)');
  });

  it('draws an image of the size it announces, for few rows and for many', () => {
    for (const n of [1, 4, 40, 41, 300]) {
      const img = renderReportImage(result(Array.from({ length: n }, (_, i) => row(i))));
      expect({ width: img.width, height: img.height }).toEqual(reportImageSize(n));
      expect(img.rgb.length).toBe(img.width * img.height * 3);
    }
  });
});
