import { describe, expect, it } from 'vitest';
import { detectBitstream, frameRateOf } from '../../../../../main/core/dicom/bitstream.js';
import { describeSyntax, videoSyntax } from '../../../../../main/core/dicom/transfer-syntax.js';

const bytes = (...b: number[]) => new Uint8Array([...b, ...new Array(16).fill(0)]);

describe('DICOM video bit streams', () => {
  it('tells the containers and elementary streams DICOM allows apart', () => {
    const ts = new Uint8Array(400);
    ts[0] = 0x47;
    ts[188] = 0x47;
    expect(detectBitstream(ts, 'h264')).toBe('mpegts');
    expect(detectBitstream(bytes(0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70), 'h264')).toBe('mp4');
    expect(detectBitstream(bytes(0, 0, 1, 0xba), 'mpeg2')).toBe('mpeg');
    expect(detectBitstream(bytes(0, 0, 1, 0xb3), 'mpeg2')).toBe('mpeg2video');
    expect(detectBitstream(bytes(0, 0, 0, 1, 0x67), 'h264')).toBe('h264');
    expect(detectBitstream(bytes(0, 0, 0, 1, 0x40), 'hevc')).toBe('hevc');
    expect(detectBitstream(bytes(0xff, 0xd8, 0xff, 0xe0), 'h264')).toBeNull();
    expect(detectBitstream(bytes(0, 0, 1, 0x67), 'mpeg2')).toBeNull();
  });

  it('reads the frame rate from frame time, cine rate or the recommended rate', () => {
    expect(frameRateOf({ frameTimeMs: 40 })).toBe(25);
    expect(frameRateOf({ frameTimeMs: null, cineRate: 30 })).toBe(30);
    expect(frameRateOf({ recommendedFrameRate: 50 })).toBe(50);
    expect(frameRateOf({ frameTimeMs: 0, cineRate: -1 })).toBeNull();
  });

  it('knows the video transfer syntaxes and names the others', () => {
    expect(videoSyntax('1.2.840.10008.1.2.4.100')?.codec).toBe('mpeg2');
    expect(videoSyntax('1.2.840.10008.1.2.4.102')?.codec).toBe('h264');
    expect(videoSyntax('1.2.840.10008.1.2.4.108')?.codec).toBe('hevc');
    expect(videoSyntax('1.2.840.10008.1.2.4.50')).toBeNull();
    expect(describeSyntax('1.2.840.10008.1.2.4.50')).toBe('JPEG Baseline (1.2.840.10008.1.2.4.50)');
    expect(describeSyntax('1.2.3.4')).toBe('transfer syntax 1.2.3.4');
  });
});
