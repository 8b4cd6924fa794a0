import { describe, expect, it } from 'vitest';
import {
  captureBitrate, captureConstraints, captureErrorKind, chooseMimeType, CAPTURE_MIME_TYPES, defaultRecordingName, describeMimeType,
  segmentSeconds, wallClock,
} from '../../../../../../renderer/src/lib/recording/capture.js';
import { deviceName, findDevice, normalizeLabel } from '../../../../../../renderer/src/lib/recording/devices.js';
import { gapLabel, markAt, type MarkHit } from '../../../../../../renderer/src/lib/recording/marks.js';
import { RecordingSource } from '../../../../../../main/core/contract/recording-schemas.js';

describe('the recorder type', () => {
  it('prefers H.264 (the browser may encode it in hardware), then VP9, VP8, plain WebM', () => {
    expect(chooseMimeType(() => true)).toBe('video/webm;codecs=h264');
    expect(chooseMimeType((t) => t.includes('matroska'))).toBe('video/x-matroska;codecs=avc1');
    expect(chooseMimeType((t) => t === 'video/webm;codecs=vp9' || t === 'video/webm')).toBe('video/webm;codecs=vp9');
    expect(chooseMimeType((t) => t === 'video/webm;codecs=vp8')).toBe('video/webm;codecs=vp8');
    expect(chooseMimeType((t) => t === 'video/webm')).toBe('video/webm');
    expect(chooseMimeType(() => false)).toBeNull();
  });

  it('treats an engine that throws on a type as not supporting it', () => {
    expect(
      chooseMimeType((t) => {
        if (t.includes('h264')) throw new Error('unknown');
        return true;
      }),
    ).toBe('video/x-matroska;codecs=avc1');
  });

  it('offers only types the backend accepts as a capture source', () => {
    for (const mimeType of CAPTURE_MIME_TYPES) {
      expect(RecordingSource.safeParse({ capture: { label: 'HD Capture', mimeType } }).success).toBe(true);
    }
  });

  it('names the types for people', () => {
    expect(describeMimeType('video/webm;codecs=h264')).toBe('H.264 in WebM');
    expect(describeMimeType('video/x-matroska;codecs=avc1')).toBe('H.264 in Matroska');
    expect(describeMimeType('video/webm;codecs=vp9')).toBe('VP9 in WebM');
    expect(describeMimeType('video/webm')).toBe('WebM');
  });
});

describe('what the window asks of the device', () => {
  it('asks for the full picture of one device, and never sound', () => {
    const c = captureConstraints('abc');
    expect(c.audio).toBe(false);
    expect(c.video.deviceId).toEqual({ exact: 'abc' });
    expect(c.video.width.ideal).toBe(1920);
    expect(c.video.height.ideal).toBe(1080);
    expect(c.video.frameRate.ideal).toBe(30);
    expect(captureConstraints(null).video.deviceId).toBeUndefined();
  });

  it('asks a bitrate by picture size, within 1–12 Mbit/s', () => {
    const hd = captureBitrate(1920, 1080, 30);
    expect(hd).toBeGreaterThan(6_000_000);
    expect(hd).toBeLessThan(9_000_000);
    expect(captureBitrate(640, 360, 15)).toBe(1_000_000);
    expect(captureBitrate(3840, 2160, 60)).toBe(12_000_000);
    // Unknown settings: as for 1080p30.
    expect(captureBitrate(0, 0, 0)).toBe(hd);
  });

  it('reads getUserMedia failures as what people can do about them', () => {
    expect(captureErrorKind('NotAllowedError')).toBe('denied');
    expect(captureErrorKind('SecurityError')).toBe('denied');
    expect(captureErrorKind('NotFoundError')).toBe('no-device');
    expect(captureErrorKind('OverconstrainedError')).toBe('no-device');
    expect(captureErrorKind('NotReadableError')).toBe('busy');
    expect(captureErrorKind('TypeError')).toBe('failed');
  });
});

