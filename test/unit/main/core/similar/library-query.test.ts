import { describe, expect, it } from 'vitest';
import { ftsQuery, matchingEpisodes, parseLibraryQuery } from '../../../../../main/core/similar/library-query.js';

describe('library search queries', () => {
  it('reads an event with a duration', () => {
    expect(parseLibraryQuery('bleeding longer than 20 s')).toEqual({ events: [{ event: 'bleeding', duration: { op: '>', seconds: 20 } }], words: '' });
    expect(parseLibraryQuery('smoke for at least 2 minutes').events).toEqual([{ event: 'smoke', duration: { op: '>=', seconds: 120 } }]);
  });

  it('reads an event with a count', () => {
    expect(parseLibraryQuery('out of the body more than twice').events).toEqual([{ event: 'outOfBody', count: { op: '>', n: 2 } }]);
    expect(parseLibraryQuery('camera out 3 times or more').events).toEqual([{ event: 'outOfBody', count: { op: '>=', n: 3 } }]);
  });

  it('reads two events and leaves the other words for the text search', () => {
    const q = parseLibraryQuery('hemorrhage over 30 sec and smoke twice clip applier');
    expect(q.events).toEqual([
      { event: 'bleeding', duration: { op: '>', seconds: 30 } },
      { event: 'smoke', count: { op: '>=', n: 2 } },
    ]);
    expect(q.words).toBe('clip applier');
  });

  it('takes a query without events as words', () => {
    expect(parseLibraryQuery('  stapler misfire ')).toEqual({ events: [], words: 'stapler misfire' });
  });

  it('matches episodes by duration and count', () => {
    const eps = [{ start: 0, end: 10 }, { start: 20, end: 45 }, { start: 60, end: 90 }];
    expect(matchingEpisodes(eps, { event: 'bleeding', duration: { op: '>', seconds: 20 } })).toEqual([eps[1], eps[2]]);
    expect(matchingEpisodes(eps, { event: 'bleeding', count: { op: '>', n: 2 } })).toEqual(eps);
    expect(matchingEpisodes(eps, { event: 'bleeding', count: { op: '>', n: 3 } })).toBeNull();
    expect(matchingEpisodes([], { event: 'bleeding' })).toBeNull();
  });

  it('quotes words for FTS5 so its syntax cannot be injected', () => {
    expect(ftsQuery('Clip "applier" NEAR(x')).toBe('"clip"* "applier"* "near"* "x"*');
    expect(ftsQuery('  ,; ')).toBeNull();
  });
});
