import { OpscopeError } from './errors.js';
import type { Playback } from './contract/schemas.js';

/** What the app keeps of ffprobe's view of a recording. */
export interface ProbeSummary {
  container: string;
  formatName: string;
  duration: number;
  /** Container start time in seconds; part offsets are measured from here. */
  startTime: number;
  bitRate: number | null;
  video: {
    codec: string;
    profile: string | null;
    width: number;
    height: number;
    /** Nominal rate from the stream header (r_frame_rate); packets tell the truth later. */
    fps: number;
    avgFps: number;
    rotation: number;
    pixFmt: string | null;
  };
  audio: { codec: string; channels: number; sampleRate: number } | null;
  creationTime: string | null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  pix_fmt?: string;
  duration?: string;
  channels?: number;
  sample_rate?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}
interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string; bit_rate?: string; tags?: Record<string, string> };
}

function rate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split('/').map(Number);
  if (!n || !Number.isFinite(n)) return 0;
  return d ? n / d : n;
}

const CONTAINERS: [RegExp, string][] = [
  [/mov|mp4|m4a|3gp/, 'mp4'],
  [/matroska|webm/, 'matroska'],
  [/mpegts/, 'mpegts'],
  [/^mpeg$|mpegvideo|vob/, 'mpeg-ps'],
  [/avi/, 'avi'],
  [/mxf/, 'mxf'],
];

/** Interprets `ffprobe -show_format -show_streams -of json`. Throws a clinician-readable error. */
export function summarizeProbe(raw: string, fileName: string): ProbeSummary {
  let data: FfprobeOutput;
  try {
    data = JSON.parse(raw) as FfprobeOutput;
  } catch {
    throw new OpscopeError('unsupported-media', `${fileName} could not be read as a video.`);
  }
  const streams = data.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) {
    const what = streams.some((s) => s.codec_type === 'audio') ? 'an audio file' : 'not a video file';
    throw new OpscopeError('unsupported-media', `${fileName} has no video stream (${what}).`);
  }
  const formatName = data.format?.format_name ?? 'unknown';
  const container = CONTAINERS.find(([re]) => re.test(formatName))?.[1] ?? formatName.split(',')[0]!;
  const duration = Number(data.format?.duration ?? video.duration ?? NaN);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const rotationSide = video.side_data_list?.find((s) => typeof s.rotation === 'number')?.rotation;
  const rotationTag = video.tags?.rotate !== undefined ? -Number(video.tags.rotate) : undefined;
  const rotation = normalizeRotation(rotationSide ?? rotationTag ?? 0);
  const creation = data.format?.tags?.creation_time ?? video.tags?.creation_time ?? null;
  const summary: ProbeSummary = {
    container,
    formatName,
    duration: Number.isFinite(duration) ? duration : 0,
    startTime: Number(data.format?.start_time ?? 0) || 0,
    bitRate: Number(data.format?.bit_rate) || null,
    video: {
      codec: video.codec_name ?? 'unknown',
      profile: video.profile ?? null,
      width: video.width ?? 0,
      height: video.height ?? 0,
      fps: rate(video.r_frame_rate),
      avgFps: rate(video.avg_frame_rate),
      rotation,
      pixFmt: video.pix_fmt ?? null,
    },
    audio: audio
      ? { codec: audio.codec_name ?? 'unknown', channels: audio.channels ?? 0, sampleRate: Number(audio.sample_rate) || 0 }
      : null,
    creationTime: creation,
  };
  if (summary.video.codec === 'unknown' || summary.video.width === 0 || summary.video.height === 0) {
    throw new OpscopeError(
      'unsupported-media',
      `${fileName} uses a video codec this ffmpeg cannot decode (${video.codec_name ?? 'unidentified'}).`,
    );
  }
  return summary;
}

function normalizeRotation(deg: number): number {
  const r = ((Math.round(deg / 90) * 90) % 360 + 360) % 360;
  return r;
}

/**
 * What Chromium plays on every platform without hardware help, per container: MP4 with H.264,
 * VP9 or AV1; WebM-style Matroska with VP8, VP9 or AV1.
 */
const PLAYABLE: Record<string, { video: Set<string>; audio: Set<string> }> = {
  mp4: { video: new Set(['h264', 'vp9', 'av1']), audio: new Set(['aac', 'mp3', 'opus', 'flac']) },
  matroska: { video: new Set(['vp8', 'vp9', 'av1']), audio: new Set(['opus', 'vorbis']) },
};

/**
 * Whether the player can show the original or needs a proxy. HEVC is proxied because Chromium
 * decodes it only with platform hardware support, which the app cannot count on.
 */
export function playbackFor(p: ProbeSummary): Playback {
  const ok = PLAYABLE[p.container];
  if (!ok) return 'proxy-pending';
  const videoOk = ok.video.has(p.video.codec) && (p.video.pixFmt === null || /^yuv(j)?420p$/.test(p.video.pixFmt));
  const audioOk = p.audio === null || ok.audio.has(p.audio.codec);
  return videoOk && audioOk ? 'direct' : 'proxy-pending';
}

/** A proxy can copy the video stream when only the container or audio is the problem. */
export function proxyCanRemux(p: ProbeSummary): boolean {
  return p.video.codec === 'h264' && (p.video.pixFmt === null || /^yuv(j)?420p$/.test(p.video.pixFmt));
}

/** What the packets of the video stream say, without decoding. */
export interface PacketScan {
  /** Presentation times (seconds from the container start), ascending: one per frame. */
  frameTimes: Float64Array;
  /** Per packet, in file order. */
  packetTimes: Float64Array;
  packetSizes: Uint32Array;
  packetKeys: Uint8Array;
}

export interface TimingSummary {
  frameCount: number;
  fps: number;
  variableFrameRate: boolean;
  keyframeInterval: number | null;
  keyframeTimes: number[];
  duration: number;
}

export function summarizeTiming(scan: PacketScan, fallbackDuration: number): TimingSummary {
  const t = scan.frameTimes;
  const n = t.length;
  const deltas: number[] = [];
  for (let i = 1; i < n; i++) deltas.push(t[i]! - t[i - 1]!);
  const sorted = [...deltas].sort((a, b) => a - b);
  const median = sorted.length ? sorted[sorted.length >> 1]! : 0;
  // Variable when a meaningful share of frame gaps differ from the typical gap by more than 10%.
  const off = median > 0 ? deltas.filter((d) => Math.abs(d - median) > median * 0.1).length : 0;
  const variableFrameRate = n > 2 && off / deltas.length > 0.02;
  const keyTimes: number[] = [];
  for (let i = 0; i < scan.packetKeys.length; i++) if (scan.packetKeys[i]) keyTimes.push(scan.packetTimes[i]!);
  keyTimes.sort((a, b) => a - b);
  let keyframeInterval: number | null = null;
  if (keyTimes.length > 1) {
    const gaps = keyTimes.slice(1).map((k, i) => k - keyTimes[i]!).sort((a, b) => a - b);
    keyframeInterval = gaps[gaps.length >> 1]!;
  }
  const last = n ? t[n - 1]! + (median || 0) : 0;
  return {
    frameCount: n,
    fps: median > 0 ? 1 / median : 0,
    variableFrameRate,
    keyframeInterval,
    keyframeTimes: keyTimes,
    duration: Math.max(fallbackDuration, 0) || last,
  };
}
