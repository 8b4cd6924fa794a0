import { describe, expect, it } from 'vitest';
import { playbackFor, proxyCanRemux, summarizeProbe, summarizeTiming } from '../../../../main/core/media-info.js';

const probe = (over: Record<string, unknown> = {}, stream: Record<string, unknown> = {}) =>
  JSON.stringify({
    streams: [
      { codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, r_frame_rate: '30/1', avg_frame_rate: '30/1', pix_fmt: 'yuv420p', ...stream },
      { codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '48000' },
    ],
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '1200.5', start_time: '0.000000', bit_rate: '8000000', tags: { creation_time: '2026-03-01T08:00:00.000000Z' } },
    ...over,
  });

describe('summarizeProbe', () => {
  it('reads what import needs', () => {
    const s = summarizeProbe(probe(), 'case.mp4');
    expect(s).toMatchObject({ container: 'mp4', duration: 1200.5, startTime: 0, creationTime: '2026-03-01T08:00:00.000000Z' });
    expect(s.video).toMatchObject({ codec: 'h264', width: 1920, height: 1080, fps: 30, rotation: 0 });
    expect(s.audio).toMatchObject({ codec: 'aac', channels: 2 });
  });
  it('reads rotation from side data or the legacy tag', () => {
    expect(summarizeProbe(probe({}, { side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }), 'a').video.rotation).toBe(270);
    expect(summarizeProbe(probe({}, { tags: { rotate: '90' } }), 'a').video.rotation).toBe(270);
  });
  it('explains files without video', () => {
    const audioOnly = JSON.stringify({ streams: [{ codec_type: 'audio', codec_name: 'mp3' }], format: { format_name: 'mp3' } });
    expect(() => summarizeProbe(audioOnly, 'song.mp3')).toThrow(/song\.mp3 has no video stream \(an audio file\)/);
    expect(() => summarizeProbe('not json', 'x.mp4')).toThrow(/could not be read as a video/);
    expect(() => summarizeProbe(probe({}, { codec_name: undefined, width: 0 }), 'odd.avi')).toThrow(/cannot decode/);
  });
});

describe('playback', () => {
  const s = (codec: string, format = 'mov,mp4,m4a,3gp,3g2,mj2', pix = 'yuv420p') =>
    summarizeProbe(probe({ format: { format_name: format, duration: '10' } }, { codec_name: codec, pix_fmt: pix }), 'x');
  it('plays browser-native streams directly and proxies the rest', () => {
    expect(playbackFor(s('h264'))).toBe('direct');
    expect(playbackFor(s('hevc'))).toBe('proxy-pending');
    expect(playbackFor(s('mpeg2video', 'mpegts'))).toBe('proxy-pending');
    expect(playbackFor(s('mjpeg', 'avi', 'yuvj422p'))).toBe('proxy-pending');
    expect(playbackFor(s('h264', 'mpegts'))).toBe('proxy-pending');
    expect(playbackFor(s('h264', 'mov,mp4,m4a,3gp,3g2,mj2', 'yuv422p10le'))).toBe('proxy-pending');
  });
  it('remuxes H.264 whose only problem is the container', () => {
    expect(proxyCanRemux(s('h264', 'mpegts'))).toBe(true);
    expect(proxyCanRemux(s('mpeg2video', 'mpegts'))).toBe(false);
  });
});

describe('summarizeTiming', () => {
  it('finds frame rate, variable timing and keyframe spacing from packets', () => {
    const n = 300;
    const frameTimes = Float64Array.from({ length: n }, (_, i) => i / 30);
    const keys = Uint8Array.from({ length: n }, (_, i) => (i % 60 === 0 ? 1 : 0));
    const t = summarizeTiming({ frameTimes, packetTimes: frameTimes, packetSizes: new Uint32Array(n), packetKeys: keys }, 10);
    expect(t.fps).toBeCloseTo(30, 6);
    expect(t.variableFrameRate).toBe(false);
    expect(t.keyframeInterval).toBeCloseTo(2, 6);
    const vfr = Float64Array.from({ length: n }, (_, i) => (i < 150 ? i / 30 : 5 + (i - 150) / 15));
    expect(summarizeTiming({ frameTimes: vfr, packetTimes: vfr, packetSizes: new Uint32Array(n), packetKeys: keys }, 15).variableFrameRate).toBe(true);
  });
});
