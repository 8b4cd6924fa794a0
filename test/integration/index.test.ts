import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail, CaseTracks, PartThumbnails } from '../../main/core/contract/schemas.js';
import type { AppHost } from '../../main/host/app-host.js';
import { tempHome } from '../support/cli.js';
import { importCase, testHost } from '../support/host.js';
import { syntheticVideo } from '../support/media.js';

const EVENTS = [
  { kind: 'bleeding' as const, start: 12, end: 24 },
  { kind: 'smoke' as const, start: 32, end: 42 },
  { kind: 'out-of-body' as const, start: 50, end: 58 },
  { kind: 'idle' as const, start: 66, end: 76 },
];
const SPEC = { duration: 84, width: 640, height: 360, fps: 25, gop: 1, events: EVENTS, seed: 11 };

function mean(values: number[], from: number, to: number): number {
  const xs = values.slice(Math.ceil(from), Math.floor(to)).filter((v) => v >= 0);
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
function outside(values: number[], skip: { start: number; end: number }[]): number {
  const keep = values.filter((v, s) => v >= 0 && !skip.some((e) => s >= e.start - 3 && s < e.end + 3));
  return keep.reduce((a, b) => a + b, 0) / Math.max(1, keep.length);
}

describe('index: tracks and thumbnails on a recording with known events', () => {
  let home: string;
  let host: AppHost;
  let caseId: string;
  let tracks: CaseTracks;

  beforeAll(async () => {
    home = tempHome();
    host = testHost(home);
    caseId = await importCase(host, [await syntheticVideo(SPEC)]);
    tracks = (await host.call('cases.tracks', { caseId })) as CaseTracks;
  }, 600_000);

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('finishes and covers the whole case', async () => {
    const detail = (await host.call('cases.get', { caseId })) as CaseDetail;
    expect(detail.index).toMatchObject({ state: 'done', progress: 1 });
    expect(detail.parts[0]!.keyframeInterval).toBeCloseTo(1, 1);
    expect(tracks.covered).toEqual([[0, detail.duration]]);
    for (const t of tracks.tracks) {
      expect(t.values.length).toBe(Math.ceil(detail.duration));
      expect(t.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });

  const track = (name: string) => tracks.tracks.find((t) => t.name === name)!.values;

  it('raises each event track inside its window and not elsewhere', () => {
    for (const [name, ev] of [['blood', EVENTS[0]!], ['haze', EVENTS[1]!], ['outOfBody', EVENTS[2]!]] as const) {
      const v = track(name);
      const inside = mean(v, ev.start + 2, ev.end - 1);
      const rest = outside(v, [ev]);
      expect(inside, `${name} inside ${inside.toFixed(2)} vs outside ${rest.toFixed(2)}`).toBeGreaterThan(rest + 0.3);
    }
  });

  it('shows the idle period as low motion', () => {
    const v = track('motion');
    const idle = EVENTS[3]!;
    const still = mean(v, idle.start + 2, idle.end - 1);
    const busy = outside(v, EVENTS);
    expect(still, `idle ${still.toFixed(2)} vs normal ${busy.toFixed(2)}`).toBeLessThan(busy - 0.2);
  });

  it('writes a thumbnail strip about every 2 s', async () => {
    const thumbs = (await host.call('cases.thumbnails', { caseId })) as PartThumbnails[];
    expect(thumbs).toHaveLength(1);
    const t = thumbs[0]!;
    expect(t.times.length).toBeGreaterThanOrEqual(40);
    expect(t.times.length).toBeLessThanOrEqual(43);
    expect(t.sheets.reduce((s, x) => s + x.count, 0)).toBe(t.times.length);
    expect(t.tileHeight).toBe(90);
    const file = host.media.resolve(t.sheets[0]!.src);
    expect(file && existsSync(file.file)).toBe(true);
  });
});
