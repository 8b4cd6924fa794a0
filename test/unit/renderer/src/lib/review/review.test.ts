import { describe, expect, it } from 'vitest';
import {
  badgeOf, badgeOfStatus, clipFileName, countBadges, filterTotals, fileNameOf, folderOf, frameSources, isFullPath, joinPath,
  matchesReviewFilter, needsReviewerName, reviewedAt, reviewedWindow, slug, snapToFrame, stepFrames, trainingFileName,
  verdictLine, windowProblem, withoutCliHints, type FrameSource,
} from '../../../../../../renderer/src/lib/review/review.js';

/** Frame times of a constant-rate part: n frames at `fps`, starting at `first`. */
const grid = (n: number, fps: number, first = 0) => Float64Array.from({ length: n }, (_, i) => first + i / fps);

describe('snapping window edges to frames', () => {
  // Two parts of 2 s at 30 fps: frames every 1/30 s, the second part from case time 2.
  const parts: FrameSource[] = [
    { start: 0, duration: 2, fps: 30, times: grid(60, 30) },
    { start: 2, duration: 2, fps: 30, times: grid(60, 30) },
  ];

  it('moves a time to the nearest frame start', () => {
    expect(snapToFrame(0.51, parts, 4)).toBeCloseTo(15 / 30, 12);
    expect(snapToFrame(0.52, parts, 4)).toBeCloseTo(16 / 30, 12);
    expect(snapToFrame(3.001, parts, 4)).toBeCloseTo(3, 12);
  });

  it('lands on the next part’s first frame and on the case end, and clamps outside the case', () => {
    expect(snapToFrame(1.99, parts, 4)).toBeCloseTo(2, 12);
    expect(snapToFrame(3.99, parts, 4)).toBe(4);
    expect(snapToFrame(-3, parts, 4)).toBe(0);
    expect(snapToFrame(99, parts, 4)).toBe(4);
    expect(snapToFrame(Number.NaN, parts, 4)).toBe(0);
  });

  it('uses the real timestamps of a variable-rate part', () => {
    const vfr: FrameSource[] = [{ start: 0, duration: 1, fps: 30, times: Float64Array.from([0, 0.1, 0.15, 0.4, 0.9]) }];
    expect(snapToFrame(0.3, vfr, 1)).toBe(0.4);
    expect(snapToFrame(0.26, vfr, 1)).toBe(0.15);
    expect(snapToFrame(0.96, vfr, 1)).toBe(1);
  });

  it('falls back to the nominal rate while the timestamps are loading', () => {
    const loading: FrameSource[] = [{ start: 10, duration: 1, fps: 25, times: null }];
    expect(snapToFrame(10.37, loading, 11)).toBeCloseTo(10.36, 12);
  });

  it('steps whole frames across a part boundary, and stops at the ends of the case', () => {
    expect(stepFrames(59 / 30, parts, 4, 1)).toBeCloseTo(2, 12);
    expect(stepFrames(2, parts, 4, -1)).toBeCloseTo(59 / 30, 12);
    expect(stepFrames(1, parts, 4, 3)).toBeCloseTo(1.1, 12);
    expect(stepFrames(0, parts, 4, -2)).toBe(0);
    expect(stepFrames(4, parts, 4, 5)).toBe(4);
    expect(stepFrames(4, parts, 4, -1)).toBeCloseTo(2 + 59 / 30, 12);
  });

  it('builds its sources from the case’s parts and loaded timestamps', () => {
    const s = frameSources([{ duration: 2, fps: 30 }, { duration: 3, fps: 25 }], [0, 2], [grid(60, 30), null]);
    expect(s.map((p) => [p.start, p.duration, p.fps, p.times === null])).toEqual([[0, 2, 30, false], [2, 3, 25, true]]);
  });
});

describe('windows', () => {
  it('says why a window cannot be used', () => {
    expect(windowProblem(1, 2, 10)).toBeNull();
    expect(windowProblem(2, 2, 10)).toBe('The start must be before the end.');
    expect(windowProblem(3, 2, 10)).toBe('The start must be before the end.');
    expect(windowProblem(-1, 2, 10)).toMatch(/before the beginning/);
    expect(windowProblem(1, 10.5, 10)).toMatch(/after the end of the case \(0:10\.000\)/);
    expect(windowProblem(null, 2, 10)).toBe('Give a start and an end.');
    // A window ending at the case's end is inside it, float noise included.
    expect(windowProblem(9, 10 + 1e-9, 10)).toBeNull();
  });

  it('takes the corrected window of an adjusted review, the predicted one otherwise', () => {
    const predicted = { start: 6, end: 12 };
    expect(reviewedWindow(predicted, null)).toEqual({ start: 6, end: 12, adjusted: false });
    expect(reviewedWindow(predicted, { verdict: 'incorrect', start: null, end: null })).toEqual({ start: 6, end: 12, adjusted: false });
    expect(reviewedWindow(predicted, { verdict: 'adjusted', start: 7.1, end: 11 })).toEqual({ start: 7.1, end: 11, adjusted: true });
  });
});

