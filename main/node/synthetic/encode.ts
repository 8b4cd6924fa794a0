import type { FfmpegCaps } from './capabilities.js';
import type { ResolvedSpec, SyntheticContainer } from './spec.js';

const MUXERS: Record<SyntheticContainer, string> = {
  mp4: 'mp4',
  mov: 'mov',
  mkv: 'matroska',
  ts: 'mpegts',
  avi: 'avi',
};

/** MPEG-1/2 only know these frame rates; others need ffmpeg's "unofficial" mode. */
const MPEG2_RATES = ['24000/1001', '24/1', '25/1', '30000/1001', '30/1', '50/1', '60000/1001', '60/1'];

/** Pixel format the filtergraph must end with for the codec. */
export function outputPixelFormat(spec: ResolvedSpec): string {
  // ffmpeg's Motion JPEG encoder wants full-range ("j") YUV.
  return spec.codec === 'mjpeg' ? 'yuvj420p' : 'yuv420p';
}

/**
 * Encoder, timing and muxer options. Keyframes come at a fixed interval and never at scene cuts,
 * so the keyframe grid is known exactly (the out-of-body cut would otherwise add one).
 */
export function encodeArgs(spec: ResolvedSpec, caps: FfmpegCaps): string[] {
  const fast = spec.quality === 'fast';
  const gopFrames = Math.max(1, Math.round(spec.gop * spec.fps));
  const rate = `${spec.rate.num}/${spec.rate.den}`;
  const args: string[] = [];

  switch (spec.codec) {
    case 'h264':
      args.push('-c:v', 'libx264', '-preset', fast ? 'ultrafast' : 'veryfast', '-crf', fast ? '30' : '21');
      args.push('-g', `${gopFrames}`, '-keyint_min', `${gopFrames}`, '-sc_threshold', '0', '-bf', fast ? '0' : '2');
      break;
    case 'hevc':
      args.push('-c:v', 'libx265', '-preset', fast ? 'ultrafast' : 'veryfast', '-crf', fast ? '30' : '25');
      args.push('-g', `${gopFrames}`);
      args.push('-x265-params', `keyint=${gopFrames}:min-keyint=${gopFrames}:scenecut=0:open-gop=0:log-level=error`);
      if (spec.container === 'mp4' || spec.container === 'mov') args.push('-tag:v', 'hvc1');
      break;
    case 'mpeg4':
      args.push('-c:v', 'mpeg4', '-q:v', fast ? '6' : '3', '-g', `${gopFrames}`, '-bf', '0');
      args.push('-sc_threshold', '1000000000');
      break;
    case 'mpeg2':
      args.push('-c:v', 'mpeg2video', '-q:v', fast ? '6' : '3', '-g', `${gopFrames}`, '-bf', '0');
      args.push('-sc_threshold', '1000000000');
      if (!MPEG2_RATES.includes(rate)) args.push('-strict', 'unofficial');
      break;
    case 'mjpeg':
      args.push('-c:v', 'mjpeg', '-q:v', fast ? '6' : '3');
      break;
  }
  args.push('-pix_fmt', outputPixelFormat(spec));
  // Colour is built in BT.601; say so, so players convert back the same way.
  args.push('-colorspace', 'smpte170m', '-color_primaries', 'smpte170m', '-color_trc', 'smpte170m');

  if (spec.variableFrameRate) {
    // Frame-count GOPs drift when the rate changes; force keyframes on the clock instead.
    args.push('-force_key_frames', `expr:gte(t,n_forced*${spec.gop})`);
    args.push(...(caps.fpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough']));
  } else {
    args.push('-r', rate);
    args.push(...(caps.fpsMode ? ['-fps_mode', 'cfr'] : ['-vsync', 'cfr']));
  }

  if (spec.audio) {
    if (spec.container === 'avi') args.push('-c:a', 'pcm_s16le');
    else args.push('-c:a', 'aac', '-b:a', '96k');
  }

  if (spec.creationTime) args.push('-metadata', `creation_time=${spec.creationTime}`);
  if (spec.container === 'mp4' || spec.container === 'mov') args.push('-movflags', '+faststart');
  args.push('-f', MUXERS[spec.container]);
  return args;
}
