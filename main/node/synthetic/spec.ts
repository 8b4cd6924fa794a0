import { OpscopeError } from '../../core/errors.js';

export type SyntheticEventKind = 'bleeding' | 'smoke' | 'out-of-body' | 'idle';

/** One injected event. The window [start, end) in seconds is the ground truth. */
export interface SyntheticEvent {
  kind: SyntheticEventKind;
  start: number;
  end: number;
}

export type SyntheticCodec = 'h264' | 'hevc' | 'mpeg4' | 'mpeg2' | 'mjpeg';
export type SyntheticContainer = 'mp4' | 'mov' | 'mkv' | 'ts' | 'avi';
export type SyntheticBorder = 'circle' | 'letterbox' | 'none';

export interface SyntheticSpec {
  duration: number;
  width: number;
  height: number;
  fps: number;
  /** Seconds between keyframes (fixed GOP, no scene-cut keyframes). Default 2. */
  gop?: number;
  events: SyntheticEvent[];
  /** Changes texture, instrument paths and event placement deterministically. */
  seed?: number;
  /** Default h264 (yuv420p, browser-playable). */
  codec?: SyntheticCodec;
  /** Default mp4 (with faststart). */
  container?: SyntheticContainer;
  /** A quiet tone and noise track. Default false. */
  audio?: boolean;
  /** Draw the frame index as a binary code in the bottom-left corner (see frame-code.ts). */
  frameCode?: boolean;
  /** Real variable frame rate: 2 s segments alternate between fps and fps/2. */
  variableFrameRate?: boolean;
  /** Default 'circle': black around a round endoscope field of view. */
  border?: SyntheticBorder;
  /** Burned-in text, top-left, white, the way OR video towers do it. */
  overlayText?: string;
  /** ISO 8601 time written as container metadata. */
  creationTime?: string;
  /** 'fast' trades quality for encoding speed (big benchmark files). Default 'normal'. */
  quality?: 'fast' | 'normal';
}

export const EVENT_KINDS: readonly SyntheticEventKind[] = ['bleeding', 'smoke', 'out-of-body', 'idle'];
const CODECS: readonly SyntheticCodec[] = ['h264', 'hevc', 'mpeg4', 'mpeg2', 'mjpeg'];
const CONTAINERS: readonly SyntheticContainer[] = ['mp4', 'mov', 'mkv', 'ts', 'avi'];
const BORDERS: readonly SyntheticBorder[] = ['circle', 'letterbox', 'none'];

/** Frame rate as an exact fraction, e.g. 29.97 -> 30000/1001. */
export interface Rational {
  num: number;
  den: number;
}

/** A spec with every default filled in and every value checked. */
export interface ResolvedSpec {
  duration: number;
  width: number;
  height: number;
  fps: number;
  rate: Rational;
  /** Frames in the constant-rate timeline before any VFR thinning. */
  frames: number;
  gop: number;
  events: SyntheticEvent[];
  seed: number;
  codec: SyntheticCodec;
  container: SyntheticContainer;
  audio: boolean;
  frameCode: boolean;
  variableFrameRate: boolean;
  border: SyntheticBorder;
  overlayText: string;
  creationTime: string | null;
  quality: 'fast' | 'normal';
}

/** Combinations a muxer cannot store, or stores in a way common players reject. */
const UNSUPPORTED: ReadonlyArray<[SyntheticCodec, SyntheticContainer, string]> = [
  ['mjpeg', 'ts', 'MPEG-TS has no standard mapping for Motion JPEG'],
];

