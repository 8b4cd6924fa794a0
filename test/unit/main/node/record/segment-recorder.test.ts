import { describe, expect, it } from 'vitest';
import { detectH264Encoder, type FfmpegRunner } from '../../../../../main/node/record/encoders.js';
import { fragmentOptions, keyframeInterval, recordArgs, recordSegments, SEGMENT_EXT, SEGMENT_LIST } from '../../../../../main/node/record/segment-recorder.js';

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('recording arguments', () => {
  const base = { source: { kind: 'replay' as const, path: '/cases/or 3.mp4' }, folder: '/data/recordings/abc', segmentSeconds: 4 };

  it('writes fragmented MP4 segments of about one-second fragments, each segment from 0', () => {
    const args = recordArgs(base);
    expect(SEGMENT_EXT).toBe('.mp4');
    expect(after(args, '-f')).toBe('segment');
    expect(after(args, '-segment_format')).toBe('mp4');
    expect(after(args, '-segment_format_options')).toBe('movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000');
    expect(after(args, '-segment_time')).toBe('4');
    expect(after(args, '-reset_timestamps')).toBe('1');
    expect(after(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*1)');
    expect(after(args, '-bf')).toBe('0');
    expect(after(args, '-segment_list')).toBe(`file:/data/recordings/abc/${SEGMENT_LIST}`);
    expect(args.at(-1)).toBe('file:/data/recordings/abc/seg-%05d.mp4');
    // libx264 by default; the replay is paced at its own rate; video only.
    expect(args.join(' ')).toContain('-c:v libx264 -preset veryfast -sc_threshold 0 -pix_fmt yuv420p');
    expect(args.slice(args.indexOf('-re'), args.indexOf('-re') + 3)).toEqual(['-re', '-i', 'file:/cases/or 3.mp4']);
    expect(args).toEqual(expect.arrayContaining(['-map', '0:v:0', '-an']));
    // The encoder settings come before the muxer's.
    expect(args.indexOf('-c:v')).toBeLessThan(args.indexOf('-f', args.indexOf('-i')));
  });

  it('divides a segment into even keyframe intervals of about a second', () => {
    expect(keyframeInterval(10)).toBe(1);
    expect(keyframeInterval(2.5)).toBeCloseTo(2.5 / 3);
    expect(keyframeInterval(1.4)).toBeCloseTo(1.4);
    expect(keyframeInterval(0.5)).toBe(0.5);
    expect(fragmentOptions(2.5 / 3)).toMatch(/:frag_duration=833333$/);
    const args = recordArgs({ ...base, segmentSeconds: 2.5 });
    expect(after(args, '-force_key_frames')).toBe(`expr:gte(t,n_forced*${2.5 / 3})`);
  });

  it('puts the chosen encoder in, device input, duration, prefix, and escapes "%"', async () => {
    const list = ' V..... libx264   x\n V..... h264_nvenc   NVENC\n';
    const run: FfmpegRunner = async (args) => ({ stdout: Buffer.from(args[0] === '-encoders' ? list : ''), stderrTail: [] });
    const nvenc = await detectH264Encoder({ run, platform: 'win32' });
    const args = recordArgs({ source: { kind: 'device', device: '/dev/video0' }, folder: '/d/100%/r', segmentSeconds: 10, durationS: 30, prefix: 'b%-' }, nvenc);
    expect(args.join(' ')).toContain('-f v4l2 -i /dev/video0 -t 30 -map 0:v:0');
    expect(args.join(' ')).toContain('-c:v h264_nvenc');
    expect(args).not.toContain('libx264');
    expect(args.at(-1)).toBe('file:/d/100%%/r/b%%-%05d.mp4');
    expect(after(args, '-segment_list')).toBe('file:/d/100%/r/segments.csv');
  });

  it('reads a capture sent by the app window from stdin, and refuses to start without the stream', async () => {
    const args = recordArgs({ ...base, source: { kind: 'stream', mimeType: 'video/webm' } });
    expect(args.join(' ')).toContain('-f matroska -i pipe:0');
    expect(args).not.toContain('-re');
    await expect(recordSegments({ ...base, source: { kind: 'stream', mimeType: 'video/webm' } }, { onSegment: () => undefined })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('starts a resumed replay where a live feed would be by then', () => {
    const args = recordArgs({ ...base, source: { kind: 'replay', path: '/media/case.mp4', offset: 12.5 } });
    expect(args.join(' ')).toContain('-re -ss 12.500 -i');
  });
});
