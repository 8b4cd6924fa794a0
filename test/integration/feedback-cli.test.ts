import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingExample, type Feedback, type ReviewItem } from '../../main/core/contract/feedback-schemas.js';
import { Store } from '../../main/host/store/store.js';
import { json, runCli, tempHome } from '../support/cli.js';
import { seedTwoPartCase } from '../support/feedback.js';
import { unprivileged } from '../support/unprivileged.js';

describe('opscope feedback and export-feedback', () => {
  const home = tempHome('opscope-feedback-cli-');
  const data = join(home, 'data');
  const work = join(home, 'work');
  let caseId: string;
  let evidence: string[];

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    const store = new Store(join(data, 'opscope.db'));
    try {
      const seeded = await seedTwoPartCase(store);
      caseId = seeded.caseId;
      evidence = seeded.evidenceIds;
    } finally {
      store.close();
    }
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const cli = (args: string[], cwd = work) => runCli(args, { home: data, cwd });

  it('asks who is reviewing until a reviewer name is set or given', async () => {
    const r = await cli(['feedback', evidence[0]!, '--verdict', 'correct']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Who is reviewing\?.*opscope settings set reviewerName=/s);

    const given = await cli(['feedback', evidence[0]!, '--verdict', 'incorrect', '--reviewer', 'Dr Given', '--json']);
    expect(given.code, given.stderr).toBe(0);
    expect(json<Feedback>(given)).toMatchObject({ evidenceId: evidence[0], verdict: 'incorrect', reviewer: 'Dr Given' });

    expect((await cli(['settings', 'set', 'reviewerName=Dr A. Meyer'])).code).toBe(0);
    const r2 = await cli(['feedback', evidence[0]!, '--verdict', 'correct', '--note', 'on second look, yes']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(new RegExp(`^${evidence[0]}: correct, by Dr A\\. Meyer at `));
  });

  it('records an adjusted window given in seconds or clock time, frame-accurate', async () => {
    const r = await cli(['feedback', evidence[1]!, '--verdict', 'adjusted', '--start', '00:09:55.500', '--end', '640.033367', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json<Feedback>(r)).toMatchObject({ verdict: 'adjusted', start: 595.5, end: 640.033367, reviewer: 'Dr A. Meyer', caseId });
    const human = await cli(['feedback', evidence[2]!, '--verdict', 'adjusted', '--start', '12:28', '--end', '13:12.25']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('adjusted to 00:12:28.000-00:13:12.250');
  });

  it('refuses bad input with the exit code and a message that says what is wrong', async () => {
    const cases: [string[], number, RegExp][] = [
      [['feedback', 'run9999-e1', '--verdict', 'correct'], 1, /no evidence item "run9999-e1"/],
      [['feedback', evidence[0]!, '--verdict', 'adjusted'], 2, /--verdict adjusted needs the corrected window: --start S --end E/],
      [['feedback', evidence[0]!, '--verdict', 'adjusted', '--start', '10'], 2, /needs the corrected window/],
      [['feedback', evidence[0]!, '--verdict', 'adjusted', '--start', '20', '--end', '20'], 1, /start before it ends/],
      [['feedback', evidence[0]!, '--verdict', 'adjusted', '--start', '00:00:30', '--end', '10'], 1, /start before it ends/],
      [['feedback', evidence[0]!, '--verdict', 'adjusted', '--start', '1190', '--end', '00:20:00.500'], 1, /outside the case, which runs from 00:00:00\.000 to 00:20:00\.000/],
      [['feedback', evidence[0]!, '--verdict', 'adjusted', '--start', '12:xx', '--end', '13:00'], 2, /--start "12:xx" is not a time/],
      [['feedback', evidence[0]!, '--verdict', 'correct', '--start', '1', '--end', '2'], 2, /go with --verdict adjusted/],
      [['feedback', evidence[0]!, '--verdict', 'maybe'], 2, /--verdict must be one of correct, incorrect, adjusted/],
      [['feedback', evidence[0]!], 2, /--verdict must be one of/],
      [['feedback'], 2, /usage: opscope feedback <evidenceId>/],
      [['feedback', '--list', 'later'], 2, /--list takes one of unreviewed, flagged, confirmed, all/],
      [['export-feedback'], 2, /usage: opscope export-feedback --out FILE\.jsonl/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    // Nothing was stored by the refused commands.
    const h = await cli(['feedback', '--history', evidence[0]!, '--json']);
    expect(json<Feedback[]>(h).map((f) => f.verdict)).toEqual(['correct', 'incorrect']);
  });

  it('prints the history, the review list and the counts per case', async () => {
    const h = await cli(['feedback', '--history', evidence[0]!]);
    expect(h.code, h.stderr).toBe(0);
    const lines = h.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^WHEN\s+REVIEWER\s+VERDICT\s+WINDOW\s+COMMENT$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[2])).toEqual(['correct', 'incorrect']);

    const flagged = await cli(['feedback', '--list', 'confirmed', '--case', caseId, '--json']);
    expect(json<ReviewItem[]>(flagged).map((i) => i.evidenceId)).toEqual(evidence);
    const unreviewed = await cli(['feedback', '--list', 'unreviewed']);
    expect(unreviewed.stdout).toBe('No unreviewed evidence items.\n');

    const cases = await cli(['cases', '--json']);
    expect(json<{ caseId: string; reviews: unknown }[]>(cases)).toEqual([
      expect.objectContaining({ caseId, reviews: { unreviewed: 0, flagged: 0, confirmed: 3 } }),
    ]);
    expect((await cli(['cases'])).stdout).toMatch(/REVIEW\n.*0 open, 0 flagged, 3 ok/);
  });

  it('exports the training set to a relative path, and never over an existing file without --force', async () => {
    const r = await cli(['export-feedback', '--out', 'train.jsonl', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = join(work, 'train.jsonl');
    expect(json(r)).toEqual({ out, count: 3 });
    const text = readFileSync(out, 'utf8');
    const lines = text.trimEnd().split('\n').map((l) => TrainingExample.parse(JSON.parse(l)));
    expect(lines.map((l) => [l.evidenceId, l.verdict, l.comment])).toEqual([
      [evidence[0], 'correct', 'on second look, yes'],
      [evidence[1], 'adjusted', null],
      [evidence[2], 'adjusted', null],
    ]);
    expect(lines[1]!.corrected?.segments).toEqual([{ part: 0, start: 595.5, end: 600 }, { part: 1, start: 0, end: expect.closeTo(40.033367, 6) }]);
    expect(lines[0]!.recording.parts.map((p) => p.fileName)).toEqual(['part1.mp4', 'part2.mp4']);

    writeFileSync(out, 'keep me\n');
    const again = await cli(['export-feedback', '--out', 'train.jsonl']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/train\.jsonl already exists\. Choose another name, or overwrite it \(--force\)/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    const forced = await cli(['export-feedback', '--out', out, '--force', '--case', caseId]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toBe(`${out}: 3 reviewed evidence items\n`);
    expect(readFileSync(out, 'utf8')).toBe(text);

    const missing = await cli(['export-feedback', '--out', join(work, 'nope', 'train.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`The folder ${join(work, 'nope')} does not exist.`);
    expect(readdirSync(work)).toEqual(['train.jsonl']);
  });

  it('reports a read-only folder and leaves nothing in it', async (ctx) => {
    if (process.platform === 'win32') ctx.skip('Windows folders are not made read-only by mode bits');
    // Root writes anywhere: the command runs as someone it cannot.
    const as = unprivileged();
    if ('skip' in as) return ctx.skip(as.skip);
    const own = join(home, 'data-unpriv');
    const locked = join(home, 'locked');
    mkdirSync(own, { recursive: true });
    mkdirSync(locked, { recursive: true });
    chmodSync(home, 0o755);
    chmodSync(own, 0o777);
    chmodSync(locked, 0o555);
    try {
      const r = await runCli(['export-feedback', '--out', join(locked, 'train.jsonl')], {
        home: own,
        cwd: home,
        as,
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`opscope export-feedback: Cannot write in ${locked}: permission denied.`);
      expect(readdirSync(locked)).toEqual([]);
      expect(existsSync(join(own, 'opscope.db'))).toBe(true);
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});