function bad(message: string): never {
  throw new OpscopeError('invalid-input', message);
}

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${name} must be a finite number.`);
  return v;
}

export function fpsRational(fps: number): Rational {
  for (const k of [24, 30, 48, 60, 120]) {
    if (Math.abs(fps - (k * 1000) / 1001) < 0.005) return { num: k * 1000, den: 1001 };
  }
  if (Math.abs(fps - Math.round(fps)) < 1e-9) return { num: Math.round(fps), den: 1 };
  const num = Math.round(fps * 1000);
  const d = gcd(num, 1000);
  return { num: num / d, den: 1000 / d };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function resolveSpec(spec: SyntheticSpec): ResolvedSpec {
  if (!spec || typeof spec !== 'object') bad('The synthetic video spec is missing.');
  const duration = finite('duration', spec.duration);
  if (duration <= 0 || duration > 24 * 3600) bad('duration must be between 0 and 24 hours.');
  const width = finite('width', spec.width);
  const height = finite('height', spec.height);
  for (const [name, v, min, max] of [
    ['width', width, 128, 7680],
    ['height', height, 96, 4320],
  ] as const) {
    if (!Number.isInteger(v) || v % 2 !== 0 || v < min || v > max) {
      bad(`${name} must be an even whole number between ${min} and ${max}.`);
    }
  }
  const fps = finite('fps', spec.fps);
  if (fps < 1 || fps > 240) bad('fps must be between 1 and 240.');
  const rate = fpsRational(fps);
  const exactFps = rate.num / rate.den;
  const frames = Math.round(duration * exactFps);
  if (frames < 1) bad('The video would have no frames; make it longer or raise fps.');
  if (frames > 2 ** 20 - 1 && spec.frameCode) bad('frameCode supports at most 1,048,575 frames.');

  const gop = spec.gop === undefined ? 2 : finite('gop', spec.gop);
  if (gop <= 0 || gop > 600) bad('gop must be between 0 and 600 seconds.');

  const codec = spec.codec ?? 'h264';
  if (!CODECS.includes(codec)) bad(`codec must be one of ${CODECS.join(', ')}.`);
  const container = spec.container ?? 'mp4';
  if (!CONTAINERS.includes(container)) bad(`container must be one of ${CONTAINERS.join(', ')}.`);
  for (const [c, k, why] of UNSUPPORTED) {
    if (c === codec && k === container) bad(`${codec} in ${container} is not supported: ${why}.`);
  }
  const variableFrameRate = spec.variableFrameRate === true;
  if (variableFrameRate && container === 'avi') bad('AVI cannot store a variable frame rate; use mp4, mov, mkv or ts.');

  const border = spec.border ?? 'circle';
  if (!BORDERS.includes(border)) bad(`border must be one of ${BORDERS.join(', ')}.`);

  if (!Array.isArray(spec.events)) bad('events must be an array (it may be empty).');
  const events = spec.events.map((e, i) => {
    if (!e || !EVENT_KINDS.includes(e.kind)) bad(`events[${i}].kind must be one of ${EVENT_KINDS.join(', ')}.`);
    const start = finite(`events[${i}].start`, e.start);
    const end = finite(`events[${i}].end`, e.end);
    if (start < 0 || end <= start || end > duration + 1e-9) {
      bad(`events[${i}] must satisfy 0 <= start < end <= duration (got ${start}..${end}).`);
    }
    return { kind: e.kind, start, end };
  });

  let seed = 1;
  if (spec.seed !== undefined) seed = Math.trunc(finite('seed', spec.seed)) >>> 0;

  let creationTime: string | null = null;
  if (spec.creationTime !== undefined) {
    const ms = Date.parse(spec.creationTime);
    if (!Number.isFinite(ms)) bad('creationTime must be an ISO 8601 date and time.');
    creationTime = new Date(ms).toISOString();
  }

  const overlayText = spec.overlayText ?? '';
  if (typeof overlayText !== 'string' || overlayText.length > 200) bad('overlayText must be a string of at most 200 characters.');

  const quality = spec.quality ?? 'normal';
  if (quality !== 'fast' && quality !== 'normal') bad("quality must be 'fast' or 'normal'.");

  return {
    duration: frames / exactFps,
    width,
    height,
    fps: exactFps,
    rate,
    frames,
    gop,
    events,
    seed,
    codec,
    container,
    audio: spec.audio === true,
    frameCode: spec.frameCode === true,
    variableFrameRate,
    border,
    overlayText,
    creationTime,
    quality,
  };
}

/**
 * The case offered on first run: three minutes of 720p with well separated events of every kind,
 * so every event detector has something to find.
 */
export function demoSpec(): SyntheticSpec {
  return {
    duration: 180,
    width: 1280,
    height: 720,
    fps: 30,
    gop: 2,
    seed: 20240611,
    border: 'circle',
    audio: true,
    overlayText: 'DEMO PATIENT  MRN 0000000  LAP CHOLE',
    creationTime: '2024-06-11T08:30:00Z',
    events: [
      { kind: 'bleeding', start: 24, end: 44 },
      { kind: 'smoke', start: 62, end: 76 },
      { kind: 'idle', start: 92, end: 104 },
      { kind: 'out-of-body', start: 120, end: 134 },
      { kind: 'bleeding', start: 150, end: 163 },
    ],
  };
}