describe('review wording', () => {
  it('names the status of an item', () => {
    expect(badgeOf(null)).toBe('unreviewed');
    expect(badgeOf({ verdict: 'correct' })).toBe('confirmed');
    expect(badgeOf({ verdict: 'adjusted' })).toBe('adjusted');
    expect(badgeOf({ verdict: 'incorrect' })).toBe('flagged');
    expect(badgeOfStatus('unreviewed')).toBe('unreviewed');
    expect(badgeOfStatus('incorrect')).toBe('flagged');
    expect(badgeOfStatus('something new')).toBe('unreviewed');
  });

  it('writes a history row', () => {
    expect(verdictLine({ verdict: 'correct', start: null, end: null })).toBe('Marked correct');
    expect(verdictLine({ verdict: 'incorrect', start: null, end: null })).toBe('Flagged as incorrect');
    expect(verdictLine({ verdict: 'adjusted', start: 7.1, end: 10.9667 })).toBe('Adjusted to 0:07.100–0:10.967');
  });

  it('writes when: the time today, the date otherwise', () => {
    const now = new Date('2026-03-14T15:00:00Z');
    expect(reviewedAt('2026-03-14T13:07:00Z', now, 'en-GB', 'UTC')).toBe('13:07');
    expect(reviewedAt('2026-03-02T13:07:00Z', now, 'en-GB', 'UTC')).toBe('2 Mar 2026, 13:07');
    expect(reviewedAt('not a date', now)).toBe('');
  });

  it('recognizes a review refused for want of a reviewer name', () => {
    const msg = 'Who is reviewing? Set your name once in Settings (Reviewer name) or with `opscope settings set reviewerName="Your Name"`.';
    expect(needsReviewerName('invalid-input', msg)).toBe(true);
    expect(needsReviewerName('invalid-input', 'The reviewer name is longer than 120 characters.')).toBe(false);
    expect(needsReviewerName('not-found', msg)).toBe(false);
    expect(needsReviewerName('invalid-input', 'The corrected window must start before it ends.')).toBe(false);
  });

  it('drops command-line flags from messages shown in the app', () => {
    expect(withoutCliHints('x.mp4 already exists. Choose another name, or allow overwriting (--overwrite).')).toBe(
      'x.mp4 already exists. Choose another name, or allow overwriting.',
    );
    expect(withoutCliHints('No flags here (really).')).toBe('No flags here (really).');
  });
});

describe('library filters', () => {
  const counts = {
    a: { unreviewed: 3, flagged: 1, confirmed: 0 },
    b: { unreviewed: 0, flagged: 0, confirmed: 2 },
    c: { unreviewed: 0, flagged: 0, confirmed: 0 },
  };

  it('shows small badges for what a case holds', () => {
    expect(countBadges(counts.a).map((b) => b.label)).toEqual(['3 to review', '1 flagged']);
    expect(countBadges(counts.b).map((b) => b.label)).toEqual(['2 confirmed']);
    expect(countBadges(counts.c)).toEqual([]);
    expect(countBadges(undefined)).toEqual([]);
  });

  it('filters cases and counts each filter', () => {
    expect(matchesReviewFilter(counts.a, 'flagged')).toBe(true);
    expect(matchesReviewFilter(counts.a, 'confirmed')).toBe(false);
    expect(matchesReviewFilter(undefined, 'all')).toBe(true);
    expect(matchesReviewFilter(undefined, 'unreviewed')).toBe(false);
    expect(filterTotals(['a', 'b', 'c', 'd'], counts)).toEqual({ all: 4, unreviewed: 1, flagged: 1, confirmed: 1 });
  });
});

describe('export file names and paths', () => {
  it('makes safe, readable default names', () => {
    expect(slug('Lap chole (reviewed)')).toBe('lap-chole-reviewed');
    expect(slug('Chirurgie générale: 12/03')).toBe('chirurgie-generale-12-03');
    expect(slug('???')).toBe('case');
    expect(clipFileName('Lap chole', { rank: 1, start: 6.5, end: 11 })).toBe('lap-chole-evidence-1-0m06.5s-0m11s.mp4');
    expect(clipFileName('Lap chole', { start: 3725.25, end: 3730 })).toBe('lap-chole-range-1h02m05.25s-1h02m10s.mp4');
    expect(trainingFileName('Lap chole', new Date(2026, 2, 4, 9, 5))).toBe('lap-chole-reviews-20260304-0905.jsonl');
    expect(trainingFileName(null, new Date(2026, 2, 4, 9, 5))).toBe('reviews-20260304-0905.jsonl');
  });

  it('joins and splits paths in the style of the folder', () => {
    expect(joinPath('/data/Opscope', 'exports')).toBe('/data/Opscope/exports');
    expect(joinPath('/data/Opscope/', 'exports')).toBe('/data/Opscope/exports');
    expect(joinPath('C:\\Users\\A\\Opscope', 'exports')).toBe('C:\\Users\\A\\Opscope\\exports');
    expect(folderOf('/data/exports/clip.mp4')).toBe('/data/exports');
    expect(folderOf('/clip.mp4')).toBe('/');
    expect(folderOf('C:\\clip.mp4')).toBe('C:\\');
    expect(folderOf('clip.mp4')).toBe('');
    expect(fileNameOf('C:\\x\\clip.mp4')).toBe('clip.mp4');
    expect(isFullPath('/x/y.mp4')).toBe(true);
    expect(isFullPath('C:\\x\\y.mp4')).toBe(true);
    expect(isFullPath('\\\\server\\share\\y.mp4')).toBe(true);
    expect(isFullPath('y.mp4')).toBe(false);
    expect(isFullPath('~/y.mp4')).toBe(false);
  });
});
