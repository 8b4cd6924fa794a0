import { describe, expect, it } from 'vitest';
import { round3 } from '../../../../main/core/round.js';

describe('round3', () => {
  it('keeps milliseconds and drops what is finer', () => {
    expect(round3(2 / 3)).toBe(0.667);
    expect(round3(751.25)).toBe(751.25);
    expect(round3(12.0004)).toBe(12);
    expect(round3(3599.9996)).toBe(3600);
    expect(round3(-1.23456)).toBe(-1.235);
  });
});
