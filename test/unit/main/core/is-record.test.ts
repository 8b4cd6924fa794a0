import { describe, expect, it } from 'vitest';
import { isRecord } from '../../../../main/core/is-record.js';

describe('isRecord', () => {
  it('is true for plain objects only: not null, arrays or other values', () => {
    expect(isRecord({ agent: { backend: 'scout' } })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    expect(isRecord(null)).toBe(false);
    expect(isRecord([1, 2])).toBe(false);
    expect(isRecord('text')).toBe(false);
    expect(isRecord(undefined)).toBe(false);
  });
});
