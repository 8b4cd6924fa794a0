import { describe, expect, it } from 'vitest';
import { MAX_DISMISSED, parseDismissed, withDismissed } from '../../../../../../renderer/src/lib/recording/dismissed.js';

describe('dismissed interrupted recordings', () => {
  it('reads the stored list, keeping only ids', () => {
    expect(parseDismissed('["a","b"]')).toEqual(['a', 'b']);
    expect(parseDismissed('["a",3,null,"b"]')).toEqual(['a', 'b']);
  });

  it('reads nothing stored, or something unreadable, as none dismissed', () => {
    for (const raw of [null, '', 'not json', '{"a":1}', '"a"', '42']) expect(parseDismissed(raw)).toEqual([]);
  });

  it('remembers the latest dismissals only', () => {
    let list: string[] = [];
    for (let i = 0; i < MAX_DISMISSED + 5; i++) list = withDismissed(list, `r${i}`);
    expect(list).toHaveLength(MAX_DISMISSED);
    expect(list[0]).toBe('r5');
    expect(list.at(-1)).toBe(`r${MAX_DISMISSED + 4}`);
  });
});
