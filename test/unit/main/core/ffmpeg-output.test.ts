import { describe, expect, it } from 'vitest';
import { parseFramecrcLine, parseInputSummary } from '../../../../main/core/ffmpeg-output.js';

describe("reading ffmpeg's text output", () => {
  it('takes container, duration, start and bit rate from the input summary', () => {
    const s = parseInputSummary([
      "Input #0, mpegts, from 'file:/rec/OR 3 - part 1.ts':",
      '  Metadata:',
      '    creation_time   : 2024-03-05T08:30:00.000000Z',
      '  Duration: 01:02:03.50, start: 1.466667, bitrate: 8123 kb/s',
      '    Stream #0:0[0x100]: Video: mpeg2video (Main), yuv420p(tv, progressive), 720x576',
      "Output #0, matroska, to 'head.mkv':",
      '    creation_time   : 2026-01-01T00:00:00.000000Z',
    ]);
    expect(s).toEqual({
      formatName: 'mpegts',
      duration: 3723.5,
      startTime: 1.466667,
      bitRate: 8_123_000,
      creationTime: '2024-03-05T08:30:00.000000Z',
    });
  });

  it('leaves an unknown duration unknown', () => {
    const s = parseInputSummary(["Input #0, mpeg, from 'x.mpg':", '  Duration: N/A, start: 0.500000, bitrate: N/A']);
    expect(s.duration).toBeNull();
    expect(s.startTime).toBe(0.5);
    expect(s.bitRate).toBeNull();
  });

  it('reads framecrc packets: keyframes print no flags, others print F=0x0', () => {
    const tb = 1 / 90000;
    expect(parseFramecrcLine('0,     126000,     132000,     3000,     3628, 0xd14690a1, S=1,        1, 0x00e000e0', tb)).toEqual({
      pts: 132000 * tb,
      size: 3628,
      key: true,
    });
    expect(parseFramecrcLine('0,     129000,     144000,     3000,      638, 0x73633f96, F=0x0, S=1,        1, 0x00e000e0', tb)).toMatchObject({
      key: false,
      size: 638,
    });
    expect(parseFramecrcLine('0, 1, 2, 1, 10, 0x1, F=0x3', 1)).toMatchObject({ key: true });
    expect(parseFramecrcLine('#tb 0: 1/90000', tb)).toBeNull();
    expect(parseFramecrcLine('', tb)).toBeNull();
  });
});
