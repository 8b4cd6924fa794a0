import { describe, expect, it } from 'vitest';
import { flvAvcConfig, flvAvcFrame, flvHeader } from '../../../../main/core/frame-flv.js';

describe('FLV for a warm decoder', () => {
  it('writes the header and the AVC configuration tag', () => {
    expect(Array.from(flvHeader())).toEqual([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);
    const cfg = flvAvcConfig(Uint8Array.from([1, 2, 3]));
    expect(Array.from(cfg)).toEqual([9, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0x17, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 19]);
  });

  it('carries decode time (with its extended byte), composition offset and the keyframe flag', () => {
    const f = flvAvcFrame(0x01020304, 0x01020304 + 5, false, Uint8Array.from([9]));
    expect(Array.from(f.subarray(0, 17))).toEqual([9, 0, 0, 6, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, 0x27, 1, 0, 0, 5, 9]);
    expect(Array.from(f.subarray(17))).toEqual([0, 0, 0, 17]);
    const k = flvAvcFrame(10, 6, true, new Uint8Array(0));
    // A negative offset in 24-bit two's complement.
    expect(Array.from(k.subarray(11, 16))).toEqual([0x17, 1, 0xff, 0xff, 0xfc]);
    expect(() => flvAvcFrame(1.5, 2, true, new Uint8Array(0))).toThrow(RangeError);
  });
});
