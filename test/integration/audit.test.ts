/*
 * The audit log: reviews, exports and settings changes with who and when, read a page at a time
 * (audit.list), written whole to a file (audit.export, itself audited) and on the command line
 * (`opscope audit`).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditPage } from '../../main/core/contract/audit-schemas.js';
import { OpscopeError } from '../../main/core/errors.js';
import { AppHost } from '../../main/host/app-host.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { seedTwoPartCase } from '../support/feedback.js';

describe('the audit log', () => {
  let home: string;
  let host: AppHost;
  let evidenceIds: string[];
  let caseId: string;

  beforeAll(async () => {
    home = tempHome('opscope-audit-');
    host = new AppHost({ dataDir: join(home, 'data'), transport: 'web', launcher: () => { throw new Error('no worker'); } });
    ({ caseId, evidenceIds } = await seedTwoPartCase(host.store, 'Audited case'));
    await host.call('settings.set', { reviewerName: 'Dr Audit' });
    await host.call('settings.set', { theme: 'light', agent: { ...host.settings.get().agent, openai: { ...host.settings.get().agent.openai, apiKey: 'sk-secret' } } });
    await host.call('feedback.add', { evidenceId: evidenceIds[0]!, verdict: 'adjusted', start: 101, end: 125, comment: 'tighter' });
    await host.call('feedback.add', { evidenceId: evidenceIds[1]!, verdict: 'incorrect', reviewer: 'Dr Other' });
    await host.call('feedback.exportTrainingSet', { out: join(home, 'reviews.jsonl') });
  });

  afterAll(async () => {
    await host.close();
    rmSync(home, { recursive: true, force: true });
  });

  const list = async (input: { limit?: number; before?: number } = {}) => (await host.call('audit.list', input)) as AuditPage;

  it('lists every review, export and settings change with who and when, newest first', async () => {
    const { entries } = await list();
    const byAction = (a: string) => entries.filter((e) => e.action === a);
    expect(byAction('settings.change').map((e) => e.actor)).toEqual(['Dr Audit', 'user']);
    expect(byAction('feedback.add').map((e) => [e.actor, e.subject])).toEqual([['Dr Other', evidenceIds[1]], ['Dr Audit', evidenceIds[0]]]);
    expect(byAction('feedback.exportTrainingSet')).toEqual([expect.objectContaining({ actor: 'Dr Audit', summary: expect.stringMatching(/2 reviews as a training set/) })]);
    expect(byAction('case.create')).toEqual([expect.objectContaining({ actor: 'system', subject: caseId })]);
    for (const e of entries) {
      expect(Number.isNaN(Date.parse(e.at))).toBe(false);
      expect(e.summary.length).toBeGreaterThan(0);
    }
    const ids = entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    // A secret set in the settings is recorded as set, never by value.
    expect(JSON.stringify(entries)).not.toContain('sk-secret');
  });

  it('pages with `before`, and refuses bad input', async () => {
    const all = (await list({ limit: 1000 })).entries;
    const first = await list({ limit: 2 });
    expect(first.entries).toEqual(all.slice(0, 2));
    expect(first.next).toBe(all[1]!.id);
    const second = await list({ limit: 2, before: first.next! });
    expect(second.entries).toEqual(all.slice(2, 4));
    const last = await list({ limit: 1000, before: all.at(-1)!.id + 1 });
    expect(last).toEqual({ entries: [all.at(-1)], next: null });
    for (const bad of [{ limit: 0 }, { limit: 1001 }, { before: -1 }, { limit: 1.5 }, { extra: true }]) {
      await expect(host.call('audit.list', bad)).rejects.toMatchObject({ code: 'invalid-input' });
    }
  });

  it('exports the whole log as CSV or JSON Lines, never over a file unless asked, and audits the export', async () => {
    const csvFile = join(home, 'audit.csv');
    const r = (await host.call('audit.export', { out: csvFile })) as { out: string; count: number };
    const csv = readFileSync(csvFile, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,action,subject,summary,detail');
    expect(r.count).toBeGreaterThanOrEqual(6);
    expect(csv).toContain('Dr Other');
    await expect(host.call('audit.export', { out: csvFile })).rejects.toBeInstanceOf(OpscopeError);
    await expect(host.call('audit.export', { out: csvFile })).rejects.toMatchObject({ code: 'conflict' });
    await expect(host.call('audit.export', { out: 'relative.csv' })).rejects.toMatchObject({ code: 'invalid-input' });
    const exported = (await list()).entries.find((e) => e.action === 'audit.export');
    expect(exported).toMatchObject({ actor: 'Dr Audit', detail: { out: csvFile, count: r.count } });

    const jsonl = join(home, 'audit.jsonl');
    writeFileSync(jsonl, 'old');
    const again = (await host.call('audit.export', { out: jsonl, overwrite: true })) as { count: number };
    const rows = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(rows).toHaveLength(again.count);
    expect(rows[0]!.id).toBeLessThan(rows.at(-1)!.id);
  });

  it('keeps a spreadsheet from running a cell as a formula', async () => {
    const { auditCsv } = await import('../../main/host/audit/audit-service.js');
    const { text } = auditCsv([{ id: 1, at: 'x', actor: '=HYPERLINK("http://evil")', action: 'a', subject: null, summary: '+1', detail: null }]);
    expect(text.split('\r\n')[1]).toBe(`1,x,"'=HYPERLINK(""http://evil"")",a,,'+1,`);
  });

  it('is shown and written by `opscope audit`', async () => {
    await host.close();
    const dataDir = join(home, 'data');
    const table = await runCli(['audit'], { home: dataDir });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^WHEN\s+WHO\s+WHAT\s+SUBJECT/);
    expect(table.stdout).toMatch(/Dr Other\s+Reviewed evidence: incorrect/);
    const asJson = json<AuditEntry[]>(await runCli(['audit', '--json', '--limit', '3'], { home: dataDir }));
    expect(asJson).toHaveLength(3);
    const out = join(home, 'cli-audit.csv');
    const written = await runCli(['audit', '--out', out], { home: dataDir });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toMatch(/cli-audit\.csv: \d+ audit entries/);
    expect(readFileSync(out, 'utf8')).toMatch(/^id,at,actor/);
    expect((await runCli(['audit', '--limit', 'x'], { home: dataDir })).code).toBe(2);
    host = new AppHost({ dataDir, transport: 'web', launcher: () => { throw new Error('no worker'); } });
  });
});
