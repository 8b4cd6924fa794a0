import { describe, expect, it } from 'vitest';
import { momentKind, momentWhen, snippetParts, understoodLabel } from '../../../../../../renderer/src/lib/util/library-moments.js';

describe('what the case list filter shows of a search', () => {
  it('says how the filter was read: events with their conditions, then the words', () => {
    expect(understoodLabel({ events: [{ event: 'bleeding', duration: { op: '>', seconds: 20 } }], words: '' })).toBe('bleeding for more than 20 s');
    expect(understoodLabel({ events: [{ event: 'outOfBody', count: { op: '>', n: 2 } }], words: '' })).toBe('out of the body, more than 2 times');
    expect(understoodLabel({ events: [{ event: 'idle', count: { op: '>=', n: 1 } }], words: 'trocar' })).toBe('a pause, at least 1 time · words “trocar”');
    expect(understoodLabel({ events: [], words: ' clip applier ' })).toBe('words “clip applier”');
  });

  it('gives a moment its kind and time; a bookmark is a moment without length', () => {
    expect(momentKind('outOfBody')).toBe('Out of body');
    expect(momentWhen({ start: 14, end: 26 })).toBe('0:14–0:26');
    expect(momentWhen({ start: 50, end: 50 })).toBe('0:50');
    expect(momentWhen({ start: 3725, end: 3790 })).toBe('1:02:05–1:03:10');
  });

  it('marks the [bracketed] matches of a word match', () => {
    expect(snippetParts('[Clip] [applier] closing')).toEqual([
      { text: 'Clip', mark: true },
      { text: ' ', mark: false },
      { text: 'applier', mark: true },
      { text: ' closing', mark: false },
    ]);
    expect(snippetParts('no match here')).toEqual([{ text: 'no match here', mark: false }]);
  });
});
