import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameIndexAt } from '../../main/core/case-time.js';
import { decodeFrameCode } from '../../main/node/synthetic/index.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { decodeRgb, frameTimestamps, syntheticVideo } from '../support/media.js';

/** A deterministic spread of times, including frame boundaries and the very ends. */
function times(duration: number, fps: number, n: number): number[] {
  const out = [0, duration - 0.001, 1 / fps, 2 / fps - 1e-4, 5 + 0.5 / fps];
  let x = 0.123;
  while (out.length < n) {
    x = (x * 9301 + 49297) % 233280;
    out.push((x / 233280) * duration);
  }
  return out;
}

describe('opscope frame is frame-accurate', () => {
  let home: string;
  let cfr: string;
  let vfr: string;

  beforeAll(async () => {
    home = tempHome();
    cfr = await syntheticVideo({ duration: 10, width: 320, height: 240, fps: 25, gop: 2, events: [], frameCode: true, seed: 31 });
    vfr = await syntheticVideo({ duration: 10, width: 320, height: 240, fps: 30, gop: 2, events: [], frameCode: true, variableFrameRate: true, seed: 32 });
  }, 300_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  async function check(file: string, label: string, n: number) {
    const data = join(home, label);
    const imported = json<{ caseId: string; duration: number }>(await runCli(['import', file, '--json', '--no-index'], { home: data }));
    const pts = await frameTimestamps(file);
    const start = pts[0]!;
    for (const t of times(imported.duration, 25, n)) {
      const out = join(home, `${label}-${t.toFixed(4)}.png`);
      const r = await runCli(['frame', imported.caseId, String(t), '--out', out, '--json'], { home: data });
      expect(r.code, r.stderr).toBe(0);
      const rgb = await decodeRgb(out);
      const expected = frameIndexAt(pts.map((p) => p - start), t);
      expect(decodeFrameCode(rgb.data, rgb.width, rgb.height), `${label} at ${t}`).toBe(expected);
      expect(json<{ frameIndex: number }>(r).frameIndex).toBe(expected);
    }
  }

  it('at constant frame rate', () => check(cfr, 'cfr', 14), 300_000);
  it('at variable frame rate', () => check(vfr, 'vfr', 14), 300_000);

  it('across the parts of a case', async () => {
    const data = join(home, 'multi');
    const imported = json<{ caseId: string; parts: { duration: number }[] }>(
      await runCli(['import', cfr, vfr, '--json', '--no-index'], { home: data }),
    );
    const first = imported.parts[0]!.duration;
    const ptsB = await frameTimestamps(vfr);
    for (const dt of [0, 0.01, 2.5]) {
      const out = join(home, `multi-${dt}.png`);
      const r = await runCli(['frame', imported.caseId, String(first + dt), '--out', out, '--json'], { home: data });
      expect(r.code, r.stderr).toBe(0);
      const rgb = await decodeRgb(out);
      expect(decodeFrameCode(rgb.data, rgb.width, rgb.height)).toBe(frameIndexAt(ptsB.map((p) => p - ptsB[0]!), dt));
    }
  }, 300_000);

  it('refuses a case that does not exist and a time that is not a time', async () => {
    const bad = await runCli(['frame', 'nosuchcase1', '3', '--out', join(home, 'x.png')], { home: join(home, 'cfr') });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no longer exists/);
    const notTime = await runCli(['frame', 'nosuchcase1', 'soon', '--out', join(home, 'x.png')], { home: join(home, 'cfr') });
    expect(notTime.code).toBe(2);
    expect(notTime.stderr).toMatch(/not a time/);
  });
});
