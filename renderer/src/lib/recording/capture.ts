/*
 * Capturing a video source in the window (operating-room mode): the pure choices, without the DOM,
 * so they are tested in Node. The window records with MediaRecorder and sends the stream to the
 * backend, which cuts it into self-contained segments.
 */

/**
 * Container and codec, best first. H.264 first: the browser may encode it in hardware and the
 * backend then only copies it into segments; VP9/VP8 are re-encoded by the backend.
 */
export const CAPTURE_MIME_TYPES = [
  'video/webm;codecs=h264',
  'video/x-matroska;codecs=avc1',
  'video/webm;codecs=vp9',
  'video/webm;codecs=vp8',
  'video/webm',
] as const;

/** The first type the recorder supports, or null when it can write none of them. */
export function chooseMimeType(isSupported: (type: string) => boolean): string | null {
  for (const t of CAPTURE_MIME_TYPES) {
    try {
      if (isSupported(t)) return t;
    } catch {
      // An engine that throws on a type does not support it.
    }
  }
  return null;
}

/** A readable name for a recorder type: "H.264 in WebM". */
export function describeMimeType(type: string): string {
  const container = /x-matroska/.test(type) ? 'Matroska' : 'WebM';
  const codec = /codecs=([^;,]+)/.exec(type)?.[1]?.toLowerCase();
  const names: Record<string, string> = { h264: 'H.264', avc1: 'H.264', vp9: 'VP9', vp8: 'VP8', av1: 'AV1' };
  return codec ? `${names[codec] ?? codec.toUpperCase()} in ${container}` : container;
}

/**
 * Bits per second asked of the encoder: about 0.12 bit per pixel and frame (1080p30 ≈ 7.5 Mbit/s),
 * within 1–12 Mbit/s. Surgical detail needs more than a video call; the disk takes it easily.
 */
export function captureBitrate(width: number, height: number, fps: number): number {
  const w = width > 0 ? width : 1920;
  const h = height > 0 ? height : 1080;
  const f = fps > 0 ? Math.min(fps, 60) : 30;
  return Math.round(Math.max(1_000_000, Math.min(12_000_000, w * h * f * 0.12)));
}

/** What the window asks of the device: its full picture, never sound. */
export function captureConstraints(deviceId: string | null): {
  video: { deviceId?: { exact: string }; width: { ideal: number }; height: { ideal: number }; frameRate: { ideal: number } };
  audio: false;
} {
  return {
    video: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      width: { ideal: 1920 },
      height: { ideal: 1080 },
      frameRate: { ideal: 30 },
    },
    audio: false,
  };
}

/** Segment length bounds offered in the record dialog (the backend accepts 1–600 s). */
export const SEGMENT_SECONDS = { min: 2, max: 600, default: 10 } as const;

/** A segment length typed by a person, made valid; null when it is not a number at all. */
export function segmentSeconds(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return null;
  return Math.max(SEGMENT_SECONDS.min, Math.min(SEGMENT_SECONDS.max, Math.round(n)));
}

const two = (n: number) => String(n).padStart(2, '0');

/** The default name of a new recording's case, in local time: "Recording 2026-03-04 14:05". */
export function defaultRecordingName(when: Date | number): string {
  const d = typeof when === 'number' ? new Date(when) : when;
  return `Recording ${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Local wall-clock time of an ISO timestamp, "14:05", or the date too when it is not today. */
export function wallClock(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? time : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}

/** How a failed getUserMedia reads to a person; `desktop` changes where permission is given. */
export function captureErrorKind(name: string): 'denied' | 'no-device' | 'busy' | 'failed' {
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'no-device';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}
