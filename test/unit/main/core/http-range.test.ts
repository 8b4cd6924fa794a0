import { describe, expect, it } from 'vitest';
import { decideRange } from '../../../../main/core/http-range.js';
import { parseMediaPath, mediaPath } from '../../../../main/core/contract/media-paths.js';

describe('decideRange', () => {
  const size = 1000;
  it('serves the whole file without a Range header', () => {
    expect(decideRange(undefined, size)).toEqual({ status: 200, start: 0, end: 999 });
  });
  it('serves byte ranges', () => {
    expect(decideRange('bytes=0-99', size)).toEqual({ status: 206, start: 0, end: 99 });
    expect(decideRange('bytes=500-', size)).toEqual({ status: 206, start: 500, end: 999 });
    expect(decideRange('bytes=-100', size)).toEqual({ status: 206, start: 900, end: 999 });
    expect(decideRange('bytes=900-5000', size)).toEqual({ status: 206, start: 900, end: 999 });
    expect(decideRange('bytes=0-0,10-20', size)).toEqual({ status: 206, start: 0, end: 0 });
  });
  it('refuses ranges that cannot be satisfied', () => {
    expect(decideRange('bytes=1000-', size)).toEqual({ status: 416 });
    expect(decideRange('bytes=50-10', size)).toEqual({ status: 416 });
    expect(decideRange('bytes=-0', size)).toEqual({ status: 416 });
    expect(decideRange('bytes=0-', 0)).toEqual({ status: 416 });
  });
  it('ignores headers it does not understand', () => {
    expect(decideRange('items=1-2', size).status).toBe(200);
    expect(decideRange('bytes=-', size).status).toBe(200);
  });
  it('handles offsets past 4 GiB', () => {
    const big = 5 * 1024 ** 3;
    expect(decideRange(`bytes=${4 * 1024 ** 3}-`, big)).toEqual({ status: 206, start: 4 * 1024 ** 3, end: big - 1 });
  });
});

describe('media paths', () => {
  it('round-trips', () => {
    expect(parseMediaPath(mediaPath.part('abcdef123'))).toEqual({ kind: 'part', partId: 'abcdef123' });
    expect(parseMediaPath(mediaPath.thumbs('abcdef123', 3))).toEqual({ kind: 'thumbs', partId: 'abcdef123', sheet: 3 });
    expect(parseMediaPath(mediaPath.frame('abc-def_12', 1234))).toEqual({ kind: 'frame', partId: 'abc-def_12', index: 1234 });
  });
  it('refuses anything that could name a path', () => {
    for (const p of [
      '/part/../../etc/passwd', '/part/abc%2F..%2Fx', '/part/abcdef/../x', '/thumbs/abcdef123/-1', '/frame/abcdef123/1.png',
      '/part/ab', '//part/abcdef123', '/part/abcdef123/', '/PART/abcdef123', '/part/abcdef123?x', '',
    ]) {
      expect(parseMediaPath(p), p).toBeNull();
    }
  });
});
