/*
 * Runs `npm run scan` (electronegativity over the sources and the built bundles, offline) as CI
 * does: any HIGH or MEDIUM finding not in electronegativity-allow.json fails, and so does an entry
 * of the allow-list that no longer matches a finding (it would hide the next one).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../../../scripts/scan.js';
import { readAllowList } from '../../../scripts/scan.js';

import { ROOT } from '../../support/cli.js';

describe('electronegativity', () => {
  it('finds nothing HIGH or MEDIUM outside the allow-list, in the sources and the build', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'scan.ts'), '--json', '--require-built'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr).not.toBe(2);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ScanReport;
    expect(report.checks.atomic).toBeGreaterThan(20);
    expect(report.unparsed).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(r.status).toBe(0);
    // Both trees were scanned.
    expect(report.findings.some((f) => f.file.startsWith('built/'))).toBe(true);
    expect(report.findings.some((f) => f.file.startsWith('sources/'))).toBe(true);
    for (const entry of readAllowList().findings) {
      expect(report.findings.some((f) => f.id === entry.id && f.file === entry.file), `stale allow-list entry ${entry.id} ${entry.file}`).toBe(true);
    }
  }, 300_000);
});
