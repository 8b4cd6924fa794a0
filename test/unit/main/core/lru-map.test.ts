import { describe, expect, it } from 'vitest';
import { LruMap } from '../../../../main/core/lru-map.js';

describe('LruMap', () => {
  it('keeps the most recently used entries up to its capacity', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now the most recent
    m.set('c', 3); // b goes
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    expect(m.get('c')).toBe(3);
    expect(m.size).toBe(2);
    m.set('a', 10);
    expect(m.get('a')).toBe(10);
    expect(m.delete('a')).toBe(true);
    m.clear();
    expect(m.size).toBe(0);
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});
