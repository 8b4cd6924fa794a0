/*
 * Decoded frames (raw RGB from a warm decoder) to picture files, with libvips through sharp:
 * JPEG for frames looked at in the app and by models (about 7 ms for 1080p here), PNG for files a
 * user keeps (about 11 ms at the fastest compression, still lossless). Loaded on first use.
 */

import { drawLabel } from '../../core/agent/frame-label.js';
import type { FrameFormat } from '../../core/worker-protocol.js';
import type { RawFrame } from './warm-decoder.js';
import type SharpModule from 'sharp';

/** About ffmpeg's -q:v 3, where a model reads fine detail. */
const JPEG_QUALITY = 90;

type Sharp = typeof SharpModule;
let loaded: Promise<Sharp> | null = null;
function sharp(): Promise<Sharp> {
  loaded ??= import('sharp').then((m) => ((m as { default?: Sharp }).default ?? m) as Sharp);
  return loaded;
}

export async function encodeRaw(frame: RawFrame, format: FrameFormat): Promise<Buffer> {
  const s = await sharp();
  const img = s(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  // Huffman optimisation doubles the encode time for a few percent of size: not worth it here.
  return format === 'png'
    ? img.png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer()
    : img.jpeg({ quality: JPEG_QUALITY, optimiseCoding: false }).toBuffer();
}

/**
 * A frame for a model: scaled to `width` x `height` (area-like shrinking), its case time drawn
 * on it as the crop frames carry it, as JPEG.
 */
export async function labelledJpeg(frame: RawFrame, width: number, height: number, label: string): Promise<Buffer> {
  const s = await sharp();
  let rgb: Buffer = frame.rgb;
  if (width !== frame.width || height !== frame.height) {
    rgb = await s(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .resize(width, height, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer();
  } else {
    rgb = Buffer.from(rgb);
  }
  drawLabel({ width, height, data: rgb }, label);
  return encodeRaw({ width, height, rgb }, 'jpeg');
}

export async function jpegSize(file: string): Promise<{ width: number; height: number } | null> {
  const s = await sharp();
  const m = await s(file).metadata().catch(() => null);
  return m?.width && m.height ? { width: m.width, height: m.height } : null;
}
