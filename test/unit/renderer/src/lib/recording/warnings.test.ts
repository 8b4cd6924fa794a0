import { describe, expect, it } from 'vitest';
import { afterSourceBack, MAX_WARNINGS, withWarning, type RecordingWarning } from '../../../../../../renderer/src/lib/recording/warnings.js';

const w = (id: number, o: Partial<RecordingWarning> = {}): RecordingWarning => ({ id, message: `warning ${id}`, freeBytes: null, stopping: false, duringWait: false, ...o });

describe('the recording’s warnings', () => {
  it('adds a warning last', () => {
    expect(withWarning([w(1)], w(2))).toEqual([w(1), w(2)]);
  });

  it('shows the same message once', () => {
    expect(withWarning([w(1, { message: 'Disk low' })], w(2, { message: 'Disk low' }))).toBeNull();
  });

  it('keeps the latest few', () => {
    let list: RecordingWarning[] = [];
    for (let i = 1; i <= MAX_WARNINGS + 2; i++) list = withWarning(list, w(i))!;
    expect(list.map((x) => x.id)).toEqual([3, 4, 5, 6]);
    expect(list).toHaveLength(MAX_WARNINGS);
  });

  it('drops what was said while the source was away once it is back, and keeps the rest', () => {
    const list = [w(1, { duringWait: true }), w(2, { freeBytes: 1e9 }), w(3, { duringWait: true })];
    expect(afterSourceBack(list)).toEqual([w(2, { freeBytes: 1e9 })]);
  });
});