describe('the record dialog’s fields', () => {
  it('keeps a typed segment length within 2–600 s, whole seconds', () => {
    expect(segmentSeconds('4')).toBe(4);
    expect(segmentSeconds(4.4)).toBe(4);
    expect(segmentSeconds('1')).toBe(2);
    expect(segmentSeconds(10_000)).toBe(600);
    expect(segmentSeconds('')).toBeNull();
    expect(segmentSeconds('ten')).toBeNull();
    expect(segmentSeconds(Number.NaN)).toBeNull();
  });

  it('names a new recording by its local start time', () => {
    expect(defaultRecordingName(new Date(2026, 2, 4, 9, 5))).toBe('Recording 2026-03-04 09:05');
    expect(defaultRecordingName(new Date(2026, 11, 31, 23, 59).getTime())).toBe('Recording 2026-12-31 23:59');
  });

  it('shows a start time as the time of day, with the date when it is not today', () => {
    const now = new Date(2026, 2, 4, 18, 0);
    expect(wallClock(new Date(2026, 2, 4, 14, 7).toISOString(), now)).toBe('14:07');
    expect(wallClock(new Date(2026, 2, 3, 14, 7).toISOString(), now)).toBe('2026-03-03 14:07');
    expect(wallClock('not a time', now)).toBe('not a time');
  });
});

describe('finding the remembered device again', () => {
  const devices = [
    { deviceId: 'a1', label: 'Integrated Camera (04f2:b6d9)' },
    { deviceId: 'b2', label: 'USB3 HD Capture (1b3f:2202)' },
    { deviceId: 'c3', label: 'fake_device_0' },
  ];

  it('matches the label first (ids change between ports and sessions)', () => {
    expect(findDevice(devices, { label: 'fake_device_0', deviceId: 'a1' })?.deviceId).toBe('c3');
  });

  it('falls back to the id, then to the label without its USB ids', () => {
    expect(findDevice(devices, { label: 'Gone', deviceId: 'b2' })?.deviceId).toBe('b2');
    expect(findDevice(devices, { label: 'usb3 hd  capture' })?.deviceId).toBe('b2');
    expect(findDevice(devices, { label: 'USB3 HD Capture (aaaa:bbbb)' })?.deviceId).toBe('b2');
  });

  it('finds nothing when the device is not there', () => {
    expect(findDevice(devices, { label: 'Other card' })).toBeNull();
    expect(findDevice([], { label: 'fake_device_0', deviceId: 'c3' })).toBeNull();
    expect(findDevice(devices, { label: '', deviceId: null })).toBeNull();
  });

  it('normalizes labels and names unlabeled devices', () => {
    expect(normalizeLabel('  HD   Capture (1b3f:2202) ')).toBe('hd capture');
    expect(deviceName({ deviceId: 'x', label: '' }, 1)).toBe('Camera 2');
    expect(deviceName({ deviceId: 'x', label: 'Capture' }, 0)).toBe('Capture');
  });
});

describe('marks on the timeline', () => {
  it('says what a gap was and how long', () => {
    expect(gapLabel({ at: 10, seconds: 42, reason: 'source-lost' })).toBe('signal lost 0:42');
    expect(gapLabel({ at: 10, seconds: 3.4, reason: 'recorder-restarted' })).toBe('recorder restarted 0:03');
    expect(gapLabel({ at: 10, seconds: 0.3, reason: 'source-lost' })).toBe('signal lost <1 s');
    expect(gapLabel({ at: 10, seconds: 3725, reason: 'interrupted' })).toBe('interrupted 1:02:05');
  });

  it('finds the mark under the pointer, the one drawn last on top', () => {
    const mark = (id: string, x0: number, x1: number): MarkHit => ({ kind: 'bookmark', x0, x1, time: x0, mark: { id, number: 1, time: x0, label: null } });
    const id = (h: MarkHit | null) => (h?.kind === 'bookmark' ? h.mark.id : null);
    const hits = [mark('a', 10, 30), mark('b', 25, 45)];
    expect(id(markAt(hits, 12))).toBe('a');
    expect(id(markAt(hits, 27))).toBe('b');
    expect(markAt(hits, 50)).toBeNull();
  });
});
